#!/usr/bin/env python3
"""Helper of tests/test_mediapipe.sh (standard library only).
  mediapipe_io.py gen INFO.json SEED DIR   -> DIR/in0.bin,... seeded random inputs
      (float32 uniform in [-1, 1], the range MediaPipe's image models are fed;
      integer types uniform over their range); prints the comma-separated list.
  mediapipe_io.py ulp INFO.json SEED DIR -> DIR/ulp0.bin,...: copies of DIR/in0.bin,...
      with every nonzero value moved one ulp up or down (seeded): the smallest change
      of the input; prints the list (nothing when an input is not float32).
  mediapipe_io.py cmp INFO.json LF.bin LT.bin [LF_ULP.bin] -> one line: per output the
      max relative difference |lf - lt| / max(1, |lt|) (absolute below 1), and the max.
      Exit 0 when every output is within its bound, 1 when above or not comparable.
      Bound: env MP_BOUND; with LF_ULP.bin (leapfrog on the ulp-moved input) an output's
      bound is max(MP_BOUND, MP_ULP_FACTOR * s), s = the same difference between LF.bin
      and LF_ULP.bin: how far one ulp of input moves that output (the network's own
      amplification of rounding), never above MP_BOUND_CAP."""
import array, json, os, random, sys

def tensors(info, key):
    return json.load(open(info))[key]

def gen(info, seed, d):
    rng = random.Random(int(seed))
    names = []
    for i, t in enumerate(tensors(info, "inputs")):
        n = 1
        for s in t["shape"]:
            n *= s
        dt = t["dtype"]
        if dt == "FLOAT32":
            a = array.array("f", [rng.uniform(-1.0, 1.0) for _ in range(n)])
        elif dt in ("INT8", "UINT8"):
            lo, hi = (-128, 127) if dt == "INT8" else (0, 255)
            a = array.array("b" if dt == "INT8" else "B", [rng.randint(lo, hi) for _ in range(n)])
        else:
            sys.exit("input %d has dtype %s: no generator" % (i, dt))
        p = os.path.join(d, "in%d.bin" % i)
        with open(p, "wb") as f:
            f.write(a.tobytes())
        names.append(p)
    print(",".join(names))

def ulp(info, seed, d):
    ins = tensors(info, "inputs")
    if any(t["dtype"] != "FLOAT32" for t in ins):
        return
    rng = random.Random(int(seed))
    names = []
    for i in range(len(ins)):
        a = array.array("I")
        a.frombytes(open(os.path.join(d, "in%d.bin" % i), "rb").read())
        for k, v in enumerate(a):
            if v & 0x7fffffff and (v & 0x7f800000) != 0x7f800000:
                a[k] = v + rng.choice((-1, 1))
        p = os.path.join(d, "ulp%d.bin" % i)
        with open(p, "wb") as f:
            f.write(a.tobytes())
        names.append(p)
    print(",".join(names))

def reldiff(a, b):
    """max |a - b| / max(1, |b|) of two float32 byte strings; NaN -> inf"""
    x, y = array.array("f"), array.array("f")
    x.frombytes(a)
    y.frombytes(b)
    r = 0.0
    for u, v in zip(x, y):
        d = abs(u - v) / max(1.0, abs(v))
        if not d <= r:  # NaN counts as a failure
            r = d if d == d else float("inf")
    return r

def cmp(info, lf, lt, lf_ulp=None):
    outs = tensors(info, "outputs")
    a, b = open(lf, "rb").read(), open(lt, "rb").read()
    c = open(lf_ulp, "rb").read() if lf_ulp else None
    if len(a) != len(b) or (c is not None and len(c) != len(a)):
        print("output sizes differ: leapfrog %d bytes, LiteRT %d" % (len(a), len(b)))
        return 1
    bound = float(os.environ.get("MP_BOUND", "1e-4"))
    factor = float(os.environ.get("MP_ULP_FACTOR", "20"))
    cap = float(os.environ.get("MP_BOUND_CAP", "5e-2"))
    worst, parts, off, fail = 0.0, [], 0, False
    for t in outs:
        nb = t["bytes"]
        if t["dtype"] != "FLOAT32":
            same = a[off:off + nb] == b[off:off + nb]
            parts.append("%s %s" % (t["dtype"], "identical" if same else "DIFFERENT"))
            worst = max(worst, 0.0 if same else float("inf"))
            fail = fail or not same
        else:
            r = reldiff(a[off:off + nb], b[off:off + nb])
            lim, note = bound, ""
            if c is not None:
                s = reldiff(c[off:off + nb], a[off:off + nb])
                if factor * s > bound:
                    lim, note = min(cap, factor * s), " [1-ulp input moves it %.2g]" % s
            parts.append("%.2g%s" % (r, note))
            worst = max(worst, r)
            fail = fail or not r <= lim
        off += nb
    print("max rel diff %.2g (outputs: %s)" % (worst, ", ".join(parts)))
    return 1 if fail else 0

if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "gen":
        gen(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "ulp":
        ulp(*sys.argv[2:])
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "cmp":
        sys.exit(cmp(*sys.argv[2:]))
    else:
        sys.exit(__doc__)
