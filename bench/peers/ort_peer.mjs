// ONNX Runtime peer of bench/peers.sh (npm onnxruntime-node, CPU execution provider).
//   node ort_peer.mjs calib CALIB.onnx IMAGES.f32 IMAGES.json RANGES.json
//       runs each calibration image (NCHW float, shape in IMAGES.json) through the model of
//       `onnx_qdq.py expose` and writes {tensor: [min, max]} over all images
//   node ort_peer.mjs time MODEL.onnx --shape C,H,W --batch B --runs N [--threads T]
//       three warm-ups, then N timed runs; one JSON line (ms per image)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');

function opt(args, name, def) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
}

async function calib([model, imagesPath, shapePath, out]) {
  const shape = JSON.parse(readFileSync(shapePath, 'utf8')).shape; // [n, c, h, w]
  const buf = readFileSync(imagesPath);
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const per = shape[1] * shape[2] * shape[3];
  const s = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
  const ranges = {};
  for (let n = 0; n < shape[0]; n++) {
    const x = new ort.Tensor('float32', all.slice(n * per, (n + 1) * per), [1, ...shape.slice(1)]);
    const res = await s.run({ [s.inputNames[0]]: x });
    for (const [name, t] of Object.entries(res)) {
      let lo = Infinity, hi = -Infinity;
      for (const v of t.data) { if (v < lo) lo = v; if (v > hi) hi = v; }
      const r = ranges[name];
      ranges[name] = r ? [Math.min(r[0], lo), Math.max(r[1], hi)] : [lo, hi];
    }
  }
  // the input itself (not an output): the images are x/255
  let lo = Infinity, hi = -Infinity;
  for (const v of all) { if (v < lo) lo = v; if (v > hi) hi = v; }
  ranges[s.inputNames[0]] = [lo, hi];
  writeFileSync(out, JSON.stringify(ranges));
  console.log(`ort_peer: ${Object.keys(ranges).length} ranges over ${shape[0]} images -> ${out}`);
}

async function time(args) {
  const model = args[0];
  const [c, h, w] = opt(args, '--shape', '').split(',').map(Number);
  const batch = Number(opt(args, '--batch', '1')), runs = Number(opt(args, '--runs', '10'));
  const threads = Number(opt(args, '--threads', '2'));
  const s = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all' });
  const data = new Float32Array(batch * c * h * w);
  let seed = 1;
  for (let i = 0; i < data.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; data[i] = seed / 4294967296; }
  const feeds = { [s.inputNames[0]]: new ort.Tensor('float32', data, [batch, c, h, w]) };
  for (let i = 0; i < 3; i++) await s.run(feeds);
  const t = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await s.run(feeds);
    t.push((performance.now() - t0) / batch);
  }
  t.sort((a, b) => a - b);
  const med = t.length % 2 ? t[(t.length - 1) / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
  console.log(JSON.stringify({ ms_per_image_median: med, ms_per_image_min: t[0], ms_per_image_max: t[t.length - 1],
    runs, batch, threads, ort: ort.env.versions.node }));
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'calib') await calib(rest);
else if (cmd === 'time') await time(rest);
else { console.error('usage: ort_peer.mjs calib|time ...'); process.exit(2); }
