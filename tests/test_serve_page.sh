#!/bin/sh
# leapfrog serve's page in headless Chromium (DevTools protocol over
# --remote-debugging-pipe, tests/serve/cdp_page.py) at a phone's size: pick a
# chest PNG -> 14 findings as bars with the operating point, the heatmap
# overlay, the opacity slider, timings, the disclaimer, nothing fetched from
# outside the device, no sideways scrolling; pick a nerve TIFF (which the
# browser cannot show: the server's preview) -> the mask overlay; a chest DICOM
# (the same preview path) -> the PNG's bars and a heatmap. Screenshots
# are checked for size and ink.
set -u
: "${LEAPFROG:?}" "${LF_TMP:?}" "${LF_BUILD:?}" "${LF_PYTHON:=/usr/bin/python3}"
root=$(cd "$(dirname "$0")/.." && pwd)
chromium=${LF_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "skip: $chromium missing"; exit 77; }
"$LF_PYTHON" -c "import PIL" 2>/dev/null || { echo "skip: PIL missing"; exit 77; }
d="$LF_TMP/serve_page.$$"
mkdir -p "$d/models"
"$root/$LF_BUILD/bench/bench_runtime" --write-models "$d/models" --small >/dev/null || { echo "could not write zoo models"; exit 1; }
"$LEAPFROG" synth chestxray14 --out "$d/chest" --n 4 --seed 6 --size 256 >/dev/null || exit 1
"$LEAPFROG" synth nerve --out "$d/nerve" --n 2 --seed 6 >/dev/null || exit 1
CDP_PROFILE="$d/profile" PYTHONPATH="$root/tests/serve:$root/tests" "$LF_PYTHON" - "$d" "$root" <<'PY'
import glob, json, os, subprocess, sys
from PIL import Image, ImageStat
from serve_util import Server
d, root = sys.argv[1], sys.argv[2]
fails = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok: fails.append(what)
s = Server(os.environ["LEAPFROG"], ["chest=" + d + "/models/densenet121_i8.tflite", "seg=" + d + "/models/unet_i8.tflite"], d)
def page(image, shot, model):
    # the model is chosen in the page's select before the file is picked: the first one is chest
    env = dict(os.environ)
    url = "http://127.0.0.1:%d/" % s.port
    r = subprocess.run([sys.executable, root + "/tests/serve/cdp_page.py", url, image, shot, model],
                       capture_output=True, text=True, timeout=180, env=env)
    if r.returncode:
        print(r.stdout, r.stderr[-2000:])
        return None
    return json.loads(r.stdout)
png = sorted(glob.glob(d + "/chest/images/*.png"))[0]
o = page(png, d + "/shot_chest.png", "chest")
check(o is not None, "the page shows findings for a chest PNG")
if o:
    st, _, j = s.predict(open(png, "rb").read(), "image/png", "?model=chest")
    api = {f["label"]: f["probability"] for f in j["findings"]}
    shown = {f[0]: f[3] for f in o["findings"]}
    check(len(o["findings"]) == 14 and all(abs(shown[k] - 100 * api[k]) < 0.051 for k in api),
          "14 bars, widths = the API's probabilities")
    check(all(f[4] is not None and abs(f[4] - 50) < 1e-6 for f in o["findings"]), "operating point tick at 0.5")
    check("not a diagnosis" in o["disclaimer"], "the disclaimer is shown")
    check("Model" in o["timing"] and "ms" in o["timing"], "timings shown: " + o["timing"])
    check(o["overlay_width"] > 0 and "Heatmap" in o["oppoint"], "heatmap overlay shown")
    check(o["opacity_before"] == "0.6" and o["opacity_after"] == "0.25", "opacity slider sets the overlay's opacity")
    check(o["page_width"] <= o["viewport_width"], "no sideways scrolling at 390 px (%d)" % o["page_width"])
    check(o["external_requests"] == [], "nothing fetched from outside the device")
    im = Image.open(d + "/shot_chest.png").convert("L")
    ink = ImageStat.Stat(im).stddev[0]
    check(im.size[0] == 780 and im.size[1] > 1500 and ink > 20, "screenshot %dx%d, stddev %.1f" % (im.size + (ink,)))
    print("chest: findings in %.2f s after picking the file" % o["seconds_to_findings"])
tif = sorted(glob.glob(d + "/nerve/train/*.tif"))
tif = [t for t in tif if not t.endswith("_mask.tif")][0]
o = page(tif, d + "/shot_nerve.png", "seg")
check(o is not None and o["photo_width"] > 0 and o["overlay_width"] > 0 and len(o["findings"]) == 1,
      "the page shows the server's preview and the mask overlay for a nerve TIFF")
# a chest X-ray as DICOM (pydicom, the PNG's pixels): the server's preview, the same bars, a heatmap
import numpy as np
from dicom_write import write_mono8
dcm = d + "/chest.dcm"
write_mono8(dcm, np.asarray(Image.open(png).convert("L")))
o = page(dcm, d + "/shot_dicom.png", "chest")
check(o is not None and o["photo_width"] > 0 and o["overlay_width"] > 0 and len(o["findings"]) == 14,
      "the page shows the server's preview, 14 findings and the heatmap for a chest DICOM")
if o:
    shown = {f[0]: f[3] for f in o["findings"]}
    check(all(abs(shown[k] - 100 * api[k]) < 0.051 for k in api), "DICOM bars = the PNG's probabilities")
check(s.stop() == 0, "server exits 0")
print("%d failed" % len(fails))
sys.exit(1 if fails else 0)
PY
