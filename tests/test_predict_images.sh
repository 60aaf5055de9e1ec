#!/bin/sh
# issue 10 item 1: `leapfrog predict MODEL IMAGE|DIR|@LIST... --out FILE` on
# plain image files, no dataset layout. Checked against the dataset form
# (`--task --data`, itself checked against PIL + LiteRT in test_predict.sh):
#  - a folder of PNG, TIFF and JPEG files (written by PIL, some with a wrong
#    or no extension: the format is found by content) gives the same scores,
#    image for image, as the dataset form on the same pixels (a JPEG's pixels
#    as PIL decodes them, saved as PNG in a copy of the dataset);
#  - segmentation: the same run-length masks as the dataset form (nerve);
#  - a model from `leapfrog convert` needs no options (task, labels and
#    normalisation from its metadata); a model without metadata is refused
#    with a message naming --task, --labels and --norm;
#  - a corrupt image is named on stderr and left out (exit 0); --strict fails;
#  - the device binary leapfrog-predict writes the same bytes;
#  - --resume after a run killed with SIGKILL (and after a torn journal line)
#    gives the bytes of an uninterrupted run; --batch 4 the bytes of batch 1.
set -u
: "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_BUILD:?}" "${LF_PYTHON:=/usr/bin/python3}"
root=$(cd "$(dirname "$0")/.." && pwd)
L=$LEAPFROG
bench="$root/$LF_BUILD/bench/bench_runtime"
d="$LF_TMP/predict_images.$$"
rm -rf "$d"; mkdir -p "$d/m"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
"$LF_PYTHON" -c "import numpy, PIL" 2>/dev/null || { echo "skip: numpy/PIL missing"; exit 77; }
[ -x "$bench" ] || { echo "bench_runtime not built ($bench)"; exit 1; }
"$bench" --write-models "$d/m" --small >/dev/null || { echo "could not write zoo models"; exit 1; }
$L synth chestxray14 --out "$d/chest" --n 30 --seed 5 --size 96 >/dev/null || exit 1
$L synth nerve --out "$d/nerve" --n 6 --seed 5 >/dev/null || exit 1
Z="$d/m/densenet121_i8.tflite"
NOMETA="--task chestxray14 --norm unit"

# --- a folder of PNG / TIFF / JPEG (PIL), and the dataset copy holding the JPEGs' pixels ---
cp -r "$d/chest" "$d/chest_jpeg_pixels"
"$LF_PYTHON" - "$d/chest/images" "$d/imgs" "$d/chest_jpeg_pixels/images" <<'PY' || exit 1
import os, sys
from PIL import Image
src, out, jpx = sys.argv[1:]
os.makedirs(os.path.join(out, "sub"))
for i, name in enumerate(sorted(os.listdir(src))):
    im = Image.open(os.path.join(src, name))
    stem = name[:-4]
    if i % 3 == 0:
        im.save(os.path.join(out, stem + ".png"))
    elif i % 3 == 1:  # TIFF, named .dat or nothing: found by content
        im.save(os.path.join(out, "sub", stem + (".dat" if i % 2 else "")), format="TIFF")
    else:
        p = os.path.join(out, stem + ".jpg")
        im.save(p, quality=92)
        Image.open(p).save(os.path.join(jpx, name))  # what the decoder sees, losslessly
open(os.path.join(out, "notes.txt"), "w").write("not an image\n")
PY
$L predict $Z $NOMETA --data "$d/chest" --split all --out "$d/ds.json" --quiet || fail "dataset form"
$L predict $Z $NOMETA --data "$d/chest_jpeg_pixels" --split all --out "$d/ds_jpx.json" --quiet || fail "dataset form (jpeg pixels)"
$L predict $Z "$d/imgs" $NOMETA --out "$d/img.json" >"$d/out.txt" 2>&1 || { cat "$d/out.txt"; fail "image form on a folder"; }
cat "$d/out.txt"
grep -q "30 images -> " "$d/out.txt" || fail "not 30 images predicted"
grep -q "1 files under the folders are not images" "$d/out.txt" || fail "notes.txt not reported as left out"
cmp_scores() { # image-form JSON, dataset JSON, dataset JSON of the JPEG pixels
  "$LF_PYTHON" - "$@" <<'PY'
import json, os, sys
a, b, c = (json.load(open(p)) for p in sys.argv[1:4])
by_stem = {}
for k, v in a.items():
    by_stem[os.path.basename(k).split(".")[0]] = (k, v)
bad = 0
for k, v in b.items():
    stem = os.path.basename(k)[:-4]
    key, got = by_stem[stem]
    want = c[k] if key.endswith(".jpg") else v
    if got != want:
        bad += 1
        print("differs:", key, got, want)
print(len(b), "images compared,", bad, "differ")
sys.exit(1 if bad or len(a) != len(b) else 0)
PY
}
cmp_scores "$d/img.json" "$d/ds.json" "$d/ds_jpx.json" || fail "image form scores differ from the dataset form"

