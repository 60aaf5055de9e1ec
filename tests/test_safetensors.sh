#!/bin/sh
# safetensors interop with an independent numpy implementation of the format
# (Debian has no python3-safetensors): numpy writes -> leapfrog reads, and
# leapfrog writes -> numpy parses and checks layout, order, padding, values.
set -e
: "${LF_BUILD:=build}" "${LF_PYTHON:=/usr/bin/python3}" "${LF_TMP:=/tmp}"
bin=$LF_BUILD/tests/test_safetensors
[ -x "$bin" ] || { echo "no $bin"; exit 1; }
"$LF_PYTHON" -c "import numpy" 2>/dev/null || { echo "numpy missing"; exit 77; }
d=$LF_TMP/st_sh; mkdir -p "$d"

"$LF_PYTHON" - "$d/np.safetensors" "$d/expect.txt" <<'PY'
import json, struct, sys
import numpy as np
rng = np.random.default_rng(7)
ts = {   # name -> (dtype string, array)
  "features.conv0.weight": ("F32", rng.standard_normal((4, 3, 3, 3)).astype("<f4")),
  "x.half": ("F16", rng.standard_normal(5).astype("<f2")),
  "x.f64": ("F64", rng.standard_normal((2, 2)).astype("<f8")),
  "x.i64": ("I64", np.array(123456789012, dtype="<i8")),
  "x.i8": ("I8", np.array([-128, -1, 0, 127], dtype="i1")),
  "x.u8": ("U8", np.array([0, 1, 255], dtype="u1")),
  "x.i32": ("I32", np.array([[-7, 9]], dtype="<i4")),
  "x.empty": ("F32", np.zeros((0, 3), dtype="<f4")),
}
# BF16: numpy has none, take the top 16 bits of float32
f = rng.standard_normal(6).astype("<f4")
bf = (f.view("<u4") >> 16).astype("<u2")
ts["x.bf16"] = ("BF16", bf)
bf_vals = (bf.astype("<u4") << 16).view("<f4")
# data in a deliberately unsorted order, header keys unsorted, no padding
order = ["x.half", "features.conv0.weight", "x.i64", "x.empty", "x.bf16", "x.f64", "x.i8", "x.u8", "x.i32"]
hdr, blobs, off = {}, [], 0
for n in order:
    dt, a = ts[n]
    b = a.tobytes()
    hdr[n] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
    blobs.append(b); off += len(b)
hdr["__metadata__"] = {"format": "pt", "config": json.dumps({"growth": 32})}
h = json.dumps(hdr).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
with open(sys.argv[2], "w") as e:
    for n in sorted(order, key=lambda n: hdr[n]["data_offsets"][0]):
        dt, a = ts[n]
        v = bf_vals if n == "x.bf16" else a.astype(np.float64).ravel()
        e.write("%s %s [%s] %s\n" % (n, dt, ",".join(map(str, a.shape)), " ".join(repr(float(x)) for x in np.asarray(v, dtype=np.float32).ravel())))
PY

"$bin" dump "$d/np.safetensors" > "$d/got.txt"
"$LF_PYTHON" - "$d/got.txt" "$d/expect.txt" <<'PY'
import sys, numpy as np
got = {}; meta = {}
for line in open(sys.argv[1]):
    p = line.split()
    if p[0] == "meta":
        k, v = line[5:].rstrip("\n").split("=", 1); meta[k] = v; continue
    got[p[1]] = (p[2], p[3].strip("[]"), np.array([float(x) for x in p[4:]], dtype=np.float32))
assert meta == {"format": "pt", "config": '{"growth": 32}'}, meta
n = 0
for line in open(sys.argv[2]):
    p = line.split()
    name, dt, shape = p[0], p[1], p[2].strip("[]")
    exp = np.array([float(x) for x in p[3:]], dtype=np.float32)
    g = got[name]
    assert g[0] == dt and g[1] == shape, (name, g[:2], dt, shape)
    assert np.array_equal(g[2], exp), (name, g[2], exp)
    n += 1
assert n == len(got) == 9, (n, len(got))
print("numpy -> leapfrog: %d tensors equal" % n)
PY

"$bin" write "$d/lf.safetensors"
"$LF_PYTHON" - "$d/lf.safetensors" <<'PY'
import json, struct, sys, numpy as np
b = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", b[:8])
assert (8 + n) % 8 == 0, "header not padded to 8"
raw = b[8:8 + n].decode()
hdr = json.loads(raw)
meta = hdr.pop("__metadata__")
assert meta == {"arch": "densenet121", "note": 'quote" \\ tab\t'}, meta
names = [k for k in json.loads(raw, object_pairs_hook=lambda kv: [k for k, _ in kv]) if k != "__metadata__"]
assert names == sorted(names), names
data = b[8 + n:]
dt = {"F32": "<f4", "I64": "<i8", "I32": "<i4"}
offs = sorted((v["data_offsets"][0], v["data_offsets"][1], k) for k, v in hdr.items())
assert offs[0][0] == 0 and offs[-1][1] == len(data)
for (b0, e0, _), (b1, _, _) in zip(offs, offs[1:]): assert e0 == b1
arr = {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype=dt[v["dtype"]]).reshape(v["shape"]) for k, v in hdr.items()}
w = arr["features.conv0.weight"]
assert w.shape == (2, 3, 2, 2) and np.array_equal(w.ravel(), np.arange(24, dtype=np.float32) * 0.25 - 3)
assert arr["features.norm0.num_batches_tracked"].shape == () and int(arr["features.norm0.num_batches_tracked"]) == 7
assert arr["empty"].shape == (0,)
assert list(arr["b.ints"]) == [-1, 0, 2147483647]
print("leapfrog -> numpy: ok")
PY
