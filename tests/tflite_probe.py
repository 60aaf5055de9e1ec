#!/usr/bin/env python3
"""Where do two runtimes part? Per-tensor and per-op comparison of a float .tflite model
in leapfrog and in LiteRT (standard library only; used to explain the pose_landmark gap
in tests/test_mediapipe.sh).
  tflite_probe.py cut INFO.json MODEL.tflite DIR
      INFO.json from `leapfrog info --json MODEL`. Writes DIR/cut.tflite, a copy of the
      model whose outputs are the outputs of every op (a new output vector appended to
      the file, subgraph 0's outputs field pointed at it), and DIR/tensors.txt. Then run
        leapfrog invoke DIR/cut.tflite --input IN.bin --output DIR/lf.bin
        node tests/oracles/tflite/run_litert.mjs DIR/cut.tflite IN.bin DIR/lt.bin
  tflite_probe.py report INFO.json DIR [FIRST_NODE]
      One line per op from FIRST_NODE: the output's max |lf - lt| / max |lt| (how far
      apart the runtimes are there), and for CONV_2D, DEPTHWISE_CONV_2D, ADD and
      RESIZE_BILINEAR (half-pixel or not) the local error of each runtime: its own output
      against the op evaluated in float64 on its own inputs, in units of
      sum|terms| * 2^-24 (rms and max over 3000 sampled outputs). Float rounding keeps
      that within a few units; a wrong kernel is off by orders of magnitude. Weights are
      leapfrog's (LiteRT's delegate consumes constant tensors: their outputs are junk)."""
import array, json, math, os, random, struct, sys


def cut(info, model, d):
    j = json.load(open(info))
    ts, lines = [], []
    for n in j["nodes"]:
        for t in n["outputs"]:
            ts.append(t)
            lines.append("%d %s %d" % (n["index"], n["op"], t))
    b = bytearray(open(model, "rb").read())
    u32 = lambda o: struct.unpack_from("<I", b, o)[0]

    def field(tab, idx):  # flatbuffers: table -> vtable -> field offset
        vt = tab - struct.unpack_from("<i", b, tab)[0]
        if 4 + 2 * idx >= struct.unpack_from("<H", b, vt)[0]:
            return None
        off = struct.unpack_from("<H", b, vt + 4 + 2 * idx)[0]
        return tab + off if off else None
    subs = field(u32(0), 2)            # Model.subgraphs
    subs += u32(subs)
    sg0 = subs + 4 + u32(subs + 4)
    of = field(sg0, 2)                 # SubGraph.outputs
    if of is None:
        sys.exit("%s: subgraph 0 has no outputs field" % model)
    while len(b) % 4:
        b.append(0)
    vec = len(b)                       # offsets point forward: append and re-point
    b += struct.pack("<I", len(ts)) + b"".join(struct.pack("<i", t) for t in ts)
    struct.pack_into("<I", b, of, vec - of)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, "cut.tflite"), "wb").write(b)
    open(os.path.join(d, "tensors.txt"), "w").write("\n".join(lines) + "\n")


def act(v, a):
    if a == "RELU6":
        return min(max(v, 0.0), 6.0)
    if a == "RELU":
        return max(v, 0.0)
    if a == "RELU_N1_TO_1":
        return min(max(v, -1.0), 1.0)
    return v


