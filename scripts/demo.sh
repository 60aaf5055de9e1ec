#!/bin/sh
# The end-to-end demo on built-in synthetic data (grows as stages land).
set -e
cd "$(dirname "$0")/.."
LF=${LEAPFROG:-build/leapfrog}
out=${LF_DEMO_OUT:-demo-out}
mkdir -p "$out"
echo "leapfrog demo: output in $out/"
$LF --help
