"""ONNX test models exported by torch.onnx.export (python3-torch), with inputs
and torch's outputs, for tests/test_onnx_*.sh.

usage: onnx_models.py OUTDIR torchvision|ops|ptq
(ptq: densenet121 alone, and "tanhnet", a conv/Tanh/conv net with an op that
has no int8 form, for tests/test_ptq_tflite.sh)
Writes NAME.onnx, NAME.x.bin (the input, NHWC float32 as the imported .tflite
takes it) and NAME.y.bin (torch's output; rank-4 outputs NHWC) per model, and
OUTDIR/models.txt listing the names. Weights and BatchNorm statistics are
random (seeded) so folding errors show."""
import sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

out, which = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
rng = np.random.default_rng(0)


def randomize_bn(m):
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, (nn.BatchNorm2d, nn.BatchNorm1d)):
                c = mod.num_features
                mod.weight.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, c).astype(np.float32)))
                mod.bias.copy_(torch.from_numpy(rng.normal(0, 0.1, c).astype(np.float32)))
                mod.running_mean.copy_(torch.from_numpy(rng.normal(0, 0.1, c).astype(np.float32)))
                mod.running_var.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, c).astype(np.float32)))
    return m.eval()


names = []


def save(name, m, shape, opset=13):
    m = randomize_bn(m)
    x = torch.from_numpy(rng.standard_normal(shape).astype(np.float32))
    torch.onnx.export(m, x, "%s/%s.onnx" % (out, name), opset_version=opset)
    with torch.no_grad():
        y = m(x)
    nhwc = lambda t: t.permute(0, 2, 3, 1) if t.dim() == 4 else t
    nhwc(x).numpy().astype("<f4").tofile("%s/%s.x.bin" % (out, name))
    nhwc(y).numpy().astype("<f4").tofile("%s/%s.y.bin" % (out, name))
    names.append(name)


class ConvT(nn.Module):  # ConvTranspose SAME and VALID, LeakyRelu, Sigmoid, BN after a conv
    def __init__(s):
        super().__init__()
        s.c = nn.Conv2d(3, 8, 3, padding=1)
        s.bn = nn.BatchNorm2d(8)
        s.t1 = nn.ConvTranspose2d(8, 6, 4, stride=2, padding=1)
        s.t2 = nn.ConvTranspose2d(6, 4, 2, stride=2)
    def forward(s, x):
        x = F.leaky_relu(s.bn(s.c(x)), 0.2)
        return torch.sigmoid(s.t2(F.relu(s.t1(x))))


class Acts(nn.Module):  # PRelu, HardSwish, Tanh, Clip, grouped (depthwise) conv, standalone BN
    def __init__(s):
        super().__init__()
        s.c = nn.Conv2d(3, 6, 3, stride=2, padding=1)
        s.p = nn.PReLU(6)
        s.dw = nn.Conv2d(6, 12, 3, padding=2, dilation=2, groups=6)
        s.bn = nn.BatchNorm2d(12)
        s.c2 = nn.Conv2d(12, 5, 1)
    def forward(s, x):
        x = s.p(s.c(x))
        x = F.hardswish(s.dw(x))
        x = torch.tanh(s.bn(x * 1.0 + 0.0))
        return s.c2(torch.clamp(x, -0.5, 0.7)) - 0.25


class Pools(nn.Module):  # MaxPool with -inf padding, AveragePool both pad rules, Resize, Pad, Concat
    def __init__(s):
        super().__init__()
        s.c = nn.Conv2d(3, 4, 3)
    def forward(s, x):
        x = s.c(x)
        a = F.max_pool2d(x, 3, 2, 1)
        b = F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)
        c = F.avg_pool2d(x, 3, 2, 1, count_include_pad=True)
        y = torch.cat([a, b, c], 1)
        y = F.interpolate(y, scale_factor=2, mode="nearest")
        y = F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)
        y = F.pad(y, (1, 2, 0, 1))
        return F.max_pool2d(y, 2, 2, ceil_mode=True)


class Dense(nn.Module):  # shape arithmetic (view(size(0), -1)), Gemm, MatMul, Sub, Softmax, Transpose
    def __init__(s):
        super().__init__()
        s.c = nn.Conv2d(3, 4, 3, stride=2)
        s.fc = nn.Linear(4 * 8 * 9, 24)
        s.w = nn.Parameter(torch.randn(6, 5))
        s.w2 = nn.Parameter(torch.randn(6, 5))
    def forward(s, x):
        x = s.c(x)
        f = x.view(x.size(0), -1)
        h = s.fc(f).reshape(1, 4, 6)
        g = torch.matmul(h, s.w)              # [1,4,5]
        g = g.transpose(1, 2) - torch.matmul(h, s.w2).transpose(1, 2)  # Sub of two activations
        return torch.softmax(g.reshape(1, -1), dim=1)


class Layout(nn.Module):  # a Transpose/Reshape of a 4-D tensor and back, a rank-4 output
    def __init__(s):
        super().__init__()
        s.c = nn.Conv2d(3, 6, 3, padding=1)
    def forward(s, x):
        y = s.c(x)
        n, c, h, w = y.shape
        z = y.permute(0, 2, 3, 1).reshape(n, h * w, c).transpose(1, 2).reshape(n, c, h, w)
        return torch.relu(z.permute(0, 1, 3, 2)).reshape(n, c, h, w) * y


if which == "torchvision":
    import torchvision
    for name in ["resnet18", "mobilenet_v2", "densenet121"]:
        save(name, getattr(torchvision.models, name)(num_classes=10), (1, 3, 64, 64))
elif which == "ptq":
    import torchvision
    save("densenet121", torchvision.models.densenet121(num_classes=10), (1, 3, 64, 64))
    class TanhNet(nn.Module):
        def __init__(s):
            super().__init__()
            s.a = nn.Conv2d(3, 4, 3, padding=1)
            s.b = nn.Conv2d(4, 2, 3)
        def forward(s, x):
            return s.b(torch.tanh(s.a(x)))
    save("tanhnet", TanhNet(), (1, 3, 16, 16))
else:
    save("convt", ConvT(), (1, 3, 11, 13))
    save("acts", Acts(), (1, 3, 17, 19), opset=14)  # HardSwish is an op from opset 14
    save("pools", Pools(), (1, 3, 18, 19))  # MaxPool pads that are not SAME: PADV2 with -FLT_MAX
    save("dense", Dense(), (1, 3, 17, 19))
    save("layout", Layout(), (1, 3, 7, 9))
    save("pools_opset11", Pools(), (1, 3, 17, 19), opset=11)
    # not importable: an op outside the list (Erf), named in the error
    class Erf(nn.Module):
        def forward(s, x):
            return torch.erf(x)
    torch.onnx.export(Erf(), torch.zeros(1, 3, 4, 4), out + "/erf.onnx", opset_version=13)

    # a hostile file: graphs nested 200 deep (Model.graph -> Node.attribute -> Attribute.g -> ...)
    def field(num, payload):
        key, n, b = (num << 3) | 2, len(payload), bytearray()
        for v in (key, n):
            while True:
                b.append((v & 0x7f) | (0x80 if v > 0x7f else 0))
                v >>= 7
                if not v:
                    break
        return bytes(b) + payload
    g = b""
    for _ in range(200):
        g = field(1, field(5, field(6, g)))  # graph.node -> node.attribute -> attribute.g
    open(out + "/deep.onnx", "wb").write(field(7, g))
open(out + "/models.txt", "w").write("\n".join(names) + "\n")
