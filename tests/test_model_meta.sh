#!/bin/sh
# issue 9: the "leapfrog" metadata of a .tflite is validated before predict
# uses it. Before, labels whose count did not match the outputs fell back to
# the 14 NIH names without a word (a 2-label list on a 14-output model gave
# NIH-labelled predictions), duplicate names were written as duplicate JSON
# keys, and a label list that is not an array was ignored. Now each is refused
# naming the model and the field. (A label swap cannot be detected.) Also
# predict's --stats JSON as score --latency reads it, and (issue 12) the
# operating points convert --operating-points (and ptq MODEL.tflite
# --operating-points) write, info shows and the validator checks.
set -u
: "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_PYTHON:=/usr/bin/python3}"
L=$LEAPFROG
d="$LF_TMP/model_meta"; rm -rf "$d"; mkdir -p "$d"
fail() { echo "FAIL: $*"; exit 1; }

$L synth chestxray14 --out "$d/c" --n 40 --size 64 --seed 3 >/dev/null || fail "synth"
$L train --task chestxray14 --data "$d/c" --arch densenet121 --growth 4 --blocks 1,1 --init-features 8 --size 32 \
  --batch 4 --threads 1 --quiet --epochs 1 --max-steps 1 --out "$d/r" >/dev/null || fail "train"
P="--task chestxray14 --data $d/c --split test"
$L convert "$d/r/last.safetensors" --fp32 -o "$d/ok.tflite" >/dev/null 2>&1 || fail "convert"
$L predict "$d/ok.tflite" $P --out "$d/ok.json" >/dev/null 2>&1 || fail "predict on a well-formed model"

# expect MODEL NEEDLE: predict refuses, names the model and the problem, writes nothing
expect() {
  $L predict "$d/$1.tflite" $P --out "$d/$1.json" >/dev/null 2>"$d/err.txt"; rc=$?
  [ $rc = 1 ] || fail "$1: exit $rc (want 1): $(cat "$d/err.txt")"
  grep -qF -- "$2" "$d/err.txt" || fail "$1: message lacks '$2': $(cat "$d/err.txt")"
  [ -e "$d/$1.json" ] && fail "$1: predictions written"
  echo "ok $1: $(cat "$d/err.txt")"
}
# convert refuses a label count that is not the output count, and empty names
for lab in a,b "a,,c,d,e,f,g,h,i,j,k,l,m,n"; do
  $L convert "$d/r/last.safetensors" --fp32 --labels "$lab" -o "$d/bad.tflite" >/dev/null 2>"$d/err.txt" &&
    fail "convert --labels $lab accepted"
  grep -qE "2 labels given for a model with 14 outputs|label 2 is empty" "$d/err.txt" ||
    fail "convert --labels $lab: $(cat "$d/err.txt")"
  [ -e "$d/bad.tflite" ] && fail "convert --labels $lab wrote a model"
done
# a model whose metadata was edited to 2 labels (JSON whitespace keeps the length)
$L convert "$d/r/last.safetensors" --fp32 --labels a,b,c,d,e,f,g,h,i,j,k,l,m,n -o "$d/l14.tflite" >/dev/null 2>&1 ||
  fail "convert l14"
"$LF_PYTHON" - "$d/l14.tflite" "$d/two.tflite" <<'PY' || fail "patching the labels"
import sys
b = open(sys.argv[1], "rb").read()
old = b'"labels":[' + b','.join(b'"%c"' % c for c in b'abcdefghijklmn') + b']'
i = b.index(old)
new = b'"labels":["a","b"]'
open(sys.argv[2], "wb").write(b[:i] + new + b' ' * (len(old) - len(new)) + b[i + len(old):])
PY
expect two "two.tflite: metadata \"leapfrog\" names 2 labels for 14 outputs"
$L convert "$d/r/last.safetensors" --fp32 --labels a,a,c,d,e,f,g,h,i,j,k,l,m,n -o "$d/dup.tflite" >/dev/null 2>&1 ||
  fail "convert dup"
expect dup "dup.tflite: metadata \"leapfrog\": label \"a\" appears twice (0 and 1)"

