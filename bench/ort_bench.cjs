// Times ONNX Runtime (npm onnxruntime-node, its CPU execution provider) on a model made by export_onnx.py, after
// checking its output against PyTorch's (largest difference relative to the largest |value|, at most 1e-4).
// Prints the same figure lines as `convscope-cli bench`. A developer tool only.
//
//   node bench/ort_bench.cjs DIR [--threads 2] [--reps 5] [--warmup 1] [--spin 0|1] [--profile FILE]
//
// ONNX Runtime is found through NODE_PATH (compare_onnxruntime.sh installs it into a cache folder).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ort = require('onnxruntime-node');

async function main() {

  const args = process.argv.slice(2);
  const dir = args[0];
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const threads = Number(option('--threads', '2'));
  const reps = Number(option('--reps', '5'));
  const warmup = Number(option('--warmup', '1'));
  const spin = option('--spin', '1');
  const profile = option('--profile', '');

  const shapes = JSON.parse(fs.readFileSync(path.join(dir, 'shape.json'), 'utf8'));
  const readFloats = (name) => {
    const b = fs.readFileSync(path.join(dir, name));
    return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  };
  const input = new ort.Tensor('float32', readFloats('input.bin'), shapes.input);
  const expected = readFloats('expected.bin');

  const options = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableProfiling: profile !== '',
    ...(profile !== '' ? { profileFilePrefix: path.join(path.dirname(path.resolve(profile)), 'ort-profile') } : {}),
    extra: { session: { intra_op: { allow_spinning: spin } } },
  };
  const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), options);

  let output = (await session.run({ input })).output.data;
  let worst = 0, scale = 0;
  for (let i = 0; i < expected.length; ++i) {
    worst = Math.max(worst, Math.abs(output[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  const relative = worst / Math.max(scale, 1e-30);
  if (!(relative <= 1e-4)) {
    console.error(`ort_bench: ONNX Runtime's output differs from PyTorch's by ${relative.toExponential(2)} (relative) > 1e-4`);
    process.exit(1);
  }

  const times = [];
  for (let r = 0; r < warmup + reps; ++r) {
    const start = process.hrtime.bigint();
    output = (await session.run({ input })).output;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r >= warmup) times.push(ms);
  }
  if (profile !== '') {
    // The Node.js binding writes the profile as <prefix>_<date>.json and does not return its name.
    await session.endProfiling();
    const dir = path.dirname(path.resolve(profile));
    const written = fs.readdirSync(dir).filter((f) => f.startsWith('ort-profile') && f.endsWith('.json'))
      .map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
    if (written.length === 0) throw new Error(`ONNX Runtime wrote no profile into ${dir}`);
    fs.renameSync(written[0], profile);
  }
  times.sort((a, b) => a - b);
  const median = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  console.log(`workload: ONNX Runtime ${ort.env.versions.common} CPU, ${path.join(dir, 'model.onnx')}, input ${shapes.input.join('x')}`);
  console.log(`threads: ${threads}, spinning ${spin === '1' ? 'on' : 'off'}, reps: ${reps} (+${warmup} warm-up), output checked against PyTorch: ${relative.toExponential(2)}`);
  console.log(`median: ${median.toFixed(1)} ms   min: ${times[0].toFixed(1)} ms`);
}

main().catch((e) => {
  console.error(`ort_bench: ${e.message}`);
  process.exit(1);
});