# the device binary (no training code) writes the same bytes
"$root/$LF_BUILD/leapfrog-predict" $Z "$d/imgs" $NOMETA --out "$d/dev.json" --quiet || fail "leapfrog-predict"
cmp -s "$d/dev.json" "$d/img.json" || fail "leapfrog-predict output differs from leapfrog predict"

# @LIST and single files: same scores, keys as named
(cd "$d" && find imgs -type f ! -name notes.txt | sort >list.txt)
(cd "$d" && $L predict $Z @list.txt $NOMETA --out list.json --quiet) || fail "@LIST"
cmp_scores "$d/list.json" "$d/ds.json" "$d/ds_jpx.json" || fail "@LIST scores differ"

# --- a corrupt image: named and left out; --strict fails ---
cp -r "$d/imgs" "$d/bad"
head -c 300 "$d/chest/images/$(ls "$d/chest/images" | head -n 1)" >"$d/bad/zz_truncated.png"
$L predict $Z "$d/bad" $NOMETA --out "$d/bad.json" --quiet 2>"$d/err.txt" || fail "a corrupt image is not skipped: $(cat "$d/err.txt")"
cat "$d/err.txt"
grep -q "skipping $d/bad/zz_truncated.png" "$d/err.txt" || fail "the corrupt image is not named"
grep -q "1 image could not be read" "$d/err.txt" || fail "no count of skipped images"
cmp -s "$d/bad.json" "$d/img.json" && fail "keys should differ (bad/ vs imgs/)"
"$LF_PYTHON" -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(sorted(a.values(), key=str) != sorted(b.values(), key=str))" \
  "$d/bad.json" "$d/img.json" || fail "the other images' scores changed"
$L predict $Z "$d/bad" $NOMETA --strict --out "$d/strict.json" --quiet 2>"$d/err.txt"; rc=$?
[ $rc != 0 ] || fail "--strict: exit 0 with a corrupt image"
grep -q "zz_truncated.png" "$d/err.txt" || fail "--strict: the image is not named: $(cat "$d/err.txt")"
[ -e "$d/strict.json" ] && fail "--strict: predictions written"

# --- resume: a torn journal (the --strict run above stopped at the last file) ---
[ -f "$d/strict.json.partial" ] || fail "no journal left by the stopped run"
"$LF_PYTHON" -c "
import os, sys
p = sys.argv[1]; n = os.path.getsize(p); os.truncate(p, n - 7)  # a kill in the middle of a line
" "$d/strict.json.partial"
$L predict $Z "$d/bad" $NOMETA --resume --out "$d/strict.json" >"$d/out.txt" 2>&1 || { cat "$d/out.txt"; fail "--resume"; }
grep -q "images done" "$d/out.txt" || fail "--resume did not read the journal: $(cat "$d/out.txt")"
cmp -s "$d/strict.json" "$d/bad.json" || fail "--resume after a torn journal differs from an uninterrupted run"
[ -e "$d/strict.json.partial" ] && fail "journal left after a finished run"

# --- resume after SIGKILL in the middle of a real run ---
$L synth chestxray14 --out "$d/many" --n 400 --seed 6 --size 64 >/dev/null || exit 1
$L predict $Z "$d/many/images" $NOMETA --out "$d/full.json" --quiet || fail "uninterrupted run"
"$LF_PYTHON" - "$L" "$Z" "$d/many/images" "$d/killed.json" <<'PY' || fail "could not kill a run midway"
import os, signal, subprocess, sys, time
L, Z, imgs, out = sys.argv[1:]
p = subprocess.Popen([L, "predict", Z, imgs, "--task", "chestxray14", "--norm", "unit", "--out", out, "--quiet"])
j = out + ".partial"
t0 = time.time()
while time.time() - t0 < 60:
    try:
        if open(j, "rb").read().count(b"\n") >= 41:  # header + 20 images (row + done)
            break
    except OSError:
        pass
    if p.poll() is not None:
        sys.exit("the run ended before it could be killed")
    time.sleep(0.0005)
