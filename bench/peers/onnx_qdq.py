"""A static int8 QDQ model from an FP32 ONNX export (Debian's python3-onnx only: onnxruntime's
Python quantization tools are not packaged there), in the layout onnxruntime's own
quantize_static writes and its CPU provider fuses into QLinearConv / QGemm / QLinearConcat...:

  onnx_qdq.py expose FP32.onnx -o CALIB.onnx
      the prepared graph (below) with every float activation also a graph output, for
      `ort_peer.mjs calib` to record per-tensor min/max over the calibration images
  onnx_qdq.py build FP32.onnx RANGES.json -o INT8.onnx
      QuantizeLinear -> DequantizeLinear after every float activation (uint8, asymmetric, per
      tensor, the calibrated min/max widened to hold 0), except tensors whose only consumers
      are Relu (the Relu output is quantised instead, as ORT's tool drops removable
      activations; ORT then folds the Relu into the quantisation); MaxPool / Resize / Flatten /
      Reshape outputs keep their input's parameters (they run on 8-bit data unchanged); the sigmoid
      output is 1/256, 0. Conv weights: int8 symmetric per output channel (axis 0); Gemm
      weights int8 symmetric per tensor; biases int32 with scale = input scale * weight scale.

Activations are uint8 (U8S8, what ORT's x86 kernels compute in; the same arithmetic as int8
shifted by 128): with int8 ones ORT's S8->U8 rewrite left every conv whose output feeds
several consumers (the UNet's skips) in float.

Preparation, shared by both: Identity / Constant nodes on initializers become initializers,
Pads of zeros (torch's export of DenseNet's transition AvgPool) go, and a BatchNormalization that the exporter could not fold into a conv (DenseNet's
pre-activation norms) becomes a 1x1 depthwise Conv with per-channel weights and bias, as
`leapfrog convert` lowers it by default (int8 rather than a float island between DQ and Q).
"""
import argparse, json, sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

PASSTHROUGH = {"MaxPool", "Resize", "Flatten", "Reshape"}


