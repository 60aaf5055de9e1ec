#!/bin/sh
# Batch N end to end: `leapfrog convert --batch 4` of the same checkpoints as the
# batch-1 models (tiny DenseNet, BN lowering depthwise and mul-add, int8 and
# uint8 io; UNet with TRANSPOSE_CONV and with resize; int8 and FP32):
#  - every activation tensor has dim 0 = 4, the metadata records "batch":4;
#  - 4 different images through the batch-4 model (`leapfrog invoke`, 1 and 2
#    threads) give, image by image, exactly the bytes of the batch-1 model;
#  - LiteRT (tests/oracles/tflite) runs the batch-4 model and gives our bytes
#    (int8; FP32 within 1e-4, as at batch 1: its float kernels are not ours);
#  - `predict --batch 4` (10 images: a last partial batch) writes the same
#    predictions JSON / submission CSV bytes as batch 1; --stats says batch 4;
#    --batch 2 on a batch-4 model is refused; convert --batch 0 exits 2;
#  - the model zoo's batch-4 models (bench_runtime --write-models --batch 4)
#    give the batch-1 zoo models' bytes image by image.
# Weights are barely trained (2 steps) and ranges from 16-image min/max PTQ:
# this checks shapes and bytes, not accuracy. Exit 77 when only the LiteRT part
# could not run (node, tests/oracles/tflite/node_modules or bench_runtime missing).
set -u
: "${LEAPFROG:?}" "${LF_BUILD:=build}"
root=$(cd "$(dirname "$0")/.." && pwd)
T=${LF_TMP:-/tmp}/convert_batch.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
L=$LEAPFROG
PY=${LF_PYTHON:-/usr/bin/python3}
oracle="${LF_TFLITE_ORACLE:-$root/tests/oracles/tflite/run_tflite.sh}"
bench="$root/$LF_BUILD/bench/bench_runtime"
fail=0
bad() { echo "FAIL: $*"; fail=1; }
run() { "$@" >"$T/log" 2>&1 || { echo "FAIL: $*"; tail -n 20 "$T/log"; exit 1; }; }
"$PY" -c "import numpy" 2>/dev/null || { echo "skip: numpy missing"; exit 77; }
have_litert=no
command -v node >/dev/null && [ -d "$root/tests/oracles/tflite/node_modules" ] && [ -x "$bench" ] && have_litert=yes

# --- checkpoints: tiny models, 2 training steps, min/max ranges ---
run "$L" synth chestxray14 --out "$T/C" --n 40 --size 64 --seed 3
run "$L" synth nerve --out "$T/N" --n 16 --seed 3
run "$L" train --task chestxray14 --data "$T/C" --arch densenet121 --size 32 --growth 8 --blocks 2,2 \
  --init-features 16 --epochs 1 --batch 8 --max-steps 2 --out "$T/RD" --quiet
run "$L" train --task nerve --data "$T/N" --arch unet --size 32x48 --width 4 --depth 2 --transposed \
  --epochs 1 --batch 4 --max-steps 2 --out "$T/RT" --quiet
run "$L" train --task nerve --data "$T/N" --arch unet --size 32x48 --width 4 --depth 2 \
  --epochs 1 --batch 4 --max-steps 2 --out "$T/RU" --quiet
for bl in depthwise mul-add; do
  run "$L" ptq --from "$T/RD/last.safetensors" --data "$T/C" --calib 16 --method minmax --bn-lowering $bl \
    -o "$T/PD-$bl.safetensors"
done
run "$L" ptq --from "$T/RT/last.safetensors" --data "$T/N" --calib 8 --method minmax -o "$T/PT.safetensors"
run "$L" ptq --from "$T/RU/last.safetensors" --data "$T/N" --calib 8 --method minmax -o "$T/PU.safetensors"

