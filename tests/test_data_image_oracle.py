# Oracle for tests/test_data_image.c (run by it with Debian's python3: PIL, numpy, torch).
#   phase "write DIR": writes images of every pixel format with PIL, and for each the
#       expected 8-bit grey/RGB pixels as decoded by PIL (alpha dropped, palette
#       expanded, 16-bit >> 8): NAME.expect (raw uint8 HWC) + NAME.shape ("w h c").
#   phase "check DIR": reads the files the C test wrote (our PNG/TIFF encodes, resize
#       inputs) and writes PIL's decode of our encodes and numpy/PIL/torch resize references.
import os, sys
import numpy as np
from PIL import Image

mode, d = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(1234)

def save_expect(name, arr):
    arr = np.ascontiguousarray(arr.astype(np.uint8))
    h, w = arr.shape[:2]
    c = 1 if arr.ndim == 2 else arr.shape[2]
    arr.tofile(os.path.join(d, name + ".expect"))
    open(os.path.join(d, name + ".shape"), "w").write("%d %d %d\n" % (w, h, c))

def expected(path):
    im = Image.open(path)
    im.load()
    m = im.mode
    if m in ("L",):
        return np.array(im)
    if m == "1":
        return np.array(im.convert("L"))
    if m == "LA":
        return np.array(im)[:, :, 0]
    if m in ("I;16", "I;16B", "I"):
        return (np.array(im).astype(np.uint32) >> 8).astype(np.uint8)
    if m == "RGB":
        return np.array(im)
    if m == "RGBA":
        return np.array(im)[:, :, :3]
    if m == "P":
        return np.array(im.convert("RGB"))
    raise SystemExit("unexpected mode " + m)

