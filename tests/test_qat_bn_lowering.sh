#!/bin/sh
# --bn-lowering depthwise|mul-add on qat / ptq / convert, end to end on
# synthetic ChestX-ray14 data with a small DenseNet (pre-activation BNs):
#  - qat --bn-lowering mul-add records the lowering in the checkpoint
#    (leapfrog.quant) and convert uses it: the model holds MUL + ADD per
#    unfoldable BN and no DEPTHWISE_CONV_2D, its metadata says "mul-add";
#    a depthwise QAT checkpoint converts to DEPTHWISE_CONV_2D; forcing the
#    other lowering on convert warns;
#  - PTQ of the same FP32 weights with each lowering: int8 vs FP32 (same
#    weights) mean |p| difference and AUC (scored by `score`, as
#    scikit-learn) are printed; both within 0.03 AUC of FP32;
#  - LiteRT runs the mul-add model with leapfrog's bytes (when installed);
#  - bad values exit 2.
set -u
T=${LF_TMP:-/tmp}/bn_lowering.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
L=$LEAPFROG
PY=${LF_PYTHON:-/usr/bin/python3}
fail=0
run() { "$@" >"$T/log" 2>&1 || { echo "FAIL: $*"; tail -n 20 "$T/log"; exit 1; }; }

run "$L" synth chestxray14 --out "$T/D" --n 400 --size 64 --seed 7
run "$L" train --task chestxray14 --data "$T/D" --arch densenet121 --size 32 --growth 8 --blocks 2,2 \
  --init-features 16 --epochs 6 --batch 16 --lr 3e-3 --out "$T/R" --quiet
run "$L" convert "$T/R/best.safetensors" --fp32 -o "$T/f.tflite"
run "$L" predict "$T/f.tflite" --task chestxray14 --data "$T/D" --out "$T/f.json" --quiet
for bl in depthwise mul-add; do
  run "$L" ptq --from "$T/R/best.safetensors" --data "$T/D" --calib 64 --method mse --bn-lowering $bl -o "$T/P-$bl.safetensors"
  run "$L" convert "$T/P-$bl.safetensors" -o "$T/p-$bl.tflite"
  run "$L" predict "$T/p-$bl.tflite" --task chestxray14 --data "$T/D" --out "$T/p-$bl.json" --quiet
  run "$L" score --task chestxray14 --data "$T/D" --pred "$T/p-$bl.json" --compare "$T/f.json" --bootstrap 0 \
    --out "$T/p-$bl.metrics.json" --quiet
done
"$PY" - "$T" <<'PYEOF' || fail=1
import json, sys
import numpy as np
d = sys.argv[1]
def probs(p):
    j = json.load(open(p)); k = sorted(j); l = sorted(j[k[0]])
    return np.array([[j[a][b] for b in l] for a in k])
f = probs(d + "/f.json")
ok = True
for bl in ("depthwise", "mul-add"):
    m = json.load(open("%s/p-%s.metrics.json" % (d, bl)))
    dp = np.abs(probs("%s/p-%s.json" % (d, bl)) - f)
    diff = m["mean_auc"] - m["compare"]["mean_auc"]
    print("ptq mse, BN lowering %-9s: int8 vs same-weights fp32: mean |dp| %.5f, max %.4f, mean AUC %.4f vs %.4f (%+.4f)"
          % (bl, dp.mean(), dp.max(), m["mean_auc"], m["compare"]["mean_auc"], diff))
    ok = ok and abs(diff) <= 0.03 and m["compare"]["mean_auc"] > 0.6
sys.exit(0 if ok else 1)
PYEOF

# QAT with mul-add: recorded, used by convert
run "$L" qat --from "$T/R/best.safetensors" --data "$T/D" --epochs 1 --max-steps 12 --out "$T/Q" \
  --freeze-bn-after 8 --freeze-observers-after 10 --bn-lowering mul-add --quiet