p.send_signal(signal.SIGKILL)
p.wait()
lines = open(j, "rb").read().count(b"\n")
print("killed with", lines, "journal lines")
sys.exit(0 if not os.path.exists(out) and lines < 801 else 1)
PY
$L predict $Z "$d/many/images" $NOMETA --resume --out "$d/killed.json" >"$d/out.txt" 2>&1 || { cat "$d/out.txt"; fail "--resume after kill"; }
cat "$d/out.txt"
cmp -s "$d/killed.json" "$d/full.json" || fail "--resume after SIGKILL differs from an uninterrupted run"

# --- a model without metadata: the message names the options ---
$L predict $Z "$d/imgs" --out "$d/nometa.json" 2>"$d/err.txt"; rc=$?
cat "$d/err.txt"
[ $rc != 0 ] || fail "a model without metadata ran without options"
for o in --task --labels --norm; do grep -q -- "$o" "$d/err.txt" || fail "the message does not name $o"; done
[ -e "$d/nometa.json" ] && fail "predictions written without metadata"

# --- segmentation: the same masks as the dataset form ---
mkdir -p "$d/frames"
for f in "$d"/nerve/train/*.tif "$d"/nerve/test/*.tif; do
  case "$f" in *_mask.tif) ;; *) cp "$f" "$d/frames/$(basename "$(dirname "$f")")_$(basename "$f" .tif)";; esac
done
U="$d/m/unet_i8.tflite"
$L predict $U --task nerve --data "$d/nerve" --split all --threshold 0.6 --out "$d/ds.csv" --quiet || fail "dataset form nerve"
$L predict $U "$d/frames" --task segment --norm unit --threshold 0.6 --out "$d/img.csv" --quiet || fail "image form nerve"
"$LF_PYTHON" - "$d/img.csv" "$d/ds.csv" <<'PY' || fail "segmentation masks differ from the dataset form"
import csv, os, sys
a = {os.path.basename(r["img"]).split("_", 1)[1]: r["pixels"] for r in csv.DictReader(open(sys.argv[1]))}
b = {r["img"]: r["pixels"] for r in csv.DictReader(open(sys.argv[2]))}
print(len(a), "masks;", sum(1 for k in b if b[k]), "non-empty")
sys.exit(0 if a == b and len(b) == 7 else 1)
PY

# --- a converted model: no options needed; --batch 4 gives the same bytes ---
$L train --task chestxray14 --data "$d/chest" --arch densenet121 --growth 4 --blocks 1,1 --init-features 8 --size 32 \
  --batch 4 --threads 1 --quiet --epochs 1 --max-steps 1 --out "$d/r" >/dev/null || fail "train"
$L convert "$d/r/last.safetensors" --fp32 -o "$d/conv.tflite" >/dev/null 2>&1 || fail "convert"
$L convert "$d/r/last.safetensors" --fp32 --batch 4 -o "$d/conv_b4.tflite" >/dev/null 2>&1 || fail "convert --batch 4"
$L predict "$d/conv.tflite" "$d/imgs" --out "$d/meta.json" >"$d/out.txt" 2>&1 || { cat "$d/out.txt"; fail "converted model without options"; }
grep -q "from the model's metadata" "$d/out.txt" || fail "normalisation not from the metadata"
$L predict "$d/conv.tflite" --task chestxray14 --data "$d/chest" --split all --out "$d/meta_ds.json" --quiet || fail "dataset form, converted"
$L predict "$d/conv.tflite" --task chestxray14 --data "$d/chest_jpeg_pixels" --split all --out "$d/meta_jpx.json" --quiet ||
  fail "dataset form, converted (jpeg pixels)"
cmp_scores "$d/meta.json" "$d/meta_ds.json" "$d/meta_jpx.json" || fail "metadata-driven scores differ from the dataset form"
$L predict "$d/conv_b4.tflite" "$d/imgs" --batch 4 --out "$d/meta_b4.json" --quiet || fail "--batch 4"
cmp -s "$d/meta_b4.json" "$d/meta.json" || fail "--batch 4 output differs from batch 1"
$L predict "$d/conv.tflite" "$d/imgs" --batch 4 --out "$d/x.json" --quiet 2>"$d/err.txt" && fail "--batch 4 on a batch-1 model"
grep -q "convert --batch 4" "$d/err.txt" || fail "the batch message does not name convert --batch"

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "ok"