if mode == "write":
    W, H = 37, 23   # odd sizes
    grad = (np.arange(W)[None, :] * 7 + np.arange(H)[:, None] * 3) % 256
    L = (grad ^ rng.integers(0, 256, (H, W))).astype(np.uint8)
    RGB = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    A = rng.integers(0, 256, (H, W), dtype=np.uint8)
    I16 = rng.integers(0, 65536, (H, W), dtype=np.uint16)
    imgs = {
        "png_L": Image.fromarray(L, "L"),
        "png_LA": Image.fromarray(np.dstack([L, A]), "LA"),
        "png_RGB": Image.fromarray(RGB, "RGB"),
        "png_RGBA": Image.fromarray(np.dstack([RGB, A]), "RGBA"),
        "png_P": Image.fromarray(RGB, "RGB").quantize(colors=50),
        "png_I16": Image.fromarray(I16.astype(np.uint16), "I;16"),
        "png_1bit": Image.fromarray(L > 128).convert("1"),
    }
    for k, im in imgs.items():
        p = os.path.join(d, k + ".png")
        im.save(p)
        save_expect(k, expected(p))
    # palette with transparency (tRNS chunk)
    p = os.path.join(d, "png_Ptrns.png")
    imgs["png_P"].save(p, transparency=3)
    save_expect("png_Ptrns", expected(p))
    tiffs = {
        "tif_L_raw": (Image.fromarray(L, "L"), None),
        "tif_L_lzw": (Image.fromarray(L, "L"), "tiff_lzw"),
        "tif_L_packbits": (Image.fromarray(L, "L"), "packbits"),
        "tif_RGB_deflate": (Image.fromarray(RGB, "RGB"), "tiff_deflate"),
        "tif_RGBA_raw": (Image.fromarray(np.dstack([RGB, A]), "RGBA"), None),
        "tif_I16": (Image.fromarray(I16.astype(np.uint16), "I;16"), None),
        "tif_P": (imgs["png_P"], None),
    }
    for k, (im, comp) in tiffs.items():
        p = os.path.join(d, k + ".tif")
        if comp: im.save(p, compression=comp)
        else: im.save(p)
        save_expect(k, expected(p))
    # the Kaggle shape: 580x420 8-bit grey
    big = rng.integers(0, 256, (420, 580), dtype=np.uint8)
    Image.fromarray(big, "L").save(os.path.join(d, "tif_kaggle.tif"))
    save_expect("tif_kaggle", big)
    for k, im, kw in [("jpg_L", Image.fromarray(L, "L"), {}), ("jpg_RGB", Image.fromarray(RGB, "RGB"), {"quality": 90}),
                      ("jpg_RGB_prog", Image.fromarray(RGB, "RGB"), {"quality": 80, "progressive": True}),
                      ("jpg_RGB_444", Image.fromarray(RGB, "RGB"), {"quality": 95, "subsampling": 0})]:
        p = os.path.join(d, k + ".jpg")
        im.save(p, **kw)
        save_expect(k, expected(p))
    # formats PIL does not write: a small independent PNG writer (zlib + struct) for
    # 16-bit RGB/RGBA/LA, 2- and 4-bit grey and Adam7-interlaced files; expected pixels
    # come from the arrays themselves (16-bit -> high byte, n-bit grey -> bit replication).
    import struct, zlib
    def chunk(t, data):
        return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data) & 0xffffffff)
    def raw_rows(a, depth):
        if depth < 8:   # pack grey samples MSB first
            per = 8 // depth
            w = a.shape[1]
            out = []
            for row in a:
                b = bytearray((w + per - 1) // per)
                for x, v in enumerate(row):
                    b[x // per] |= int(v) << (8 - depth * (x % per + 1))
                out.append(bytes(b))
            return out
        dt = ">u2" if depth == 16 else "u1"
        return [np.ascontiguousarray(row).astype(dt).tobytes() for row in a]
    def write_png(path, a, ctype, depth, interlace=False):
        h, w = a.shape[:2]
        if not interlace:
            raw = b"".join(b"\0" + r for r in raw_rows(a, depth))
        else:
            raw = b""
            for x0, y0, dx, dy in [(0,0,8,8),(4,0,8,8),(0,4,4,8),(2,0,4,4),(0,2,2,4),(1,0,2,2),(0,1,1,2)]:
                sub = a[y0::dy, x0::dx]
                if sub.size == 0: continue
                raw += b"".join(b"\0" + r for r in raw_rows(sub, depth))
        ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 1 if interlace else 0)
        open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    R16 = rng.integers(0, 65536, (H, W, 4), dtype=np.uint16)
    g2 = rng.integers(0, 4, (H, W)); g4 = rng.integers(0, 16, (H, W))
    crafted = [("png_RGB16", R16[:, :, :3], 2, 16, False, (R16[:, :, :3] >> 8)),
               ("png_RGBA16", R16, 6, 16, False, (R16[:, :, :3] >> 8)),
               ("png_LA16", R16[:, :, :2], 4, 16, False, (R16[:, :, 0] >> 8)),
               ("png_G2", g2, 0, 2, False, g2 * 85),
               ("png_G4", g4, 0, 4, False, g4 * 17),
               ("png_L_adam7", L, 0, 8, True, L),
               ("png_RGB_adam7", RGB, 2, 8, True, RGB),
               ("png_G4_adam7", g4, 0, 4, True, g4 * 17)]
    for k, a, ct, dep, il, want in crafted:
        write_png(os.path.join(d, k + ".png"), a, ct, dep, il)
        save_expect(k, want)
        # PIL must agree that the file is valid and shows the same image (8-bit views)
        im = Image.open(os.path.join(d, k + ".png")); im.load()
    print("oracle: wrote", len(os.listdir(d)), "files")

elif mode == "check":
    # PIL's decode of our encodes
    for name in sorted(os.listdir(d)):
        if name.startswith("ours_") and (name.endswith(".png") or name.endswith(".tif")):
            im = Image.open(os.path.join(d, name)); im.load()
            a = np.array(im)
            a.astype(np.uint8).tofile(os.path.join(d, name + ".pil"))
            open(os.path.join(d, name + ".pilmode"), "w").write(im.mode + "\n")
    # resize references: input rz_in.bin (uint8 HWC), rz_in.shape "w h c", targets list
    w, h, c = map(int, open(os.path.join(d, "rz_in.shape")).read().split())
    x = np.fromfile(os.path.join(d, "rz_in.bin"), dtype=np.uint8).reshape(h, w, c).astype(np.float64)
    def area_axis(n_in, n_out):
        # independent reference: fractional-coverage matrix M (n_out x n_in)
        s = n_in / n_out
        M = np.zeros((n_out, n_in))
        for o in range(n_out):
            lo, hi = o * s, (o + 1) * s
            for i in range(int(np.floor(lo)), min(n_in, int(np.ceil(hi)))):
                M[o, i] = max(0.0, min(i + 1, hi) - max(i, lo)) / s
        return M
    import torch
    for line in open(os.path.join(d, "rz_targets.txt")):
        ow, oh = map(int, line.split())
        # area (downscaling both axes here)
        My, Mx = area_axis(h, oh), area_axis(w, ow)
        ref = np.einsum("oi,ijc,pj->opc", My, x, Mx)
        ref.astype(np.float32).tofile(os.path.join(d, "rz_area_%dx%d.ref" % (ow, oh)))
        # torch bilinear, align_corners=False, no antialias
        t = torch.from_numpy(x.transpose(2, 0, 1)[None].copy())
        b = torch.nn.functional.interpolate(t, size=(oh, ow), mode="bilinear", align_corners=False)
        b[0].numpy().transpose(1, 2, 0).astype(np.float32).tofile(os.path.join(d, "rz_bilinear_%dx%d.ref" % (ow, oh)))
        # PIL BOX on float images (equals area averaging for integer factors)
        if w % ow == 0 and h % oh == 0:
            chans = [np.array(Image.fromarray(x[:, :, k].astype(np.float32), "F").resize((ow, oh), Image.BOX)) for k in range(c)]
            np.dstack(chans).astype(np.float32).tofile(os.path.join(d, "rz_box_%dx%d.ref" % (ow, oh)))
    print("oracle: check phase done")
