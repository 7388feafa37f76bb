#!/usr/bin/env node
// Seconds per SST training epoch of a level-batched tree model (issue 13's speed target: the binary
// Tree-LSTM, word vectors 300, hidden 150, batch 100, one thread, ≤ 9 s per epoch of 8 544 trees).
// Times `--batches` minibatches of a fixed shuffle (forward, per-node cross-entropy, backward,
// AdaGrad step) after `--warmup` untimed ones and extrapolates to the whole epoch; prints one JSON line.
// Not a test and never run in CI; profile with `node --cpu-prof bench/scripts/tree-epoch.mjs --batches 5`.
//   node bench/scripts/tree-epoch.mjs [--train FILE] [--model tree-lstm|rntn|rnn|child-sum-tree-lstm]
//        [--dim 300] [--hidden 150] [--batch 100] [--batches N (default: the whole epoch)] [--warmup 2] [--seed 1]
//        [--frozen-embeddings] [--fast] [--threads N (default 1)] [--repeat R (default 1)]
// --repeat R runs the timed batches R times (training on) and also reports the sum over batches of
// each batch's least CPU time: on a shared machine, the closest to a quiet core's figure.
// --fast trains on the relaxed-SIMD core (fused multiply-add GEMM; Node 20 gets the V8 flag set here).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { backward, detectFeatures, loadCore, manualSeed, optim, ready, scope, useCore } from '@eddy/autograd';
import { BinaryTreeLSTM, ChildSumTreeLSTM, RecursiveNN, RNTN } from '@eddy/models';
import { childListSchedule, levelSchedule, parseTrees, Vocab } from '@eddy/text';

const root = fileURLToPath(new URL('../..', import.meta.url));
const argv = process.argv.slice(2);
const value = (flag, fallback) => {
  const i = argv.indexOf(flag);
  return i < 0 ? fallback : argv[i + 1];
};
const train = value('--train', join(root, '../shared/data/sst/train.txt'));
const kind = value('--model', 'tree-lstm');
const dim = Number(value('--dim', 300));
const hidden = Number(value('--hidden', kind === 'rntn' || kind === 'rnn' ? 25 : 150));
const batchSize = Number(value('--batch', 100));
const warmup = Number(value('--warmup', 2));
const seed = Number(value('--seed', 1));
const fast = argv.includes('--fast');
const threads = Number(value('--threads', 1));
const repeat = Number(value('--repeat', 1));

if (fast && !detectFeatures().relaxedSimd) setFlagsFromString('--experimental-wasm-relaxed-simd');
await ready();
if (fast || threads !== 1) {
  const core = await loadCore({ deterministic: !fast, threads });
  if (fast && core.variant !== 'relaxed') throw new Error(`--fast: this engine has no relaxed SIMD (got the ${core.variant} core)`);
  useCore(core);
}
const trees = parseTrees(readFileSync(train, 'utf8'));
const counts = new Map();
for (const t of trees) for (const w of t.words) if (w !== '') counts.set(w, (counts.get(w) ?? 0) + 1);
const vocab = new Vocab([...counts.keys()].sort());

manualSeed(seed);
const options = { vocabSize: vocab.size, numClasses: 5 };
const model =
  kind === 'tree-lstm' ? new BinaryTreeLSTM({ ...options, embeddingSize: dim, hiddenSize: hidden })
  : kind === 'child-sum-tree-lstm' ? new ChildSumTreeLSTM({ ...options, embeddingSize: dim, hiddenSize: hidden })
  : kind === 'rntn' ? new RNTN({ ...options, hiddenSize: hidden })
  : kind === 'rnn' ? new RecursiveNN({ ...options, hiddenSize: hidden })
  : null;
if (model === null) throw new Error(`--model must be tree-lstm, child-sum-tree-lstm, rntn or rnn, got ${kind}`);
const schedule = kind === 'child-sum-tree-lstm' ? childListSchedule : levelSchedule;
// --frozen-embeddings: fixed word vectors (no gradient for them, so no dX at the leaves either).
const frozen = argv.includes('--frozen-embeddings');
if (frozen) model.embedding.weight.setRequiresGrad(false);
const opt = new optim.Adagrad(model.parameters().filter((p) => p.requiresGrad), { lr: 0.05 });

// A fixed shuffle (Fisher–Yates on a small LCG, independent of Eddy's RNG).
const order = trees.map((_, i) => i);
let state = seed >>> 0;
for (let i = order.length - 1; i > 0; i--) {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  const j = state % (i + 1);
  [order[i], order[j]] = [order[j], order[i]];
}
const epochBatches = Math.ceil(trees.length / batchSize);
const timed = Math.min(Number(value('--batches', epochBatches)), epochBatches - warmup);

let nodes = 0;
// CPU seconds per phase of the timed batches: schedule, forward (with the loss), backward, optimizer.
const phases = { schedule: 0, forward: 0, backward: 0, optimizer: 0 };
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const step = (b) => {
  let t = cpuNow();
  const lap = (phase) => {
    const now = cpuNow();
    phases[phase] += now - t;
    t = now;
  };
  const batch = schedule(order.slice(b * batchSize, (b + 1) * batchSize).map((i) => trees[i]), vocab);
  nodes += batch.numNodes;
  lap('schedule');
  return scope(() => {
    opt.zeroGrad();
    const loss = model.loss(batch);
    const value = loss.item();
    lap('forward');
    backward(loss);
    lap('backward');
    opt.step();
    lap('optimizer');
    return value;
  });
};
for (let b = 0; b < warmup; b++) step(b);
nodes = 0;
for (const p in phases) phases[p] = 0;
const started = performance.now();
const cpuStarted = process.cpuUsage();
let loss = 0;
const best = new Array(timed).fill(Infinity);
const timedStep = (b) => {
  const t = cpuNow();
  const value = step(b);
  best[b - warmup] = Math.min(best[b - warmup], cpuNow() - t);
  return value;
};
for (let b = warmup; b < warmup + timed; b++) loss = timedStep(b);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const timedNodes = nodes, timedPhases = { ...phases };
for (let r = 1; r < repeat; r++) for (let b = warmup; b < warmup + timed; b++) timedStep(b);
nodes = timedNodes;
const totalNodes = trees.reduce((s, t) => s + t.size, 0);
console.log(JSON.stringify({
  model: kind, frozenEmbeddings: frozen, fast, threads, dim, hidden, batch: batchSize, trees: trees.length, timedBatches: timed,
  seconds: +seconds.toFixed(3), nodesPerSecond: Math.round(nodes / seconds),
  secondsPerEpoch: +((seconds * totalNodes) / nodes).toFixed(2),
  // CPU time of this process: on a shared machine, less disturbed by the other jobs than wall time.
  cpuSecondsPerEpoch: +((cpuSeconds * totalNodes) / nodes).toFixed(2), lastLoss: +loss.toFixed(4),
  bestCpuSecondsPerEpoch: +((best.reduce((a, x) => a + x, 0) * totalNodes) / nodes).toFixed(2), repeat,
  cpuSecondsPerEpochByPhase: Object.fromEntries(Object.entries(timedPhases).map(([p, v]) => [p, +((v * totalNodes) / nodes).toFixed(2)])),
  load: loadavg().map((l) => +l.toFixed(2)),
}));
process.exit(0); // a threads core's workers would keep the process alive