grep -q 'bn_lowering[^a-z]*mul-add' "$T/Q/last.safetensors" || { echo "FAIL: the QAT checkpoint does not record mul-add"; fail=1; }
run "$L" convert "$T/Q/last.safetensors" -o "$T/q.tflite"
"$L" info "$T/q.tflite" > "$T/info.txt" 2>&1
nmul=$(awk '$1 == "MUL" && NF == 2 {print $2}' "$T/info.txt")
nadd=$(awk '$1 == "ADD" && NF == 2 {print $2}' "$T/info.txt")
ndw=$(awk '$1 == "DEPTHWISE_CONV_2D" && NF == 2 {print $2}' "$T/info.txt")
# standalone BNs: 2 blocks x 2 layers + 1 transition + norm5 = 6
[ "${nmul:-0}" = 6 ] && [ "${nadd:-0}" = 6 ] && [ -z "$ndw" ] ||
  { echo "FAIL: mul-add model has MUL ${nmul:-0} ADD ${nadd:-0} DEPTHWISE ${ndw:-0}"; fail=1; }
grep -q '"bn_lowering":"mul-add"' "$T/q.tflite" || { echo "FAIL: model metadata lacks bn_lowering"; fail=1; }
# depthwise from PTQ's record
"$L" info "$T/p-depthwise.tflite" | awk '$1 == "DEPTHWISE_CONV_2D" && $2 == 6 {f=1} END {exit !f}' ||
  { echo "FAIL: depthwise PTQ model lacks its 6 DEPTHWISE_CONV_2D"; fail=1; }
# forcing the other lowering on a mul-add checkpoint warns (its ranges cover both: it converts)
"$L" convert "$T/Q/last.safetensors" --bn-lowering depthwise -o "$T/q2.tflite" 2>"$T/err" ||
  { echo "FAIL: convert --bn-lowering depthwise of a mul-add QAT checkpoint"; cat "$T/err"; fail=1; }
grep -q "warning: .*mul-add" "$T/err" || { echo "FAIL: no warning when overriding the recorded lowering"; fail=1; }

# LiteRT: the mul-add model gives leapfrog's bytes
if [ -n "${LF_TFLITE_ORACLE:-}" ]; then
  "$PY" -c "
import numpy as np; r = np.random.default_rng(3)
r.integers(-128, 128, 32*32*3).astype(np.int8).tofile('$T/x0.bin'); r.integers(-128, 128, 32*32*3).astype(np.int8).tofile('$T/x1.bin')"
  if "$LF_TFLITE_ORACLE" "$T/q.tflite" "$T/x0.bin" "$T/y0.lit" "$T/x1.bin" "$T/y1.lit" >/dev/null 2>&1; then
    same=yes
    for k in 0 1; do
      "$L" invoke "$T/q.tflite" --input "$T/x$k.bin" --output "$T/y$k.lf" >/dev/null 2>&1 || { echo "FAIL: invoke"; fail=1; }
      cmp -s "$T/y$k.lit" "$T/y$k.lf" || { echo "FAIL: LiteRT and leapfrog differ on the mul-add model (input $k)"; same=no; fail=1; }
    done
    echo "LiteRT == leapfrog runtime on the mul-add model: $same"
  else
    echo "FAIL: LiteRT did not run the mul-add model"; fail=1
  fi
fi

# usage errors
"$L" convert "$T/Q/last.safetensors" --bn-lowering bogus -o "$T/x.tflite" 2>/dev/null; [ $? = 2 ] || { echo "FAIL: convert --bn-lowering bogus should exit 2"; fail=1; }
"$L" qat --from "$T/R/best.safetensors" --data "$T/D" --bn-lowering bogus 2>/dev/null; [ $? = 2 ] || { echo "FAIL: qat --bn-lowering bogus should exit 2"; fail=1; }
"$L" ptq --from "$T/R/best.safetensors" --data "$T/D" --calib 4 --bn-lowering x -o "$T/x" 2>/dev/null; [ $? = 2 ] || { echo "FAIL: ptq --bn-lowering x should exit 2"; fail=1; }
"$L" convert --help | grep -q -- "--bn-lowering" || { echo "FAIL: convert --help lacks --bn-lowering"; fail=1; }
[ $fail = 0 ] && echo ok
exit $fail