# patched in place (same length): "labels":[ -> "labels":{ ... the model must then be refused
"$LF_PYTHON" - "$d/ok.tflite" "$d/obj.tflite" "$d/std.tflite" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
i = b.index(b'"labels":[')
j = b.index(b']', i)
open(sys.argv[2], "wb").write(b[:i] + b'"labels":{' + b[i + 10:j] + b'}' + b[j + 1:])
k = b.find(b'"std":[')
if k < 0: sys.exit("no std in the metadata")
e = b.index(b']', k)
z = b'"std":[' + b'0' * (e - k - 7)
open(sys.argv[3], "wb").write(b[:k] + z[:e - k] + b[e:])
PY
[ $? = 0 ] || fail "patching the metadata"
expect obj "obj.tflite: metadata \"leapfrog\""
expect std "std.tflite: metadata \"leapfrog\""

# operating points (issue 12): convert --operating-points writes them into the metadata, info shows them,
# predict accepts the model; bad files are refused naming the file and the key, and nothing is written
printf '{"operating_points": {"Mass": 0.3, "Edema": 0.7}, "threshold": 0.5}\n' >"$d/ops.json"
$L convert "$d/r/last.safetensors" --fp32 --operating-points "$d/ops.json" -o "$d/op.tflite" 2>"$d/err.txt" ||
  fail "convert --operating-points: $(cat "$d/err.txt")"
grep -qF "operating points of 2 of 14 findings from $d/ops.json" "$d/err.txt" || fail "convert: $(cat "$d/err.txt")"
$L info "$d/op.tflite" >"$d/info.txt" || fail "info on op.tflite"
grep -qE "^  Edema +0\.7$" "$d/info.txt" && grep -qE "^  Mass +0\.3$" "$d/info.txt" || fail "info: $(tail -4 "$d/info.txt")"
$L info "$d/op.tflite" --json | "$LF_PYTHON" -c "import json,sys; o=json.load(sys.stdin)['operating_points']; sys.exit(o != {'Mass': 0.3, 'Edema': 0.7})" ||
  fail "info --json operating_points"
$L info "$d/ok.tflite" | grep -q "operating points" && fail "info shows operating points of a model without them"
$L predict "$d/op.tflite" $P --out "$d/op.json" >/dev/null 2>&1 || fail "predict on a model with operating points"
printf '{"Mass": 0.25}' >"$d/bare.json"  # a bare {finding: threshold} object
$L convert "$d/r/last.safetensors" --fp32 --operating-points "$d/bare.json" -o "$d/bare.tflite" 2>/dev/null &&
  $L info "$d/bare.tflite" | grep -qE "^  Mass +0\.25$" || fail "convert with a bare {finding: threshold} object"
# refuse FILE CONTENT NEEDLE
refuse_ops() {
  printf '%s' "$2" >"$d/$1.json"
  $L convert "$d/r/last.safetensors" --fp32 --operating-points "$d/$1.json" -o "$d/bad_$1.tflite" >/dev/null \
    2>"$d/err.txt"; rc=$?
  [ $rc != 0 ] || fail "convert --operating-points $1 accepted"
  grep -qF -- "$1.json" "$d/err.txt" && grep -qF -- "$3" "$d/err.txt" ||
    fail "convert --operating-points $1: message lacks the file or '$3': $(cat "$d/err.txt")"
  [ -e "$d/bad_$1.tflite" ] && fail "convert --operating-points $1 wrote a model"
  echo "ok convert refuses $1: $(cat "$d/err.txt")"
}
refuse_ops unknown '{"operating_points": {"Mass": 0.3, "Fracture": 0.4}}' '"Fracture" is not one of the model'"'"'s 14 labels'
refuse_ops above1 '{"operating_points": {"Mass": 1.5}}' '"Mass" must be a threshold in (0, 1)'
refuse_ops zero '{"Mass": 0}' '"Mass" must be a threshold in (0, 1)'
refuse_ops nan '{"operating_points": {"Mass": NaN}}' 'NaN and Infinity are not JSON numbers'
refuse_ops notjson 'Mass=0.3' 'not JSON'
refuse_ops string '{"operating_points": {"Mass": "0.3"}}' '"Mass" must be a threshold in (0, 1)'
refuse_ops metrics '{"task": "chestxray14", "auc": {"Mass": 0.8}}' 'no "operating_points" object'
refuse_ops empty '{"operating_points": {}}' 'no operating points'
$L convert "$d/r/last.safetensors" --fp32 --logits --operating-points "$d/ops.json" -o "$d/lg.tflite" 2>/dev/null
[ $? = 2 ] && [ ! -e "$d/lg.tflite" ] || fail "--operating-points with --logits should exit 2"
# the validator: a model whose metadata names an unknown finding, or a threshold of 1.3, is refused
"$LF_PYTHON" - "$d/op.tflite" "$d/opkey.tflite" "$d/opval.tflite" <<'PY' || fail "patching the operating points"
import sys
b = open(sys.argv[1], "rb").read()
i = b.index(b'"operating_points":{')
open(sys.argv[2], "wb").write(b.replace(b'"Mass":0.', b'"Mxss":0.', 1))
j = b.index(b'"Mass":0.', i) + 7
open(sys.argv[3], "wb").write(b[:j] + b'1' + b[j + 1:])  # 0.29999999999999999 -> 1.29999999999999999
PY
expect opkey "opkey.tflite: metadata \"leapfrog\": operating point \"Mxss\" is not one of the model's 14 labels"
expect opval "opval.tflite: metadata \"leapfrog\": \"operating_points\": \"Mass\" must be a threshold in (0, 1)"

