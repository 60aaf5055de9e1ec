"""PyTorch peer of bench/peers.sh (Debian's python3-torch 1.13).

  torch_peer.py prepare --arch densenet|unet --data SYNTH_DIR --out DIR [--calib N] [--seed S]
      Builds the model with seeded random init (torchvision densenet121, 14 classes, 224x224x3;
      the paper's UNet of include/leapfrog/lf_models.h, 80x112x1) with a sigmoid on its
      output (leapfrog's .tflite ends at the probabilities too) and writes into DIR:
        weights.safetensors  the bare state_dict, for `leapfrog convert --arch ...`
        calib.f32 + calib.json  N calibration images (NCHW float, x/255) from the synthetic
                             dataset's train list, for torch and ONNX Runtime alike
        torch_fp32.pt        torch.jit.trace + torch.jit.freeze
        torch_int8.pt        FX graph mode post-training quantization (per-channel
                             symmetric int8 weights, per-tensor asymmetric quint8 activations
                             with min/max observers over the calibration images), traced + frozen
        fp32.onnx            torch.onnx.export (opset 13, dynamic batch)
        lf_in_{fp32,int8}_b{1,8}.bin  NHWC inputs for `leapfrog bench/invoke`
  torch_peer.py time MODEL.pt --shape C,H,W --batch B --runs N [--threads T]
      Three warm-ups (the JIT optimises after its profiling runs), then N timed forwards; prints one JSON line (ms per image).
"""
import argparse, copy, json, os, statistics, sys, time, warnings

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "oracles"))


def pick_engine():
    """The quantized engine: onednn (x86 VNNI through oneDNN), else x86, fbgemm, qnnpack."""
    for e in ("onednn", "x86", "fbgemm", "qnnpack"):
        if e in torch.backends.quantized.supported_engines:
            return e
    raise SystemExit("torch_peer: no quantized engine in this torch")


def build(arch):
    if arch == "densenet":
        import torchvision
        net, shape = torchvision.models.densenet121(num_classes=14), (3, 224, 224)
    else:
        from torch_densenet import UNet  # the lf_models.h UNet in torch
        net, shape = UNet(width=32, depth=4, in_c=1, classes=1), (1, 80, 112)
    return net, shape


def calib_images(data, arch, shape, n):
    """The first n images of the synthetic dataset's training list, as the runtimes see them."""
    from PIL import Image
    c, h, w = shape
    if arch == "densenet":
        names = [l.strip() for l in open(os.path.join(data, "train_val_list.txt")) if l.strip()]
        paths = [os.path.join(data, "images", f) for f in names]
    else:
        tr = os.path.join(data, "train")
        paths = [os.path.join(tr, f) for f in sorted(os.listdir(tr)) if f.endswith(".tif") and "_mask" not in f]
    if len(paths) < n:
        raise SystemExit("torch_peer: %s has %d images, %d wanted" % (data, len(paths), n))
    out = []
    for p in paths[:n]:
        im = Image.open(p).convert("RGB" if c == 3 else "L").resize((w, h), Image.BILINEAR)
        a = np.asarray(im, dtype=np.float32).reshape(h, w, c) / 255.0
        out.append(a.transpose(2, 0, 1))
    return np.stack(out).astype(np.float32)


def save_state_dict(path, net):
    from torch_densenet import save_safetensors
    save_safetensors(path, {k: v.detach().numpy().copy() for k, v in net.state_dict().items()})