# --- name, checkpoint, convert options ---
cat >"$T/cases" <<EOF
dn_dw PD-depthwise.safetensors
dn_muladd PD-mul-add.safetensors
dn_u8 PD-depthwise.safetensors --io uint8
dn_f32 RD/last.safetensors --fp32
unet_tconv PT.safetensors
unet_tconv_f32 RT/last.safetensors --fp32
unet_resize PU.safetensors
unet_resize_f32 RU/last.safetensors --fp32
EOF
while read -r name ckpt opts; do
  # shellcheck disable=SC2086
  run "$L" convert "$T/$ckpt" $opts -o "$T/$name.b1.tflite"
  # shellcheck disable=SC2086
  run "$L" convert "$T/$ckpt" $opts --batch 4 -o "$T/$name.b4.tflite"
  grep -q '"batch":4' "$T/$name.b4.tflite" || bad "$name: metadata lacks \"batch\":4"
  "$L" info "$T/$name.b4.tflite" --json >"$T/$name.b4.json" || bad "$name: info"
  # 4 different images in the model's input type, and each alone
  "$PY" - "$T/$name.b4.json" "$T/$name" <<'PY' || bad "$name: batch-4 model shapes"
import json, sys
import numpy as np
j, base = json.load(open(sys.argv[1])), sys.argv[2]
acts = [t for t in j["tensors"] if not t["constant"]]
wrong = [t["name"] for t in acts if not t["shape"] or t["shape"][0] != 4]
if wrong:
    sys.exit("activations without batch 4: %s" % wrong[:5])
t = j["inputs"][0]
rng = np.random.default_rng(sum(base.encode()))
n = t["bytes"] // 4
if t["dtype"] == "FLOAT32":
    x = rng.random(n // 4 * 4, dtype=np.float32)
else:
    x = rng.integers(0, 256, n * 4, dtype=np.uint8)
raw = x.tobytes()
open(base + ".x4", "wb").write(raw)
for k in range(4):
    open(base + ".x%d" % k, "wb").write(raw[k * n:(k + 1) * n])
PY
  run "$L" invoke "$T/$name.b4.tflite" --input "$T/$name.x4" --output "$T/$name.y4"
  run "$L" invoke "$T/$name.b4.tflite" --input "$T/$name.x4" --output "$T/$name.y4t" --threads 2
  : >"$T/$name.y1"
  for k in 0 1 2 3; do
    run "$L" invoke "$T/$name.b1.tflite" --input "$T/$name.x$k" --output "$T/$name.y1.$k"
    cat "$T/$name.y1.$k" >>"$T/$name.y1"
  done
  cmp -s "$T/$name.y4" "$T/$name.y1" && echo "$name: batch 4 == 4 x batch 1 ($(wc -c <"$T/$name.y4") bytes)" ||
    bad "$name: the batch-4 model's bytes differ from the batch-1 model's"
  cmp -s "$T/$name.y4" "$T/$name.y4t" || bad "$name: batch 4 with 2 threads differs from 1 thread"
  cmp -s "$T/$name.y1.0" "$T/$name.y1.1" && bad "$name: two different images gave the same output"
  if [ $have_litert = yes ]; then
    sh "$oracle" "$T/$name.b4.tflite" "$T/$name.x4" "$T/$name.yl" >"$T/log" 2>&1 ||
      { bad "$name: LiteRT refused the batch-4 model"; tail -n 5 "$T/log"; continue; }
    case $opts in
      *--fp32*) # float: LiteRT's XNNPACK kernels differ from ours in the last bits (as at batch 1)
        "$bench" --compare "$T/$name.yl" "$T/$name.y4" 1e-4 ||
          bad "$name: LiteRT's floats differ from leapfrog's by more than 1e-4 on the batch-4 model" ;;
      *) cmp -s "$T/$name.yl" "$T/$name.y4" && echo "$name: LiteRT == leapfrog on the batch-4 model (bytes)" ||
          bad "$name: LiteRT's bytes differ from leapfrog's on the batch-4 model" ;;
    esac
  fi
done <"$T/cases"

# --- the zoo's batch-N models (bench_runtime --write-models --batch N, for the benchmarks) ---
if [ -x "$bench" ]; then
  mkdir -p "$T/z1" "$T/z4"
  run "$bench" --write-models "$T/z1" --small
  run "$bench" --write-models "$T/z4" --small --batch 4
  for name in densenet121_i8 unet_tconv_i8 unet_f32; do
    [ -e "$T/z4/${name}_b4.tflite" ] || { bad "zoo: no ${name}_b4.tflite"; continue; }
    "$PY" - "$T/z4/${name}_b4.in.bin" "$T/zoo" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read(); n = len(raw) // 4
