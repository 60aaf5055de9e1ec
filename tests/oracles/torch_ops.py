#!/usr/bin/env python3
"""PyTorch oracle for leapfrog's training engine (tests/test_nn_torch.c).

Usage: torch_ops.py OUTDIR
Writes OUTDIR/manifest.txt and one raw little-endian float32 file per tensor
(OUTDIR/<case>.<tensor>.bin), already in leapfrog's layouts: activations
NHWC, conv weights OHWI, transposed-conv weights IHWO, dense [out][in].
Manifest lines:
  case NAME OP key=value ...        (the op's parameters)
  tensor NAME TENSOR NDIM D0 D1 ...
  scalar NAME KEY VALUE
Exit 77 if torch is missing (the C test then skips).
"""
import os
import sys

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover
    print("torch oracle unavailable: %s" % e)
    sys.exit(77)

torch.manual_seed(0)
torch.set_num_threads(1)
rng = np.random.default_rng(20240611)
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
man = open(os.path.join(OUT, "manifest.txt"), "w")


def nhwc(t):
    return t.detach().permute(0, 2, 3, 1).contiguous()


def put(case, name, t):
    a = t.detach().cpu().numpy().astype("<f4") if torch.is_tensor(t) else np.asarray(t, dtype="<f4")
    a = np.ascontiguousarray(a)
    a.tofile(os.path.join(OUT, "%s.%s.bin" % (case, name)))
    man.write("tensor %s %s %d %s\n" % (case, name, a.ndim, " ".join(str(d) for d in a.shape)))


def case(name, op, **kw):
    man.write("case %s %s %s\n" % (name, op, " ".join("%s=%s" % (k, v) for k, v in kw.items())))


def rand(*shape, lo=-1.0, hi=1.0):
    return torch.tensor(rng.uniform(lo, hi, size=shape), dtype=torch.float32)


def run_unary(name, op, fn, x, params=(), nchw=True, **kw):
    """x NCHW; fn(x, *params) -> y NCHW. Writes x, y, dy, dx, and d<param>."""
    case(name, op, **kw)
    x = x.clone().requires_grad_(True)
    ps = [p.clone().requires_grad_(True) for p, _, _ in params]
    y = fn(x, *ps)
    dy = rand(*y.shape)
    y.backward(dy)
    put(name, "x", nhwc(x))
    put(name, "y", nhwc(y) if y.dim() == 4 else y.detach().reshape(y.shape[0], 1, 1, -1))
    put(name, "dy", nhwc(dy) if dy.dim() == 4 else dy.reshape(dy.shape[0], 1, 1, -1))
    put(name, "dx", nhwc(x.grad))
    for (p0, pname, layout), p in zip(params, ps):
        put(name, pname, layout(p0))
        put(name, "d" + pname, layout(p.grad))


ohwi = lambda w: w.detach().permute(0, 2, 3, 1).contiguous()      # OIHW -> OHWI
ihwo = lambda w: w.detach().permute(0, 2, 3, 1).contiguous()      # [in][out][kh][kw] -> IHWO
same = lambda t: t.detach()

