#!/usr/bin/env python3
"""Oracle for tests/test_quant.c: PyTorch's fake quantisation and observers.

usage: torch_fakequant.py DIR
DIR/spec.json lists cases; each case names raw little-endian float32 input files
in DIR and gets its outputs written back as raw float32 files:
  per_tensor:  x, dy, scale, zp, qmin, qmax        -> y, dx
  per_channel: x, dy, shape, axis, scales, zps, qmin, qmax -> y, dx
  observer:    batches (list of file names), averaging -> minmax (2 floats per
               step), qparams (scale, zp per step; torch's calculate_qparams)
"""
import json
import os
import sys

import numpy as np
import torch


def load(d, name, shape=None):
    a = np.fromfile(os.path.join(d, name), dtype="<f4")
    return a.reshape(shape) if shape is not None else a


def save(d, name, a):
    np.asarray(a, dtype="<f4").tofile(os.path.join(d, name))


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "spec.json")) as f:
        spec = json.load(f)
    for i, c in enumerate(spec["cases"]):
        kind = c["kind"]
        if kind == "per_tensor":
            x = torch.tensor(load(d, c["x"]), requires_grad=True)
            y = torch.fake_quantize_per_tensor_affine(x, c["scale"], c["zp"], c["qmin"], c["qmax"])
            y.backward(torch.tensor(load(d, c["dy"])))
            save(d, c["x"] + ".y", y.detach().numpy())
            save(d, c["x"] + ".dx", x.grad.numpy())
        elif kind == "per_channel":
            x = torch.tensor(load(d, c["x"], c["shape"]), requires_grad=True)
            sc = torch.tensor(c["scales"], dtype=torch.float32)
            zp = torch.tensor(c["zps"], dtype=torch.int32)
            y = torch.fake_quantize_per_channel_affine(x, sc, zp, c["axis"], c["qmin"], c["qmax"])
            y.backward(torch.tensor(load(d, c["dy"], c["shape"])))
            save(d, c["x"] + ".y", y.detach().numpy().ravel())
            save(d, c["x"] + ".dx", x.grad.numpy().ravel())
        elif kind == "observer":
            obs = torch.ao.quantization.MovingAverageMinMaxObserver(
                averaging_constant=c["averaging"], dtype=torch.qint8,
                qscheme=torch.per_tensor_affine, quant_min=-128, quant_max=127)
            mm, qp = [], []
            for b in c["batches"]:
                obs(torch.tensor(load(d, b)))
                mm += [float(obs.min_val), float(obs.max_val)]
                s, z = obs.calculate_qparams()
                qp += [float(s), float(z)]
            save(d, c["out"] + ".minmax", mm)
            save(d, c["out"] + ".qparams", qp)
        elif kind == "percentile":
            x = load(d, c["x"])
            save(d, c["x"] + ".pct", [np.percentile(x, 100 - c["p"]), np.percentile(x, c["p"])])
        else:
            raise SystemExit("unknown case kind %r" % kind)
    print("torch_fakequant: %d cases, torch %s" % (len(spec["cases"]), torch.__version__))


if __name__ == "__main__":
    main()
