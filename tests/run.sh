#!/bin/sh
# Runs leapfrog's tests and prints one closing line: "N passed, N failed, N skipped".
#   tests/run.sh        every test: $LF_BUILD/tests/rt/test_*, $LF_BUILD/tests/test_*, tests/test_*.sh
#   tests/run.sh rt     only the runtime tests (used under qemu for cross builds)
# A test passes with exit 0, is skipped with exit 77 (an oracle is missing; with
# LF_REQUIRE_ORACLES=1, as in CI, a skip counts as a failure), fails otherwise.
# env: LF_BUILD (default build), LF_QEMU (prefix for cross-built binaries),
#      LF_TEST_FILTER (substring: run only matching tests), LF_TEST_VERBOSE=1
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root" || exit 1
: "${LF_BUILD:=build}"
export LF_BUILD LEAPFROG="$root/$LF_BUILD/leapfrog" LF_ROOT="$root"
export LF_TFLITE_ORACLE="$root/tests/oracles/tflite/run_tflite.sh"
# Debian's python3 has numpy/torch/sklearn; a pyenv python3 earlier in PATH may not.
if [ -x /usr/bin/python3 ]; then LF_PYTHON=${LF_PYTHON:-/usr/bin/python3}; else LF_PYTHON=${LF_PYTHON:-python3}; fi; export LF_PYTHON
LF_TMP=$(mktemp -d "${TMPDIR:-/tmp}/leapfrog-tests.XXXXXX"); export LF_TMP
trap 'rm -rf "$LF_TMP"' EXIT

pass=0; fail=0; skip=0; failed=""
run_one() {   # name, command...
  name=$1; shift
  case "$name" in *"${LF_TEST_FILTER:-}"*) ;; *) return ;; esac
  log="$LF_TMP/$(echo "$name" | tr '/' '_').log"
  t0=$(date +%s)
  "$@" >"$log" 2>&1; rc=$?
  dt=$(( $(date +%s) - t0 ))
  if [ $rc = 0 ]; then pass=$((pass+1)); echo "PASS $name (${dt}s)"
  elif [ $rc = 77 ] && [ "${LF_REQUIRE_ORACLES:-0}" != 1 ]; then skip=$((skip+1)); echo "SKIP $name: $(tail -n 1 "$log")"
  else fail=$((fail+1)); failed="$failed $name"; echo "FAIL $name (exit $rc, ${dt}s)"; tail -n 30 "$log" | sed 's/^/    /'
  fi
  [ "${LF_TEST_VERBOSE:-0}" = 1 ] && sed 's/^/    | /' "$log"
  true
}

for t in "$LF_BUILD"/tests/rt/test_*; do
  [ -x "$t" ] || continue
  # shellcheck disable=SC2086
  run_one "rt/$(basename "$t")" ${LF_QEMU:-} "$t"
done
if [ "${1:-all}" != rt ]; then
  for t in "$LF_BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "$(basename "$t")" "$t"
  done
  for t in tests/test_*.sh; do
    [ -f "$t" ] || continue
    run_one "$(basename "$t")" sh "$t"
  done
fi
echo "tests: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ] || { echo "failed:$failed"; exit 1; }
