#!/usr/bin/env python3
"""Writes the DICOM test files for tests/test_data_dicom.c into DIR, with the
pixels leapfrog must decode from each (numpy applying lf_dicom.h's formulas, and
pydicom's own apply_voi_lut as a second opinion), and a manifest.

  dicom_make.py DIR

pydicom writes the uncompressed files; DCMTK's own tools (img2dcm, dcmcrle,
dcmcjpls, dcmcjpeg) make the compressed ones from them or from JPEG/BMP images
that the test also reads directly.  manifest lines:
  pixels FILE.dcm EXPECT.bin FRAMES W H C [SPACING_ROW SPACING_COL UID]
  same   FILE.dcm IMAGE          (frame 1 of FILE equals IMAGE read as PNG/JPEG)
  bad    FILE                    (must be refused, the message naming FILE)
"""
import os
import subprocess
import sys

import numpy as np
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
manifest = []


def path(name):
    return os.path.join(out, name)


def dataset(arr, photometric="MONOCHROME2", bits_stored=None, signed=False, frames=None):
    """A minimal secondary-capture dataset around arr (frames x H x W [x 3])."""
    ds = Dataset()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientName = "Leapfrog^Test"  # must never appear in any output
    ds.PatientID = "LF-SECRET-ID"
    ds.Modality = "OT"
    colour = arr.ndim == (4 if frames else 3)
    ds.SamplesPerPixel = 3 if colour else 1
    ds.PhotometricInterpretation = photometric
    if colour:
        ds.PlanarConfiguration = 0
    h, w = arr.shape[-3:-1] if colour else arr.shape[-2:]
    ds.Rows, ds.Columns = h, w
    bits = arr.dtype.itemsize * 8
    ds.BitsAllocated = bits
    ds.BitsStored = bits_stored or bits
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = 1 if signed else 0
    if frames:
        ds.NumberOfFrames = frames
    ds.PixelData = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
    return ds


def save(ds, name):
    ds.save_as(path(name), write_like_original=False)


def u8(v):
    return np.clip(np.floor(v + 0.5), 0, 255).astype(np.uint8)


def linear(x, c, w):
    y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255
    y = np.where(x <= c - 0.5 - (w - 1) / 2, 0, y)
    return u8(np.where(x > c - 0.5 + (w - 1) / 2, 255, y))


def expect(name, arr, frames, w, h, c, extra=""):
    arr.astype(np.uint8).tofile(path(name + ".bin"))
    manifest.append(f"pixels {name}.dcm {name}.bin {frames} {w} {h} {c} {extra}".rstrip())


