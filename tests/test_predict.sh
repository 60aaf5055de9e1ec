#!/bin/sh
# leapfrog predict end to end on `leapfrog synth` folders with small int8 zoo
# models (bench_runtime --write-models --small: DenseNet-121-shaped 64x64x3 -> 14
# LOGISTIC, UNet-shaped 32x48x1 -> mask). The oracle recomputes every prediction
# independently: PIL decodes and resizes (BOX = area averaging), numpy
# normalises and quantizes, Google's LiteRT (tests/oracles/tflite) runs the
# model, PIL upsamples the nerve probability map (BILINEAR) and numpy
# thresholds it and decodes leapfrog's RLE. Also: thread-count independence,
# score accepting predict's files, refusals and usage errors.
set -u
: "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_BUILD:?}" "${LF_PYTHON:=/usr/bin/python3}"
root=$(cd "$(dirname "$0")/.." && pwd)
oracle="${LF_TFLITE_ORACLE:-$root/tests/oracles/tflite/run_tflite.sh}"
bench="$root/$LF_BUILD/bench/bench_runtime"
d="$LF_TMP/predict.$$"
mkdir -p "$d/models"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
"$LF_PYTHON" -c "import numpy, PIL" 2>/dev/null || { echo "skip: numpy/PIL missing"; exit 77; }
command -v node >/dev/null && [ -d "$root/tests/oracles/tflite/node_modules" ] || { echo "skip: LiteRT oracle (node) missing"; exit 77; }
[ -x "$bench" ] || { echo "bench_runtime not built ($bench)"; exit 1; }

"$bench" --write-models "$d/models" --small >/dev/null || { echo "could not write zoo models"; exit 1; }
"$LEAPFROG" synth chestxray14 --out "$d/chest" --n 40 --seed 4 --size 128 >/dev/null || exit 1
"$LEAPFROG" synth nerve --out "$d/nerve" --n 24 --seed 4 >/dev/null || exit 1

# --- chest: int8 DenseNet-shaped model ---
"$LEAPFROG" predict "$d/models/densenet121_i8.tflite" --task chestxray14 --data "$d/chest" \
  --stats "$d/stats.json" --out "$d/pred.json" >"$d/out.txt" 2>&1 || { cat "$d/out.txt"; fail "predict chest"; }
cat "$d/out.txt"
grep -q "ms/image median" "$d/out.txt" || fail "no timing line"
"$LEAPFROG" predict "$d/models/densenet121_i8.tflite" --task chestxray14 --data "$d/chest" \
  --threads 2 --out "$d/pred_t2.json" --quiet || fail "predict --threads 2"
cmp -s "$d/pred.json" "$d/pred_t2.json" || fail "predictions depend on the thread count"

# --- nerve: int8 UNet-shaped model, masks back at 580x420 ---
"$LEAPFROG" predict "$d/models/unet_i8.tflite" --task nerve --data "$d/nerve" --limit 4 \
  --threshold 0.65 --out "$d/sub.csv" >"$d/out.txt" 2>&1 || { cat "$d/out.txt"; fail "predict nerve"; }
cat "$d/out.txt"
# fp32 model: float input and output paths
"$LEAPFROG" predict "$d/models/unet_f32.tflite" --task nerve --data "$d/nerve" --limit 2 \
  --threshold 0.65 --out "$d/sub_f32.csv" --quiet || fail "predict nerve fp32"

# --- the oracle ---
"$LF_PYTHON" - "$d" "$oracle" <<'PY' || fail "predictions differ from the PIL + numpy + LiteRT oracle"
import json, os, subprocess, sys
import numpy as np
from PIL import Image
d, oracle = sys.argv[1], sys.argv[2]
leapfrog = os.environ["LEAPFROG"]

def io_quant(model):
    j = json.loads(subprocess.run([leapfrog, "info", model, "--json"], capture_output=True, text=True).stdout)
    q = lambda t: (float(t["quantization"]["scale"][0]), int(t["quantization"]["zero_point"][0]), t["shape"])
    return q(j["inputs"][0]), q(j["outputs"][0])

