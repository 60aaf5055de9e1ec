#!/bin/sh
# LiteRT accepts what lfrt_writer writes: one small model per supported op
# (tests/rt/tflite_test_models.h) is loaded and run by Google's LiteRT
# (default runner) and by the older TFLite build (TFLITE_RUNTIME=tfjs); each
# must exit 0. Independent cross-check of our reader: the input/output
# names, shapes and dtypes LiteRT reports must equal `leapfrog info --json`.
set -u
: "${LF_BUILD:?}" "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_PYTHON:?}" "${LF_TFLITE_ORACLE:?}"
command -v node >/dev/null 2>&1 || { echo "node is not installed"; exit 77; }
[ -d "$(dirname "$LF_TFLITE_ORACLE")/node_modules/@litertjs" ] || { echo "LiteRT npm package missing (scripts/install-deps.sh)"; exit 77; }
d="$LF_TMP/writer_litert"; mkdir -p "$d"
"$LF_BUILD/tests/rt/test_tflite_roundtrip" --write "$d" || { echo "cannot write test models"; exit 1; }
bad=0; n=0
for m in "$d"/*.tflite; do
  base=${m%.tflite}; name=$(basename "$base")
  ins=$(ls "$base".in*.bin | paste -sd, -)
  "$LEAPFROG" info --json "$m" > "$base.info.json" || { echo "FAIL $name: leapfrog info"; bad=1; continue; }
  for rt in litert tfjs; do
    n=$((n + 1))
    if ! TFLITE_RUNTIME=$rt "$LF_TFLITE_ORACLE" "$m" "$ins" "$base.$rt.out" > "$base.$rt.json" 2> "$base.$rt.err"; then
      echo "FAIL $name: $rt rejected it:"; tail -n 5 "$base.$rt.err"; bad=1; continue
    fi
    "$LF_PYTHON" - "$base.info.json" "$base.$rt.json" "$base.$rt.out" <<'PY' || { echo "FAIL $name: $rt disagrees with leapfrog info"; bad=1; }
import json, os, sys
ours = json.load(open(sys.argv[1]))
lines = [l for l in open(sys.argv[2]) if l.strip().startswith("{")]
theirs = json.loads(lines[-1])
dt = {"INT8": "int8", "FLOAT32": "float32", "INT32": "int32", "UINT8": "uint8"}
def norm_ours(l): return [(t["name"], dt[t["dtype"]], list(t["shape"])) for t in l]
def norm_theirs(l): return [(t["name"], t["dtype"], list(t["shape"])) for t in l]
a = (norm_ours(ours["inputs"]), norm_ours(ours["outputs"]))
b = (norm_theirs(theirs["inputs"]), norm_theirs(theirs["outputs"]))
if a != b:
    print("leapfrog:", a); print("runtime: ", b); sys.exit(1)
want = sum(t["bytes"] for t in ours["outputs"])
got = os.path.getsize(sys.argv[3])
if got != want:
    print("output bytes", got, "expected", want); sys.exit(1)
PY
  done
done
[ $bad = 0 ] || exit 1
echo "ok: $n model runs accepted, names/shapes/dtypes agree with leapfrog info"
