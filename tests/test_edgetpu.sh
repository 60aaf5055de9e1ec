#!/bin/sh
# Edge TPU pre-flight (issue 11, item 3), from the CLI:
#  - our tiny DenseNet (BN lowered as depthwise and as mul-add) and UNet (transposed
#    conv and resize) converted with `convert --edgetpu`: uint8 io, every op mapped
#    (text and --json), the same answer from `info --edgetpu` on the written file;
#  - the same DenseNet as FP32: nothing mapped, the cut at node 0, FLOAT32 named;
#  - `convert --edgetpu --batch 2` (4 dims larger than 1): exit 1, the reasons
#    listed, no file written (and an existing file left alone); --edgetpu --fp32: exit 2;
#  - models written by the runtime's writer with an unsupported op (SIN), a
#    dynamic batch (shape_signature -1) and a float op (DEQUANTIZE -> float32
#    LOGISTIC -> QUANTIZE): each op named with its reason and the cut, exit 0;
#  - --json parsed by Python and checked (edgetpu.mapped_ops, cpu_ops, split_node,
#    per-node reasons, parameter bytes recomputed from the listed tensors).
set -u
: "${LF_BUILD:?}" "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_PYTHON:?}"
T="$LF_TMP/edgetpu"; mkdir -p "$T"
L=$LEAPFROG
fail() { echo "FAIL: $*"; exit 1; }
run() { "$@" >"$T/log" 2>&1 || { echo "FAIL: $*"; tail -n 20 "$T/log"; exit 1; }; }

# --- tiny checkpoints: 1 training step, min/max PTQ on a few images ---
run "$L" synth chestxray14 --out "$T/C" --n 24 --size 64 --seed 3
run "$L" synth nerve --out "$T/N" --n 8 --seed 3
run "$L" train --task chestxray14 --data "$T/C" --arch densenet121 --size 32 --growth 8 --blocks 2,2 \
  --init-features 16 --epochs 1 --batch 8 --max-steps 1 --out "$T/RD" --quiet
run "$L" train --task nerve --data "$T/N" --arch unet --size 32x48 --width 4 --depth 2 --transposed \
  --epochs 1 --batch 4 --max-steps 1 --out "$T/RT" --quiet
run "$L" train --task nerve --data "$T/N" --arch unet --size 32x48 --width 4 --depth 2 \
  --epochs 1 --batch 4 --max-steps 1 --out "$T/RU" --quiet
run "$L" ptq --from "$T/RD/last.safetensors" --data "$T/C" --calib 8 --method minmax -o "$T/PD.safetensors"
run "$L" ptq --from "$T/RD/last.safetensors" --data "$T/C" --calib 8 --method minmax --bn-lowering mul-add \
  -o "$T/PDm.safetensors"
run "$L" ptq --from "$T/RT/last.safetensors" --data "$T/N" --calib 4 --method minmax -o "$T/PT.safetensors"
run "$L" ptq --from "$T/RU/last.safetensors" --data "$T/N" --calib 4 --method minmax -o "$T/PU.safetensors"

# --- our models: every op maps ---
for c in "PD densenet" "PDm densenet_muladd" "PT unet_tconv" "PU unet_resize"; do
  set -- $c
  "$L" convert "$T/$1.safetensors" -o "$T/$2.tflite" --edgetpu 2>"$T/err" ||
    fail "convert --edgetpu $2: exit $?, $(cat "$T/err")"
  grep -q "pass the Edge TPU pre-flight" "$T/err" || fail "$2: no pre-flight line: $(cat "$T/err")"
  out=$("$L" info --edgetpu "$T/$2.tflite") || fail "info --edgetpu $2 exited $?"
  echo "$out" | grep -q "cut: none, every op maps" || fail "$2 does not map fully: $out"
  echo "$out" | grep -q "NOT MAPPED" && fail "$2 has an unmapped op: $out"
  "$L" info --edgetpu --json "$T/$2.tflite" >"$T/$2.json" || fail "info --edgetpu --json $2 exited $?"
