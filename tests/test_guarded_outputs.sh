#!/bin/sh
# Outputs never replace a command's inputs, and errors keep their reason
# (issue 9, items 2 and 5): each refusal exits 2 (a usage error), names the
# path, and leaves the input byte-identical; `train`/`qat --out` an existing
# run and `synth --out` a non-empty folder refuse without --resume /
# --overwrite; "-" is stdout, a FIFO is written in place, a symlink's target is
# written and the link kept; a bad leapfrog.config, a broken --resume, NaN
# weights and unreadable training images each say what is wrong and where.
set -u
: "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_BUILD:?}" "${LF_PYTHON:=/usr/bin/python3}"
root=$(cd "$(dirname "$0")/.." && pwd)
L=$LEAPFROG
d="$LF_TMP/guarded.$$"
rm -rf "$d" && mkdir -p "$d/models" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
run() { "$@" >"$d/log" 2>&1 || { echo "setup failed: $*"; tail -n 20 "$d/log"; exit 1; }; }
# expect_refusal NAME INPUT_FILE CMD...: exit 2, the message names INPUT_FILE's path (or $NAMED when
# set), the file is unchanged
expect_refusal() {
  name=$1 keep=$2; shift 2
  cp "$keep" "$d/before"
  "$@" >"$d/out.txt" 2>"$d/err.txt"; rc=$?
  [ $rc = 2 ] || fail "$name: exit $rc, want 2 ($(cat "$d/err.txt"))"
  named=${NAMED:-$keep}
  grep -qF "$named" "$d/err.txt" || fail "$name: the message does not name $named: $(cat "$d/err.txt")"
  cmp -s "$d/before" "$keep" || { fail "$name: $keep was changed"; cp "$d/before" "$keep"; }
}

"$root/$LF_BUILD/bench/bench_runtime" --write-models "$d/models" --small >/dev/null || { echo "no zoo models"; exit 1; }
LF_INTERP_WRITE_MODEL="$d/graph.tflite" "$root/$LF_BUILD/tests/rt/test_interp" >/dev/null || { echo "no graph model"; exit 1; }
"$LF_PYTHON" -c "open('$d/in.bin','wb').write(bytes(i % 251 for i in range(22*18*3)))" || exit 1
run "$L" synth chestxray14 --out "$d/chest" --n 40 --size 64 --seed 3
M="$d/models/densenet121_i8.tflite"
P="predict $M --task chestxray14 --data $d/chest --limit 3 --quiet"
run $L $P --out "$d/pred.json" --stats "$d/stats.json"

# --- predict ---
expect_refusal "predict --out MODEL" "$M" $L $P --out "$M"
expect_refusal "predict --stats MODEL" "$M" $L $P --out "$d/p2.json" --stats "$M"
cp "$d/pred.json" "$d/p3.json"
expect_refusal "predict --out == --stats" "$d/p3.json" $L $P --out "$d/p3.json" --stats "$d/p3.json"
expect_refusal "predict --out a --data file" "$d/chest/Data_Entry_2017.csv" $L $P --out "$d/chest/Data_Entry_2017.csv"
ln -s "$M" "$d/model-link.tflite"
expect_refusal "predict --out a symlink to MODEL" "$M" $L $P --out "$d/model-link.tflite"
# "-" is stdout, no file named "-"
mkdir -p "$d/cwd"
(cd "$d/cwd" && $L predict "$M" --task chestxray14 --data "$d/chest" --limit 3 --out - >"$d/stdout.json" 2>"$d/log.txt") ||
  fail "predict --out - failed"
grep -q "images -> -" "$d/log.txt" || fail "predict --out -: the summary did not go to stderr"
$L $P --out - --stats - >/dev/null 2>"$d/err.txt"; [ $? = 2 ] || fail "predict --out - --stats -: want exit 2"
[ ! -e "$d/cwd/-" ] || fail "predict --out - created a file named -"
cmp -s "$d/stdout.json" "$d/pred.json" || fail "predict --out - differs from the file output"
# a symlink: the target gets the predictions, the link stays a link
echo old >"$d/real.json"
ln -s real.json "$d/link.json"
$L $P --out "$d/link.json" || fail "predict --out a symlink failed"
[ -L "$d/link.json" ] || fail "the symlink was replaced"
cmp -s "$d/real.json" "$d/pred.json" || fail "the symlink's target was not written"
# mode kept
cp "$d/pred.json" "$d/mode.json" && chmod 640 "$d/mode.json"
$L $P --out "$d/mode.json" || fail "predict into a 0640 file failed"
[ "$(stat -c %a "$d/mode.json")" = 640 ] || fail "mode 640 became $(stat -c %a "$d/mode.json")"
# a FIFO is written in place (a reader gets the bytes, the FIFO stays)
mkfifo "$d/fifo"
timeout 60 cat "$d/fifo" >"$d/from-fifo.json" &
$L $P --out "$d/fifo" || fail "predict --out FIFO failed"
wait
[ -p "$d/fifo" ] || fail "the FIFO was replaced"
cmp -s "$d/from-fifo.json" "$d/pred.json" || fail "the FIFO's reader did not get the predictions"
# /dev/null stays a device
$L $P --out /dev/null || fail "predict --out /dev/null failed"
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
# 250-byte file name
long=$(printf 'p%.0s' $(seq 1 245)).json
$L $P --out "$d/$long" || fail "a 250-byte output name failed"
cmp -s "$d/$long" "$d/pred.json" || fail "the 250-byte name got other bytes"

