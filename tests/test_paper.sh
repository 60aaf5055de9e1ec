#!/bin/sh
# issue 10: `leapfrog paper` runs the paper's study (train FP32 -> QAT -> convert x3 ->
# predict x3 (chest: also on val) -> score x2, for the chest X-rays and the nerve ultrasound,
# then one report) and a second run skips every finished stage; a stage whose marker is gone
# runs again (only it), an output made elsewhere (predictions from the device, copied back)
# counts as done, and a run killed during training continues from its checkpoint. Tiny models
# and data keep it short.
set -u
: "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_PYTHON:=/usr/bin/python3}"
L=$LEAPFROG
d="$LF_TMP/paper"; rm -rf "$d"; mkdir -p "$d"
fail() { echo "FAIL: $*"; exit 1; }

$L synth chestxray14 --out "$d/chest" --n 60 --size 48 --seed 5 >/dev/null 2>&1 || fail "synth chest"
$L synth nerve --out "$d/nerve" --n 30 --seed 5 >/dev/null 2>&1 || fail "synth nerve"
run() {
  $L paper --chestxray14 "$d/chest" --nerve "$d/nerve" --out "$d/out" --epochs 1 --qat-epochs 1 --max-batches 2 \
    --threads 1 --split patient \
    --chest-model "--arch densenet121 --growth 4 --blocks 1,1 --init-features 8 --size 32" \
    --nerve-model "--arch unet --width 4 --depth 2 --size 32x48" "$@"
}
run > "$d/log1.txt" 2>&1 || { tail -n 30 "$d/log1.txt"; fail "first run"; }
for t in chest nerve; do
  for f in $t-int8.tflite $t-fp32.tflite $t-qat-fp32.tflite $t-int8-vs-fp32-metrics.json \
    $t-int8-vs-qat-fp32-metrics.json $t-int8-vs-fp32-report.html report.html report.md; do
    [ -s "$d/out/$f" ] || fail "no $f"
  done
done
n=$(ls "$d/out/stages" | grep -c '\.done$')
[ "$n" = 24 ] || fail "$n stage markers, want 24 (chest 13, nerve 10, report)"
"$LF_PYTHON" - "$d/out" <<'PY' || fail "metrics"
import json, sys
m = json.load(open(sys.argv[1] + "/chest-int8-vs-fp32-metrics.json"))
s = json.dumps(m)
assert "auc" in s.lower(), "no AUC in the chest metrics"
m = json.load(open(sys.argv[1] + "/nerve-int8-vs-qat-fp32-metrics.json"))
assert "dice" in json.dumps(m).lower(), "no Dice in the nerve metrics"
PY

grep -q "Dice" "$d/out/report.md" && grep -q "AUC" "$d/out/report.md" || fail "report.md lacks the studies"
[ -s "$d/out/chest-int8-val-predictions.json" ] || fail "no validation predictions (operating points)"

# a second run skips everything and changes nothing
sum1=$(cd "$d/out" && find . -type f ! -path './stages/*' | sort | xargs sha256sum)
run > "$d/log2.txt" 2>&1 || fail "second run"
[ "$(grep -c 'done before, skipped' "$d/log2.txt")" = 24 ] || fail "second run did not skip every stage: $(cat "$d/log2.txt")"
sum2=$(cd "$d/out" && find . -type f ! -path './stages/*' | sort | xargs sha256sum)
[ "$sum1" = "$sum2" ] || fail "a skipped run changed outputs"

# a stage whose marker is gone runs again, alone, and writes the same bytes
rm "$d/out/stages/nerve-predict-int8.done" "$d/out/nerve-int8-masks.csv"
run > "$d/log3.txt" 2>&1 || fail "third run"
[ "$(grep -c 'done before, skipped' "$d/log3.txt")" = 23 ] || fail "third run: $(cat "$d/log3.txt")"
# (its --stats holds this run's timings: left out)
nostats() { cd "$d/out" && find . -type f ! -path './stages/*' ! -name '*-stats.json' | sort | xargs sha256sum; }
sum3=$(nostats)
[ "$(echo "$sum1" | grep -v -- '-stats.json')" = "$sum3" ] || fail "the re-run stage wrote other bytes"

# an output made elsewhere (predictions from the device, copied back) counts as done
rm "$d/out/stages/chest-predict-fp32.done"
run > "$d/log5.txt" 2>&1 || fail "fifth run"
grep -q "chest-predict-fp32 .*chest-fp32-predictions.json exists, skipped" "$d/log5.txt" ||
  fail "existing predictions not taken: $(grep chest-predict-fp32 "$d/log5.txt")"
run --stop-after convert --dry-run > "$d/log6.txt" 2>&1 || fail "--stop-after convert"
grep -q predict "$d/log6.txt" && fail "--stop-after convert went on to predict"

# killed during training: the next run resumes the training stage from its checkpoint
rm -rf "$d/out2"
$L train --task nerve --data "$d/nerve" --arch unet --width 4 --depth 2 --size 32x48 --epochs 1 --max-steps 1 \
  --threads 1 --split patient --augment --loss dice --quiet --out "$d/out2/nerve-fp32" >/dev/null 2>&1 ||
  fail "partial training"
$L paper --nerve "$d/nerve" --out "$d/out2" --epochs 1 --qat-epochs 1 --max-batches 2 --threads 1 --split patient \
  --nerve-model "--arch unet --width 4 --depth 2 --size 32x48" > "$d/log4.txt" 2>&1 ||
  { tail -n 20 "$d/log4.txt"; fail "resumed run"; }
grep -q -- "--resume" "$d/log4.txt" || fail "the training stage did not resume: $(head -n 5 "$d/log4.txt")"

# usage errors
$L paper --out "$d/x" >/dev/null 2>&1; [ $? = 2 ] || fail "no dataset: want exit 2"
$L paper --nerve "$d/nerve" --epochs 0 >/dev/null 2>&1; [ $? = 2 ] || fail "--epochs 0: want exit 2"
echo "ok: 24 stages, skipped on re-run, one stage re-run alone, training resumed"