# ptq MODEL.tflite: the float model's operating points are not carried into the int8 model (chosen
# on its outputs; a note says so); --operating-points records the int8 model's, checked as convert does
$L ptq "$d/op.tflite" --calib "$d/c/images" --limit 4 -o "$d/op8.tflite" >/dev/null 2>"$d/err.txt" || fail "ptq op.tflite"
grep -q "its 2 operating points are not carried over" "$d/err.txt" || fail "ptq: no note: $(cat "$d/err.txt")"
$L info "$d/op8.tflite" | grep -q "operating points" && fail "ptq carried the float model's operating points"
$L ptq "$d/op.tflite" --calib "$d/c/images" --limit 4 --operating-points "$d/bare.json" -o "$d/op8b.tflite" \
  >/dev/null 2>&1 && $L info "$d/op8b.tflite" | grep -qE "^  Mass +0\.25$" || fail "ptq --operating-points"
$L ptq "$d/op.tflite" --calib "$d/c/images" --limit 4 --operating-points "$d/unknown.json" -o "$d/op8c.tflite" \
  >/dev/null 2>"$d/err.txt"; rc=$?
[ $rc = 1 ] && [ ! -e "$d/op8c.tflite" ] && grep -qF 'unknown.json: operating point "Fracture" is not one' "$d/err.txt" ||
  fail "ptq --operating-points unknown: exit $rc: $(cat "$d/err.txt")"

# predict's --stats as score --latency reads it: times finite and ordered, a whole byte
# count (before: infinity, min > max or a negative size were copied into the metrics)
$L predict "$d/ok.tflite" $P --out "$d/p.json" --stats "$d/stats.json" >/dev/null 2>&1 || fail "predict --stats"
S="--task chestxray14 --data $d/c --split test --pred $d/p.json"
$L score $S --latency "$d/stats.json" --out "$d/m.json" >/dev/null 2>&1 || fail "score --latency on predict's stats"
for c in "inf:ms_per_image needs finite times" "order:ms_per_image needs finite times" "bytes:model_bytes is not a byte count"; do
  k=${c%%:*}; needle=${c#*:}
  "$LF_PYTHON" - "$d/stats.json" "$d/$k.json" "$k" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); k = sys.argv[3]
if k == "inf": j["ms_per_image"]["median"] = 1e999
if k == "order": j["ms_per_image"]["min"] = j["ms_per_image"]["max"] + 1
if k == "bytes": j["model_bytes"] = -5
open(sys.argv[2], "w").write(json.dumps(j).replace("Infinity", "1e999"))
PY
  $L score $S --latency "$d/$k.json" --out "$d/m_$k.json" >/dev/null 2>"$d/err.txt"; rc=$?
  [ $rc = 1 ] && grep -qF "$k.json: $needle" "$d/err.txt" || fail "score --latency $k: exit $rc: $(cat "$d/err.txt")"
  echo "ok stats $k: $(cat "$d/err.txt")"
done
echo "ok"
