"""PyTorch oracle for leapfrog's DenseNet / UNet (tests/test_models_torch.c).

usage: torch_densenet.py densenet|unet OUTDIR [--size H W] [--batch N] [--threads N] [knobs]
       torch_densenet.py multi "ARGS OF CASE 1" "ARGS OF CASE 2" ...
Writes, with a numpy safetensors writer (Debian has no safetensors package):
  OUTDIR/model.safetensors   the torch state_dict only (no metadata; random BN stats)
  OUTDIR/io.safetensors      input (NHWC, eval), input_train (NHWC, --grad-size),
                             target, eval logits, train-mode logits,
                             loss, grad.<param> (torch layout, computed in float64) after one BCE
                             step, err32.<param> (torch float32's error on it),
                             and the running stats after that train forward (post.<name>)
Model definitions: torchvision.models.densenet121 / DenseNet, and the UNet of
include/leapfrog/lf_models.h written here in torch.
"""
import argparse, copy, json, struct, sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def save_safetensors(path, tensors, metadata=None):
    hdr, blobs, off = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        dt = {np.dtype("float32"): "F32", np.dtype("int64"): "I64"}[a.dtype]
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        hdr[name] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    if metadata:
        hdr["__metadata__"] = metadata
    h = json.dumps(hdr).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


class DoubleConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(x)))


class Dec(DoubleConv):
    def __init__(self, cbelow, f, transposed):
        super().__init__(2 * f, f)
        self.transposed = transposed
        if transposed:
            self.up = nn.ConvTranspose2d(cbelow, f, 2, stride=2)
        else:
            self.up = nn.Conv2d(cbelow, f, 3, padding=1, bias=False)
            self.upbn = nn.BatchNorm2d(f)

    def forward(self, x, skip):
        if self.transposed:
            x = self.up(x)
        else:
            x = F.relu(self.upbn(self.up(F.interpolate(x, scale_factor=2, mode="nearest"))))
        return super().forward(torch.cat([skip, x], 1))


