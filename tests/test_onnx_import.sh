#!/bin/sh
# `leapfrog import` of small ONNX graphs exported by torch.onnx.export
# (tests/oracles/onnx_models.py ops): ConvTranspose (SAME and VALID), BN folded
# and standalone, LeakyRelu, PRelu, HardSwish, Tanh, Clip, depthwise and
# dilated Conv, MaxPool (SAME and -inf padded, ceil_mode), AveragePool (both
# pad rules), Resize nearest and bilinear, Pad, Concat, Gemm, MatMul, Sub,
# Softmax, Transpose/Reshape across NCHW<->NHWC, torch's shape arithmetic,
# opsets 11/13/14. Each imported .tflite must give torch's output within 1e-4
# relative in LiteRT and in leapfrog's runtime; ops the runtime does not run
# yet (listed below) are checked in LiteRT only. Also: unsupported ops, a
# truncated file, nesting bombs and missing files fail with the file and node
# named; -o onto the input is a usage error.
set -u
T=${LF_TMP:-/tmp}/onnx_import.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
PY=${LF_PYTHON:-/usr/bin/python3}
"$PY" -c "import torch, onnx" 2>/dev/null || { echo "skip: torch/onnx missing"; exit 77; }
[ -n "${LF_TFLITE_ORACLE:-}" ] || { echo "skip: no LiteRT oracle"; exit 77; }
"$PY" "$LF_ROOT/tests/oracles/onnx_models.py" "$T" ops 2>"$T/export.err" || { tail -n 5 "$T/export.err"; echo "FAIL: export"; exit 1; }
fail=0
for m in $(cat "$T/models.txt"); do
  "$LEAPFROG" import "$T/$m.onnx" -o "$T/$m.tflite" 2>"$T/$m.imp" || { cat "$T/$m.imp"; echo "FAIL: import $m"; fail=1; continue; }
  "$LF_TFLITE_ORACLE" "$T/$m.tflite" "$T/$m.x.bin" "$T/$m.lit.bin" >/dev/null 2>"$T/$m.litert.err" ||
    { tail -n 3 "$T/$m.litert.err"; echo "FAIL: LiteRT refused $m"; fail=1; continue; }
  lf=1 # every TFLite op the importer writes runs in leapfrog's runtime too
  if ! "$LEAPFROG" invoke "$T/$m.tflite" --input "$T/$m.x.bin" --output "$T/$m.lf.bin" >/dev/null 2>"$T/$m.lf.err"; then
    cat "$T/$m.lf.err"; echo "FAIL: invoke $m"; fail=1; continue
  fi
  "$PY" - "$T" "$m" "$lf" <<'PYEOF' || fail=1
import sys, numpy as np
d, m, lf = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
want = np.fromfile("%s/%s.y.bin" % (d, m), "<f4")
ok = True
for k in ["lit"] + (["lf"] if lf else []):
    got = np.fromfile("%s/%s.%s.bin" % (d, m, k), "<f4")
    if got.shape != want.shape:
        print("%-8s %-7s %d values, torch %d" % (m, k, got.size, want.size)); ok = False; continue
    rel = (np.abs(got - want) / (np.abs(want) + 1e-3)).max()
    print("%-8s %-7s max rel error %.3g (tolerance 1e-4)" % (m, {"lit": "LiteRT", "lf": "leapfrog"}[k], rel))
    ok &= bool(rel <= 1e-4)
sys.exit(0 if ok else 1)
PYEOF
done

# errors: named file and node, exit 1; usage errors exit 2
expect_fail() { # CODE PATTERN ARGS...
  code=$1 pat=$2; shift 2
  "$LEAPFROG" import "$@" >"$T/o" 2>"$T/e"; rc=$?
  if [ $rc -ne "$code" ] || ! grep -q -- "$pat" "$T/e"; then
    echo "FAIL: import $* gave exit $rc (want $code) and: $(head -c 300 "$T/e") (want /$pat/)"; fail=1
  else echo "ok: import $(basename "$1"): $(head -n 1 "$T/e" | cut -c1-150)"; fi
}
expect_fail 1 "erf.onnx: node 0 '/Erf' (Erf): op Erf is not imported" "$T/erf.onnx" -o "$T/erf.tflite"
expect_fail 1 "deep.onnx: not a valid ONNX protobuf: graphs or types nested too deeply" "$T/deep.onnx" -o "$T/deep.tflite"
head -c 3000 "$T/convt.onnx" >"$T/cut.onnx"
expect_fail 1 "cut.onnx" "$T/cut.onnx" -o "$T/cut.tflite"
expect_fail 1 "nothere.onnx" "$T/nothere.onnx" -o "$T/x.tflite"
expect_fail 2 "import" "$T/convt.onnx" -o "$T/convt.onnx"
: >"$T/empty.onnx"
expect_fail 1 "empty.onnx: empty file" "$T/empty.onnx" -o "$T/e.tflite"
[ ! -e "$T/erf.tflite" ] && [ ! -e "$T/cut.tflite" ] || { echo "FAIL: an output was written for a failed import"; fail=1; }
# the layout change is recorded in the metadata
grep -aq '"tflite_layout":"NHWC (from NCHW)"' "$T/convt.tflite" || { echo "FAIL: no onnx_import layout metadata"; fail=1; }
exit $fail
