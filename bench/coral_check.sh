#!/bin/sh
# Coral's public test models (github.com/google-coral/test_data), from a local
# checkout named by CORAL_DIR (never committed; nothing downloads here). Not part
# of make test: CI has no copy of Coral's files (and counts a skip as a failure);
# run it by hand, `CORAL_DIR=path/to/test_data sh bench/coral_check.sh`:
# 1. Edge TPU pre-flight against the real compiler: every X.tflite that has an
#    X_edgetpu.tflite beside it (compiled by Coral with edgetpu_compiler). The
#    ops the compiler left on the CPU are the nodes of X_edgetpu.tflite other than
#    'edgetpu-custom-op'; ours are the nodes `leapfrog info --edgetpu --json X.tflite`
#    does not place on the Edge TPU. A pair agrees when both lists hold the same ops
#    (as a multiset: the compiled file's node order may differ).
# 2. LiteRT: every X.tflite (not _edgetpu) in `leapfrog invoke` and in LiteRT
#    (tests/oracles/tflite) on seeded random inputs (tests/mediapipe_io.py);
#    quantized outputs must be byte-identical, float ones within CORAL_BOUND
#    relative (default 2e-4). A model leapfrog's runtime refuses fails unless its
#    basename is in CORAL_KNOWN_REFUSED (the ops still missing, listed below).
# Prints one markdown table per part (the README's Edge TPU table comes from here).
# env: CORAL_DIR, CORAL_SEED (default 1), CORAL_FILTER (substring of the file name)
: "${LF_BUILD:=build}" "${LEAPFROG:=$LF_BUILD/leapfrog}" "${LF_TMP:=/tmp}" "${LF_PYTHON:=python3}"
[ -n "${CORAL_DIR:-}" ] || { echo "usage: CORAL_DIR=path/to/test_data sh bench/coral_check.sh (a checkout of github.com/google-coral/test_data)"; exit 2; }
[ -d "$CORAL_DIR" ] || { echo "CORAL_DIR=$CORAL_DIR is not a directory"; exit 1; }
[ -x "$LEAPFROG" ] || { echo "missing $LEAPFROG"; exit 1; }
# what the runtime does not run yet (issue 11): automl: TFLite_Detection_PostProcess and
# uint8 CONCATENATION with differing scales; keras_lstm: UNIDIRECTIONAL_SEQUENCE_LSTM;
# posenet: the custom PosenetDecoderOp (movenet runs since CAST, FLOOR_DIV, GATHER_ND, SQRT,
# int32 ADD/SUB/MUL/PACK and int8 SUB's builtin path: byte-identical with LiteRT);
# invalid_models: Coral's deliberately broken model
: "${CORAL_KNOWN_REFUSED:=traffic_model keras_lstm_mnist_ptq
  bodypix_mobilenet_v1_075_512_512_16_quant_decoder posenet_mobilenet_v1_075_353_481_16_quant_decoder
  posenet_mobilenet_v1_075_481_641_16_quant_decoder posenet_mobilenet_v1_075_721_1281_16_quant_decoder
  model_invoking_error}"
# a fresh directory of its own (never a fixed name: LF_TMP may be /tmp itself)
d=$(mktemp -d "$LF_TMP/coral_check.XXXXXX") || exit 1
bad=0; tab=$(printf '\t')
models=$(find -L "$CORAL_DIR" -name '*.tflite' ! -name '*_edgetpu.tflite' | sort)
[ -n "$models" ] || { echo "no .tflite under $CORAL_DIR"; exit 1; }

