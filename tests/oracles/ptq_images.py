"""Images and inputs for tests/test_ptq_tflite.sh (numpy + PIL only).

usage: ptq_images.py images DIR N SIZE SEED
         N smooth random RGB PNGs of SIZE x SIZE (DIR/imgNN.png): blobs of
         colour with noise, so activations spread as on real photographs.
       ptq_images.py inputs MODEL_INFO.json OUT_PREFIX PNG...
         each PNG normalised as ImageNet (pixel/255 - mean) / std, NHWC:
         OUT_PREFIX.K.f32 (float32) and OUT_PREFIX.K.i8 (quantized with the
         int8 model's input scale and zero point from `leapfrog info --json`)."""
import json
import sys

import numpy as np
from PIL import Image

MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)

if sys.argv[1] == "images":
    d, n, size, seed = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    rng = np.random.default_rng(seed)
    for i in range(n):
        base = rng.uniform(0, 255, (5, 5, 3)).astype(np.uint8)
        img = np.asarray(Image.fromarray(base).resize((size, size), Image.BILINEAR), np.float32)
        img = img + rng.normal(0, 10, img.shape)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save("%s/img%02d.png" % (d, i))
else:
    info = json.load(open(sys.argv[2]))
    q = info["inputs"][0]["quantization"]
    s, z = q["scale"][0], q["zero_point"][0]
    for k, p in enumerate(sys.argv[4:]):
        x = ((np.asarray(Image.open(p).convert("RGB"), np.float32) / 255.0 - MEAN) / STD)[None].astype("<f4")
        x.tofile("%s.%d.f32" % (sys.argv[3], k))
        np.clip(np.round(x / s) + z, -128, 127).astype(np.int8).tofile("%s.%d.i8" % (sys.argv[3], k))
