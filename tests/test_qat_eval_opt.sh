#!/bin/sh
# `leapfrog qat --eval exact|float`: the validation forward only. On a small
# synthetic nerve UNet, QAT with either eval trains to the same weights
# (tensor bytes of last.safetensors equal), while the logged validation loss
# differs (float fake quant drifts from the integer-exact eval) by < 1%;
# a bad value is a usage error (exit 2) and --help documents the option.
set -u
T=${LF_TMP:-/tmp}/qat_eval_opt.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
L=$LEAPFROG
run() { "$@" >"$T/log" 2>&1 || { echo "FAIL: $*"; tail -n 20 "$T/log"; exit 1; }; }

"$L" qat --help | grep -q -- "--eval exact|float" || { echo "FAIL: --help does not document --eval"; exit 1; }
"$L" qat --from x --data y --eval bogus >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: --eval bogus exited $rc, not 2"; exit 1; }
run "$L" synth nerve --out "$T/D" --n 120 --seed 5
run "$L" train --task nerve --data "$T/D" --arch unet --width 4 --epochs 1 --batch 8 --out "$T/R" --quiet
for e in exact float; do
  run "$L" qat --from "$T/R/best.safetensors" --data "$T/D" --epochs 1 --out "$T/Q$e" --eval $e --quiet
done
"${LF_PYTHON:-/usr/bin/python3}" - "$T" <<'PYEOF'
import json, struct, sys
d = sys.argv[1]
def data(p):
    b = open(p, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    return b[8 + n:]
def val_loss(p):
    return [json.loads(l)["val_loss"] for l in open(p) if l.strip()][-1]
same = data(d + "/Qexact/last.safetensors") == data(d + "/Qfloat/last.safetensors")
le, lf = val_loss(d + "/Qexact/train_log.jsonl"), val_loss(d + "/Qfloat/train_log.jsonl")
print("weights equal: %s; val loss exact %.9f float %.9f" % (same, le, lf))
sys.exit(0 if same and le != lf and abs(le - lf) < 0.01 * abs(le) else 1)
PYEOF
