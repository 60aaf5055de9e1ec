#!/bin/sh
# `leapfrog convert` of a safetensors file holding ONLY torchvision's
# densenet121(num_classes=14) state_dict (written here by torch, buffers such
# as num_batches_tracked included, no leapfrog metadata) to an FP32 .tflite:
# leapfrog's runtime (`leapfrog invoke`) and Google's LiteRT give torchvision's
# eval-mode probabilities (max abs error <= 1e-4 on the sigmoid, rel 1e-4 on
# the logits model). Also: int8 conversion of a bare state_dict without ranges
# fails with a clear message; usage errors exit 2.
set -u
T=${LF_TMP:-/tmp}/convert_tv.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
PY=${LF_PYTHON:-/usr/bin/python3}
"$PY" -c "import torch, torchvision" 2>/dev/null || { echo "skip: torch/torchvision missing"; exit 77; }

"$PY" - "$T" <<'PYEOF' || exit 1
import json, struct, sys
import numpy as np, torch, torchvision
out = sys.argv[1]
torch.manual_seed(3)
rng = np.random.default_rng(3)
m = torchvision.models.densenet121(num_classes=14)
with torch.no_grad():
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            c = mod.num_features
            mod.weight.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, c).astype(np.float32)))
            mod.bias.copy_(torch.from_numpy(rng.normal(0, 0.1, c).astype(np.float32)))
            mod.running_mean.copy_(torch.from_numpy(rng.normal(0, 0.1, c).astype(np.float32)))
            mod.running_var.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, c).astype(np.float32)))
            mod.num_batches_tracked.fill_(int(rng.integers(0, 1000)))
m.eval()
sd = m.state_dict()
hdr, blobs, off = {}, [], 0
for k in sorted(sd):
    a = np.ascontiguousarray(sd[k].numpy())
    dt = {np.dtype("float32"): "F32", np.dtype("int64"): "I64"}[a.dtype]
    b = a.tobytes()
    hdr[k] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b); off += len(b)
h = json.dumps(hdr).encode(); h += b" " * ((8 - len(h) % 8) % 8)
open(out + "/tv.safetensors", "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
x = torch.from_numpy(rng.standard_normal((1, 3, 224, 224)).astype(np.float32))
with torch.no_grad():
    logits = m(x)
x.permute(0, 2, 3, 1).numpy().astype("<f4").tofile(out + "/x.bin")
logits.numpy().astype("<f4").tofile(out + "/logits.bin")
torch.sigmoid(logits).numpy().astype("<f4").tofile(out + "/probs.bin")
print("torchvision densenet121: %d tensors in the state_dict" % len(sd))
PYEOF

fail=0
"$LEAPFROG" convert "$T/tv.safetensors" --arch densenet121 --classes 14 --fp32 -o "$T/m.tflite" || { echo "FAIL: convert"; exit 1; }
"$LEAPFROG" convert "$T/tv.safetensors" --arch densenet121 --classes 14 --fp32 --logits -o "$T/logits.tflite" || { echo "FAIL: convert --logits"; exit 1; }
"$LEAPFROG" info "$T/logits.tflite" | grep -q "LOGISTIC" && { echo "FAIL: --logits model has a LOGISTIC"; exit 1; }
"$LEAPFROG" invoke "$T/m.tflite" --input "$T/x.bin" --output "$T/lf.bin" >/dev/null || { echo "FAIL: invoke"; exit 1; }
lit=0
if [ -n "${LF_TFLITE_ORACLE:-}" ] && "$LF_TFLITE_ORACLE" "$T/m.tflite" "$T/x.bin" "$T/litert.bin" >/dev/null 2>"$T/litert.err"; then
  lit=1
elif [ "${LF_REQUIRE_ORACLES:-0}" = 1 ]; then
  echo "FAIL: LiteRT oracle did not run (LF_REQUIRE_ORACLES=1): $(tail -n 2 "$T/litert.err" 2>/dev/null)"; fail=1
else
  echo "note: LiteRT oracle did not run: $(tail -n 2 "$T/litert.err" 2>/dev/null)"
fi

"$PY" - "$T" "$lit" <<'PYEOF' || fail=1
import sys, numpy as np
d, lit = sys.argv[1], sys.argv[2] == "1"
ref = np.fromfile(d + "/probs.bin", "<f4"); refl = np.fromfile(d + "/logits.bin", "<f4")
ok = True
def cmp(name, got, want, tol, rel):
    global ok
    err = np.abs(got - want) / (np.abs(want) + 1e-3) if rel else np.abs(got - want)
    print("%-34s max %s error %.3g (tolerance %g)" % (name, "rel" if rel else "abs", err.max(), tol))
    if got.shape != want.shape or not err.max() <= tol: ok = False
cmp("leapfrog runtime probs vs torch", np.fromfile(d + "/lf.bin", "<f4"), ref, 1e-4, False)
p = np.fromfile(d + "/lf.bin", "<f4").astype(np.float64)
cmp("leapfrog runtime logit(p) vs torch", np.log(p / (1 - p)), refl, 1e-3, True)
if lit:
    cmp("LiteRT probs vs torch", np.fromfile(d + "/litert.bin", "<f4"), ref, 1e-4, False)
sys.exit(0 if ok else 1)
PYEOF

if [ -n "${LF_TFLITE_ORACLE:-}" ] && "$LF_TFLITE_ORACLE" "$T/logits.tflite" "$T/x.bin" "$T/litert_logits.bin" >/dev/null 2>&1; then
  "$PY" -c "
import sys, numpy as np
g = np.fromfile('$T/litert_logits.bin', '<f4'); w = np.fromfile('$T/logits.bin', '<f4')
e = (np.abs(g - w) / (np.abs(w) + 1e-3)).max(); print('LiteRT logits vs torch               max rel error %.3g (tolerance 1e-4)' % e)
sys.exit(0 if e <= 1e-4 else 1)" || fail=1
fi
# int8 without ranges: a clear error, exit 1
"$LEAPFROG" convert "$T/tv.safetensors" --arch densenet121 --classes 14 -o "$T/q.tflite" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "ranges" "$T/err" || { echo "FAIL: int8 without ranges: rc $rc: $(cat "$T/err")"; fail=1; }
# usage errors
"$LEAPFROG" convert 2>/dev/null; [ $? = 2 ] || { echo "FAIL: no args should exit 2"; fail=1; }
"$LEAPFROG" convert "$T/tv.safetensors" -o x --io int4 2>/dev/null; [ $? = 2 ] || { echo "FAIL: bad --io should exit 2"; fail=1; }
"$LEAPFROG" convert --help | grep -q "usage: leapfrog convert" || { echo "FAIL: --help"; fail=1; }
# a bare state_dict without --arch: refused with a message
"$LEAPFROG" convert "$T/tv.safetensors" --fp32 -o "$T/y.tflite" 2>"$T/err2"; rc=$?
[ $rc = 1 ] && [ -s "$T/err2" ] || { echo "FAIL: bare state_dict without --arch: rc $rc"; fail=1; }
[ $fail = 0 ] && echo "ok"
exit $fail