for k in range(4):
    open(sys.argv[2] + ".x%d" % k, "wb").write(raw[k * n:(k + 1) * n])
PY
    run "$L" invoke "$T/z4/${name}_b4.tflite" --input "$T/z4/${name}_b4.in.bin" --output "$T/zoo.y4"
    : >"$T/zoo.y1"
    for k in 0 1 2 3; do
      run "$L" invoke "$T/z1/$name.tflite" --input "$T/zoo.x$k" --output "$T/zoo.y1.$k"
      cat "$T/zoo.y1.$k" >>"$T/zoo.y1"
    done
    cmp -s "$T/zoo.y4" "$T/zoo.y1" && echo "zoo $name: batch 4 == 4 x batch 1" || bad "zoo $name: batch 4 differs from batch 1"
  done
fi

# --- predict: batch 4 writes batch 1's files (10 images: batches of 4, 4, 2 + 2 repeats) ---
for name in dn_dw dn_f32; do
  run "$L" predict "$T/$name.b1.tflite" --task chestxray14 --data "$T/C" --split all --limit 10 --out "$T/$name.p1.json" --quiet
  run "$L" predict "$T/$name.b4.tflite" --task chestxray14 --data "$T/C" --split all --limit 10 --batch 4 \
    --stats "$T/$name.s4.json" --out "$T/$name.p4.json" --quiet
  cmp -s "$T/$name.p1.json" "$T/$name.p4.json" && echo "$name: predict --batch 4 == batch 1 (chest JSON)" ||
    bad "$name: predict --batch 4 predictions differ from batch 1"
  "$PY" -c "import json,sys; s=json.load(open(sys.argv[1])); p=json.load(open(sys.argv[2])); sys.exit(not (s['batch'] == 4 and s['images'] == 10 == len(p) and s['ms_per_image']['median'] > 0))" \
    "$T/$name.s4.json" "$T/$name.p4.json" || bad "$name: --stats of the batch-4 run"
done
# nerve: test split (loader) and --split all (inline decoding); no --batch: the model's batch
for name in unet_tconv unet_resize_f32; do
  for split in test all; do
    run "$L" predict "$T/$name.b1.tflite" --task nerve --data "$T/N" --split $split --limit 6 --out "$T/$name.$split.p1.csv" --quiet
    run "$L" predict "$T/$name.b4.tflite" --task nerve --data "$T/N" --split $split --limit 6 --out "$T/$name.$split.p4.csv"
    grep -q "batch 4:" "$T/log" || bad "$name: predict did not use the model's batch 4"
    cmp -s "$T/$name.$split.p1.csv" "$T/$name.$split.p4.csv" &&
      echo "$name: predict (batch 4 from the model) == batch 1 (nerve CSV, split $split)" ||
      bad "$name: nerve submission of the batch-4 model differs from batch 1 (split $split)"
  done
done

# --- refusals ---
"$L" predict "$T/dn_dw.b4.tflite" --task chestxray14 --data "$T/C" --batch 2 --out "$T/x.json" 2>"$T/err"
[ $? = 1 ] && grep -q "batch is 4" "$T/err" && [ ! -e "$T/x.json" ] || bad "predict --batch 2 on a batch-4 model: $(cat "$T/err")"
"$L" convert "$T/RD/last.safetensors" --fp32 --batch 0 -o "$T/x.tflite" 2>/dev/null; [ $? = 2 ] || bad "convert --batch 0: exit 2"
"$L" convert --help | grep -q -- "--batch N" || bad "convert --help lacks --batch"
"$L" predict --help | grep -q -- "--batch N" || bad "predict --help lacks --batch"

[ $fail = 0 ] || { echo "convert --batch: failures"; exit 1; }
[ $have_litert = yes ] || { echo "skip: LiteRT oracle (node, tests/oracles/tflite/node_modules) missing; the rest passed"; exit 77; }
echo "convert --batch / predict --batch: all checks passed"
