#!/bin/sh
# Measures the two int8 lowerings of unfoldable BatchNorms (depthwise 1x1 vs
# MUL + ADD, lf_convert.h) on a trained DenseNet (synthetic ChestX-ray14 data,
# 64x64, growth 8, blocks 2-4): int8 against the SAME weights in FP32, by
#  - PTQ (MSE and min/max calibration) of one FP32 checkpoint: identical weights;
#  - QAT (2 epochs) from that checkpoint with each lowering, seeds 1..3, each
#    int8 model against its own QAT weights converted to FP32.
# Prints mean |p_int8 - p_fp32| over all findings and images, the mean AUC
# difference and the mean per-finding |AUC difference| (AUC by `score`).
# About 6 minutes on 2 cores.   usage: scripts/measure_bn_lowering.sh [BUILD_DIR] [OUT_DIR]
set -eu
B=${1:-build}
O=${2:-bn-lowering-out}
L="$(cd "$(dirname "$0")/.." && pwd)/$B/leapfrog"
PY=${LF_PYTHON:-/usr/bin/python3}
mkdir -p "$O"
cd "$O"
[ -d D ] || "$L" synth chestxray14 --out D --n 1200 --size 64 --seed 5 > /dev/null
[ -f R/best.safetensors ] || "$L" train --task chestxray14 --data D --arch densenet121 --size 64 --growth 8 \
  --blocks 2,4 --init-features 16 --epochs 10 --batch 16 --lr 3e-3 --out R --quiet
pred() { "$L" predict "$1.tflite" --task chestxray14 --data D --out "$1.json" --quiet; }
score() { "$L" score --task chestxray14 --data D --pred "$1.json" --compare "$2.json" --bootstrap 0 --out "$1.metrics.json" --quiet; }
"$L" convert R/best.safetensors --fp32 -o fp32.tflite 2>/dev/null
pred fp32
rows=""
for bl in depthwise mul-add; do
  for m in mse minmax; do
    "$L" ptq --from R/best.safetensors --data D --calib 256 --method $m --bn-lowering $bl -o ptq-$bl-$m.safetensors > /dev/null
    "$L" convert ptq-$bl-$m.safetensors -o ptq-$bl-$m.tflite 2>/dev/null
    pred ptq-$bl-$m
    score ptq-$bl-$m fp32
    rows="$rows ptq-$bl-$m:fp32"
  done
  for s in 1 2 3; do
    "$L" qat --overwrite --from R/best.safetensors --data D --epochs 2 --out qat-$bl-$s --freeze-bn-after 80 \
      --freeze-observers-after 100 --bn-lowering $bl --seed $s --quiet > /dev/null
    "$L" convert qat-$bl-$s/last.safetensors -o qat-$bl-$s.tflite 2>/dev/null
    "$L" convert qat-$bl-$s/last.safetensors --fp32 -o qat-$bl-$s-fp32.tflite 2>/dev/null
    pred qat-$bl-$s
    pred qat-$bl-$s-fp32
    score qat-$bl-$s qat-$bl-$s-fp32
    rows="$rows qat-$bl-$s:qat-$bl-$s-fp32"
  done
done
"$PY" - $rows <<'PYEOF'
import json, sys
import numpy as np
def probs(p):
    j = json.load(open(p + ".json")); k = sorted(j); l = sorted(j[k[0]])
    return np.array([[j[a][b] for b in l] for a in k])
print("%-22s %10s %10s %10s %12s %14s" % ("int8 model", "mean|dp|", "max|dp|", "AUC int8", "AUC diff", "mean|AUC diff|"))
for pair in sys.argv[1:]:
    q, f = pair.split(":")
    m = json.load(open(q + ".metrics.json")); c = m["compare"]
    d = np.abs(probs(q) - probs(f)); per = np.array([v for v in c["auc_diff"].values() if v is not None])
    print("%-22s %10.5f %10.4f %10.4f %+12.4f %14.4f" % (q, d.mean(), d.max(), m["mean_auc"], m["mean_auc"] - c["mean_auc"], np.abs(per).mean()))
PYEOF