# --- 1. Edge TPU pre-flight vs the compiled files ---
echo "| model | ours: mapped / CPU | compiler: CPU ops | agree |"
echo "|---|---|---|---|"
pairs=0; agree=0
for m in $models; do
  e="${m%.tflite}_edgetpu.tflite"; b=$(basename "$m" .tflite)
  case "$b" in *"${CORAL_FILTER:-}"*) ;; *) continue ;; esac
  [ -f "$e" ] || continue
  pairs=$((pairs+1))
  "$LEAPFROG" info --edgetpu --json "$m" >"$d/$b.ours.json" 2>"$d/$b.ours.err"
  "$LEAPFROG" info --json "$e" >"$d/$b.real.json" 2>/dev/null # exit 1: the custom op does not run here
  if row=$("$LF_PYTHON" - "$d/$b.ours.json" "$d/$b.real.json" "$b" <<'PY'
import collections, json, sys
try:
    ours, real = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
except ValueError as e:
    print("| %s | unreadable: %s | | no |" % (sys.argv[3], e)); sys.exit(1)
e = ours["edgetpu"]
mine = collections.Counter(n["op"] for n in e["nodes"] if not n["on_edgetpu"])
cpu = collections.Counter(n["op"] for n in real["nodes"] if n.get("custom_code") != "edgetpu-custom-op")
same = mine == cpu
def text(c):
    return ", ".join("%s%s" % (k, " x%d" % v if v > 1 else "") for k, v in sorted(c.items())) or "none"
print("| %s | %d / %d | %d: %s | %s |" % (sys.argv[3], e["mapped_ops"], e["cpu_ops"], sum(cpu.values()),
      text(cpu), "yes" if same else "NO (ours: %s)" % text(mine)))
sys.exit(0 if same else 1)
PY
  ); then agree=$((agree+1)); else bad=$((bad+1)); fi
  echo "$row"
done
echo "edgetpu: $agree of $pairs pairs agree with the compiler"

# --- 2. leapfrog vs LiteRT ---
if ! command -v node >/dev/null 2>&1 || [ ! -d tests/oracles/tflite/node_modules/@litertjs/core ]; then
  echo "LiteRT oracle missing (node, or npm install in tests/oracles/tflite): LiteRT part skipped"
  [ "$bad" = 0 ]; exit $?
fi
: >"$d/litert.tsv"; : >"$d/models"
echo
echo "| model | leapfrog vs LiteRT |"
echo "|---|---|"
n=0; same=0; refused=0
for m in $models; do
  b=$(basename "$m" .tflite); w="$d/run/$b"
  case "$b" in *"${CORAL_FILTER:-}"*) ;; *) continue ;; esac
  n=$((n+1)); mkdir -p "$w"
  why=""
  if ! "$LEAPFROG" info --json "$m" >"$w/info.json" 2>"$w/info.err"; then
    why=$(tail -n 1 "$w/info.err" | sed 's/^leapfrog info: //')
  elif ! ins=$("$LF_PYTHON" tests/mediapipe_io.py gen "$w/info.json" "${CORAL_SEED:-1}" "$w" 2>"$w/gen.err"); then
    why="no inputs: $(tail -n 1 "$w/gen.err")"
  fi
  if [ -n "$why" ]; then
    case " $(echo $CORAL_KNOWN_REFUSED) " in
      *" $b "*) echo "| $b | refused (known): $(echo "$why" | cut -c1-160) |"; refused=$((refused+1)) ;;
      *) echo "| $b | FAIL: $why |"; bad=$((bad+1)) ;;
    esac
    continue
  fi
  echo "$m$tab$ins$tab$w/litert.bin" >>"$d/litert.tsv"
  echo "$m$tab$ins$tab$w" >>"$d/models"
done
node tests/oracles/tflite/run_litert_batch.mjs "$d/litert.tsv" >"$d/litert.json" 2>"$d/litert.err" || {
  echo "LiteRT batch runner failed: $(tail -n 1 "$d/litert.err")"; exit 1; }
while IFS="$tab" read -r m ins w; do
  b=$(basename "$m" .tflite)
  if [ ! -f "$w/litert.bin" ]; then
    echo "| $b | FAIL: LiteRT failed: $(tail -n 1 "$w/litert.bin.err" 2>/dev/null) |"; bad=$((bad+1)); continue
  fi
  if ! "$LEAPFROG" invoke "$m" --input "$ins" --output "$w/lf.bin" 2>"$w/lf.log"; then
    echo "| $b | FAIL: leapfrog invoke: $(tail -n 1 "$w/lf.log") |"; bad=$((bad+1)); continue
  fi
  if r=$(MP_BOUND="${CORAL_BOUND:-2e-4}" "$LF_PYTHON" tests/mediapipe_io.py cmp "$w/info.json" "$w/lf.bin" "$w/litert.bin"); then
    echo "| $b | $r |"; same=$((same+1))
  else
    echo "| $b | FAIL: $r |"; bad=$((bad+1))
  fi
done <"$d/models"
echo "litert: $n models: $same agree with LiteRT, $refused refused (known), $bad failures in all"
[ "$bad" = 0 ]
