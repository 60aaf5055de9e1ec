#!/bin/sh
# torchvision resnet18, mobilenet_v2 and densenet121 (random weights, random
# BatchNorm statistics, 64x64 input) exported by torch.onnx.export (opset 13),
# imported by `leapfrog import`, run by leapfrog's runtime and by LiteRT: both
# give torch's outputs within 1e-4 relative.
set -u
T=${LF_TMP:-/tmp}/onnx_tv.$$
mkdir -p "$T"
trap 'rm -rf "$T"' EXIT
PY=${LF_PYTHON:-/usr/bin/python3}
"$PY" -c "import torch, torchvision, onnx" 2>/dev/null || { echo "skip: torch/torchvision/onnx missing"; exit 77; }
"$PY" "$LF_ROOT/tests/oracles/onnx_models.py" "$T" torchvision 2>"$T/export.err" || { tail -n 5 "$T/export.err"; echo "FAIL: export"; exit 1; }
fail=0
for m in $(cat "$T/models.txt"); do
  "$LEAPFROG" import "$T/$m.onnx" -o "$T/$m.tflite" 2>"$T/$m.imp" || { cat "$T/$m.imp"; echo "FAIL: import $m"; fail=1; continue; }
  if [ "$m" = mobilenet_v2 ]; then # every Clip(0, 6) follows a conv: fused as its RELU6, none left standing
    n6=$("$LEAPFROG" info "$T/$m.tflite" | awk '$1 == "RELU6" { print $2 }')
    [ -z "$n6" ] || { echo "FAIL: $m keeps $n6 RELU6 ops unfused"; fail=1; }
  fi
  "$LEAPFROG" invoke "$T/$m.tflite" --input "$T/$m.x.bin" --output "$T/$m.lf.bin" >/dev/null 2>"$T/$m.lf.err" ||
    { cat "$T/$m.lf.err"; echo "FAIL: invoke $m"; fail=1; continue; }
  lit=0
  if [ -n "${LF_TFLITE_ORACLE:-}" ] && "$LF_TFLITE_ORACLE" "$T/$m.tflite" "$T/$m.x.bin" "$T/$m.lit.bin" >/dev/null 2>"$T/$m.litert.err"; then
    lit=1
  elif [ "${LF_REQUIRE_ORACLES:-0}" = 1 ]; then
    echo "FAIL: $m: LiteRT oracle did not run (LF_REQUIRE_ORACLES=1): $(tail -n 2 "$T/$m.litert.err" 2>/dev/null)"; fail=1
  else
    echo "note: LiteRT oracle did not run: $(tail -n 2 "$T/$m.litert.err" 2>/dev/null)"
  fi
  "$PY" - "$T" "$m" "$lit" <<'PYEOF' || fail=1
import sys, numpy as np
d, m, lit = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
want = np.fromfile("%s/%s.y.bin" % (d, m), "<f4")
ok = True
for k in ["lf"] + (["lit"] if lit else []):
    got = np.fromfile("%s/%s.%s.bin" % (d, m, k), "<f4")
    rel = (np.abs(got - want) / (np.abs(want) + 1e-3)).max() if got.shape == want.shape else np.inf
    print("%-13s %-8s vs torch: max rel error %.3g (tolerance 1e-4)" % (m, {"lit": "LiteRT", "lf": "leapfrog"}[k], rel))
    ok &= bool(rel <= 1e-4)
sys.exit(0 if ok else 1)
PYEOF
done
exit $fail
