#!/bin/sh
# leapfrog score end to end: tiny NIH and Kaggle folders and predictions written
# by Python (tests/oracles/score_sklearn.py), metrics.json checked against
# scikit-learn (AUC, ROC points, confusion counts, 90%-sensitivity threshold) and
# numpy (Dice, IoU, RLE); refusal cases (missing/extra image, NaN, out of range,
# bad JSON, duplicate basename, wrong file kind, bad RLE) and usage errors;
# operating points chosen by --choose-operating-points against scikit-learn's roc_curve, and
# --operating-points (sensitivity/specificity at given points).
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

# --compare: a second model on the same images (paired differences)
"$LF_PYTHON" - "$d/chest/pred.json" "$d/chest/pred_b.json" <<'PY'
import json, sys, random
random.seed(3)
p = json.load(open(sys.argv[1]))
json.dump({k: {l: min(1.0, max(0.0, round(v * 16) / 16 + random.gauss(0, 0.05))) for l, v in d.items()}
           for k, d in p.items()}, open(sys.argv[2], "w"))
PY
chest --pred "$d/chest/pred.json" --compare "$d/chest/pred_b.json" --out "$d/mc.json" >"$d/out.txt" || fail "--compare"
grep -q "mean AUC difference over 13 findings" "$d/out.txt" || fail "--compare summary"
"$LF_PYTHON" - "$d/chest" "$d/mc.json" <<'PY' || fail "--compare AUCs vs scikit-learn"
import json, sys
import numpy as np
from sklearn.metrics import roc_auc_score
d, m = sys.argv[1], json.load(open(sys.argv[2]))
exp, a, b = (json.load(open(f"{d}/{f}")) for f in ("expected.json", "pred.json", "pred_b.json"))
diffs = []
for j, lab in enumerate(m["labels"]):
    y = np.array([exp["y"][n][j] for n in exp["test"]])
    if len(set(y)) < 2:
        continue
    sa = [a["images/" + n][lab] for n in exp["test"]]
    sb = [b["images/" + n][lab] for n in exp["test"]]
    want_b, want_d = roc_auc_score(y, sb), roc_auc_score(y, sa) - roc_auc_score(y, sb)
    got_d, (lo, hi) = m["compare"]["auc_diff"][lab], m["compare"]["auc_diff_ci95"][lab]
    assert abs(m["compare"]["auc"][lab] - want_b) < 1e-9, lab
    assert abs(got_d - want_d) < 1e-9 and lo <= got_d <= hi, (lab, got_d, want_d, lo, hi)
    p = m["compare"]["p_delong"][lab]
    assert p is None or 0 <= p <= 1, (lab, p)
    dlo, dhi = m["auc_ci95_delong"][lab]
    assert dlo is None or dlo <= m["auc"][lab] <= dhi, (lab, dlo, dhi)
    diffs.append(want_d)
assert abs(m["compare"]["mean_auc_diff"] - np.mean(diffs)) < 1e-9
print("compare: AUC differences agree with scikit-learn on", len(diffs), "findings")
PY
chest --pred "$d/chest/pred.json" --compare "$d/chest/pred_b.json" --report "$d/rc.md" --quiet && grep -q "## Compared with" "$d/rc.md" \
  || fail "--compare in the report"
chest --pred "$d/chest/pred.json" --compare "$d/chest/pred.json" --out "$d/ms.json" --quiet || fail "--compare with itself"
"$LF_PYTHON" -c "import json,sys; c=json.load(open(sys.argv[1]))['compare']; sys.exit(any(v not in (0, None) for v in c['auc_diff'].values()) or any(p not in ([0, 0], [None, None]) for p in c['auc_diff_ci95'].values()))" "$d/ms.json" || fail "self-comparison should give zero differences"

# --choose-operating-points: the thresholds scikit-learn's roc_curve gives (tests/oracles/metrics_sklearn.py
# choose()), the rates at them, none for a finding without positives (Hernia here) with a warning naming it,
# and a warning that the split scored is the test split (this folder's predictions cover only that one)
for meth in youden sens:0.8 spec:0.9; do
  chest --pred "$d/chest/pred.json" --choose-operating-points $meth --bootstrap 0 --out "$d/op.json" >"$d/out.txt" \
    2>"$d/err.txt" || { cat "$d/err.txt"; fail "--choose-operating-points $meth"; continue; }
  grep -q "operating points ($meth) chosen on split test" "$d/out.txt" || fail "$meth: no table of the points"
  grep -q "warning: choosing operating points on the test split" "$d/err.txt" || fail "$meth: no test-split warning"
  grep -q "warning: no operating point for Hernia on split test: no positive cases" "$d/err.txt" ||
    fail "$meth: no warning naming Hernia: $(cat "$d/err.txt")"
  PYTHONPATH="$here/oracles" "$LF_PYTHON" - "$d/chest" "$d/op.json" "$meth" <<'PY' || fail "$meth: points vs scikit-learn"