def area_resize(a, ow, oh):
    """Exact area averaging (fractional coverage at the borders), float64, per channel."""
    h, w = a.shape[:2]
    def weights(n_in, n_out):
        m = np.zeros((n_out, n_in))
        s = n_in / n_out
        for o in range(n_out):
            lo, hi = o * s, (o + 1) * s
            for i in range(int(np.floor(lo)), min(n_in, int(np.ceil(hi)))):
                m[o, i] = max(0.0, min(hi, i + 1) - max(lo, i))
            m[o] /= m[o].sum()
        return m
    wy, wx = weights(h, oh), weights(w, ow)
    a = a.astype(np.float64)
    if a.ndim == 2:
        return wy @ a @ wx.T
    return np.stack([wy @ a[:, :, c] @ wx.T for c in range(a.shape[2])], axis=2)

def preprocess(path, h, w, c):
    im = Image.open(path)
    a = np.asarray(im)
    if im.mode in ("RGBA", "RGB"):
        a = a[:, :, :3]
        if c == 1:
            sys.exit("colour image for a grey model: not in these synth folders")
    u8 = np.floor(area_resize(a, w, h) + 0.5).clip(0, 255).astype(np.uint8)  # rounded to 8-bit
    if u8.ndim == 2:
        u8 = np.repeat(u8[:, :, None], c, axis=2)
    return u8.astype(np.float32) / np.float32(255)

def quantize(x, scale, zp):
    q = x / np.float32(scale)  # float32 division, as TFLite's QUANTIZE
    q = np.sign(q) * np.floor(np.abs(q) + np.float32(0.5))  # half away from zero
    return np.clip(q + zp, -128, 127).astype(np.int8)

def litert(model, arrs, tag, dtype=np.int8):
    """One LiteRT process per model: IN OUT pairs reuse the loaded model."""
    args = []
    for k, a in enumerate(arrs):
        a.tofile(f"{d}/{tag}{k}.in")
        args += [f"{d}/{tag}{k}.in", f"{d}/{tag}{k}.out"]
    r = subprocess.run(["sh", oracle, model] + args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"LiteRT failed on {model}: {r.stderr[-400:]}")
    return [np.fromfile(f"{d}/{tag}{k}.out", dtype=dtype) for k in range(len(arrs))]

ok = True
# chest: every probability must equal LiteRT's on the oracle's own preprocessing
model = f"{d}/models/densenet121_i8.tflite"
(isc, izp, ishape), (osc, ozp, _) = io_quant(model)
pred = json.load(open(f"{d}/pred.json"))
labels = ["Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Effusion", "Emphysema", "Fibrosis",
          "Hernia", "Infiltration", "Mass", "Nodule", "Pleural_Thickening", "Pneumonia", "Pneumothorax"]
worst = 0.0
items = sorted(pred.items())
outs = litert(model, [quantize(preprocess(f"{d}/chest/{key}", *ishape[1:4]), isc, izp) for key, _ in items], "c")
for (key, scores), out in zip(items, outs):
    want = osc * (out.astype(np.float64) - ozp)
    got = np.array([scores[l] for l in labels])
    worst = max(worst, float(np.max(np.abs(got - want))))
print(f"chest: {len(pred)} images, max |leapfrog - LiteRT| = {worst:.3g} (one step = {osc:.3g})")
ok &= len(pred) >= 3 and worst == 0.0

# nerve: masks vs LiteRT's map upsampled by PIL bilinear and thresholded at 0.65
model = f"{d}/models/unet_i8.tflite"
(isc, izp, ishape), (osc, ozp, oshape) = io_quant(model)
rows = [l.rstrip("\n").split(",") for l in open(f"{d}/sub.csv")][1:]
agree_min = 1.0
outs = litert(model, [quantize(preprocess(f"{d}/nerve/train/{img}.tif", *ishape[1:4]), isc, izp) for img, _ in rows], "n")
for (img, pixels), out in zip(rows, outs):
    prob = (osc * (out.astype(np.float32) - ozp)).reshape(oshape[1], oshape[2])
    up = np.asarray(Image.fromarray(prob.astype(np.float32), "F").resize((580, 420), Image.BILINEAR))
    want = up >= 0.65
    got = np.zeros(580 * 420, bool)  # decode leapfrog's RLE: 1-based starts, column-major
    v = [int(t) for t in pixels.split()]
    for s, n in zip(v[::2], v[1::2]):
        got[s - 1:s - 1 + n] = True
    got = got.reshape(580, 420).T
    agree_min = min(agree_min, float((got == want).mean()))
    print(f"nerve {img}: {want.sum()} oracle pixels, {got.sum()} leapfrog pixels, agreement {(got == want).mean():.5f}")
print(f"nerve: {len(rows)} masks, worst pixel agreement {agree_min:.5f}")
ok &= len(rows) == 4 and agree_min >= 0.999

