#!/bin/sh
# issue 9: checkpoints are validated against an explicit schema before anything
# is built from them, and a checkpoint reader is bounded. Each case was
# accepted (or hung, or read the whole file) before; now it is refused with a
# message naming the file and the offending key / tensor:
#   leapfrog.quant bn_lowering "zzz", leapfrog.qranges [0,0] and +-1e38,
#   leapfrog.config "classes": 1e9 (key named), leapfrog.optim kind "zzz",
#   I32-typed weights, NaN / inf weights, leapfrog.train batch 2^30 on --resume
#   (spun through the loader and "succeeded" with loss nan), a 3 GB sparse
#   file (header length 0, or a header indexing less than the file holds: read
#   whole before), a FIFO (blocked forever) and a directory.
set -u
: "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_PYTHON:=/usr/bin/python3}"
L=$LEAPFROG
d="$LF_TMP/ckpt_schema"; rm -rf "$d"; mkdir -p "$d"
fail() { echo "FAIL: $*"; exit 1; }

$L synth chestxray14 --out "$d/c" --n 40 --size 64 --seed 3 >/dev/null || fail "synth"
M="--task chestxray14 --data $d/c --arch densenet121 --growth 4 --blocks 1,1 --init-features 8 --size 32 --batch 4 --threads 1 --quiet"
$L train $M --epochs 1 --max-steps 2 --out "$d/r" >/dev/null || fail "train"
ck="$d/r/last.safetensors"
$L convert "$ck" --fp32 -o "$d/ok.tflite" >/dev/null 2>&1 || fail "the untouched checkpoint must convert"