def prepare(model):
    g = model.graph
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    nodes, alias = [], {}
    for n in g.node:
        n.input[:] = [alias.get(i, i) for i in n.input]
        if (n.op_type == "Pad" and len(n.input) > 1 and n.input[1] in inits and not inits[n.input[1]].any()
                and n.output[0] not in {o.name for o in g.output}):
            alias[n.output[0]] = n.input[0]  # the exporter's zero Pad before an AvgPool: a no-op
        elif n.op_type == "Identity" and n.input[0] in inits:
            inits[n.output[0]] = inits[n.input[0]]
        elif n.op_type == "Constant":
            inits[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
        elif n.op_type == "BatchNormalization" and all(i in inits for i in n.input[1:5]):
            gamma, beta, mean, var = (inits[i].astype(np.float64) for i in n.input[1:5])
            eps = next((a.f for a in n.attribute if a.name == "epsilon"), 1e-5)
            k = gamma / np.sqrt(var + eps)
            w, b = n.output[0] + "/dw_weight", n.output[0] + "/dw_bias"
            inits[w] = k.astype(np.float32).reshape(-1, 1, 1, 1)
            inits[b] = (beta - mean * k).astype(np.float32)
            nodes.append(helper.make_node("Conv", [n.input[0], w, b], [n.output[0]], name=n.name + "/dw",
                                          group=len(k), kernel_shape=[1, 1]))
        else:
            nodes.append(n)
    used = {i for n in nodes for i in n.input}
    del g.node[:]
    g.node.extend(nodes)
    del g.initializer[:]
    g.initializer.extend(numpy_helper.from_array(v, k) for k, v in inits.items() if k in used)
    model = onnx.shape_inference.infer_shapes(model)
    onnx.checker.check_model(model)
    return model


def activations(model):
    """Float activation tensors in topological order: graph inputs, then node outputs."""
    g = model.graph
    inits = {i.name for i in g.initializer}
    types = {v.name: v.type.tensor_type.elem_type for v in list(g.value_info) + list(g.output) + list(g.input)}
    out = [i.name for i in g.input if i.name not in inits and types.get(i.name) == TensorProto.FLOAT]
    out += [o for n in g.node for o in n.output if o and types.get(o) == TensorProto.FLOAT]
    return out


def expose(a):
    m = prepare(onnx.load(a.model))
    have = {o.name for o in m.graph.output}
    for t in activations(m):
        if t not in have:
            m.graph.output.append(helper.make_tensor_value_info(t, TensorProto.FLOAT, None))
    onnx.save(m, a.out)


def qparams(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0
    if scale <= 0:
        return 1.0, 0
    return scale, int(np.clip(np.round(-lo / scale), 0, 255))


def build(a):
    m = prepare(onnx.load(a.model))
    ranges = json.load(open(a.ranges))
    g = m.graph
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    consumers, producer = {}, {}
    for n in g.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
        for o in n.output:
            producer[o] = n
    outputs = {o.name for o in g.output}

    qp = {}  # tensor -> (scale, zero point)
    for t in activations(m):
        cs = consumers.get(t, [])
        if cs and t not in outputs and all(c.op_type == "Relu" for c in cs):
            continue
        p = producer.get(t)
        if p is not None and p.op_type in PASSTHROUGH and p.input[0] in qp:
            qp[t] = qp[p.input[0]]
        elif p is not None and p.op_type == "Sigmoid":
            qp[t] = (1.0 / 256.0, 0)
        elif t in ranges:
            qp[t] = qparams(*ranges[t])
        else:
            sys.exit("onnx_qdq: no calibrated range for %s" % t)

    new_inits, new_nodes = [], []

    def const(name, arr):
        new_inits.append(numpy_helper.from_array(arr, name))
        return name

    def qdq(t, src, dst):  # src (float) -> Q -> DQ -> dst (float)
        s, z = qp[t]
        sn, zn = const(t + "/scale", np.array(s, np.float32)), const(t + "/zp", np.array(z, np.uint8))
        new_nodes.append(helper.make_node("QuantizeLinear", [src, sn, zn], [t + "/q"], name=t + "/Q"))
        new_nodes.append(helper.make_node("DequantizeLinear", [t + "/q", sn, zn], [dst], name=t + "/DQ"))

    def weight(name, per_channel, tag):  # float initializer -> int8 + DQ; returns (dq name, scales)
        w = inits[name].astype(np.float64)
        name = tag + "/weight"  # one copy per node (the exporter shares equal initializers)
        amax = np.abs(w.reshape(w.shape[0], -1)).max(1) if per_channel else np.array(np.abs(w).max())
        s = np.where(amax > 0, amax / 127.0, 1.0)
        sb = s.reshape((-1,) + (1,) * (w.ndim - 1)) if per_channel else s
        q = np.clip(np.round(w / sb), -127, 127).astype(np.int8)
        qn = const(name + "/int8", q)
        sn = const(name + "/scale", s.astype(np.float32))
        zn = const(name + "/zp", np.zeros(s.shape, np.int8))
        kw = {"axis": 0} if per_channel else {}
        new_nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [name + "/dq"], name=name + "/DQ", **kw))
        return name + "/dq", s

    def bias(name, scale, tag):  # float bias -> int32 (scale = input scale * weight scale) + DQ
        s = np.broadcast_to(np.asarray(scale, np.float64), inits[name].shape).copy()
        q = np.clip(np.round(inits[name].astype(np.float64) / s), -2**31, 2**31 - 1).astype(np.int32)
        name = tag + "/bias"
        qn, sn = const(name + "/int32", q), const(name + "/scale", s.astype(np.float32))
        zn = const(name + "/zp", np.zeros(s.shape, np.int32))
        new_nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [name + "/dq"], name=name + "/DQ", axis=0))
        return name + "/dq"

    graph_inputs = {i.name for i in g.input}
    for t in [t for t in qp if t in graph_inputs]:  # inputs: Q/DQ first, consumers read the DQ
        qdq(t, t, t + "/dq")
    for n in g.node:
        ins = [i + "/dq" if i in graph_inputs and i in qp else i for i in n.input]
        x = n.input[0]
        transb = any(at.name == "transB" and at.i == 1 for at in n.attribute)
        # weights of a Conv, or of a Gemm in the exporter's transB=1 layout, whose input is quantised
        if (n.op_type == "Conv" or n.op_type == "Gemm" and transb) and x in qp and ins[1] in inits:
            ins[1], ws = weight(ins[1], n.op_type == "Conv", n.output[0])
            if len(ins) > 2 and ins[2] in inits:
                ins[2] = bias(ins[2], qp[x][0] * ws, n.output[0])
        node = helper.make_node(n.op_type, ins, [o + "/f" if o in qp else o for o in n.output], name=n.name)
        node.attribute.extend(n.attribute)
        new_nodes.append(node)
        for o in n.output:
            if o in qp:
                qdq(o, o + "/f", o)
    used = {i for n in new_nodes for i in n.input}
    kept = [i for i in g.initializer if i.name in used]
    del g.node[:]
    g.node.extend(new_nodes)
    del g.initializer[:]
    g.initializer.extend(kept + [i for i in new_inits if i.name in used])
    del g.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, a.out)
    nq = sum(1 for n in new_nodes if n.op_type == "QuantizeLinear")
    print("onnx_qdq: %s: %d activations quantised, %d weights" % (a.out, nq,
          sum(1 for n in new_nodes if n.op_type == "DequantizeLinear" and n.input[0].endswith("/weight/int8"))))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("expose")
    e.add_argument("model")
    e.add_argument("-o", "--out", required=True)
    b = sub.add_parser("build")
    b.add_argument("model")
    b.add_argument("ranges")
    b.add_argument("-o", "--out", required=True)
    a = ap.parse_args()
    expose(a) if a.cmd == "expose" else build(a)


if __name__ == "__main__":
    main()