# fp32 UNet: float32 in and out; LiteRT's float kernels may differ in the last bits
model = f"{d}/models/unet_f32.tflite"
j = json.loads(subprocess.run([leapfrog, "info", model, "--json"], capture_output=True, text=True).stdout)
ishape, oshape = j["inputs"][0]["shape"], j["outputs"][0]["shape"]
rows = [l.rstrip("\n").split(",") for l in open(f"{d}/sub_f32.csv")][1:]
outs = litert(model, [preprocess(f"{d}/nerve/train/{img}.tif", *ishape[1:4]) for img, _ in rows], "f", np.float32)
for (img, pixels), out in zip(rows, outs):
    prob = out.reshape(oshape[1], oshape[2])
    up = np.asarray(Image.fromarray(prob.astype(np.float32), "F").resize((580, 420), Image.BILINEAR))
    want = up >= 0.65
    got = np.zeros(580 * 420, bool)
    v = [int(t) for t in pixels.split()]
    for s, n in zip(v[::2], v[1::2]):
        got[s - 1:s - 1 + n] = True
    got = got.reshape(580, 420).T
    agree = float((got == want).mean())
    print(f"nerve fp32 {img}: {want.sum()} oracle pixels, {got.sum()} leapfrog pixels, agreement {agree:.5f}")
    ok &= agree >= 0.999 and 0 < want.sum() < want.size
ok &= len(rows) == 2
sys.exit(0 if ok else 1)
PY
# --- score takes predict's files as they are ---
"$LEAPFROG" score --task chestxray14 --data "$d/chest" --pred "$d/pred.json" --bootstrap 50 --out "$d/m.json" \
  --latency "$d/stats.json" --report "$d/r.html" >"$d/out.txt" || fail "score refused predict's predictions JSON"
grep -q "latency: .* ms/image median" "$d/out.txt" && grep -q "Model size and speed" "$d/r.html" || fail "latency not reported"
"$LF_PYTHON" -c "import json,sys; m=json.load(open(sys.argv[1])); sys.exit(not (m['latency']['images'] == m['n'] and m['latency']['ms_per_image']['min'] > 0))" \
  "$d/m.json" || fail "metrics.json latency block"
"$LEAPFROG" score --task chestxray14 --data "$d/chest" --pred "$d/pred.json" --latency "$d/pred.json" --quiet 2>/dev/null
[ $? = 1 ] || fail "a predictions file given as --latency should be refused"
"$LF_PYTHON" -c "import json,sys; m=json.load(open(sys.argv[1])); p=json.load(open(sys.argv[2])); sys.exit(m['n'] != len(p))" \
  "$d/m.json" "$d/pred.json" || fail "metrics n differs from the predictions"
# the nerve run was limited to 4 of the split's images: score must list the others as missing
"$LEAPFROG" score --task nerve --data "$d/nerve" --pred "$d/sub.csv" --quiet 2>"$d/err.txt"
[ $? = 1 ] && grep -q "missing (no prediction)" "$d/err.txt" || fail "score of a partial submission: $(cat "$d/err.txt")"

# --- refusals and usage ---
printf 'not a model' >"$d/bad.tflite"
"$LEAPFROG" predict "$d/bad.tflite" --task chestxray14 --data "$d/chest" --out "$d/x.json" 2>"$d/err.txt"
[ $? = 1 ] && grep -q "bad.tflite" "$d/err.txt" || fail "garbage model: $(cat "$d/err.txt")"
"$LEAPFROG" predict "$d/models/densenet121_i8.tflite" --task nerve --data "$d/nerve" --out "$d/x.csv" 2>"$d/err.txt"
[ $? = 1 ] && grep -q "mask" "$d/err.txt" || fail "classifier used for nerve: $(cat "$d/err.txt")"
[ ! -e "$d/x.csv" ] && [ ! -e "$d/x.json" ] || fail "output written despite an error"
"$LEAPFROG" predict --help >/dev/null || fail "--help"
"$LEAPFROG" predict "$d/bad.tflite" --task chestxray14 --data "$d/chest" 2>/dev/null; [ $? = 2 ] || fail "missing --out: exit 2"
"$LEAPFROG" predict "$d/bad.tflite" --task chestxray14 --data "$d/chest" --out x --threads 0 2>/dev/null; [ $? = 2 ] || fail "--threads 0: exit 2"

rm -rf "$d"
[ $fails = 0 ] && echo "predict: all checks passed" && exit 0
echo "$fails failures"; exit 1
