#!/bin/sh
# leapfrog score end to end: tiny NIH and Kaggle folders and predictions written
# by Python (tests/oracles/score_sklearn.py), metrics.json checked against
# scikit-learn (AUC, ROC points, confusion counts, 90%-sensitivity threshold) and
# numpy (Dice, IoU, RLE); refusal cases (missing/extra image, NaN, out of range,
# bad JSON, duplicate basename, wrong file kind, bad RLE) and usage errors.
set -u
: "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_PYTHON:=/usr/bin/python3}"
here=$(cd "$(dirname "$0")" && pwd)
oracle="$here/oracles/score_sklearn.py"
d="$LF_TMP/score.$$"
mkdir -p "$d/chest" "$d/nerve"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$LF_PYTHON" "$oracle" chest "$d/chest"; rc=$?
[ $rc = 77 ] && { echo "skip: numpy/scikit-learn/PIL missing"; exit 77; }
[ $rc = 0 ] || { echo "oracle failed to write the chest folder"; exit 1; }
"$LF_PYTHON" "$oracle" nerve "$d/nerve" || { echo "oracle failed to write the nerve folder"; exit 1; }

chest() { "$LEAPFROG" score --task chestxray14 --data "$d/chest" --split-mode official "$@"; }

# --- chest: both prediction shapes agree with scikit-learn ---
chest --pred "$d/chest/pred.json" --out "$d/m.json" >"$d/out.txt" 2>"$d/err.txt" || { cat "$d/err.txt"; fail "score chest"; }
cat "$d/out.txt"
grep -q "Atelectasis" "$d/out.txt" && grep -q "mean AUC over 13 of 14" "$d/out.txt" || fail "summary table"
"$LF_PYTHON" "$oracle" check-chest "$d/chest" "$d/m.json" || fail "chest metrics vs scikit-learn"
chest --pred "$d/chest/pred_paper.json" --out "$d/m2.json" --quiet || fail "paper-format predictions"
"$LF_PYTHON" "$oracle" check-chest "$d/chest" "$d/m2.json" || fail "paper-format metrics vs scikit-learn"
# same bootstrap seed -> identical file; another seed -> different CIs
chest --pred "$d/chest/pred.json" --out "$d/m3.json" --quiet && cmp -s "$d/m.json" "$d/m3.json" || fail "not deterministic"
chest --pred "$d/chest/pred.json" --out "$d/m4.json" --quiet --seed 2 && ! cmp -s "$d/m.json" "$d/m4.json" || fail "seed ignored"

# reports: Markdown table and self-contained HTML with one SVG ROC curve per finding
chest --pred "$d/chest/pred.json" --report "$d/r.md" --quiet && grep -q "| Atelectasis |" "$d/r.md" || fail "markdown report"
chest --pred "$d/chest/pred.json" --report "$d/r.html" --quiet || fail "html report"
[ "$(grep -o "<svg" "$d/r.html" | wc -l)" = 14 ] && ! grep -q "<script" "$d/r.html" || fail "html report: 14 inline SVGs, no script"
chest --pred "$d/chest/pred.json" --report "$d/r.pdf" --quiet 2>/dev/null; [ $? = 1 ] || fail "report .pdf should be refused"

# --- chest refusals: exit 1 and a message naming the problem ---
refuse() {  # name, expected stderr substring, python snippet editing dict p (loaded from pred.json) / or raw text
  name=$1 want=$2 code=$3
  "$LF_PYTHON" - "$d/chest/pred.json" "$d/bad.json" <<PY
import json, sys
p = json.load(open(sys.argv[1]))
out = None
$code
if out is None:
    out = json.dumps(p)
open(sys.argv[2], "w").write(out)
PY
  chest --pred "$d/bad.json" --out "$d/bad_m.json" --quiet 2>"$d/err.txt"; rc=$?
  if [ $rc != 1 ] || ! grep -q -- "$want" "$d/err.txt"; then
    fail "$name: exit $rc, stderr: $(cat "$d/err.txt")"
  else echo "ok refusal $name: $(cat "$d/err.txt")"; fi
  [ ! -e "$d/bad_m.json" ] || fail "$name: metrics.json written despite the error"
}
refuse missing "1 missing (no prediction): " 'k = sorted(p)[3]; del p[k]'
refuse extra "not in the dataset" 'p["images/99999999_000.png"] = p[sorted(p)[0]]'
refuse train_image "(in split " 'import json as j; e = j.load(open(sys.argv[1].replace("pred.json", "expected.json"))); p["images/" + e["train"][0]] = p[sorted(p)[0]]'
refuse nan "NaN" 'p[sorted(p)[0]]["Mass"] = float("nan")'
refuse out_of_range "not a probability in \[0, 1\]" 'p[sorted(p)[1]]["Edema"] = 1.5'
refuse bad_json "malformed JSON" 'out = json.dumps(p)[:-40]'
refuse duplicate_basename "already predicted" 'k = sorted(p)[0]; p["other/dir/" + k.split("/")[-1]] = p[k]'
refuse unknown_label "not a ChestX-ray14 finding" '[v.update({"Fracture": v.pop("Hernia")}) for v in p.values()]'
refuse missing_label "is missing" 'del p[sorted(p)[2]]["Nodule"]'
chest --pred "$d/nerve/sub.csv" --quiet 2>"$d/err.txt"; [ $? = 1 ] && grep -q "predictions JSON" "$d/err.txt" || fail "CSV given for chest"

# --- nerve: Dice/IoU against numpy (all labelled frames: --split all) ---
"$LEAPFROG" score --task nerve --data "$d/nerve" --pred "$d/nerve/sub.csv" --split all --out "$d/n.json" >"$d/out.txt" 2>"$d/err.txt" || { cat "$d/err.txt"; fail "score nerve"; }
cat "$d/out.txt"
grep -q "mean Dice" "$d/out.txt" || fail "nerve summary"
"$LF_PYTHON" "$oracle" check-nerve "$d/nerve" "$d/n.json" || fail "nerve metrics vs numpy"
head -n 3 "$d/nerve/sub.csv" >"$d/short.csv"
"$LEAPFROG" score --task nerve --data "$d/nerve" --pred "$d/short.csv" --split all --quiet 2>"$d/err.txt"
[ $? = 1 ] && grep -q "missing" "$d/err.txt" || fail "nerve missing images: $(cat "$d/err.txt")"
{ echo "img,pixels"; tail -n +2 "$d/nerve/sub.csv" | sed '1s/,.*/,5 3 7/'; } >"$d/oddrle.csv"
"$LEAPFROG" score --task nerve --data "$d/nerve" --pred "$d/oddrle.csv" --split all --quiet 2>"$d/err.txt"
[ $? = 1 ] && grep -q "1_1" "$d/err.txt" || fail "bad RLE not refused by image: $(cat "$d/err.txt")"
echo "ok refusal bad_rle: $(cat "$d/err.txt")"

# --- usage ---
"$LEAPFROG" score --help >/dev/null || fail "--help"
"$LEAPFROG" score --task chestxray14 --data "$d/chest" 2>/dev/null; [ $? = 2 ] || fail "missing --pred should exit 2"
"$LEAPFROG" score --bogus 1 2>/dev/null; [ $? = 2 ] || fail "unknown option should exit 2"
"$LEAPFROG" score --task brain --data "$d/chest" --pred x 2>/dev/null; [ $? = 2 ] || fail "unknown task should exit 2"

rm -rf "$d"
[ $fails = 0 ] && echo "score: all checks passed" && exit 0
echo "$fails failures"; exit 1
