#!/bin/sh
# leapfrog ptq MODEL.tflite (issue 11, item 5): torchvision densenet121 (random
# weights, random BatchNorm statistics, 64x64) exported by torch.onnx.export,
# imported by `leapfrog import`, quantized by `leapfrog ptq` on 8 generated
# images; on 6 other images the int8 model gives the same bytes in leapfrog and
# in LiteRT (the oracle), and its dequantized scores follow the float model's.
# Also: --io uint8 and float, --labels for predict, --allow-float around a Tanh
# (LiteRT within one step; calibrated with a 2-frame DICOM too), and the
# errors (a non-float model, an empty folder, a size mismatch, an op with no
# int8 form).
set -u
T=${LF_TMP:-/tmp}/ptq_tfl.$$
mkdir -p "$T/calib" "$T/eval" "$T/empty"
trap 'rm -rf "$T"' EXIT
PY=${LF_PYTHON:-/usr/bin/python3}
"$PY" -c "import torch, torchvision, onnx, PIL" 2>/dev/null || { echo "skip: torch/torchvision/onnx/PIL missing"; exit 77; }
[ -n "${LF_TFLITE_ORACLE:-}" ] && command -v node >/dev/null 2>&1 || { echo "skip: no LiteRT oracle"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
L=$LEAPFROG
"$PY" "$LF_ROOT/tests/oracles/onnx_models.py" "$T" ptq 2>"$T/export.err" || { tail -n 5 "$T/export.err"; fail "export"; }
"$PY" "$LF_ROOT/tests/oracles/ptq_images.py" images "$T/calib" 8 64 1 || fail "calibration images"
"$PY" "$LF_ROOT/tests/oracles/ptq_images.py" images "$T/eval" 6 64 2 || fail "evaluation images"
"$L" import "$T/densenet121.onnx" -o "$T/d.tflite" 2>"$T/imp.err" || { cat "$T/imp.err"; fail "import"; }

# int8 io; the progress lines name the images
"$L" ptq "$T/d.tflite" --calib "$T/calib" -o "$T/d8.tflite" --norm imagenet --labels c0,c1,c2,c3,c4,c5,c6,c7,c8,c9 \
  >"$T/ptq.out" 2>"$T/ptq.err" ||
  { cat "$T/ptq.err"; fail "ptq"; }
cat "$T/ptq.out"
grep -q "calibrated on 8/8 files, 8 images" "$T/ptq.err" || { cat "$T/ptq.err"; fail "no calibration progress"; }
grep -q "0 float" "$T/ptq.out" || fail "densenet121 not fully int8"
"$L" info "$T/d8.tflite" --json >"$T/d8.json" || fail "info"
"$PY" "$LF_ROOT/tests/oracles/ptq_images.py" inputs "$T/d8.json" "$T/x" "$T"/eval/*.png || fail "inputs"

# uint8 and float interfaces (the float one also checks QUANTIZE/DEQUANTIZE at the ends)
"$L" ptq "$T/d.tflite" --calib "$T/calib" -o "$T/du8.tflite" --norm imagenet --io uint8 >/dev/null 2>&1 || fail "ptq --io uint8"
"$L" ptq "$T/d.tflite" --calib "$T/calib" -o "$T/df.tflite" --norm imagenet --io float --method percentile >/dev/null 2>&1 ||
  fail "ptq --io float"
: >"$T/litert.tsv"
for k in 0 1 2 3 4 5; do
  "$PY" -c "import numpy as n,sys; (n.fromfile(sys.argv[1],n.int8).astype(n.int16)+128).astype(n.uint8).tofile(sys.argv[2])" \
    "$T/x.$k.i8" "$T/x.$k.u8"
  "$L" invoke "$T/d.tflite" --input "$T/x.$k.f32" --output "$T/f.$k.bin" >/dev/null 2>&1 || fail "invoke float $k"
  "$L" invoke "$T/d8.tflite" --input "$T/x.$k.i8" --output "$T/q.$k.lf" >/dev/null 2>&1 || fail "invoke int8 $k"
  "$L" invoke "$T/du8.tflite" --input "$T/x.$k.u8" --output "$T/u.$k.lf" >/dev/null 2>&1 || fail "invoke uint8 $k"
  "$L" invoke "$T/df.tflite" --input "$T/x.$k.f32" --output "$T/p.$k.lf" >/dev/null 2>&1 || fail "invoke float-io $k"
  printf '%s\t%s\t%s\n' "$T/d8.tflite" "$T/x.$k.i8" "$T/q.$k.lit" "$T/du8.tflite" "$T/x.$k.u8" "$T/u.$k.lit" \
    "$T/df.tflite" "$T/x.$k.f32" "$T/p.$k.lit" >>"$T/litert.tsv"
done
node "$LF_ROOT/tests/oracles/tflite/run_litert_batch.mjs" "$T/litert.tsv" >"$T/litert.log" 2>&1 || { tail -n 5 "$T/litert.log"; fail "LiteRT"; }
for k in 0 1 2 3 4 5; do
  for v in q u p; do
    [ -f "$T/$v.$k.lit" ] || { cat "$T/$v.$k.lit.err" 2>/dev/null; fail "LiteRT did not run model $v on image $k"; }
    cmp -s "$T/$v.$k.lf" "$T/$v.$k.lit" || fail "model $v image $k: leapfrog and LiteRT differ"
  done
done
echo "int8, uint8 and float-io models: leapfrog and LiteRT byte-identical on 6 images"

# the normalisation recorded at import: ptq without --norm reads it from the metadata
"$L" import "$T/densenet121.onnx" -o "$T/dn.tflite" --norm imagenet 2>/dev/null || fail "import --norm imagenet"
"$L" ptq "$T/dn.tflite" --calib "$T/calib" -o "$T/dnu8.tflite" --io uint8 >"$T/dn.out" 2>&1 || { cat "$T/dn.out"; fail "ptq of an import with --norm"; }
grep -q "normalisation from metadata" "$T/dn.out" || { cat "$T/dn.out"; fail "ptq did not take the imported normalisation"; }
for k in 0 1 2 3 4 5; do
  "$L" invoke "$T/dnu8.tflite" --input "$T/x.$k.u8" --output "$T/n.$k.lf" >/dev/null 2>&1 || fail "invoke dnu8 $k"
  cmp -s "$T/n.$k.lf" "$T/u.$k.lf" || fail "image $k: import --norm imagenet then ptq differs from ptq --norm imagenet"
done
"$L" import "$T/densenet121.onnx" -o "$T/x.tflite" --mean 0.5 --std 0,1 >/dev/null 2>&1 && fail "import: unequal --mean/--std accepted"
"$L" import "$T/densenet121.onnx" -o "$T/x.tflite" --mean 0.5 --std 0 >/dev/null 2>&1 && fail "import: --std 0 accepted"
echo "import --norm imagenet: ptq takes it from the metadata, outputs identical to ptq --norm imagenet on 6 images"
"$PY" - "$T" "$T/d8.json" <<'PYEOF' || exit 1
import json, sys, numpy as np
d, info = sys.argv[1], json.load(open(sys.argv[2]))
q = info["outputs"][0]["quantization"]
s, z = q["scale"][0], q["zero_point"][0]
f = np.stack([np.fromfile("%s/f.%d.bin" % (d, k), "<f4") for k in range(6)])
i8 = np.stack([(np.fromfile("%s/q.%d.lf" % (d, k), np.int8).astype(np.float32) - z) * s for k in range(6)])
u8 = np.stack([(np.fromfile("%s/u.%d.lf" % (d, k), np.uint8).astype(np.float32) - z - 128) * s for k in range(6)])
pf = np.stack([np.fromfile("%s/p.%d.lf" % (d, k), "<f4") for k in range(6)])
span = f.max() - f.min()
err = np.abs(i8 - f).max()
corr = min(np.corrcoef(i8[k], f[k])[0, 1] for k in range(6))
top1 = int((i8.argmax(1) == f.argmax(1)).sum())
errp = np.abs(pf - f).max()
print("int8 vs float (6 images, 10 scores): max abs diff %.4f (score span %.3f, output step %.4f), "
      "min correlation %.4f, top-1 agreement %d/6; float-io percentile model max abs diff %.4f"
      % (err, span, s, corr, top1, errp))
ok = np.array_equal(i8, u8) and err <= 0.1 * span and corr >= 0.95 and top1 >= 5 and errp <= 0.15 * span
print("uint8 model gives the int8 model's scores" if np.array_equal(i8, u8) else "FAIL: uint8 and int8 models differ")
sys.exit(0 if ok else 1)
PYEOF

# predict takes the int8 model as it is: labels and normalisation from its metadata
"$L" predict "$T/d8.tflite" "$T/eval" --out "$T/pred.json" >/dev/null 2>"$T/pred.err" || { cat "$T/pred.err"; fail "predict"; }
"$PY" -c "
import json, sys
p = json.load(open(sys.argv[1]))
sys.exit(0 if len(p) == 6 and all(list(v) == ['c%d' % k for k in range(10)] for v in p.values()) else 1)" "$T/pred.json" ||
  fail "predict: not 6 images with the labels c0..c9"

# an op with no int8 form: refused naming it; --allow-float keeps it float
"$L" import "$T/tanhnet.onnx" -o "$T/t.tflite" 2>/dev/null || fail "import tanhnet"
"$L" ptq "$T/t.tflite" --calib "$T/calib" -o "$T/t8.tflite" >/dev/null 2>"$T/e.err" && fail "Tanh quantized"
grep -q "TANH" "$T/e.err" && grep -q -- "--allow-float" "$T/e.err" || { cat "$T/e.err"; fail "Tanh refusal not named"; }
# (calibrated on the PNGs and a 2-frame DICOM: each frame is an image)
PYTHONPATH="$LF_ROOT/tests" "$PY" -c "
import sys, numpy as n
from dicom_write import write_mono8
write_mono8(sys.argv[1], (n.arange(2 * 20 * 24) % 251).astype(n.uint8).reshape(2, 20, 24))" "$T/two.dcm" || fail "DICOM"
"$L" ptq "$T/t.tflite" --calib "$T/calib" --calib "$T/two.dcm" -o "$T/t8.tflite" --allow-float >"$T/t.out" 2>"$T/t.err" ||
  { cat "$T/t.err"; fail "--allow-float"; }
grep -q "2 ops int8, 1 float" "$T/t.out" || { cat "$T/t.out"; fail "tanhnet: not 2 int8 ops and 1 float"; }
grep -q "calibrated on 9/9 files, 10 images" "$T/t.err" || { cat "$T/t.err"; fail "tanhnet: the DICOM's two frames not calibrated"; }
head -c 768 "$T/x.0.i8" >"$T/t.in"
"$L" invoke "$T/t8.tflite" --input "$T/t.in" --output "$T/t.lf" >/dev/null 2>&1 || fail "invoke tanhnet"
"$LF_TFLITE_ORACLE" "$T/t8.tflite" "$T/t.in" "$T/t.lit" >/dev/null 2>"$T/t.lit.err" || { cat "$T/t.lit.err"; fail "LiteRT tanhnet"; }
"$PY" -c "
import numpy as n, sys
a, b = n.fromfile(sys.argv[1], n.int8).astype(int), n.fromfile(sys.argv[2], n.int8).astype(int)
d = n.abs(a - b).max(); print('tanhnet (float TANH between int8 convs): leapfrog vs LiteRT max diff %d step(s), %d of %d bytes differ' % (d, (a != b).sum(), a.size))
sys.exit(0 if a.shape == b.shape and d <= 1 else 1)" "$T/t.lf" "$T/t.lit" || fail "tanhnet: leapfrog and LiteRT differ by more than one step"

# errors
"$L" ptq "$T/d8.tflite" --calib "$T/calib" -o "$T/x.tflite" >/dev/null 2>"$T/e.err" && fail "an int8 model accepted"
grep -q "not an FP32 model" "$T/e.err" || { cat "$T/e.err"; fail "non-float message"; }
"$L" ptq "$T/d.tflite" --calib "$T/empty" -o "$T/x.tflite" >/dev/null 2>"$T/e.err" && fail "an empty folder accepted"
grep -q "no calibration image" "$T/e.err" || { cat "$T/e.err"; fail "empty-folder message"; }
"$L" ptq "$T/d.tflite" --calib "$T/calib" --size 224x224 -o "$T/x.tflite" >/dev/null 2>"$T/e.err" && fail "a size mismatch accepted"
grep -q "does not match the model's input 64x64" "$T/e.err" || { cat "$T/e.err"; fail "size-mismatch message"; }
[ -e "$T/x.tflite" ] && fail "a failed ptq left an output"
echo "errors: non-float model, empty folder, size mismatch, op without int8 form"
exit 0