class UNet(nn.Module):
    """The UNet of lf_models.h (names enc{l}, bottom, dec{l}, head)."""

    def __init__(self, width=32, depth=4, in_c=1, classes=1, transposed=False, dropout=0.5):
        super().__init__()
        self.depth = depth
        f = [width << l for l in range(depth + 1)]
        cin = in_c
        for l in range(1, depth + 1):
            setattr(self, "enc%d" % l, DoubleConv(cin, f[l - 1]))
            cin = f[l - 1]
        self.bottom = DoubleConv(cin, f[depth])
        self.drop = nn.Dropout(dropout)
        for l in range(depth, 0, -1):
            setattr(self, "dec%d" % l, Dec(f[l], f[l - 1], transposed))
        self.head = nn.Conv2d(f[0], classes, 1)

    def forward(self, x):
        skips = []
        for l in range(1, self.depth + 1):
            x = getattr(self, "enc%d" % l)(x)
            skips.append(x)
            x = F.max_pool2d(x, 2)
        x = self.drop(self.bottom(x))
        for l in range(self.depth, 0, -1):
            x = getattr(self, "dec%d" % l)(x, skips[l - 1])
        return self.head(x)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("arch", choices=["densenet", "unet"])
    ap.add_argument("out")
    ap.add_argument("--size", type=int, nargs=2)
    ap.add_argument("--grad-size", type=int, nargs=2, help="input size of the training step (default --size)")
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--classes", type=int)
    ap.add_argument("--growth", type=int, default=32)
    ap.add_argument("--blocks", default="6,12,24,16")
    ap.add_argument("--init-features", type=int, default=64)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--transposed", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(a.seed)
    if a.arch == "densenet":
        import torchvision
        classes = a.classes or 14
        blocks = tuple(int(b) for b in a.blocks.split(","))
        if blocks == (6, 12, 24, 16) and a.growth == 32 and a.init_features == 64:
            model = torchvision.models.densenet121(num_classes=classes)
        else:
            model = torchvision.models.DenseNet(growth_rate=a.growth, block_config=blocks,
                                                num_init_features=a.init_features, num_classes=classes)
        h, w = a.size or (224, 224)
        cin = 3
    else:
        classes = a.classes or 1
        model = UNet(a.width, a.depth, 1, classes, a.transposed, dropout=0.0)
        h, w = a.size or (80, 112)
        cin = 1
    # non-trivial BN state so eval mode tests the running statistics
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, c).astype(np.float32)))
                m.bias.copy_(torch.from_numpy(rng.normal(0, 0.1, c).astype(np.float32)))
                m.running_mean.copy_(torch.from_numpy(rng.normal(0, 0.1, c).astype(np.float32)))
                m.running_var.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, c).astype(np.float32)))
                m.num_batches_tracked.fill_(int(rng.integers(0, 1000)))
    sd = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    save_safetensors(a.out + "/model.safetensors", sd)

    x = torch.from_numpy(rng.standard_normal((a.batch, cin, h, w)).astype(np.float32))
    model.eval()
    with torch.no_grad():
        y_eval = model(x)
    x_eval = x
    if a.grad_size:
        h, w = a.grad_size
        x = torch.from_numpy(rng.standard_normal((a.batch, cin, h, w)).astype(np.float32))
    if a.arch == "densenet":
        t = torch.from_numpy((rng.random((a.batch, classes)) < 0.3).astype(np.float32))
    else:
        t = torch.from_numpy((rng.random((a.batch, classes, h, w)) < 0.3).astype(np.float32))
    model.train()
    y = model(x)
    loss = F.binary_cross_entropy_with_logits(y, t)
    loss.backward()
    io = {
        "input": x_eval.permute(0, 2, 3, 1).numpy().copy(),
        "input_train": x.permute(0, 2, 3, 1).numpy().copy(),
        "target": (t if t.dim() == 2 else t.permute(0, 2, 3, 1)).numpy().copy(),
        "eval_logits": (y_eval if y_eval.dim() == 2 else y_eval.permute(0, 2, 3, 1)).numpy().copy(),
        "train_logits": (y if y.dim() == 2 else y.permute(0, 2, 3, 1)).detach().numpy().copy(),
        "loss": np.array([loss.item()], dtype=np.float32),
    }
    # The gradient of one BN-train step of a deep net at batch 2 is badly
    # conditioned: torch float32 itself is far from float64 on some tensors. So
    # the reference gradient is torch in float64, and err32.<name> records how
    # far torch float32 is from it (||diff|| / ||ref||), the bar for leapfrog;
    # err32_global the same over all parameters together.
    g32 = {k: p.grad.double().numpy() for k, p in model.named_parameters()}
    m64 = copy.deepcopy(model).double()
    m64.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in sd.items()})
    m64.train()
    y64 = m64(x.double())
    io["train_logits64"] = (y64 if y64.dim() == 2 else y64.permute(0, 2, 3, 1)).detach().numpy().astype(np.float32)
    yd = y.detach().double()
    print("torch float32 train logits vs float64: max rel err %.3g" % ((yd - y64.detach()).abs().max() / y64.detach().abs().max()).item())
    F.binary_cross_entropy_with_logits(y64, t.double()).backward()
    for k, p in m64.named_parameters():
        g = p.grad.numpy()
        io["grad." + k] = g.astype(np.float32)
        io["err32." + k] = np.array([np.linalg.norm(g32[k] - g) / max(np.linalg.norm(g), 1e-30)], dtype=np.float32)
    num = sum(np.linalg.norm(g32[k] - p.grad.numpy()) ** 2 for k, p in m64.named_parameters())
    den = sum(np.linalg.norm(p.grad.numpy()) ** 2 for k, p in m64.named_parameters())
    io["err32_global"] = np.array([np.sqrt(num / den)], dtype=np.float32)
    for k, v in model.state_dict().items():
        if "running" in k:
            io["post." + k] = v.numpy().copy()
    save_safetensors(a.out + "/io.safetensors", io)
    print("torch: loss %.6f, %d params" % (loss.item(), sum(p.numel() for p in model.parameters())))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "multi":   # several cases, one torch import
        import shlex
        for spec in sys.argv[2:]:
            main(shlex.split(spec))
    else:
        main()
