#!/bin/sh
# leapfrog info on models built by lfrt_writer: text and --json (parsed and
# checked by Python: MACs and parameters recomputed from the listed tensors),
# usage errors, and malformed/missing files (exit 1, message naming the file).
set -u
: "${LF_BUILD:?}" "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_PYTHON:?}"
d="$LF_TMP/cli_info"; mkdir -p "$d"
"$LF_BUILD/tests/rt/test_tflite_roundtrip" --write "$d" || { echo "cannot write test models"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }

out=$("$LEAPFROG" info "$d/conv_2d.tflite") || fail "info conv_2d exited $?"
echo "$out" | grep -q "MACs: 972" || fail "conv_2d MACs (4x3x3 out x 27 = 972) missing: $out"
echo "$out" | grep -q "CONV_2D" || fail "no CONV_2D in text output"
"$LEAPFROG" info --help | grep -q "usage" || fail "--help"
"$LEAPFROG" info >/dev/null 2>&1; [ $? = 2 ] || fail "no model: expected exit 2"
"$LEAPFROG" info --bogus "$d/conv_2d.tflite" >/dev/null 2>&1; [ $? = 2 ] || fail "bad option: expected exit 2"

for m in "$d"/*.tflite; do
  "$LEAPFROG" info --json "$m" > "$m.json" || fail "info --json $m exited $?"
  "$LF_PYTHON" - "$m.json" <<'PY' || fail "json check of $m"
import json, math, sys
j = json.load(open(sys.argv[1]))
t = j["tensors"]
assert j["schema_version"] == 3 and j["file_bytes"] > 0
assert j["arena_bytes"] is not None and j["arena_bytes"] > 0, j.get("prepare_error")
macs = 0
for n in j["nodes"]:
    ins = [t[i] if i >= 0 else None for i in n["inputs"]]
    out = t[n["outputs"][0]]
    cnt = math.prod(out["shape"])
    w = ins[1]["shape"] if len(ins) > 1 and ins[1] else None
    if n["op"] == "CONV_2D": m = cnt * w[1] * w[2] * w[3]
    elif n["op"] == "DEPTHWISE_CONV_2D": m = cnt * w[1] * w[2]
    elif n["op"] == "FULLY_CONNECTED": m = cnt * w[-1]
    elif n["op"] == "TRANSPOSE_CONV": m = math.prod(ins[2]["shape"]) * w[0] * w[1] * w[2]
    else: m = 0
    assert n["macs"] == m, (n, m)
    macs += m
assert j["macs"] == macs
for io in j["inputs"] + j["outputs"]:
    assert t[io["index"]]["name"] == io["name"] and not io["constant"]
    assert io["bytes"] == math.prod(io["shape"]) * {"INT8": 1, "FLOAT32": 4, "INT32": 4}[io["dtype"]]
    if io["dtype"] == "INT8":
        q = io["quantization"]
        assert len(q["scale"]) == 1 and q["scale"][0] > 0 and -128 <= q["zero_point"][0] <= 127
assert sum(j["op_counts"].values()) == len(j["nodes"])
PY
done
# conv_2d in detail: per-axis weights, bias, parameter count 4*27 + 4
"$LF_PYTHON" - "$d/conv_2d.tflite.json" <<'PY' || fail "conv_2d details"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["parameters"] == 4 * 27 + 4, j["parameters"]
assert j["inputs"][0]["name"] == "input" and j["inputs"][0]["shape"] == [1, 5, 5, 3]
assert abs(j["inputs"][0]["quantization"]["scale"][0] - 0.05) < 1e-7
assert j["inputs"][0]["quantization"]["zero_point"] == [-3]
w = j["tensors"][1]
assert w["constant"] and len(w["quantization"]["scale"]) == 4 and w["quantization"]["axis"] == 0
assert j["op_counts"] == {"CONV_2D": 1}
assert j["nodes"][0]["options"] == {"padding": "SAME", "stride_h": 2, "stride_w": 2,
    "dilation_h": 1, "dilation_w": 1, "activation": "RELU"}, j["nodes"][0]["options"]
PY
"$LF_PYTHON" - "$d" <<'PY' || fail "options of the other test models"
import json, sys
d = sys.argv[1]
def node(name): return json.load(open(f"{d}/{name}.tflite.json"))["nodes"][0]["options"]
assert node("conv_2d_valid_dilated") == {"padding": "VALID", "stride_h": 1, "stride_w": 1,
    "dilation_h": 2, "dilation_w": 2, "activation": "RELU6"}
assert node("depthwise_conv_2d")["depth_multiplier"] == 2
assert node("max_pool_2d") == {"padding": "SAME", "stride_h": 2, "stride_w": 2, "filter_h": 3,
    "filter_w": 3, "activation": "NONE"}
assert node("mean") == {"keep_dims": True}
assert node("reshape") == {"new_shape": [1, 24]}
assert node("resize_bilinear") == {"align_corners": False, "half_pixel_centers": True}
assert node("concatenation")["axis"] == 3
assert node("softmax") == {"beta": 1}
assert node("transpose_conv")["stride_h"] == 2 and node("relu") == {}
PY

# malformed and missing files: exit 1, message names the file
head -c 100 "$d/conv_2d.tflite" > "$d/truncated.tflite"
"$LEAPFROG" info "$d/truncated.tflite" > /dev/null 2> "$d/err.txt"; rc=$?
[ $rc = 1 ] || fail "truncated file: exit $rc"
grep -q "truncated.tflite" "$d/err.txt" || fail "message does not name the file: $(cat "$d/err.txt")"
printf 'this is not a model at all' > "$d/junk.tflite"
"$LEAPFROG" info --json "$d/junk.tflite" > /dev/null 2> "$d/err.txt"; rc=$?
[ $rc = 1 ] && grep -q "junk.tflite" "$d/err.txt" || fail "junk file: exit $rc $(cat "$d/err.txt")"
"$LEAPFROG" info "$d/missing.tflite" > /dev/null 2> "$d/err.txt"; rc=$?
[ $rc = 1 ] && grep -q "missing.tflite" "$d/err.txt" || fail "missing file: exit $rc"

# issue 9: info refuses what invoke would: it runs invoke's prepare and exits 1
# with its reason (was: exit 0, "arena bytes: unknown"); op version 999 is
# refused at load (was: accepted, printed as v999)
"$LF_BUILD/tests/rt/test_tflite_malformed" --write "$d" || fail "cannot write the issue-9 models"
for j in "" --json; do
  "$LEAPFROG" info $j "$d/unpreparable.tflite" > /dev/null 2> "$d/err.txt"; rc=$?
  [ $rc = 1 ] && grep -q "cannot run this model" "$d/err.txt" && grep -q "unpreparable.tflite: node 0 (CONCATENATION)" "$d/err.txt" ||
    fail "info $j on a model prepare refuses: exit $rc, $(cat "$d/err.txt")"
done
"$LEAPFROG" info "$d/opversion999.tflite" > /dev/null 2> "$d/err.txt"; rc=$?
[ $rc = 1 ] && grep -q "opversion999.tflite: node 0: op 3 (CONV_2D) version 999 is not supported" "$d/err.txt" ||
  fail "op version 999: exit $rc, $(cat "$d/err.txt")"
# issue 11: info describes models the runtime cannot run, every node with its
# status and reason (the checks invoke makes, past the first failure), still exit 1
"$LF_BUILD/tests/rt/test_model_describe" --write "$d" || fail "cannot write the issue-11 models"
out=$("$LEAPFROG" info "$d/unsupported_op.tflite" 2> "$d/err.txt"); rc=$?
[ $rc = 1 ] && grep -q "op 66 (SIN) is not supported" "$d/err.txt" || fail "unsupported op: exit $rc, $(cat "$d/err.txt")"
echo "$out" | grep -q "runtime: cannot run this model (1 of 3 ops unsupported)" || fail "no runtime line: $out"
echo "$out" | grep -q "unsupported: op 66 (SIN) is not supported" || fail "node 1 not marked: $out"
"$LEAPFROG" info --json "$d/unsupported_op.tflite" > "$d/u.json" 2>/dev/null
"$LEAPFROG" info --json "$d/bad_prepare.tflite" > "$d/b.json" 2>/dev/null
"$LEAPFROG" info --json "$d/dynamic_shape.tflite" > "$d/dyn.json" || fail "dynamic_shape: the runtime runs its stored shape"
"$LF_PYTHON" - "$d" <<'PY' || fail "issue-11 json"
import json, sys
d = sys.argv[1]
u = json.load(open(f"{d}/u.json"))
assert [(n["op"], n["supported"]) for n in u["nodes"]] == [("CONV_2D", True), ("SIN", False), ("CONV_2D", True)], u["nodes"]
assert "SIN) is not supported" in u["nodes"][1]["reason"] and u["nodes"][0]["reason"] is None
assert u["runtime"]["supported"] is False and u["runtime"]["unsupported_ops"] == 1 and u["arena_bytes"] is None
assert u["macs"] == 6 * 6 * 4 * 27 + 6 * 6 * 2 * 4  # both convs are still counted
b = json.load(open(f"{d}/b.json"))
assert [n["supported"] for n in b["nodes"]] == [False, True, False], b["nodes"]
assert all("1/256" in b["nodes"][i]["reason"] for i in (0, 2))
y = json.load(open(f"{d}/dyn.json"))
assert y["runtime"]["supported"] and y["inputs"][0]["dynamic"] is True and y["outputs"][0]["dynamic"] is False
PY

# a FIFO, a directory, a device: refused at once, naming the path (was: blocked forever on the FIFO)
mkfifo "$d/fifo.tflite" || fail "mkfifo"
for p in "$d/fifo.tflite" "$d" /dev/zero; do
  timeout 10 "$LEAPFROG" info "$p" > /dev/null 2> "$d/err.txt"; rc=$?
  [ $rc = 1 ] && grep -q "$p: is a.* not a regular file" "$d/err.txt" || fail "info $p: exit $rc, $(cat "$d/err.txt")"
done
echo "ok"
