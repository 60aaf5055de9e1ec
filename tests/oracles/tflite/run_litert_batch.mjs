// Run MANY .tflite models with LiteRT.js in ONE node process (the oracle tests
// build hundreds of single-op models; starting node + wasm per model costs
// ~0.3 s, compiling a small model ~1 ms).
//
// usage: node run_litert_batch.mjs MANIFEST
//   MANIFEST: one run per line, tab-separated:  MODEL  IN0[,IN1...]  OUT
//   Consecutive lines with the same MODEL reuse the compiled model.
//   Files are raw tensor bytes as in run_litert.mjs (OUT = outputs concatenated).
//   A model LiteRT rejects (ERROR lines, exception) gets OUT.err with the
//   message instead of OUT; the batch goes on.  One JSON line per model on stdout.
// env: TFLITE_THREADS (default 1), TFLITE_REPEAT (default 1: time N runs per line;
//      wall ms and process CPU ms of each run go to the JSON line)
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const origErr = console.error;
let runtimeErrors = [];
const chatter = (f) => (...a) => {
  const s = a.map(String).join(' ');
  if (/^ERROR: /.test(s)) { runtimeErrors.push(s); return; }
  if (/^(INFO|WARNING): /.test(s) || /WebGPU/.test(s)) return;
  f(...a);
};
console.warn = chatter(console.warn); console.error = chatter(console.error);
console.log = chatter((...a) => origErr(...a));
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

globalThis.self = globalThis;
globalThis.importScripts = (file) => {
  const src = fs.readFileSync(file, 'utf8');
  const fn = new Function('require', 'module', 'exports', '__filename', '__dirname',
    src + '\n;return ModuleFactory;');
  const m = { exports: {} };
  globalThis.ModuleFactory = fn(require, m, m.exports, file, path.dirname(file));
};

// @litertjs/core 2.5.3's JS layer maps only float32/int32/uint8: add int8 etc.
const coreDir = path.dirname(require.resolve('@litertjs/core/package.json'));
const coreSrc = fs.readFileSync(path.join(coreDir, 'dist/index.js'), 'utf8');
const anchor = /(\{\s*dtype: "uint8",\s*typedArrayConstructor: Uint8Array,\s*elementType: ElementType\.UINT8\s*\})\s*\]\);/;
if (!anchor.test(coreSrc)) throw new Error('@litertjs/core layout changed; cannot add int8 dtype');
const patched = coreSrc.replace(anchor, `$1,
  { dtype: "int8", typedArrayConstructor: Int8Array, elementType: ElementType.INT8 },
  { dtype: "int16", typedArrayConstructor: Int16Array, elementType: ElementType.INT16 },
  { dtype: "int64", typedArrayConstructor: BigInt64Array, elementType: ElementType.INT64 },
  { dtype: "bool", typedArrayConstructor: Uint8Array, elementType: ElementType.BOOL }
]);`);
// Written atomically under a per-process name: several tests may start at once.
const patchedFile = path.join(here, `.litert_core_batch_${process.pid}.mjs`);
fs.writeFileSync(patchedFile + '.tmp', patched);
fs.renameSync(patchedFile + '.tmp', patchedFile);
let lrt;
try { lrt = await import(pathToFileURL(patchedFile).href); } finally { fs.rmSync(patchedFile, { force: true }); }

const manifest = process.argv[2];
if (!manifest) { origErr('usage: node run_litert_batch.mjs MANIFEST'); process.exit(2); }
const threads = parseInt(process.env.TFLITE_THREADS || '1', 10);
const repeat = parseInt(process.env.TFLITE_REPEAT || '1', 10);
await lrt.loadLiteRt(path.join(coreDir, 'wasm') + '/');

const CTOR = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array, int8: Int8Array,
  int16: Int16Array, int64: BigInt64Array, bool: Uint8Array };
const lines = fs.readFileSync(manifest, 'utf8').split('\n').filter(l => l.trim()).map(l => l.split('\t'));
let i = 0, failures = 0;
while (i < lines.length) {
  const modelPath = lines[i][0];
  let j = i;
  while (j < lines.length && lines[j][0] === modelPath) j++;
  const group = lines.slice(i, j); i = j;
  const rec = { model: modelPath, runs: group.length, ms: [], cpu_ms: [] };
  let model = null;
  try {
    runtimeErrors = [];
    model = await lrt.loadAndCompile(new Uint8Array(fs.readFileSync(modelPath)),
      { accelerator: 'wasm', cpuOptions: { numThreads: threads } });
    if (runtimeErrors.length) throw new Error(runtimeErrors.join(' | '));
    const inDet = model.getInputDetails();
    for (const [, ins, outPath] of group) {
      const inFiles = ins.split(',');
      if (inFiles.length !== inDet.length) throw new Error(`model has ${inDet.length} inputs, got ${inFiles.length}`);
      const inputs = inDet.map((d, k) => {
        const C = CTOR[d.dtype], n = d.shape.reduce((a, b) => a * b, 1);
        const buf = fs.readFileSync(inFiles[k]);
        if (buf.length !== n * C.BYTES_PER_ELEMENT) throw new Error(`input ${k}: expected ${n * C.BYTES_PER_ELEMENT} bytes, got ${buf.length}`);
        const arr = new C(n); new Uint8Array(arr.buffer).set(buf);
        return new lrt.Tensor(arr, Array.from(d.shape));
      });
      let outs;
      for (let r = 0; r < repeat; r++) {
        if (outs) outs.forEach(t => t.delete());
        const t0 = performance.now(), c0 = process.cpuUsage();
        outs = await model.run(inputs);
        rec.ms.push(+(performance.now() - t0).toFixed(3));
        const c = process.cpuUsage(c0);  // CPU time: robust when the machine is shared
        rec.cpu_ms.push(+((c.user + c.system) / 1000).toFixed(3));
      }
      if (runtimeErrors.length) throw new Error(runtimeErrors.join(' | '));
      const blobs = outs.map(t => { const a = t.toTypedArray(); return Buffer.from(a.buffer, a.byteOffset, a.byteLength); });
      fs.writeFileSync(outPath, Buffer.concat(blobs));
      inputs.forEach(t => t.delete()); outs.forEach(t => t.delete());
    }
    rec.ok = true;
  } catch (e) {
    failures++;
    rec.ok = false; rec.error = String(e && e.message || e);
    for (const [, , outPath] of group) fs.writeFileSync(outPath + '.err', rec.error + '\n');
  }
  if (model) model.delete();
  out(rec);
}
process.exit(0);
