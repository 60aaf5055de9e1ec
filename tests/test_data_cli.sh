#!/bin/sh
# leapfrog synth + dataset end to end: layouts, JSON counts checked by Python against
# the CSV files, --decode lists a corrupted image, usage errors exit 2.
set -u
L=${LEAPFROG:?}; T=${LF_TMP:?}/data_cli.$$; PY=${LF_PYTHON:-/usr/bin/python3}
mkdir -p "$T"
fail() { echo "FAIL: $*"; exit 1; }
$PY -c 'import json, csv' 2>/dev/null || { echo "skip: no python"; exit 77; }

"$L" synth chestxray14 --out "$T/chest" --n 60 --seed 4 --size 64 || fail "synth chest"
"$L" synth nerve --out "$T/nerve" --n 40 --seed 4 --size 116 --n-test 6 || fail "synth nerve"
[ -f "$T/chest/Data_Entry_2017.csv" ] && [ -f "$T/chest/train_val_list.txt" ] && [ -f "$T/chest/test_list.txt" ] || fail "chest layout"
[ "$(ls "$T/chest/images" | wc -l)" = 60 ] || fail "60 chest images"
[ -f "$T/nerve/train_masks.csv" ] && [ -f "$T/nerve/train/1_1.tif" ] && [ -f "$T/nerve/train/1_1_mask.tif" ] && [ -f "$T/nerve/test/1.tif" ] || fail "nerve layout"
# same seed, same bytes
"$L" synth chestxray14 --out "$T/chest2" --n 60 --seed 4 --size 64 --threads 1 || fail "synth chest again"
cmp -s "$T/chest/Data_Entry_2017.csv" "$T/chest2/Data_Entry_2017.csv" || fail "CSV differs for one seed"
for f in "$T/chest/images/"*; do cmp -s "$f" "$T/chest2/images/$(basename "$f")" || fail "$f differs for one seed and another thread count"; done

"$L" dataset --task chestxray14 --data "$T/chest" --json > "$T/chest.json" || fail "dataset chest"
"$L" dataset --task nerve --data "$T/nerve" --decode --json > "$T/nerve.json" || fail "dataset nerve"
$PY - "$T" <<'PY' || fail "dataset JSON disagrees with the CSVs"
import csv, json, sys
T = sys.argv[1]
j = json.load(open(T + "/chest.json"))
rows = list(csv.reader(open(T + "/chest/Data_Entry_2017.csv")))[1:]
assert j["images"] == len(rows) == 60, j["images"]
assert j["unreadable"] == []
for lab, n in j["per_class"].items():
    want = sum(lab in r[1].split("|") for r in rows)
    assert n == want, (lab, n, want)
assert sum(s["images"] for s in j["splits"].values()) == 60
assert "64x64 png L 8-bit" in j["formats"], j["formats"]
n = json.load(open(T + "/nerve.json"))
m = list(csv.reader(open(T + "/nerve/train_masks.csv")))[1:]
assert n["images"] == 46 and n["splits"]["unlabelled"]["images"] == 6, n["images"]
assert n["per_class"]["nerve"] == sum(1 for r in m if r[2].strip()), n["per_class"]
assert n["decoded"] is True and n["unreadable"] == []
print("dataset JSON ok")
PY
# a corrupted image is listed by --decode (exit 1) and the message names it
img=$(ls "$T/chest/images" | head -n 3 | tail -n 1)
head -c 300 "$T/chest/images/$img" > "$T/x" && mv "$T/x" "$T/chest/images/$img"
"$L" dataset --task chestxray14 --data "$T/chest" --decode > "$T/out.txt" 2>&1; rc=$?
[ $rc = 1 ] || fail "--decode with a broken image exited $rc"
grep -q "$img" "$T/out.txt" || fail "broken image not named"
"$L" dataset --task chestxray14 --data "$T/chest" --split paper > /dev/null 2> "$T/err.txt" || fail "paper split"
grep -q "leak" "$T/err.txt" || fail "paper split does not warn"
# usage errors
"$L" dataset --data "$T/chest" >/dev/null 2>&1; [ $? = 2 ] || fail "missing --task not exit 2"
"$L" dataset --task xray --data "$T/chest" >/dev/null 2>&1; [ $? = 2 ] || fail "bad task not exit 2"
"$L" synth chestxray14 --n 3 >/dev/null 2>&1; [ $? = 2 ] || fail "missing --out not exit 2"
"$L" synth mri --out "$T/m" >/dev/null 2>&1; [ $? = 2 ] || fail "bad kind not exit 2"
"$L" dataset --task nerve --data "$T/none" >/dev/null 2>&1; [ $? = 1 ] || fail "missing folder not exit 1"
"$L" synth --help | grep -q chestxray14 || fail "synth --help"
"$L" dataset --help | grep -q decode || fail "dataset --help"
echo "ok"
