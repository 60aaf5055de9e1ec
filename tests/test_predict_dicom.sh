#!/bin/sh
# issue 10 item 2: `predict` on DICOM files. A DICOM written by pydicom from the
# same 8-bit pixels as a PNG predicts what the PNG predicts; a multi-frame DICOM
# (a cine loop) gives one prediction per frame, keyed PATH#N, equal to each
# frame's PNG; a folder mixing PNG and DICOM is taken by content; --dicom-window
# overrides the file's grey mapping; OUT.dicom.json carries each DICOM's SOP Instance
# UID, pixel spacing and frame count (and no patient data).
set -u
: "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_BUILD:?}" "${LF_PYTHON:=/usr/bin/python3}"
root=$(cd "$(dirname "$0")/.." && pwd)
L=$LEAPFROG
bench="$root/$LF_BUILD/bench/bench_runtime"
d="$LF_TMP/predict_dicom.$$"
rm -rf "$d"; mkdir -p "$d/m" "$d/png" "$d/dcm"
fail() { echo "FAIL: $*"; exit 1; }
"$LF_PYTHON" -c "import numpy, PIL, pydicom" 2>/dev/null || { echo "skip: numpy/PIL/pydicom missing"; exit 77; }
"$bench" --write-models "$d/m" --small >/dev/null || fail "could not write zoo models"
Z="$d/m/densenet121_i8.tflite"
O="--task chestxray14 --norm unit"
PYTHONPATH="$root/tests" "$LF_PYTHON" - "$d" <<'PY' || fail "writing the images"
import sys
import numpy as np
from PIL import Image
from dicom_write import write_mono8
d = sys.argv[1]
rng = np.random.default_rng(3)
frames = rng.integers(0, 256, size=(3, 70, 90), dtype=np.uint8)
for k, f in enumerate(frames):
    Image.fromarray(f).save(f"{d}/png/frame{k + 1}.png")
write_mono8(f"{d}/dcm/one.dcm", frames[0])
write_mono8(f"{d}/dcm/cine.dcm", frames, spacing=(0.25, 0.5))
PY
"$L" predict "$Z" $O "$d/png" --out "$d/png.json" --quiet || fail "predict on the PNGs"
"$L" predict "$Z" $O "$d/dcm" --out "$d/dcm.json" --quiet 2>"$d/err.txt" || fail "predict on the DICOMs: $(cat "$d/err.txt")"
grep -q "PID-DO-NOT-LEAK\|Nobody" "$d/dcm.json" "$d/dcm.json.dicom.json" && fail "patient data in the predictions"
[ -e "$d/png.json.dicom.json" ] && fail "a DICOM sidecar for PNG inputs"
"$LF_PYTHON" - "$d" <<'PY' || fail "DICOM predictions differ from the PNGs'"
import json, sys
d = sys.argv[1]
png = json.load(open(f"{d}/png.json"))
dcm = json.load(open(f"{d}/dcm.json"))
want = {f"{d}/dcm/one.dcm": f"{d}/png/frame1.png"}
for k in (1, 2, 3):
    want[f"{d}/dcm/cine.dcm#{k}"] = f"{d}/png/frame{k}.png"
assert sorted(dcm) == sorted(want), sorted(dcm)
for key, p in want.items():
    assert dcm[key] == png[p], (key, dcm[key], png[p])
print(f"ok: {len(want)} DICOM frames predict as their PNGs")
# OUT.dicom.json: each DICOM's SOP Instance UID (as pydicom reads it), pixel spacing, frames
import pydicom
meta = json.load(open(f"{d}/dcm.json.dicom.json"))
assert sorted(meta) == [f"{d}/dcm/cine.dcm", f"{d}/dcm/one.dcm"], sorted(meta)
for name, frames, spacing in (("one", 1, None), ("cine", 3, [0.25, 0.5])):
    m = meta[f"{d}/dcm/{name}.dcm"]
    uid = str(pydicom.dcmread(f"{d}/dcm/{name}.dcm").SOPInstanceUID)
    assert m == {"sop_instance_uid": uid, "pixel_spacing_mm": spacing, "frames": frames}, (name, m, uid)
print("ok: OUT.dicom.json carries the UIDs, spacing and frame counts")
PY
# --dicom-window overrides the file's grey mapping (a narrow window changes what the model sees)
"$L" predict "$Z" $O "$d/dcm/one.dcm" --dicom-window 128,40 --out "$d/win.json" --quiet || fail "--dicom-window 128,40"
"$LF_PYTHON" - "$d" <<'PY' || fail "--dicom-window was not applied"
import json, sys
d = sys.argv[1]
a = json.load(open(f"{d}/dcm.json"))[f"{d}/dcm/one.dcm"]
b = json.load(open(f"{d}/win.json"))[f"{d}/dcm/one.dcm"]
assert a != b, "same scores with and without the window"
PY
"$L" predict "$Z" $O "$d/dcm/one.dcm" --dicom-window 5 --out "$d/bad.json" 2>"$d/err.txt"
[ $? = 2 ] && grep -q "CENTER,WIDTH" "$d/err.txt" || fail "--dicom-window 5: want exit 2 and the forms: $(cat "$d/err.txt")"
echo "ok"
