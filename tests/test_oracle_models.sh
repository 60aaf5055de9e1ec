#!/bin/sh
# LiteRT oracle, whole models (tests/util/model_zoo.c, random weights, plausible
# quantization): DenseNet-121-shaped 224x224x3 -> 14 sigmoids, UNet-shaped
# 80x112x1 -> 80x112 sigmoid (upsampling by RESIZE_NEAREST_NEIGHBOR + conv, and by
# TRANSPOSE_CONV), each int8 and FLOAT32, run in Google's LiteRT (wasm) and in
# `leapfrog invoke` on the same random input.
# Pass: int8 outputs byte-identical; the *_all copies of the int8 models have every
# activation as a model output, and all of them must be byte-identical too (309 tensors,
# 38.5 MB for DenseNet). FLOAT32 outputs (sigmoids in [0,1]) within
# 1e-4 absolute: XNNPACK sums in another order with FMA, so ~120 layers of float
# rounding differ (seen: <= 1e-5); 1e-4 is 1/40 of an int8 output step (1/256).
# env: LF_ORACLE_MODELS=small builds them at 64x64 / 32x48 (quick runs; same topology).
#      Sanitizer builds (LF_BUILD matching *asan*) use small: ASan checks memory safety,
#      and full size there takes minutes.
: "${LF_BUILD:=build}" "${LEAPFROG:=$LF_BUILD/leapfrog}" "${LF_TMP:=/tmp}"
tool="$LF_BUILD/bench/bench_runtime"
if ! command -v node >/dev/null 2>&1 || [ ! -d tests/oracles/tflite/node_modules/@litertjs/core ]; then
  echo "LiteRT oracle missing (node, or npm install in tests/oracles/tflite)"; exit 77
fi
[ -x "$tool" ] || { echo "missing $tool (make BUILD=$LF_BUILD)"; exit 1; }
[ -x "$LEAPFROG" ] || { echo "missing $LEAPFROG"; exit 1; }
d="$LF_TMP/oracle_models"
rm -rf "$d" && mkdir -p "$d" || exit 1
case "$LF_BUILD" in *asan*) : "${LF_ORACLE_MODELS:=small}" ;; esac
small=""; [ "${LF_ORACLE_MODELS:-full}" = small ] && small=--small
# int8 models also as <name>_all: EVERY activation is a model output, all layers compared
"$tool" --write-models "$d" $small --all-layers || exit 1

tab=$(printf '\t')
: >"$d/litert.tsv"
while IFS="$tab" read -r name model input cls; do
  printf '%s\t%s\t%s\n' "$model" "$input" "$d/$name.litert.bin" >>"$d/litert.tsv"
done <"$d/models.tsv"
node tests/oracles/tflite/run_litert_batch.mjs "$d/litert.tsv" || { echo "LiteRT batch runner failed"; exit 1; }

fail=0
while IFS="$tab" read -r name model input cls; do
  if ! "$LEAPFROG" invoke "$model" --input "$input" --output "$d/$name.lf.bin"; then
    echo "FAIL $name: leapfrog invoke failed"; fail=1; continue
  fi
  tol=0; [ "$cls" = f32 ] && tol=1e-4
  "$tool" --compare "$d/$name.litert.bin" "$d/$name.lf.bin" "$tol" || fail=1
done <"$d/models.tsv"
exit $fail