# --- invoke ---
expect_refusal "invoke --output MODEL" "$d/graph.tflite" $L invoke "$d/graph.tflite" --input "$d/in.bin" --output "$d/graph.tflite"
expect_refusal "invoke --output == --input" "$d/in.bin" $L invoke "$d/graph.tflite" --input "$d/in.bin" --output "$d/in.bin"
$L invoke "$d/graph.tflite" --input "$d/in.bin" --output "$d/o.bin" 2>/dev/null || fail "invoke"
(cd "$d/cwd" && $L invoke "$d/graph.tflite" --input "$d/in.bin" --output - >"$d/o-stdout.bin" 2>/dev/null) || fail "invoke --output -"
cmp -s "$d/o.bin" "$d/o-stdout.bin" || fail "invoke --output - differs from the file output"
[ -z "$(ls "$d/cwd")" ] || fail "invoke --output - left files: $(ls "$d/cwd")"

# --- score ---
S="score --task chestxray14 --data $d/chest --bootstrap 0 --quiet"
expect_refusal "score --out == --pred" "$d/pred.json" $L $S --pred "$d/pred.json" --out "$d/pred.json"
cp "$d/pred.json" "$d/cmp.json"
expect_refusal "score --out == --compare" "$d/cmp.json" $L $S --pred "$d/pred.json" --compare "$d/cmp.json" --out "$d/cmp.json"
expect_refusal "score --out == --latency" "$d/stats.json" $L $S --pred "$d/pred.json" --latency "$d/stats.json" --out "$d/stats.json"
cp "$d/pred.json" "$d/rep.html"
expect_refusal "score --report == --out" "$d/rep.html" $L $S --pred "$d/pred.json" --out "$d/rep.html" --report "$d/rep.html"

# score --out -: the metrics JSON is stdout, the summary goes to stderr
$L predict "$M" --task chestxray14 --data "$d/chest" --quiet --out "$d/full.json" || fail "predict (full split)"
(cd "$d/cwd" && $L score --task chestxray14 --data "$d/chest" --bootstrap 0 --pred "$d/full.json" --out - \
  >"$d/metrics.json" 2>"$d/log.txt") || fail "score --out - failed: $(cat "$d/log.txt")"
"$LF_PYTHON" -c "import json,sys; assert 'mean_auc' in json.load(open(sys.argv[1]))" "$d/metrics.json" ||
  fail "score --out -: stdout is not the metrics JSON"
[ -z "$(ls "$d/cwd")" ] || fail "score --out - left files: $(ls "$d/cwd")"

# --- train / qat: an existing run ---
T="--task chestxray14 --arch densenet121 --size 32 --growth 8 --blocks 2,2 --init-features 16 --epochs 1 --batch 8 --quiet"
run $L train $T --data "$d/chest" --max-steps 2 --out "$d/R"
expect_refusal "train --out an existing run" "$d/R/last.safetensors" $L train $T --data "$d/chest" --max-steps 1 --out "$d/R"
grep -q -- "--overwrite" "$d/err.txt" || fail "the refusal does not mention --overwrite"
expect_refusal "qat --out an existing run" "$d/R/last.safetensors" $L qat --from "$d/R/last.safetensors" $T --data "$d/chest" --max-steps 1 --out "$d/R"
cp -r "$d/R" "$d/R2"
$L train $T --data "$d/chest" --max-steps 1 --out "$d/R2" --overwrite >/dev/null 2>&1 || fail "train --overwrite failed"
cmp -s "$d/R/last.safetensors" "$d/R2/last.safetensors" && fail "train --overwrite did not replace the run"

# --- convert / ptq ---
expect_refusal "convert -o CHECKPOINT" "$d/R/last.safetensors" $L convert "$d/R/last.safetensors" --fp32 -o "$d/R/last.safetensors"
expect_refusal "ptq -o --from" "$d/R/last.safetensors" $L ptq --from "$d/R/last.safetensors" --data "$d/chest" --calib 4 -o "$d/R/last.safetensors"