def dcmtk(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


# 1. 8-bit MONOCHROME2, no VOI: byte-identical to the PNG it was made from.
g8 = (np.add.outer(np.arange(29) * 7, np.arange(37) * 3) % 256).astype(np.uint8)
g8[5:9, 3:30] = rng.integers(0, 256, (4, 27), dtype=np.uint8)
Image.fromarray(g8).save(path("g8.png"))
ds = dataset(g8)
ds.PixelSpacing = [0.5, 0.25]
save(ds, "mono2_8.dcm")
manifest.append("same mono2_8.dcm g8.png")
expect("mono2_8", g8, 1, 37, 29, 1, f"0.5 0.25 {ds.SOPInstanceUID}")

# 2. 12 bits stored in 16, Rescale 0.5 / -100, a window; MONOCHROME1 inverted.
s16 = rng.integers(0, 4096, (23, 31), dtype=np.uint16)
s16[0, :8] = [0, 1, 4095, 2048, 1000, 1001, 1200, 1201]
for pi, name in (("MONOCHROME2", "mono2_16"), ("MONOCHROME1", "mono1_16")):
    ds = dataset(s16, pi, bits_stored=12)
    ds.RescaleSlope, ds.RescaleIntercept = "0.5", "-100"
    ds.WindowCenter, ds.WindowWidth = ["500", "40"], ["1200", "80"]  # the first pair is used
    ds.ImagerPixelSpacing = [0.143, 0.143]
    save(ds, name + ".dcm")
    x = s16.astype(np.float64) * 0.5 + -100.0
    want = linear(x, 500.0, 1200.0)
    if pi == "MONOCHROME1":
        want = 255 - want
    else:  # second opinion: pydicom's own windowing, scaled to 0..255
        ref = apply_voi_lut(apply_modality_lut(s16, ds), ds, index=0)
        lo, hi = ref.min(), ref.max()
        ref255 = (ref - (-100.0)) / ((4095 * 0.5 - 100) - (-100.0)) * 255
        assert np.abs(ref255 - want).max() <= 1.0, "numpy formula disagrees with pydicom"
    expect(name, want, 1, 31, 23, 1, f"0.143 0.143 {ds.SOPInstanceUID}")

# 3. signed 16-bit, no VOI: the full stored range maps to 0..255.
ss = rng.integers(-32768, 32768, (11, 13), dtype=np.int16)
ss[0, :3] = [-32768, 0, 32767]
ds = dataset(ss, signed=True)
save(ds, "signed16.dcm")
expect("signed16", u8((ss.astype(np.float64) + 32768) / 65535 * 255), 1, 13, 11, 1)

# 4. a VOI LUT (preferred over the window, as pydicom does); checked against pydicom.
v = rng.integers(0, 1024, (9, 10), dtype=np.uint16)
ds = dataset(v, bits_stored=10)
ds.WindowCenter, ds.WindowWidth = "100", "50"
item = Dataset()
item.add_new(0x00283002, "US", [256, 100, 12])  # LUT Descriptor
item.add_new(0x00283006, "US", [int(i * 4095 // 255) ^ (i & 7) for i in range(256)])  # LUT Data
ds.VOILUTSequence = Sequence([item])
save(ds, "voilut.dcm")
ref = apply_voi_lut(v, ds, index=0, prefer_lut=True)
expect("voilut", u8(ref.astype(np.float64) * 255 / 4095), 1, 10, 9, 1)

# 5. multi-frame 8-bit (5 frames), its RLE and JPEG-LS copies (DCMTK); preamble-less copy.
mf = rng.integers(0, 256, (5, 17, 19), dtype=np.uint8)
for k in range(5):
    mf[k, 0, 0] = k  # tell frames apart
save(dataset(mf, frames=5), "multi.dcm")
expect("multi", mf, 5, 19, 17, 1)
dcmtk("dcmcrle", path("multi.dcm"), path("multi_rle.dcm"))
expect("multi_rle", mf, 5, 19, 17, 1)
dcmtk("dcmcjpls", path("multi.dcm"), path("multi_jls.dcm"))
expect("multi_jls", mf, 5, 19, 17, 1)
ds = dataset(mf, frames=5)
del ds.file_meta
ds.is_implicit_VR = True
ds.save_as(path("multi_nopreamble.dcm"), write_like_original=True)
expect("multi_nopreamble", mf, 5, 19, 17, 1)

# 6. the 16-bit file compressed losslessly: RLE, JPEG-LS, JPEG lossless (process 14 SV1).
for tool, flag, name in (("dcmcrle", None, "mono2_16_rle"), ("dcmcjpls", None, "mono2_16_jls"),
                         ("dcmcjpeg", "+e1", "mono2_16_jpll")):
    dcmtk(*([tool] + ([flag] if flag else []) + [path("mono2_16.dcm"), path(name + ".dcm")]))
    os.link(path("mono2_16.bin"), path(name + ".bin"))
    manifest.append(f"pixels {name}.dcm {name}.bin 1 31 23 1")

# 7. img2dcm: JPEG baseline (grey and colour) equal to the JPEG's own decode; BMP -> uncompressed.
Image.fromarray(g8).save(path("g8.jpg"), quality=90)
rgb = np.stack([g8, g8[::-1], 255 - g8], axis=-1)
Image.fromarray(rgb).save(path("rgb.jpg"), quality=90)
Image.fromarray(rgb).save(path("rgb.png"))
Image.fromarray(rgb).save(path("rgb.bmp"))
for src, name in (("g8.jpg", "g8_jpeg"), ("rgb.jpg", "rgb_jpeg")):
    dcmtk("img2dcm", path(src), path(name + ".dcm"))
    manifest.append(f"same {name}.dcm {src}")
dcmtk("img2dcm", "-i", "BMP", path("rgb.bmp"), path("rgb_bmp.dcm"))
manifest.append("same rgb_bmp.dcm rgb.png")

# 8. hostile / broken files
raw = open(path("mono2_16.dcm"), "rb").read()
open(path("bad_truncated.dcm"), "wb").write(raw[: len(raw) - 400])
open(path("bad_header_only.dcm"), "wb").write(raw[:200])
ds = dataset(g8)
ds.NumberOfFrames = 60000
save(ds, "bad_frames.dcm")
ds = dataset(g8)
ds.Rows = ds.Columns = 60000
save(ds, "bad_huge.dcm")
raw = open(path("multi_rle.dcm"), "rb").read()
open(path("bad_rle_cut.dcm"), "wb").write(raw[: len(raw) - 300])
ds = dataset(g8)
ds.BitsStored, ds.HighBit = 12, 11
save(ds, "bad_bits.dcm")
# a JPEG fragment whose marker walk reaches a TEM marker (FF 01) before its frame header:
# DCMTK 3.6.7's decoder loops forever on it (fuzz_dicom found it); refused at open
from pydicom.encaps import encapsulate
ds = dataset(g8)
ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.50"
ds.PixelData = encapsulate([b"\xff\xd8\xff\x01" + bytes(60)])
ds["PixelData"].VR = "OB"
ds["PixelData"].is_undefined_length = True
save(ds, "bad_jpeg_tem.dcm")
for b in ("bad_truncated.dcm", "bad_header_only.dcm", "bad_frames.dcm", "bad_huge.dcm",
          "bad_rle_cut.dcm", "bad_bits.dcm", "bad_jpeg_tem.dcm"):
    manifest.append(f"bad {b}")

with open(path("manifest.txt"), "w") as f:
    f.write("\n".join(manifest) + "\n")