done
"$LF_PYTHON" - "$T" <<'PY' || fail "json of our models"
import json, sys
d = sys.argv[1]
for name in ["densenet", "densenet_muladd", "unet_tconv", "unet_resize"]:
    j = json.load(open(f"{d}/{name}.json"))
    e, t = j["edgetpu"], j["tensors"]
    assert e["fully_mapped"] and e["cpu_ops"] == 0 and e["mapped_ops"] == len(j["nodes"]) > 5, (name, e)
    assert e["split_node"] is None and all(n["on_edgetpu"] and n["reason"] is None for n in e["nodes"])
    # uint8 at both ends, the 8-bit QUANTIZE edges need runtime 13
    assert j["inputs"][0]["dtype"] == "UINT8" and j["outputs"][0]["dtype"] == "UINT8", name
    assert e["nodes"][0]["op"] == "QUANTIZE" and e["nodes"][-1]["op"] == "QUANTIZE" and e["min_runtime_version"] == 13
    # every tensor 8-bit but biases and constant shapes/axes (int32)
    for x in t:
        assert x["dtype"] in ("INT8", "UINT8") or (x["dtype"] == "INT32" and x["constant"]), (name, x)
    # the estimate is the bytes of the constant tensors the ops read, each once
    consts = {i for n in j["nodes"] for i in n["inputs"] if i >= 0 and t[i]["constant"]}
    assert e["parameter_bytes_estimate"] == sum(t[i]["bytes"] for i in consts) > 0, name
    assert e["fits_on_chip"] and e["onchip_bytes"] == 8 * 1024 * 1024
    ops = {n["op"] for n in e["nodes"]}
    assert ("TRANSPOSE_CONV" in ops) == (name == "unet_tconv"), (name, ops)
    assert ("RESIZE_NEAREST_NEIGHBOR" in ops or "RESIZE_BILINEAR" in ops) == (name == "unet_resize"), (name, ops)
PY

# --io int8 keeps int8 at the edges (no QUANTIZE ops, so any runtime version)
run "$L" convert "$T/PD.safetensors" -o "$T/densenet_i8.tflite" --edgetpu --io int8
grep -q "any Edge TPU runtime" "$T/log" || fail "int8 io: $(cat "$T/log")"
"$L" info --edgetpu --json "$T/densenet_i8.tflite" >"$T/i8.json" || fail "info int8 io"
"$LF_PYTHON" -c "
import json, sys
j = json.load(open(sys.argv[1])); e = j['edgetpu']
assert j['inputs'][0]['dtype'] == 'INT8' and e['fully_mapped'] and e['min_runtime_version'] == 0, e
assert 'QUANTIZE' not in [n['op'] for n in e['nodes']]
" "$T/i8.json" || fail "int8 io json"

# --- FP32 DenseNet: nothing maps, the cut at node 0 ---
run "$L" convert "$T/RD/last.safetensors" -o "$T/densenet_f32.tflite" --fp32
out=$("$L" info --edgetpu "$T/densenet_f32.tflite") || fail "info --edgetpu fp32 exited $?"
echo "$out" | grep -q "mapped: 0 of" || fail "fp32: $out"
echo "$out" | grep -q "cut: node 0 (PAD)" || fail "fp32 cut: $out"
echo "$out" | grep -q "tensor 'input' is FLOAT32" || fail "fp32 reason: $out"

# --- convert --edgetpu refuses a model that would not map; --fp32 is a usage error ---
echo "keep me" >"$T/b2.tflite"
mkdir -p "$T/scratch" # the checked copy is a scratch file in TMPDIR, removed either way
TMPDIR="$T/scratch" "$L" convert "$T/PD.safetensors" -o "$T/b2.tflite" --edgetpu --batch 2 >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] || fail "convert --edgetpu --batch 2: exit $rc, $(cat "$T/err")"
grep -q "would not run on the Edge TPU; $T/b2.tflite not written" "$T/err" || fail "batch 2 message: $(cat "$T/err")"
grep -q "node 0 (QUANTIZE):.*has more than 3 dimensions larger than 1" "$T/err" || fail "batch 2 reason: $(cat "$T/err")"
[ "$(cat "$T/b2.tflite")" = "keep me" ] || fail "the refused convert replaced the existing file"
[ -z "$(ls "$T/scratch")" ] || fail "scratch file left behind: $(ls "$T/scratch")"
ls "$T" | grep -q "\.tmp\." && fail "temp file left behind: $(ls "$T")"
# a model that maps, written through a symlink: the link stays, its target gets the model
# (the output goes through the atomic writer like every other output)
ln -s densenet_i8.tflite "$T/link.tflite"
TMPDIR="$T/scratch" "$L" convert "$T/PD.safetensors" -o "$T/link.tflite" --edgetpu --io int8 2>"$T/err" ||
  fail "convert --edgetpu through a symlink: $(cat "$T/err")"