# mutate NAME KIND ARG: writes $d/NAME.safetensors from $ck
mutate() {
  "$LF_PYTHON" - "$ck" "$d/$1.safetensors" "$2" "$3" <<'PY'
import json, struct, sys
src, dst, kind, arg = sys.argv[1:5]
b = open(src, "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n]); data = bytearray(b[8 + n:])
meta = h["__metadata__"]
if kind == "meta":                      # arg: key=json-string
    k, v = arg.split("=", 1); meta[k] = v
elif kind == "train":                   # arg: field=value in leapfrog.train
    k, v = arg.split("="); t = json.loads(meta["leapfrog.train"]); t[k] = json.loads(v)
    meta["leapfrog.train"] = json.dumps(t)
elif kind == "config":
    k, v = arg.split("="); t = json.loads(meta["leapfrog.config"]); t[k] = json.loads(v)
    meta["leapfrog.config"] = json.dumps(t)
elif kind == "dtype":                   # same byte size, another dtype
    h["features.conv0.weight"]["dtype"] = arg
elif kind == "value":                   # arg: float for element 3 of conv0
    o = h["features.conv0.weight"]["data_offsets"][0] + 12
    data[o:o + 4] = struct.pack("<f", float(arg))
hb = json.dumps(h).encode(); hb += b" " * (-len(hb) % 8)
open(dst, "wb").write(struct.pack("<Q", len(hb)) + hb + bytes(data))
PY
}
# expect NAME NEEDLE: convert refuses with a message holding NEEDLE
expect() {
  timeout 60 $L convert "$d/$1.safetensors" --fp32 -o "$d/$1.tflite" > /dev/null 2> "$d/err.txt"; rc=$?
  [ $rc = 1 ] || fail "$1: exit $rc (want 1): $(cat "$d/err.txt")"
  grep -qF -- "$2" "$d/err.txt" || fail "$1: message lacks '$2': $(cat "$d/err.txt")"
  [ -e "$d/$1.tflite" ] && fail "$1: a model was written"
  echo "ok $1: $(cat "$d/err.txt")"
}

mutate bnl meta 'leapfrog.quant={"method":"qat","steps":3,"bn_lowering":"zzz"}'
expect bnl 'leapfrog.quant: "bn_lowering" is "zzz"'
mutate quant_nan meta 'leapfrog.quant={"method":"qat","steps":3,"x":1e999}'
expect quant_nan 'leapfrog.quant'
mutate range0 meta 'leapfrog.qranges={"input":[0,0]}'
expect range0 "leapfrog.qranges: qranges: entry 'input': range [0, 0] is empty"
mutate range38 meta 'leapfrog.qranges={"input":[-1e38,1e38]}'
expect range38 "entry 'input': range [-1e+38, 1e+38] is beyond"
mutate classes config 'classes=1000000000'
expect classes '"classes" has the wrong type or range'
mutate arch meta 'leapfrog.arch=resnet'
expect arch 'leapfrog.arch "resnet" is not a known architecture'
mutate optim meta 'leapfrog.optim={"kind":"zzz","lr":0.001,"steps":2}'
expect optim 'leapfrog.optim: "kind"'
mutate i32 dtype I32
expect i32 "tensor 'features.conv0.weight' is I32, want a floating dtype"
mutate nan value nan
expect nan "tensor 'features.conv0.weight' holds NaN at element 3"
mutate inf value inf
expect inf "tensor 'features.conv0.weight' holds an infinity at element 3"
mutate epoch train 'epoch=-1'
expect epoch 'leapfrog.train: "epoch" is out of range'

# --resume from a state at batch 2^30 of an epoch of 7 batches
mutate batch train 'batch=1073741824'
cp "$d/batch.safetensors" "$d/r/last.safetensors"
timeout 60 $L train $M --epochs 1 --out "$d/r" --resume > /dev/null 2> "$d/err.txt"; rc=$?
[ $rc = 1 ] && grep -q "leapfrog.train is at batch 1073741824 of an epoch of " "$d/err.txt" ||
  fail "resume at batch 2^30: exit $rc: $(cat "$d/err.txt")"
echo "ok resume batch 2^30: $(cat "$d/err.txt")"

# bounded: a 3 GB sparse file is refused from its 8-byte length / its header,
# under a 1 GB address-space limit (reading it whole needed 3 GB)
# (not under AddressSanitizer, whose shadow memory needs more address space than that)
use_lim=1; (ulimit -v 1000000; exec $L --help) > /dev/null 2>&1 || use_lim=
limited() { if [ -n "$use_lim" ]; then (ulimit -v 1000000; exec "$@"); else "$@"; fi; }
truncate -s 3G "$d/zero.safetensors"
cp "$ck" "$d/tail.safetensors"; truncate -s 3G "$d/tail.safetensors"
for c in "zero:header length 0 does not fit the file (3221225472 bytes)" "tail:but 32" ; do
  f=${c%%:*}; needle=${c#*:}
  limited timeout 60 $L convert "$d/$f.safetensors" --fp32 -o "$d/$f.tflite" > /dev/null 2> "$d/err.txt"; rc=$?
  [ $rc = 1 ] && grep -qF "$needle" "$d/err.txt" || fail "3 GB $f: exit $rc: $(cat "$d/err.txt")"
  echo "ok 3 GB $f: $(cat "$d/err.txt")"
done
rm -f "$d/zero.safetensors" "$d/tail.safetensors"
# a FIFO and a directory: refused at once, naming the path
mkfifo "$d/fifo.safetensors" || fail mkfifo
timeout 10 $L convert "$d/fifo.safetensors" --fp32 -o "$d/f.tflite" > /dev/null 2> "$d/err.txt"; rc=$?
[ $rc = 1 ] && grep -q "fifo.safetensors: is a FIFO, not a regular file" "$d/err.txt" || fail "FIFO: exit $rc: $(cat "$d/err.txt")"
timeout 10 $L convert "$d/r" --fp32 -o "$d/f.tflite" > /dev/null 2> "$d/err.txt"; rc=$?
[ $rc = 1 ] && grep -q "r: is a directory, not a regular file" "$d/err.txt" || fail "directory: exit $rc: $(cat "$d/err.txt")"
echo "ok"
