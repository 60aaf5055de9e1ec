#!/bin/sh
# The cross-built static lfrt under qemu-user (.ci/run's cross steps):
#   tests/cross_lfrt.sh NATIVE_BUILD CROSS_BUILD QEMU
#   tests/cross_lfrt.sh build build-aarch64 qemu-aarch64
# On the small int8 zoo models (written by NATIVE_BUILD/bench/bench_runtime),
# `lfrt invoke` under qemu, with every ISA the emulated CPU has, writes the
# bytes the native lfrt writes; `lfrt bench --json` runs and prints valid
# JSON; the binary is static (qemu needs no -L sysroot). Ends with the line
# tests/run.sh prints: "tests: N passed, N failed, 0 skipped".
native=${1:?native build dir} cross=${2:?cross build dir} qemu=${3:?qemu command}
: "${LF_PYTHON:=python3}"
d=$(mktemp -d "${TMPDIR:-/tmp}/cross-lfrt.XXXXXX") || exit 1
trap 'rm -rf "$d"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "PASS lfrt ($cross) $*"; }
bad() { fail=$((fail + 1)); echo "FAIL lfrt ($cross) $*"; }

"$native/bench/bench_runtime" --write-models "$d" --small >/dev/null || { echo "cannot write the zoo models"; exit 1; }
if readelf -l "$cross/lfrt" | grep -q "Requesting program interpreter"; then bad "is dynamically linked"; else ok "is static"; fi
isas=$($qemu "$cross/lfrt" isa) || { bad "isa: cannot run under $qemu"; isas=ref; }
echo "$cross/lfrt under $qemu: $($qemu "$cross/lfrt" --version)"
for name in densenet121_i8 unet_i8 unet_tconv_i8; do
  m="$d/$name.tflite" in="$d/$name.in.bin"
  "$native/lfrt" invoke "$m" --input "$in" --output "$d/$name.native.bin" 2>/dev/null || { bad "native $name"; continue; }
  for isa in $isas; do
    # shellcheck disable=SC2086
    if ! $qemu "$cross/lfrt" invoke "$m" --input "$in" --output "$d/$name.$isa.bin" --isa "$isa" --threads 2 2>"$d/err"; then
      bad "$name --isa $isa: $(tail -n 2 "$d/err")"
    elif cmp -s "$d/$name.native.bin" "$d/$name.$isa.bin"; then
      ok "$name --isa $isa: the native bytes ($(wc -c <"$d/$name.native.bin"))"
    else
      bad "$name --isa $isa: output differs from the native lfrt's"
    fi
  done
done
# shellcheck disable=SC2086
if $qemu "$cross/lfrt" bench "$d/unet_i8.tflite" --runs 1 --warmup 0 --json --profile >"$d/bench.json" 2>"$d/err" &&
   "$LF_PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["ms_per_image_median"] > 0 and j["profile"]["slowest_nodes"], j' "$d/bench.json"; then
  ok "bench --json --profile"
else
  bad "bench --json --profile: $(tail -n 2 "$d/err")"
fi
echo "tests: $pass passed, $fail failed, 0 skipped"
[ "$fail" = 0 ]
