#!/bin/sh
# The device binary (leapfrog-predict) cross-built for ARM, run under qemu-user
# (.ci/run's cross steps, `make cross-predict ARCH=...`):
#   tests/cross_predict.sh NATIVE_BUILD CROSS_BUILD "QEMU"
#   tests/cross_predict.sh build build-aarch64 "qemu-aarch64 -L /usr/aarch64-linux-gnu"
# On a small folder of PNG (leapfrog synth), TIFF (synth nerve) and JPEG (PIL) images
# and the small int8 zoo models (DenseNet-shaped classifier, UNet; kept small: qemu is slow),
# `leapfrog-predict MODEL DIR` under qemu writes the bytes that the native
# `leapfrog predict` writes: the predictions JSON and the submission CSV;
# --resume too. The binary links no training code (no BLAS).
# Ends with the line tests/run.sh prints: "tests: N passed, N failed, 0 skipped".
native=${1:?native build dir} cross=${2:?cross build dir} qemu=${3:?qemu command}
# Debian's python3 has PIL; a pyenv python3 earlier in PATH may not (as tests/run.sh)
if [ -x /usr/bin/python3 ]; then : "${LF_PYTHON:=/usr/bin/python3}"; else : "${LF_PYTHON:=python3}"; fi
d=$(mktemp -d "${TMPDIR:-/tmp}/cross-predict.XXXXXX") || exit 1
trap 'rm -rf "$d"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS leapfrog-predict ($cross) $*"; }
bad() { fail=$((fail + 1)); echo "FAIL leapfrog-predict ($cross) $*"; }
L="$native/leapfrog"
D="$cross/leapfrog-predict"
[ -x "$D" ] || { echo "$D not built"; exit 1; }

mkdir -p "$d/m"
"$native/bench/bench_runtime" --write-models "$d/m" --small >/dev/null || { echo "cannot write the zoo models"; exit 1; }
$L synth chestxray14 --out "$d/chest" --n 3 --seed 7 --size 64 >/dev/null || exit 1
$L synth nerve --out "$d/nerve" --n 1 --seed 7 >/dev/null || exit 1
mkdir -p "$d/imgs" "$d/frames"
cp "$d"/chest/images/*.png "$d/imgs/"
for f in "$d"/nerve/train/*.tif; do case "$f" in *_mask.tif) ;; *) cp "$f" "$d/frames/";; esac; done
"$LF_PYTHON" - "$d/chest/images" "$d/imgs" <<'PY' || bad "PIL could not write the JPEG images"
import os, sys
from PIL import Image
src, out = sys.argv[1:]
for name in sorted(os.listdir(src))[:2]:
    Image.open(os.path.join(src, name)).convert("RGB").save(os.path.join(out, name[:-4] + ".jpg"), quality=90)
PY
if readelf -d "$D" | grep -qE "openblas|dnnl|gomp"; then bad "links training libraries: $(readelf -d "$D" | grep NEEDED | tr -s ' ' | cut -d' ' -f6 | tr '\n' ' ')"
else ok "links no training libraries ($(readelf -d "$D" | grep -c NEEDED) shared libraries)"; fi

# same: NAME OUT ARGS... -- the native and the cross binary write the same bytes
same() {
  name=$1 out=$2; shift 2
  "$L" predict "$@" --out "$d/native.$out" --quiet 2>"$d/err" || { bad "$name: native: $(tail -n 2 "$d/err")"; return; }
  # shellcheck disable=SC2086
  if ! $qemu "$D" "$@" --out "$d/cross.$out" --quiet 2>"$d/err"; then
    bad "$name: under qemu: $(tail -n 2 "$d/err")"
  elif cmp -s "$d/native.$out" "$d/cross.$out"; then
    ok "$name: the native bytes ($(wc -c <"$d/native.$out") bytes)"
  else
    bad "$name: output differs from the native leapfrog predict"
  fi
}
NOMETA="--task chestxray14 --norm unit"
same "int8 classifier, PNG + JPEG" i8.json "$d/m/densenet121_i8.tflite" "$d/imgs" $NOMETA
same "int8 UNet, TIFF masks" unet.csv "$d/m/unet_i8.tflite" "$d/frames" --task segment --norm unit
# --resume after a kill under qemu (whenever the kill lands, the bytes of an uninterrupted run)
# shellcheck disable=SC2086
$qemu "$D" "$d/m/densenet121_i8.tflite" "$d/imgs" $NOMETA --out "$d/k.json" --quiet 2>/dev/null &
pid=$!
sleep 2
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
# shellcheck disable=SC2086
if $qemu "$D" "$d/m/densenet121_i8.tflite" "$d/imgs" $NOMETA --resume --out "$d/k.json" --quiet 2>"$d/err" &&
   cmp -s "$d/k.json" "$d/native.i8.json"; then
  ok "--resume after a kill: the native bytes"
else
  bad "--resume after a kill: $(tail -n 2 "$d/err")"
fi
echo "tests: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