def terms_of(op, o, ish, osh, X, get2, W, B, i):
    """the float64 products/terms whose sum makes output element i (before activation)"""
    if op in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        KH, KW = W[1][1], W[1][2]
        sh, sw = o["stride_h"], o["stride_w"]
        dh, dw = o.get("dilation_h", 1), o.get("dilation_w", 1)
        IH, IW, IC = ish[1], ish[2], ish[3]
        OH, OW, OC = osh[1], osh[2], osh[3]
        ph = pw = 0
        if o["padding"] == "SAME":
            ph = max((OH - 1) * sh + (KH - 1) * dh + 1 - IH, 0) // 2
            pw = max((OW - 1) * sw + (KW - 1) * dw + 1 - IW, 0) // 2
        oc = i % OC
        ox = (i // OC) % OW
        oy = (i // (OC * OW)) % OH
        nb = i // (OC * OW * OH)
        t = [B[oc]] if B else []
        for ky in range(KH):
            iy = oy * sh + ky * dh - ph
            if not 0 <= iy < IH:
                continue
            for kx in range(KW):
                ix = ox * sw + kx * dw - pw
                if not 0 <= ix < IW:
                    continue
                base = ((nb * IH + iy) * IW + ix) * IC
                if op == "CONV_2D":
                    wb = ((oc * KH + ky) * KW + kx) * IC
                    t += [X[base + c] * W[0][wb + c] for c in range(IC)]
                else:
                    mult = OC // IC
                    t.append(X[base + oc // mult] * W[0][(ky * KW + kx) * OC + oc])
        return t
    if op == "ADD":
        Z = get2()
        if len(Z) != len(X):
            return None
        return [X[i], Z[i]]
    if op == "RESIZE_BILINEAR":
        IH, IW, C = ish[1], ish[2], ish[3]
        OH, OW = osh[1], osh[2]
        c = i % C
        ox = (i // C) % OW
        oy = (i // (C * OW)) % OH
        nb = i // (C * OW * OH)
        if o.get("align_corners"):
            ry = (IH - 1) / (OH - 1) if OH > 1 else 0.0
            rx = (IW - 1) / (OW - 1) if OW > 1 else 0.0
        else:
            ry, rx = IH / OH, IW / OW
        hp = 0.5 if o.get("half_pixel_centers") else 0.0
        fy = max((oy + hp) * ry - hp, 0.0)
        fx = max((ox + hp) * rx - hp, 0.0)
        y0, x0 = int(math.floor(fy)), int(math.floor(fx))
        y1, x1 = min(y0 + 1, IH - 1), min(x0 + 1, IW - 1)
        dy, dx = fy - y0, fx - x0
        g = lambda yy, xx: X[((nb * IH + yy) * IW + xx) * C + c]
        return [g(y0, x0) * (1 - dy) * (1 - dx), g(y0, x1) * (1 - dy) * dx,
                g(y1, x0) * dy * (1 - dx), g(y1, x1) * dy * dx]
    return None


def report(info, d, first=0):
    j = json.load(open(info))
    T = j["tensors"]
    files = {}
    for k, line in enumerate(open(os.path.join(d, "tensors.txt"))):
        files[int(line.split()[2])] = k
    cache = {}

    def get(who, t):
        if T[t]["constant"]:
            return None
        if t not in files:       # a model input: both runtimes read the same bytes
            who = "lf"
        key = (who, t)
        if key not in cache:
            a = array.array("f")
            p = os.path.join(d, "%s.bin.%d" % (who, files[t])) if t in files else None
            if p is None:
                return None
            a.frombytes(open(p, "rb").read())
            cache[key] = a
        return cache[key]

    def weight(t):               # leapfrog's view of a constant (or DEQUANTIZE of one)
        if t < 0:
            return None
        if t in files:
            a = array.array("f")
            a.frombytes(open(os.path.join(d, "lf.bin.%d" % files[t]), "rb").read())
            return a
        return None
    rng = random.Random(1)
    for n in j["nodes"]:
        if n["index"] < first or n["op"] == "DEQUANTIZE" or T[n["outputs"][0]]["dtype"] != "FLOAT32":
            continue
        op, o, out = n["op"], n["options"] or {}, n["outputs"][0]
        a, b = get("lf", out), get("lt", out)
        if a is None or b is None:
            continue
        m = max(abs(v) for v in b) or 1.0
        gap = max(abs(x - y) for x, y in zip(a, b)) / m
        line = "%4d %-18s t%-4d max|lt| %9.4g  |lf-lt|/max %9.3g" % (n["index"], op, out, m, gap)
        if op in ("CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "RESIZE_BILINEAR"):
            ins = n["inputs"]
            W = B = None
            if op in ("CONV_2D", "DEPTHWISE_CONV_2D"):
                W = (weight(ins[1]), T[ins[1]]["shape"])
                B = weight(ins[2]) if len(ins) > 2 else None
                if W[0] is None:
                    print(line)
                    continue
            idx = rng.sample(range(len(a)), min(len(a), 3000))
            loc = []
            for who in ("lf", "lt"):
                X, Y = get(who, ins[0]), get(who, out)
                errs = []
                for i in idx:
                    t = terms_of(op, o, T[ins[0]]["shape"], T[out]["shape"], X,
                                 lambda: get(who, ins[1]), W, B, i)
                    if t is None:
                        break
                    ref = act(math.fsum(t), o.get("activation"))
                    s = sum(abs(v) for v in t) * 2.0 ** -24
                    errs.append(abs(Y[i] - ref) / s if s > 0 else (0.0 if Y[i] == ref else float("inf")))
                if errs:
                    loc.append("%s local rms %6.3f max %7.3f" % (
                        who, math.sqrt(sum(e * e for e in errs) / len(errs)), max(errs)))
            if loc:
                line += "  " + " | ".join(loc)
        print(line, flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "cut":
        cut(*sys.argv[2:])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    else:
        sys.exit(__doc__)
