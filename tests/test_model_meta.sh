#!/bin/sh
# issue 9: the "leapfrog" metadata of a .tflite is validated before predict
# uses it. Before, labels whose count did not match the outputs fell back to
# the 14 NIH names without a word (a 2-label list on a 14-output model gave
# NIH-labelled predictions), duplicate names were written as duplicate JSON
# keys, and a label list that is not an array was ignored. Now each is refused
# naming the model and the field. (A label swap cannot be detected.) Also
# predict's --stats JSON as score --latency reads it.
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
