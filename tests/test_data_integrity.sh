#!/bin/sh
# Issue 9 through the CLI: `predict` and `score` warn (and --strict fails) when images of the split
# are missing on disk, naming how many and their split; `score --task nerve --split all`
# works on the Kaggle layout (test/ images left out with a note); `train` names
# unreadable images and fails beyond --max-bad; a corrupted --cache entry is refused.
set -u
: "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_PYTHON:=/usr/bin/python3}"
root=$(cd "$(dirname "$0")/.." && pwd)
L=$LEAPFROG
d="$LF_TMP/integrity.$$"
rm -rf "$d" && mkdir -p "$d" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
run() { "$@" >"$d/log" 2>&1 || { echo "setup failed: $*"; tail -n 20 "$d/log"; exit 1; }; }
"$LF_PYTHON" -c 'import json, csv' 2>/dev/null || { echo "skip: no python"; exit 77; }

# --- score: images of the split missing on disk ---
run "$L" synth chestxray14 --out "$d/chest" --n 40 --size 32 --seed 3
gone=$(ls "$d/chest/images" | head -n 1)
rm "$d/chest/images/$gone"
"$LF_PYTHON" - "$d" <<'PY' || exit 1
import os, sys, json
d = sys.argv[1]
L = ['Atelectasis','Cardiomegaly','Consolidation','Edema','Effusion','Emphysema','Fibrosis','Hernia',
     'Infiltration','Mass','Nodule','Pleural_Thickening','Pneumonia','Pneumothorax']
json.dump({n: {l: 0.5 for l in L} for n in sorted(os.listdir(d + "/chest/images"))}, open(d + "/pred.json", "w"))
PY
S="score --task chestxray14 --data $d/chest --pred $d/pred.json --split all --bootstrap 0 --quiet"
$L $S 2>"$d/err.txt" || fail "score with one image missing: exit $? ($(cat "$d/err.txt"))"
grep -q "warning: .*1 image of split all .*missing on disk ($gone)" "$d/err.txt" &&
  grep -Eq "missing in all splits: 1 (train|val|test)" "$d/err.txt" ||
  fail "score does not name the missing image and its split: $(cat "$d/err.txt")"
$L $S --strict 2>"$d/err.txt"; rc=$?
[ $rc = 1 ] && grep -q "$gone" "$d/err.txt" || fail "score --strict with an image missing: exit $rc ($(cat "$d/err.txt"))"

# --- predict: the same warning, and --strict fails before any inference ---
mkdir -p "$d/models"
if [ -n "${LF_BUILD:-}" ] && [ -x "$root/$LF_BUILD/bench/bench_runtime" ] &&
  "$root/$LF_BUILD/bench/bench_runtime" --write-models "$d/models" --small >/dev/null 2>&1; then
  P="predict $d/models/densenet121_i8.tflite --task chestxray14 --data $d/chest --split all --limit 2 --quiet"
  $L $P --out "$d/p.json" 2>"$d/err.txt" || fail "predict with one image missing: $(cat "$d/err.txt")"
  grep -q "warning: .*1 image of split all .*missing on disk ($gone)" "$d/err.txt" ||
    fail "predict does not name the missing image: $(cat "$d/err.txt")"
  $L $P --out "$d/p2.json" --strict 2>"$d/err.txt"; rc=$?
  [ $rc = 1 ] && grep -q "$gone" "$d/err.txt" && [ ! -e "$d/p2.json" ] ||
    fail "predict --strict with an image missing: exit $rc ($(cat "$d/err.txt"))"
else
  fail "no zoo model for the predict checks"
fi

# --- score --task nerve --split all on the Kaggle layout (with test/) ---
run "$L" synth nerve --out "$d/nerve" --n 12 --size 58 --seed 2 --n-test 3
"$LF_PYTHON" - "$d" <<'PY' || exit 1
import csv, sys
d = sys.argv[1]
rows = list(csv.reader(open(d + "/nerve/train_masks.csv")))[1:]
with open(d + "/sub.csv", "w") as f:
    f.write("img,pixels\n")
    for s, i, p in rows: f.write("%s_%s,%s\n" % (s, i, p))
    f.write("1,\n")  # a prediction for an unlabelled test/ image: ignored
PY
$L score --task nerve --data "$d/nerve" --pred "$d/sub.csv" --split all --out "$d/n.json" >"$d/out.txt" 2>"$d/err.txt" ||
  fail "score --task nerve --split all with test/ images: $(cat "$d/err.txt")"
grep -q "3 unlabelled images (Kaggle test/" "$d/out.txt" || fail "no note about the unlabelled images: $(cat "$d/out.txt")"
"$LF_PYTHON" -c "import json,sys; j=json.load(open(sys.argv[1])); assert j['n'] == 12 and abs(j['dice_mean'] - 1) < 1e-9" "$d/n.json" ||
  fail "perfect submission does not score Dice 1"

# --- train: unreadable images and --max-bad ---
T="--task chestxray14 --arch densenet121 --size 32 --growth 8 --blocks 2,2 --init-features 16 --epochs 1 --batch 8 --quiet"
run "$L" synth chestxray14 --out "$d/c2" --n 40 --size 32 --seed 5
# every 4th image unreadable (some land in the training split)
for f in $(ls "$d/c2/images" | awk 'NR % 4 == 1'); do echo "not a png" >"$d/c2/images/$f"; done
$L train $T --data "$d/c2" --out "$d/r1" 2>"$d/err.txt"; rc=$?
[ $rc = 1 ] && grep -q "unreadable, more than --max-bad 0 allows: $d/c2/images/" "$d/err.txt" ||
  fail "train with unreadable images: exit $rc ($(cat "$d/err.txt"))"
$L train $T --data "$d/c2" --out "$d/r2" --max-bad 10 2>"$d/err.txt" || fail "train --max-bad 10: $(cat "$d/err.txt")"
grep -q "warning: unreadable training image skipped (1 of at most --max-bad 10): $d/c2/images/" "$d/err.txt" ||
  fail "--max-bad does not name the images: $(cat "$d/err.txt")"

# --- a corrupted --cache entry is refused with a message ---
$L train $T --data "$d/chest" --out "$d/r3" --cache "$d/cache" 2>"$d/err.txt" || fail "train --cache: $(cat "$d/err.txt")"
c="$d/cache/train.cache"
[ -f "$c" ] || fail "no $c"
"$LF_PYTHON" -c "
import sys; p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[-1] ^= 0x55; open(p, 'wb').write(b)" "$c"
$L train $T --data "$d/chest" --out "$d/r4" --cache "$d/cache" 2>"$d/err.txt"; rc=$?
[ $rc = 1 ] && grep -q "train.cache: the cached entry of .* does not match its checksum" "$d/err.txt" ||
  fail "a corrupted cache entry is used: exit $rc ($(cat "$d/err.txt"))"

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "missing images, unlabelled test/, --max-bad and cache checksums ok"
