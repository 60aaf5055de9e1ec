#!/usr/bin/env python3
"""PyTorch CPU reference for bench_nn_ops: one training step (forward,
BCE-with-logits, backward, SGD momentum) of torchvision's densenet121 (14
classes, 224x224, NCHW as torch prefers) or a UNet of the same shape as
leapfrog's, at the given batch and threads.
Usage: bench_nn_ops_torch.py densenet121|unet BATCH STEPS THREADS"""
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torchvision
except ImportError as e:
    print("torch unavailable: %s" % e)
    sys.exit(1)

arch, batch, steps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)


def block(i, o):
    return nn.Sequential(nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(),
                         nn.Conv2d(o, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU())


class UNet(nn.Module):
    def __init__(self, f=(32, 64, 128, 256), bottom=512):
        super().__init__()
        self.enc = nn.ModuleList()
        c = 1
        for w in f:
            self.enc.append(block(c, w)); c = w
        self.bottom = block(c, bottom); self.drop = nn.Dropout(0.5); c = bottom
        self.up = nn.ModuleList(); self.dec = nn.ModuleList()
        for w in reversed(f):
            self.up.append(nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(c, w, 3, padding=1, bias=False),
                                         nn.BatchNorm2d(w), nn.ReLU()))
            self.dec.append(block(2 * w, w)); c = w
        self.head = nn.Conv2d(c, 1, 1)

    def forward(self, x):
        skips = []
        for e in self.enc:
            x = e(x); skips.append(x); x = nn.functional.max_pool2d(x, 2)
        x = self.drop(self.bottom(x))
        for u, d, s in zip(self.up, self.dec, reversed(skips)):
            x = d(torch.cat([s, u(x)], 1))
        return self.head(x)


if arch.startswith("densenet"):
    model = torchvision.models.densenet121(num_classes=14); x = torch.randn(batch, 3, 224, 224)
else:
    model = UNet(); x = torch.randn(batch, 1, 80, 112)
model.train()
opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
y = model(x)
t = (torch.rand(y.shape) < 0.5).float()
best = 1e30
cpu = 0.0
for s in range(steps + 1):
    t0 = time.perf_counter()
    c0 = time.process_time()
    opt.zero_grad()
    loss = nn.functional.binary_cross_entropy_with_logits(model(x), t)
    loss.backward()
    opt.step()
    dt = time.perf_counter() - t0
    if s > 0:
        best = min(best, dt)
        cpu += time.process_time() - c0
print("pytorch  %s batch %d threads %d: best step %.3f s, %.2f images/s, cpu %.3f s/step (torch %s)" %
      (arch, batch, threads, best, batch / best, cpu / steps, torch.__version__))