# ---- conv2d ----
def conv(name, n, c, h, w, o, k, s, p, d=1, g=1, bias=True, kw_=None, pads=None):
    kh, kwid = (k, kw_ if kw_ else k)
    x = rand(n, c, h, w)
    wt = rand(o, c // g, kh, kwid, lo=-0.5, hi=0.5)
    params = [(wt, "weight", ohwi)]
    if bias:
        params.append((rand(o), "bias", same))
    if pads:  # asymmetric: (top, left, bottom, right)
        t, l, b, r = pads
        fn = lambda x, W, B=None: F.conv2d(F.pad(x, (l, r, t, b)), W, B, s, 0, d, g)
    else:
        t = l = b = r = p
        fn = lambda x, W, B=None: F.conv2d(x, W, B, s, p, d, g)
    run_unary(name, "conv2d", fn, x, params, out=o, kh=kh, kw=kwid, s=s, pt=t, pl=l, pb=b, pr=r, d=d, g=g,
              bias=int(bias))

conv("conv3x3", 2, 5, 9, 11, 7, 3, 1, 1)
conv("conv3x3s2", 3, 4, 10, 9, 6, 3, 2, 1, bias=False)
conv("conv7x7s2p3", 2, 3, 17, 15, 8, 7, 2, 3, bias=False)
conv("conv1x1", 2, 13, 5, 6, 9, 1, 1, 0, bias=False)
conv("conv_dil2", 2, 3, 11, 10, 4, 3, 1, 2, d=2)
conv("conv_groups", 2, 6, 7, 7, 4, 3, 1, 1, g=2)
conv("conv_asym", 2, 3, 8, 9, 5, 3, 2, 0, kw_=2, pads=(0, 1, 1, 0))
# large enough that im2col runs in blocks of output rows within one image
conv("conv_rowblocks", 2, 16, 45, 37, 20, 3, 1, 1)
conv("conv_rowblocks_s2", 1, 24, 61, 50, 8, 5, 2, 2)

# ---- transposed conv ----
def tconv(name, n, c, h, w, o, k, s, p, op=0, g=1, bias=True):
    x = rand(n, c, h, w)
    wt = rand(c, o // g, k, k, lo=-0.5, hi=0.5)
    params = [(wt, "weight", ihwo)]
    if bias:
        params.append((rand(o), "bias", same))
    fn = lambda x, W, B=None: F.conv_transpose2d(x, W, B, s, p, op, g)
    run_unary(name, "conv_transpose2d", fn, x, params, out=o, k=k, s=s, p=p, opad=op, g=g, bias=int(bias))

tconv("tconv2x2s2", 2, 6, 5, 7, 4, 2, 2, 0)
tconv("tconv3x3s2p1op1", 2, 4, 4, 5, 6, 3, 2, 1, op=1, g=2)

# ---- dense ----
x = rand(4, 37)
W = rand(14, 37, lo=-0.3, hi=0.3)
B = rand(14)
case("dense", "dense", out=14, bias=1)
xx = x.clone().requires_grad_(True); Wg = W.clone().requires_grad_(True); Bg = B.clone().requires_grad_(True)
y = F.linear(xx, Wg, Bg); dy = rand(*y.shape); y.backward(dy)
put("dense", "x", xx.detach().reshape(4, 1, 1, 37)); put("dense", "y", y.detach().reshape(4, 1, 1, 14))
put("dense", "dy", dy.reshape(4, 1, 1, 14)); put("dense", "dx", xx.grad.reshape(4, 1, 1, 37))
put("dense", "weight", W); put("dense", "dweight", Wg.grad); put("dense", "bias", B); put("dense", "dbias", Bg.grad)

# ---- batch norm ----
for name, train, relu in (("bn_train", 1, 0), ("bn_eval", 0, 0), ("bn_relu_train", 1, 1), ("bn_relu_eval", 0, 1)):
    bn = torch.nn.BatchNorm2d(6)
    with torch.no_grad():
        bn.weight.copy_(rand(6, lo=0.5, hi=1.5)); bn.bias.copy_(rand(6))
        bn.running_mean.copy_(rand(6)); bn.running_var.copy_(rand(6, lo=0.5, hi=2.0))
    g0, b0 = bn.weight.detach().clone(), bn.bias.detach().clone()
    rm0, rv0 = bn.running_mean.clone(), bn.running_var.clone()
    bn.train(bool(train))
    x = (rand(3, 6, 5, 7) * 2 + 0.5).requires_grad_(True)
    y = bn(x)
    if relu:  # leapfrog fuses BN -> ReLU when the ReLU is the BN's only consumer
        y = torch.relu(y)
    dy = rand(*y.shape); y.backward(dy)
    case(name, "batchnorm", train=train, relu=relu)
    put(name, "x", nhwc(x)); put(name, "y", nhwc(y)); put(name, "dy", nhwc(dy)); put(name, "dx", nhwc(x.grad))
    put(name, "weight", g0); put(name, "bias", b0); put(name, "running_mean", rm0); put(name, "running_var", rv0)
    put(name, "dweight", bn.weight.grad); put(name, "dbias", bn.bias.grad)
    put(name, "new_running_mean", bn.running_mean); put(name, "new_running_var", bn.running_var)

# ---- activations ----
run_unary("relu", "relu", F.relu, rand(2, 3, 4, 5))
run_unary("leaky_relu", "leaky_relu", lambda x: F.leaky_relu(x, 0.2), rand(2, 3, 4, 5), slope=0.2)
run_unary("sigmoid", "sigmoid", torch.sigmoid, rand(2, 3, 4, 5, lo=-6, hi=6))

# ---- pooling ----
def perm_input(n, c, h, w):  # distinct values: no max-pool ties
    v = rng.permutation(n * c * h * w).astype(np.float32) / (n * c * h * w)
    return torch.tensor(v.reshape(n, c, h, w))

run_unary("maxpool3s2p1", "maxpool", lambda x: F.max_pool2d(x, 3, 2, 1), perm_input(2, 3, 11, 9), k=3, s=2, p=1)
run_unary("maxpool2s2", "maxpool", lambda x: F.max_pool2d(x, 2, 2), perm_input(2, 4, 9, 8), k=2, s=2, p=0)
run_unary("avgpool2s2", "avgpool", lambda x: F.avg_pool2d(x, 2, 2), rand(2, 3, 9, 8), k=2, s=2, p=0, cip=1)
run_unary("avgpool3s2p1", "avgpool", lambda x: F.avg_pool2d(x, 3, 2, 1), rand(2, 3, 9, 8), k=3, s=2, p=1, cip=1)
run_unary("avgpool3s2p1_nocip", "avgpool", lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
          rand(2, 3, 9, 8), k=3, s=2, p=1, cip=0)
run_unary("gap", "global_avgpool", lambda x: F.adaptive_avg_pool2d(x, 1).flatten(1), rand(3, 5, 7, 6))

# ---- upsampling (torch.nn.Upsample / F.interpolate) ----
up = torch.nn.Upsample
run_unary("up_nearest2", "upsample", up(scale_factor=2, mode="nearest"), rand(2, 3, 5, 7), mode=0, oh=10, ow=14, ac=0)
run_unary("up_nearest_size", "upsample", up(size=(7, 11), mode="nearest"), rand(2, 3, 5, 4), mode=0, oh=7, ow=11, ac=0)
run_unary("up_bilinear2", "upsample", up(scale_factor=2, mode="bilinear"), rand(2, 3, 5, 7), mode=1, oh=10, ow=14, ac=0)
run_unary("up_bilinear_size", "upsample", up(size=(9, 13), mode="bilinear"), rand(2, 3, 5, 7), mode=1, oh=9, ow=13, ac=0)
run_unary("up_bilinear_ac", "upsample", up(size=(9, 15), mode="bilinear", align_corners=True), rand(1, 2, 4, 6),
          mode=1, oh=9, ow=15, ac=1)

# ---- losses ----
logits = rand(6, 14, lo=-4, hi=4); tgt = (torch.rand(6, 14) < 0.3).float(); pw = rand(14, lo=0.5, hi=5)
for name, kw in (("bce", {}), ("bce_pw", {"pos_weight": pw})):
    x = logits.clone().requires_grad_(True)
    l = F.binary_cross_entropy_with_logits(x, tgt, **kw); l.backward()
    case(name, "bce", pw=int("pos_weight" in kw))
    put(name, "x", x.detach().reshape(6, 1, 1, 14)); put(name, "t", tgt.reshape(6, 1, 1, 14))
    put(name, "dx", x.grad.reshape(6, 1, 1, 14)); put(name, "loss", l.reshape(1)); put(name, "pw", pw)

def dice_loss(p, t, smooth, per_image):  # the paper's Keras dice_coef, and per image
    if per_image:
        p2, t2 = p.flatten(1), t.flatten(1)
        d = (2 * (p2 * t2).sum(1) + smooth) / (p2.sum(1) + t2.sum(1) + smooth)
        return (1 - d).mean()
    return 1 - (2 * (p * t).sum() + smooth) / (p.sum() + t.sum() + smooth)

mlog = rand(3, 1, 8, 10, lo=-3, hi=3); mt = (torch.rand(3, 1, 8, 10) < 0.4).float()
for per in (0, 1):
    name = "dice%d" % per
    p = torch.sigmoid(mlog).detach().requires_grad_(True)
    l = dice_loss(p, mt, 1.0, per); l.backward()
    case(name, "dice", per_image=per)
    put(name, "x", nhwc(p)); put(name, "t", nhwc(mt)); put(name, "dx", nhwc(p.grad)); put(name, "loss", l.reshape(1))
    name = "bcedice%d" % per
    x = mlog.clone().requires_grad_(True)
    l = 0.5 * F.binary_cross_entropy_with_logits(x, mt) + 2.0 * dice_loss(torch.sigmoid(x), mt, 1.0, per)
    l.backward()
    case(name, "bce_dice", per_image=per, wb=0.5, wd=2.0)
    put(name, "x", nhwc(x)); put(name, "t", nhwc(mt)); put(name, "dx", nhwc(x.grad)); put(name, "loss", l.reshape(1))

# ---- optimisers: 4 steps on one [5][7] parameter with given gradients ----
opts = [
    ("sgd", 0, lambda p: torch.optim.SGD([p], lr=0.1)),
    ("sgd_mom", 0, lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-2)),
    ("sgd_nesterov", 0, lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    ("adam", 1, lambda p: torch.optim.Adam([p], lr=1e-2, weight_decay=1e-2)),
    ("adamw", 2, lambda p: torch.optim.AdamW([p], lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
]
cfgs = {"sgd": "lr=0.1 mom=0 damp=0 nest=0 wd=0 b1=0.9 b2=0.999 eps=1e-8",
        "sgd_mom": "lr=0.05 mom=0.9 damp=0.1 nest=0 wd=0.01 b1=0.9 b2=0.999 eps=1e-8",
        "sgd_nesterov": "lr=0.05 mom=0.9 damp=0 nest=1 wd=0.001 b1=0.9 b2=0.999 eps=1e-8",
        "adam": "lr=0.01 mom=0 damp=0 nest=0 wd=0.01 b1=0.9 b2=0.999 eps=1e-8",
        "adamw": "lr=0.01 mom=0 damp=0 nest=0 wd=0.05 b1=0.8 b2=0.99 eps=1e-6"}
p0 = rand(5, 7)
grads = [rand(5, 7) for _ in range(4)]
for name, kind, mk in opts:
    p = p0.clone().requires_grad_(True)
    o = mk(p)
    man.write("case opt_%s optim kind=%d %s\n" % (name, kind, cfgs[name]))
    put("opt_" + name, "p0", p0)
    for i, g in enumerate(grads):
        p.grad = g.clone(); o.step()
        put("opt_" + name, "g%d" % i, g); put("opt_" + name, "p%d" % (i + 1), p)

# ---- gradient clipping ----
gs = [rand(5, 7) * 3, rand(5) * 3]
ps = [torch.zeros(5, 7, requires_grad=True), torch.zeros(5, requires_grad=True)]
for p, g in zip(ps, gs):
    p.grad = g.clone()
tn = torch.nn.utils.clip_grad_norm_(ps, 2.5)
case("clip", "clip", max_norm=2.5)
put("clip", "g0", gs[0]); put("clip", "g1", gs[1]); put("clip", "c0", ps[0].grad); put("clip", "c1", ps[1].grad)
put("clip", "norm", tn.reshape(1))

# ---- ReduceLROnPlateau ----
metrics = [0.5, 0.6, 0.6, 0.59, 0.6, 0.61, 0.61, 0.6, 0.58, 0.6, 0.7, 0.7, 0.69, 0.7, 0.7, 0.7, 0.71, 0.7]
for name, mode, kw in (("plateau_max", 1, dict(mode="max", factor=0.5, patience=2, cooldown=1, min_lr=1e-3)),
                       ("plateau_min_abs", 0, dict(mode="min", factor=0.1, patience=1, threshold=0.05,
                                                   threshold_mode="abs"))):
    p = torch.zeros(1, requires_grad=True)
    o = torch.optim.SGD([p], lr=0.1)
    s = torch.optim.lr_scheduler.ReduceLROnPlateau(o, **kw)
    lrs = []
    for m in (metrics if mode else [1 - v for v in metrics]):
        s.step(m); lrs.append(o.param_groups[0]["lr"])
    case(name, "plateau", mode=mode, factor=kw["factor"], patience=kw["patience"], cooldown=kw.get("cooldown", 0),
         min_lr=kw.get("min_lr", 0), threshold=kw.get("threshold", 1e-4),
         tabs=int(kw.get("threshold_mode", "rel") == "abs"))
    put(name, "metrics", metrics if mode else [1 - v for v in metrics]); put(name, "lrs", lrs)

man.close()
print("torch %s: oracle written to %s" % (torch.__version__, OUT))