[ -L "$T/link.tflite" ] || fail "convert --edgetpu replaced the symlink with a file"
[ -z "$(ls "$T/scratch")" ] || fail "scratch file left behind after a good convert: $(ls "$T/scratch")"
"$L" info --edgetpu "$T/link.tflite" >/dev/null || fail "the model written through the symlink does not load"
"$L" convert "$T/RD/last.safetensors" -o "$T/x.tflite" --edgetpu --fp32 2>/dev/null; rc=$?
[ $rc = 2 ] || fail "--edgetpu --fp32: exit $rc"

# --- odd models from the runtime's writer: unsupported op, dynamic shape, float op ---
"$LF_BUILD/tests/rt/test_model_describe" --write "$T" || fail "cannot write the describe models"
"$LF_BUILD/tests/test_edgetpu" --write "$T" || fail "cannot write float_op.tflite"
out=$("$L" info --edgetpu "$T/unsupported_op.tflite") || fail "info --edgetpu on SIN: exit $? (info only describes)"
echo "$out" | grep -q "1 SIN .*NOT MAPPED SIN is not in Coral's supported-op table" || fail "SIN not named: $out"
echo "$out" | grep -q "cut: node 1 (SIN) is the first op the Edge TPU cannot run: it and the 1 op after it" ||
  fail "SIN cut: $out"
echo "$out" | grep -q "2 CONV_2D .*cpu .*after the cut at node 1 (SIN)" || fail "node 2 placement: $out"
out=$("$L" info --edgetpu "$T/dynamic_shape.tflite") || fail "dynamic: exit $?"
echo "$out" | grep -q "0 CONV_2D .*NOT MAPPED tensor 'input' has a dynamic size" || fail "dynamic not named: $out"
echo "$out" | grep -q "cut: node 0 (CONV_2D)" || fail "dynamic cut: $out"
out=$("$L" info --edgetpu "$T/float_op.tflite") || fail "float op: exit $?"
echo "$out" | grep -q "1 DEQUANTIZE .*NOT MAPPED DEQUANTIZE is not in Coral's supported-op table" || fail "float op: $out"
echo "$out" | grep -q "2 LOGISTIC .*NOT MAPPED tensor 'h_float' is FLOAT32" || fail "float LOGISTIC: $out"
echo "$out" | grep -q "cut: node 1 (DEQUANTIZE)" || fail "float op cut: $out"
for m in unsupported_op dynamic_shape float_op; do
  "$L" info --edgetpu --json "$T/$m.tflite" >"$T/$m.json" || fail "json $m: exit $?"
done
"$LF_PYTHON" - "$T" <<'PY' || fail "json of the odd models"
import json, sys
d = sys.argv[1]
def e(name): return json.load(open(f"{d}/{name}.json"))["edgetpu"]
u = e("unsupported_op")
assert (u["mapped_ops"], u["cpu_ops"], u["split_node"], u["split_op"]) == (1, 2, 1, "SIN"), u
assert [n["on_edgetpu"] for n in u["nodes"]] == [True, False, False] and not u["fully_mapped"]
assert "not in Coral's supported-op table" in u["split_reason"] and u["nodes"][1]["min_runtime"] is None
assert u["nodes"][2]["mappable"] and "after the cut at node 1" in u["nodes"][2]["reason"]
y = e("dynamic_shape")
assert (y["mapped_ops"], y["cpu_ops"], y["split_node"]) == (0, 2, 0) and "dynamic size" in y["split_reason"], y
assert y["parameter_bytes_estimate"] == 0
f = e("float_op")
assert (f["mapped_ops"], f["cpu_ops"], f["split_node"], f["split_op"]) == (1, 4, 1, "DEQUANTIZE"), f
assert [n["mappable"] for n in f["nodes"]] == [True, False, False, False, True]
assert "FLOAT32" in f["nodes"][2]["reason"] and "FLOAT32" in f["nodes"][3]["reason"]
assert f["parameter_bytes_estimate"] == 4 * 27 + 4 * 4  # node 0's weights and bias only
PY
# info --edgetpu exits 0 even where the runtime cannot run the model; plain info still exits 1
"$L" info "$T/unsupported_op.tflite" >/dev/null 2>&1 && fail "plain info on SIN should exit 1"
echo "ok"
