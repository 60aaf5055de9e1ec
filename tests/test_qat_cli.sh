#!/bin/sh
# End to end on synthetic ChestX-ray14 data: train a small DenseNet in FP32,
# then `leapfrog ptq` (MSE calibration) and `leapfrog qat`, `leapfrog convert`
# to int8 .tflite, `leapfrog predict` + `leapfrog score`: the int8 models'
# test mean AUC (scored like scikit-learn by `score`) is within 0.03 of the
# FP32 model's; the uint8-io model runs in LiteRT (when the oracle is
# installed) and gives the int8 model's outputs + 128; a QAT run stopped and
# resumed ends bit-identical to an uninterrupted one. Usage errors exit 2.
set -u
T=${LF_TMP:-/tmp}/qat_cli.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
L=$LEAPFROG
fail=0
run() { "$@" >"$T/log" 2>&1 || { echo "FAIL: $*"; tail -n 20 "$T/log"; exit 1; }; }

run "$L" synth chestxray14 --out "$T/D" --n 400 --size 64 --seed 5
run "$L" train --task chestxray14 --data "$T/D" --arch densenet121 --size 32 --growth 8 --blocks 2,2 \
  --init-features 16 --epochs 8 --batch 16 --lr 3e-3 --out "$T/R" --quiet
run "$L" ptq --from "$T/R/best.safetensors" --data "$T/D" --calib 64 --method mse -o "$T/P.safetensors"
run "$L" qat --from "$T/R/best.safetensors" --data "$T/D" --epochs 2 --out "$T/Q" --freeze-bn-after 20 \
  --freeze-observers-after 25 --quiet
run "$L" convert "$T/R/best.safetensors" --fp32 -o "$T/f.tflite"
run "$L" convert "$T/P.safetensors" -o "$T/p.tflite"
run "$L" convert "$T/Q/last.safetensors" -o "$T/q.tflite"
run "$L" convert "$T/Q/last.safetensors" --io uint8 -o "$T/qu.tflite"
for m in f p q; do
  run "$L" predict "$T/$m.tflite" --task chestxray14 --data "$T/D" --out "$T/$m.json" --quiet
  run "$L" score --task chestxray14 --data "$T/D" --pred "$T/$m.json" --bootstrap 0 --out "$T/$m.metrics.json" --quiet
done
"${LF_PYTHON:-/usr/bin/python3}" - "$T" <<'PYEOF' || fail=1
import json, sys
d = sys.argv[1]
auc = {m: json.load(open("%s/%s.metrics.json" % (d, m)))["mean_auc"] for m in "fpq"}
print("test mean AUC: fp32 %.4f  ptq-int8 %.4f  qat-int8 %.4f" % (auc["f"], auc["p"], auc["q"]))
ok = auc["f"] > 0.6 and abs(auc["p"] - auc["f"]) <= 0.03 and abs(auc["q"] - auc["f"]) <= 0.03
sys.exit(0 if ok else 1)
PYEOF

# uint8 io: the edges are QUANTIZE ops; LiteRT gives the int8 model's bytes + 128
if [ -n "${LF_TFLITE_ORACLE:-}" ]; then
  "${LF_PYTHON:-/usr/bin/python3}" -c "
import numpy as np; r = np.random.default_rng(1)
x = r.integers(-128, 128, 32*32*3).astype(np.int8); x.tofile('$T/xi.bin'); (x.astype(np.int16) + 128).astype(np.uint8).tofile('$T/xu.bin')"
  if "$LF_TFLITE_ORACLE" "$T/q.tflite" "$T/xi.bin" "$T/yi.bin" >/dev/null 2>&1 &&
     "$LF_TFLITE_ORACLE" "$T/qu.tflite" "$T/xu.bin" "$T/yu.bin" >/dev/null 2>&1; then
    "$L" invoke "$T/q.tflite" --input "$T/xi.bin" --output "$T/yl.bin" >/dev/null 2>&1 || { echo "FAIL: invoke q.tflite"; fail=1; }
    "${LF_PYTHON:-/usr/bin/python3}" -c "
import sys, numpy as np
i = np.fromfile('$T/yi.bin', np.int8); u = np.fromfile('$T/yu.bin', np.uint8); l = np.fromfile('$T/yl.bin', np.int8)
ok = (u == (i.astype(np.int16) + 128)).all() and (l == i).all()
print('LiteRT uint8-io == int8 + 128: %s; leapfrog runtime == LiteRT int8: %s' % ((u == (i.astype(np.int16) + 128)).all(), (l == i).all()))
sys.exit(0 if ok else 1)" || fail=1
  else
    echo "FAIL: LiteRT did not run the converted models"; fail=1
  fi
fi

# a QAT run stopped at step 11 and resumed ends with the same checkpoint bytes
# (weights, optimiser, observers) as the uninterrupted run
run "$L" qat --from "$T/R/best.safetensors" --data "$T/D" --epochs 2 --out "$T/Q2" --freeze-bn-after 20 \
  --freeze-observers-after 25 --quiet --max-steps 11
run "$L" qat --from "$T/R/best.safetensors" --data "$T/D" --epochs 2 --out "$T/Q2" --freeze-bn-after 20 \
  --freeze-observers-after 25 --quiet --resume
cmp -s "$T/Q/last.safetensors" "$T/Q2/last.safetensors" || { echo "FAIL: resumed QAT differs from the uninterrupted run"; fail=1; }

# the QAT checkpoint carries the ranges; usage errors
grep -q "leapfrog.qranges" "$T/Q/last.safetensors" || { echo "FAIL: no ranges in the QAT checkpoint"; fail=1; }
"$L" qat --data "$T/D" 2>/dev/null; [ $? = 2 ] || { echo "FAIL: qat without --from should exit 2"; fail=1; }
"$L" ptq --from x 2>/dev/null; [ $? = 2 ] || { echo "FAIL: ptq without --calib should exit 2"; fail=1; }
"$L" ptq --from "$T/R/best.safetensors" --data "$T/D" --calib 4 --method bogus -o "$T/x" 2>/dev/null; [ $? = 2 ] || { echo "FAIL: bad --method should exit 2"; fail=1; }
"$L" qat --help | grep -q "usage: leapfrog qat" || { echo "FAIL: qat --help"; fail=1; }
"$L" ptq --help | grep -q "usage: leapfrog ptq" || { echo "FAIL: ptq --help"; fail=1; }
[ $fail = 0 ] && echo ok
exit $fail
