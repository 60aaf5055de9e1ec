#!/bin/sh
# `leapfrog invoke`: the run_tflite.sh contract (raw bytes in, all outputs
# concatenated + OUT.N per output), timing JSON, thread-count invariance, exit
# codes (2 usage, 1 failure), and byte equality with Google's LiteRT on a
# 17-node int8 graph (conv, depthwise, BN as MUL+ADD, concat, pools, resize,
# transpose conv, pad, mean, FC, softmax, logistic) when the oracle is installed.
: "${LF_BUILD:=build}" "${LEAPFROG:=$LF_BUILD/leapfrog}" "${LF_TMP:=/tmp}" "${LF_PYTHON:=/usr/bin/python3}"
d="$LF_TMP/cli_invoke"
rm -rf "$d" && mkdir -p "$d" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

LF_INTERP_WRITE_MODEL="$d/graph.tflite" "$LF_BUILD/tests/rt/test_interp" || fail "cannot write the test model"
"$LF_PYTHON" -c "import random; random.seed(7); open('$d/in.bin','wb').write(bytes(random.randrange(256) for _ in range(22*18*3)))" || exit 1

"$LEAPFROG" invoke "$d/graph.tflite" --input "$d/in.bin" --output "$d/out.bin" --repeat 3 --threads 2 --json \
  >"$d/run.json" 2>"$d/run.err" || fail "invoke: $(cat "$d/run.err")"
grep -q "median" "$d/run.err" || fail "no timing on stderr"
"$LF_PYTHON" - "$d" <<'PY' || exit 1
import json, sys, os
d = sys.argv[1]
j = json.loads(open(f"{d}/run.json").read())
assert j["runs"] == 3 and j["threads"] == 2, j
assert j["arena_bytes"] > 0 and j["arena_bytes"] < j["activation_bytes"], j
outs = j["outputs"]
assert [o["name"] for o in outs] == ["probs", "sigmoid", "up"], outs
parts = [open(f"{d}/out.bin.{i}", "rb").read() for i in range(3)]
assert [len(p) for p in parts] == [o["bytes"] for o in outs]
assert b"".join(parts) == open(f"{d}/out.bin", "rb").read(), "OUT.bin is not the concatenation"
print("json ok:", j["ms"], "arena", j["arena_bytes"])
PY
"$LEAPFROG" invoke "$d/graph.tflite" --input "$d/in.bin" --output "$d/out1.bin" --threads 1 2>/dev/null || fail "1 thread"
"$LEAPFROG" invoke "$d/graph.tflite" --input "$d/in.bin" --output "$d/out3.bin" --threads 3 2>/dev/null || fail "3 threads"
cmp -s "$d/out1.bin" "$d/out.bin" && cmp -s "$d/out3.bin" "$d/out.bin" || fail "outputs depend on the thread count"

# exit codes
"$LEAPFROG" invoke >/dev/null 2>&1; [ $? = 2 ] || fail "no arguments: want exit 2"
"$LEAPFROG" invoke "$d/graph.tflite" --input "$d/in.bin" --output "$d/x" --threads 0 >/dev/null 2>&1; [ $? = 2 ] || fail "--threads 0: want 2"
"$LEAPFROG" invoke "$d/graph.tflite" --input "$d/in.bin,$d/in.bin" --output "$d/x" >/dev/null 2>&1; [ $? = 2 ] || fail "two inputs: want 2"
head -c 100 "$d/in.bin" >"$d/short.bin"
"$LEAPFROG" invoke "$d/graph.tflite" --input "$d/short.bin" --output "$d/x" 2>"$d/short.err"; [ $? = 1 ] || fail "short input: want 1"
grep -q "expected 1188 bytes" "$d/short.err" || fail "short input message: $(cat "$d/short.err")"
"$LEAPFROG" invoke "$d/missing.tflite" --input "$d/in.bin" --output "$d/x" 2>"$d/miss.err"; [ $? = 1 ] || fail "missing model: want 1"
grep -q "missing.tflite" "$d/miss.err" || fail "missing model message"
head -c 300 "$d/graph.tflite" >"$d/trunc.tflite"
"$LEAPFROG" invoke "$d/trunc.tflite" --input "$d/in.bin" --output "$d/x" 2>/dev/null; [ $? = 1 ] || fail "truncated model: want 1"
"$LEAPFROG" invoke --help | grep -q "usage: leapfrog invoke" || fail "--help"

# the oracle: Google's LiteRT on the same bytes
if [ -n "${LF_TFLITE_ORACLE:-}" ] && command -v node >/dev/null 2>&1 && [ -d tests/oracles/tflite/node_modules/@litertjs/core ]; then
  "$LF_TFLITE_ORACLE" "$d/graph.tflite" "$d/in.bin" "$d/litert.bin" >/dev/null 2>"$d/litert.err" || fail "LiteRT: $(tail -n 3 "$d/litert.err")"
  cmp "$d/litert.bin" "$d/out.bin" || fail "leapfrog invoke and LiteRT differ"
  echo "byte-identical with LiteRT ($(wc -c <"$d/out.bin") bytes, 3 outputs)"
else
  echo "LiteRT oracle missing: checked everything but the byte comparison"
  [ "${LF_REQUIRE_ORACLES:-0}" = 1 ] && exit 77
fi
echo "ok"
