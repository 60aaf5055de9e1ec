#!/bin/sh
# issue 9, bounded readers: no input can hang a command or make it read a
# huge file whole. Before, every reader blocked forever on a FIFO (score
# --pred, the dataset CSV, an image, invoke --input, convert --ranges), and a
# submission CSV was read whole up to 1 GiB (200 MB took 2.7 GB). Now a FIFO,
# directory or device is refused at once naming the path, and a submission
# over LF_SUBMISSION_MAX_BYTES (64 MiB) is refused from its size.
set -u
: "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_BUILD:=build}"
L=$LEAPFROG
d="$LF_TMP/bounded"; rm -rf "$d"; mkdir -p "$d"
fail() { echo "FAIL: $*"; exit 1; }
# run NEEDLE CMD...: exits 1 within 10 s with NEEDLE in the message
run() {
  needle=$1; shift
  timeout 10 "$@" > /dev/null 2> "$d/err.txt"; rc=$?
  [ $rc = 124 ] && fail "hung: $*"
  [ $rc = 1 ] || [ $rc = 2 ] || fail "exit $rc: $*: $(cat "$d/err.txt")"
  grep -qF -- "$needle" "$d/err.txt" || fail "message lacks '$needle': $*: $(cat "$d/err.txt")"
  echo "ok: $(head -c 300 "$d/err.txt")"
}
$L synth chestxray14 --out "$d/c" --n 30 --size 64 --seed 3 > /dev/null || fail synth
$L synth nerve --out "$d/n" --n 12 --size 64 --seed 2 > /dev/null || fail "synth nerve"
mkfifo "$d/fifo" || fail mkfifo

run "fifo: is a FIFO, not a regular file" $L score --task chestxray14 --data "$d/c" --pred "$d/fifo"
run "fifo: is a FIFO, not a regular file" $L score --task nerve --data "$d/n" --pred "$d/fifo"
run "bounded: is a directory, not a regular file" $L score --task chestxray14 --data "$d/c" --pred "$d"
run "/dev/zero: is a character device" $L score --task chestxray14 --data "$d/c" --pred /dev/zero
# the dataset CSV and an image
cp -r "$d/c" "$d/c2"; rm "$d/c2/Data_Entry_2017.csv"; mkfifo "$d/c2/Data_Entry_2017.csv"
run "Data_Entry_2017.csv: is a FIFO" $L dataset --task chestxray14 --data "$d/c2"
cp -r "$d/c" "$d/c3"; img=$(find "$d/c3" -name '*.png' | head -n 1); rm "$img"; mkfifo "$img"
timeout 20 $L dataset --task chestxray14 --data "$d/c3" --decode > "$d/out.txt" 2>&1; rc=$?
[ $rc = 124 ] && fail "dataset --decode hung on a FIFO image"
grep -qF "$(basename "$img")" "$d/out.txt" || fail "dataset --decode does not name the FIFO image: $(tail -5 "$d/out.txt")"
echo "ok: dataset --decode with a FIFO image: exit $rc, names it"
# invoke --input, convert --ranges
"$LF_BUILD/tests/rt/test_tflite_roundtrip" --write "$d" > /dev/null || fail "test models"
run "fifo: is a FIFO" $L invoke "$d/conv_2d.tflite" --input "$d/fifo" --output "$d/o.bin"
$L train --task chestxray14 --data "$d/c" --arch densenet121 --growth 4 --blocks 1,1 --init-features 8 --size 32 \
  --batch 4 --threads 1 --quiet --epochs 1 --max-steps 1 --out "$d/r" > /dev/null || fail train
run "fifo: is a FIFO" $L convert "$d/r/last.safetensors" --ranges "$d/fifo" -o "$d/m.tflite"
# a 65 MiB submission is refused from its size (sparse: nothing is written)
truncate -s 65M "$d/big.csv"
run "is larger than the 67108864 allowed" $L score --task nerve --data "$d/n" --pred "$d/big.csv"
echo "ok"
