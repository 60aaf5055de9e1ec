#!/bin/sh
# LiteRT oracle, op by op: every op the runtime executes, int8 and FLOAT32, over a
# sweep of odd/prime shapes, strides, SAME/VALID, dilations, fused activations,
# broadcast shapes, concat axes, pads, resize modes (tests/util/op_zoo.c; random
# weights and quantization from a seed), each on 2 random inputs, run in Google's
# LiteRT (wasm, tests/oracles/tflite) and in `leapfrog invoke`.
# Pass: int8 outputs byte-identical; float outputs byte-identical for data-movement
# ops and within 2^-17 relative (XNNPACK's SIMD summation order / FMA / polynomial
# exp) for arithmetic ops -- see tests/util/oracle_ops.h.
# env: LF_ORACLE_SEED (default 1), LF_ORACLE_RUNS (inputs per model, default 2),
#      LF_ORACLE_TFJS=1 also runs the older TFLite build (TFLITE_RUNTIME=tfjs, one node
#      per model, ~2 min) and prints per op which runtime leapfrog agrees with
#      (informational: LiteRT is the oracle; the runtimes differ on TRANSPOSE_CONV).
: "${LF_BUILD:=build}" "${LEAPFROG:=$LF_BUILD/leapfrog}" "${LF_TMP:=/tmp}"
tool="$LF_BUILD/bench/bench_runtime"
if ! command -v node >/dev/null 2>&1 || [ ! -d tests/oracles/tflite/node_modules/@litertjs/core ]; then
  echo "LiteRT oracle missing (node, or npm install in tests/oracles/tflite)"; exit 77
fi
[ -x "$tool" ] || { echo "missing $tool (make BUILD=$LF_BUILD)"; exit 1; }
[ -x "$LEAPFROG" ] || { echo "missing $LEAPFROG"; exit 1; }
d="$LF_TMP/oracle_ops"
rm -rf "$d" && mkdir -p "$d" || exit 1

"$tool" --write-ops "$d" --runs "${LF_ORACLE_RUNS:-2}" --seed "${LF_ORACLE_SEED:-1}" || exit 1
# one node process for all models (run_litert_batch.mjs); a model LiteRT rejects
# leaves OUT.err instead of OUT and is reported as a failure by --check-ops
node tests/oracles/tflite/run_litert_batch.mjs "$d/litert.tsv" >"$d/litert.json" || {
  echo "LiteRT batch runner failed"; exit 1; }

tab=$(printf '\t')
n=0; refused=0
while IFS="$tab" read -r model ins out; do
  n=$((n+1))
  if ! "$LEAPFROG" invoke "$model" --input "$ins" --output "$out" 2>"$out.log"; then
    refused=$((refused+1)); echo "leapfrog invoke failed on $model: $(tail -n 1 "$out.log")"
  fi
done <"$d/invoke.tsv"
echo "leapfrog invoke: $n runs, $refused failed"

if [ "${LF_ORACLE_TFJS:-0}" = 1 ]; then
  cut -f1 "$d/cases.tsv" | while read -r name; do
    args=""; j=0
    while [ -f "$d/$name.r$j.in0.bin" ]; do
      ins=$(ls "$d/$name.r$j".in*.bin | tr '\n' ',' | sed 's/,$//')
      args="$args $ins $d/$name.r$j.tfjs.bin"; j=$((j+1))
    done
    # shellcheck disable=SC2086
    TFLITE_RUNTIME=tfjs tests/oracles/tflite/run_tflite.sh "$d/$name.tflite" $args >/dev/null 2>&1 ||
      echo "tfjs runtime failed on $name"
  done
  echo "== LiteRT vs tfjs (older TFLite)"; "$tool" --agree-ops "$d" litert tfjs
  echo "== leapfrog vs tfjs"; "$tool" --agree-ops "$d" lf tfjs
fi

"$tool" --check-ops "$d"