import json, sys
import numpy as np
from metrics_sklearn import choose
d, m, meth = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
exp, pred = (json.load(open(f"{d}/{f}")) for f in ("expected.json", "pred.json"))
ops, at, how = m["operating_points"], m["at_operating_point"], m["operating_points_chosen"]
assert how["method"] == meth and how["split"] == "test", how
n = 0
for j, lab in enumerate(m["labels"]):
    y = np.array([exp["y"][k][j] for k in exp["test"]])
    s = np.array([pred["images/" + k][lab] for k in exp["test"]])
    want = choose(y, s, meth)
    if want is None:
        assert lab not in ops and lab not in at and lab in how["none"], lab
        continue
    assert ops[lab] == want, (lab, ops[lab], want)
    tp, fp = int(((s >= want) & (y == 1)).sum()), int(((s >= want) & (y == 0)).sum())
    P, N = int(y.sum()), int((1 - y).sum())
    a = at[lab]
    assert (a["tp"], a["fp"], a["tn"], a["fn"]) == (tp, fp, N - fp, P - tp), (lab, a)
    assert a["sensitivity"] == tp / P and a["specificity"] == (N - fp) / N, (lab, a)
    n += 1
assert n == 13 and sorted(how["none"]) == ["Hernia"], (n, how["none"])
print(meth, ": 13 thresholds and their rates == scikit-learn's, none for Hernia")
PY
done
# --operating-points FILE: at_threshold at those points (the test split reported at points chosen
# elsewhere), --threshold for the findings without one; an unknown finding is refused naming it
printf '{"operating_points": {"Mass": 0.35, "Edema": 0.6}}' >"$d/ops.json"
chest --pred "$d/chest/pred.json" --operating-points "$d/ops.json" --threshold 0.4 --bootstrap 0 --out "$d/opt.json" \
  >"$d/out.txt" 2>"$d/err.txt" || fail "--operating-points: $(cat "$d/err.txt")"
grep -q "sens/spec at each finding's given operating point (0.4 for findings without one)" "$d/out.txt" ||
  fail "--operating-points: summary footer"
"$LF_PYTHON" - "$d/chest" "$d/opt.json" <<'PY' || fail "--operating-points: at_threshold"
import json, sys
import numpy as np
d, m = sys.argv[1], json.load(open(sys.argv[2]))
exp, pred = (json.load(open(f"{d}/{f}")) for f in ("expected.json", "pred.json"))
for j, lab in enumerate(m["labels"]):
    t = {"Mass": 0.35, "Edema": 0.6}.get(lab, 0.4)
    y = np.array([exp["y"][k][j] for k in exp["test"]])
    s = np.array([pred["images/" + k][lab] for k in exp["test"]])
    a = m["at_threshold"][lab]
    assert a["threshold"] == t and a["tp"] == int(((s >= t) & (y == 1)).sum()) and \
        a["fp"] == int(((s >= t) & (y == 0)).sum()), (lab, a, t)
print("--operating-points: at_threshold at the given points, 0.4 elsewhere")
PY
printf '{"Fracture": 0.5}' >"$d/ops_bad.json"
chest --pred "$d/chest/pred.json" --operating-points "$d/ops_bad.json" --quiet 2>"$d/err.txt"; rc=$?
[ $rc = 1 ] && grep -qF 'ops_bad.json: operating point "Fracture" is not one of' "$d/err.txt" ||
  fail "--operating-points with an unknown finding: exit $rc: $(cat "$d/err.txt")"
chest --pred "$d/chest/pred.json" --choose-operating-points sens:1.5 2>"$d/err.txt"; rc=$?
[ $rc = 2 ] && grep -q "want youden, sens:X or spec:X" "$d/err.txt" || fail "bad method: exit $rc: $(cat "$d/err.txt")"
"$LEAPFROG" score --task nerve --data "$d/nerve" --pred "$d/nerve/sub.csv" --split all --choose-operating-points youden \
  2>/dev/null; [ $? = 2 ] || fail "--choose-operating-points on nerve should exit 2"

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
# --compare on nerve: the first half of the rows with empty masks
"$LF_PYTHON" -c "
import sys; rows = open(sys.argv[1]).read().splitlines()
open(sys.argv[2], 'w').write('\\n'.join(rows[:1] + [r.split(',')[0] + ',' if i % 2 else r for i, r in enumerate(rows[1:])]) + '\\n')" \
  "$d/nerve/sub.csv" "$d/sub_b.csv"
"$LEAPFROG" score --task nerve --data "$d/nerve" --pred "$d/nerve/sub.csv" --compare "$d/sub_b.csv" --split all --out "$d/nc.json" --quiet \
  || fail "nerve --compare"
"$LF_PYTHON" - "$d/nc.json" "$d/sub_b.csv" "$d/nerve" <<'PY' || fail "nerve --compare difference"
import json, sys
import numpy as np
from PIL import Image
m = json.load(open(sys.argv[1])); c = m["compare"]
rows = [r.split(",") for r in open(sys.argv[2]).read().splitlines()[1:]]
diffs = []
for img, pixels in rows:  # emptied rows: Dice 1 if the truth is empty too, else 0; others unchanged
    empty_truth = not (np.array(Image.open(f"{sys.argv[3]}/train/{img}_mask.tif")) > 127).any()
    b = m["dice"][img] if pixels else (1.0 if empty_truth else 0.0)
    diffs.append(m["dice"][img] - b)
lo, hi = c["dice_mean_diff_ci95"]
assert abs(c["dice_mean_diff"] - np.mean(diffs)) < 1e-12, (c["dice_mean_diff"], np.mean(diffs))
assert lo <= c["dice_mean_diff"] <= hi and c["dice_mean_diff"] > 0
print("nerve compare: mean Dice difference", c["dice_mean_diff"], "CI", lo, hi)
PY

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