# --- synth: a non-empty folder ---
mkdir -p "$d/S" && echo mine >"$d/S/notes.txt"
NAMED="$d/S" expect_refusal "synth --out a non-empty folder" "$d/S/notes.txt" $L synth chestxray14 --out "$d/S" --n 4 --size 64
grep -q "not empty" "$d/err.txt" || fail "synth: the refusal does not say the folder is not empty"
$L synth chestxray14 --out "$d/S" --n 4 --size 64 --overwrite 2>/dev/null || fail "synth --overwrite failed"
[ -f "$d/S/Data_Entry_2017.csv" ] && [ -f "$d/S/notes.txt" ] || fail "synth --overwrite did not write the dataset"

# --- errors keep their reason ---
# a bad leapfrog.config: one "leapfrog.config", then the reason
"$LF_PYTHON" - "$d/R/last.safetensors" "$d/badcfg.safetensors" "$d/nan.safetensors" <<'PY' || exit 1
import json, struct, sys, array
src, badcfg, nan = sys.argv[1:]
b = open(src, "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
data = bytearray(b[8 + n:])
def write(path, hdr, payload):
    t = json.dumps(hdr).encode()
    open(path, "wb").write(struct.pack("<Q", len(t)) + t + payload)
h2 = json.loads(json.dumps(h)); h2["__metadata__"]["leapfrog.config"] = '{"arch": "zzz"}'
write(badcfg, h2, bytes(data))
lo = h["features.conv0.weight"]["data_offsets"][0]
data[lo + 4 * 5:lo + 4 * 6] = struct.pack("<f", float("nan"))
write(nan, h, bytes(data))
PY
$L convert "$d/badcfg.safetensors" --fp32 -o "$d/x.tflite" 2>"$d/err.txt"; rc=$?
[ $rc != 0 ] || fail "a bad leapfrog.config was accepted"
[ "$(grep -o "leapfrog.config" "$d/err.txt" | wc -l)" = 1 ] || fail "the config error repeats itself: $(cat "$d/err.txt")"
grep -q "leapfrog.config: ." "$d/err.txt" || fail "the config error has no reason: $(cat "$d/err.txt")"
# NaN weights: which tensor, and that it holds NaN
$L convert "$d/nan.safetensors" --fp32 -o "$d/nan.tflite" 2>"$d/err.txt"; rc=$?
[ $rc = 1 ] || fail "convert of NaN weights: exit $rc"
grep -q "features.conv0.weight" "$d/err.txt" && grep -q "NaN" "$d/err.txt" ||
  fail "the NaN error does not name the tensor and NaN: $(cat "$d/err.txt")"
[ ! -e "$d/nan.tflite" ] || fail "a model was written from NaN weights"
# --resume of a broken checkpoint: "--resume:" once, then the reason
mkdir -p "$d/E" && echo garbage >"$d/E/last.safetensors"
$L train $T --data "$d/chest" --out "$d/E" --resume 2>"$d/err.txt"; rc=$?
[ $rc = 1 ] || fail "--resume of garbage: exit $rc"
[ "$(grep -o -- "--resume:" "$d/err.txt" | wc -l)" = 1 ] || fail "the resume error repeats itself: $(cat "$d/err.txt")"
grep -qF "$d/E/last.safetensors: " "$d/err.txt" || fail "the resume error has no reason: $(cat "$d/err.txt")"
# unreadable training images: say so, with how many and the first one
cp -r "$d/chest" "$d/U"
for f in "$d/U"/images/*.png; do echo "not a png" >"$f"; done
$L train $T --data "$d/U" --out "$d/RU" 2>"$d/err.txt"; rc=$?
[ $rc = 1 ] || fail "training on unreadable images: exit $rc"
grep -q "unreadable" "$d/err.txt" && grep -qF "$d/U/images/" "$d/err.txt" ||
  fail "the error does not say the images are unreadable: $(cat "$d/err.txt")"
grep -q "batchnorm" "$d/err.txt" && fail "the error still blames batch norm: $(cat "$d/err.txt")"
# the same with --max-bad letting them be skipped: the batch left empty says why
$L train $T --data "$d/U" --out "$d/RU2" --max-bad 1000 2>"$d/err.txt"; rc=$?
[ $rc = 1 ] || fail "training on skipped unreadable images: exit $rc"
grep -q "unreadable (first: $d/U/images/" "$d/err.txt" ||
  fail "--max-bad: the error does not say the images are unreadable: $(tail -n 1 "$d/err.txt")"
grep -q "batchnorm" "$d/err.txt" && fail "--max-bad: the error still blames batch norm: $(cat "$d/err.txt")"

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "guarded outputs and error messages ok"