def prepare(a):
    warnings.filterwarnings("ignore")  # torch.onnx / FX chatter
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    net, shape = build(a.arch)
    net.eval()
    os.makedirs(a.out, exist_ok=True)
    save_state_dict(os.path.join(a.out, "weights.safetensors"), net)
    model = nn.Sequential(net, nn.Sigmoid()).eval()

    x = calib_images(a.data, a.arch, shape, a.calib)
    x.tofile(os.path.join(a.out, "calib.f32"))
    json.dump({"shape": list(x.shape)}, open(os.path.join(a.out, "calib.json"), "w"))
    # leapfrog inputs (NHWC): the first calibration image, batch 1 and 8; int8 as
    # the unit-normalised image in the model's usual input quantisation (scale 1/255, zp -128)
    for b in (1, 8):
        nhwc = np.repeat(x[:1], b, 0).transpose(0, 2, 3, 1)
        np.ascontiguousarray(nhwc).tofile(os.path.join(a.out, "lf_in_fp32_b%d.bin" % b))
        q = np.clip(np.round(nhwc * 255.0) - 128, -128, 127).astype(np.int8)
        q.tofile(os.path.join(a.out, "lf_in_int8_b%d.bin" % b))

    ex = torch.from_numpy(x[:1])
    with torch.no_grad():
        fp32 = torch.jit.freeze(torch.jit.trace(model, ex))
        fp32.save(os.path.join(a.out, "torch_fp32.pt"))
    engine = pick_engine()
    json.dump({"engine": engine, "torch": torch.__version__},
              open(os.path.join(a.out, "torch_info.json"), "w"))
    # a failed export or quantisation leaves that model out, with the reason for its table cell
    for name, fn in (("ort_fp32", lambda: export_onnx(model, ex, a.out)),
                     ("torch_int8", lambda: quantize(model, x, engine, a.out))):
        try:
            fn()
        except Exception as e:
            msg = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
            open(os.path.join(a.out, name + ".why"), "w").write(msg[:200] + "\n")
            print("torch_peer: %s failed: %s" % (name, msg), file=sys.stderr)
    print("torch_peer: prepared %s in %s (quantized engine %s, %d calibration images)" % (a.arch, a.out, engine, len(x)))


def export_onnx(model, ex, out):
    with torch.no_grad():
        torch.onnx.export(model, ex, os.path.join(out, "fp32.onnx"), opset_version=13,
                          input_names=["input"], output_names=["probs"],
                          dynamic_axes={"input": {0: "n"}, "probs": {0: "n"}}, do_constant_folding=True)


def quantize(model, x, engine, out):
    from torch.ao.quantization import QConfig, get_default_qconfig_mapping
    from torch.ao.quantization.observer import MinMaxObserver, PerChannelMinMaxObserver
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = engine
    # min/max ranges like the ONNX Runtime QDQ model and `leapfrog ptq --method minmax`;
    # reduce_range only where the engine needs it (fbgemm without VNNI)
    qconfig = QConfig(
        activation=MinMaxObserver.with_args(dtype=torch.quint8, reduce_range=engine == "fbgemm"),
        weight=PerChannelMinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_channel_symmetric))
    # the engine's default mapping (fixed qparams for the sigmoid), min/max everywhere else
    qmap = get_default_qconfig_mapping(engine).set_global(qconfig)
    ex = torch.from_numpy(x[:1])
    prepared = prepare_fx(copy.deepcopy(model), qmap, example_inputs=(ex,))
    with torch.no_grad():
        for i in range(len(x)):
            prepared(torch.from_numpy(x[i:i + 1]))
        int8 = torch.jit.freeze(torch.jit.trace(convert_fx(prepared), ex))
    int8.save(os.path.join(out, "torch_int8.pt"))


def time_model(a):
    torch.set_num_threads(a.threads)
    info = json.load(open(os.path.join(os.path.dirname(a.model), "torch_info.json")))
    torch.backends.quantized.engine = info["engine"]
    m = torch.jit.load(a.model).eval()
    c, h, w = (int(v) for v in a.shape.split(","))
    x = torch.rand(a.batch, c, h, w)
    times = []
    with torch.no_grad():
        for _ in range(3):  # warm-up: the profiling executor optimises after its first runs
            m(x)
        for _ in range(a.runs):
            t0 = time.perf_counter()
            m(x)
            times.append((time.perf_counter() - t0) * 1e3 / a.batch)
    print(json.dumps({"ms_per_image_median": statistics.median(times), "ms_per_image_min": min(times),
                      "ms_per_image_max": max(times), "runs": a.runs, "batch": a.batch,
                      "threads": torch.get_num_threads(), "engine": info["engine"], "torch": torch.__version__}))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--arch", choices=["densenet", "unet"], required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--calib", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    t = sub.add_parser("time")
    t.add_argument("model")
    t.add_argument("--shape", required=True)
    t.add_argument("--batch", type=int, default=1)
    t.add_argument("--runs", type=int, default=10)
    t.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    prepare(a) if a.cmd == "prepare" else time_model(a)


if __name__ == "__main__":
    main()
