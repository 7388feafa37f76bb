// The threaded core's two numbers, in a few seconds: what one split call's barrier costs (wake the
// workers, join them; Atomics.wait/notify against a short spin), and SGEMM on 2 threads against 1
// (all transpose cases; square sizes around the split threshold and up to 1024).
//   node bench/scripts/threads.mjs [--threads=2] [--rounds=15] [--round-ms=100] [--sizes=512,1024] [--spin=N] [--quick]
// Runs against the built @eddy/core-wasm (npm run build). Prints `uptime`'s load first: on a shared
// machine the ratios mean little when the load is above the core count.
import { loadCore, sgemm } from '@eddy/core-wasm';
import { execSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const args = process.argv.slice(2);
const threads = Number(args.find((a) => a.startsWith('--threads='))?.slice(10) ?? 2);
const quick = args.includes('--quick');
const budgetMs = quick ? 150 : 400;

console.log(`uptime: ${execSync('uptime').toString().trim()}`);
console.log(`cores: ${availableParallelism()}, threads: ${threads}, node ${process.version}`);

/** Median time per call in µs: batches of calls until `budgetMs` is spent, median of the batches. */
function timeUs(fn, budget = budgetMs) {
  fn();
  let reps = 1;
  for (let t = 0; t < 2; ) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    t = performance.now() - t0;
    if (t < 2) reps *= 2;
    else break;
  }
  const samples = [];
  const end = performance.now() + budget;
  while (performance.now() < end || samples.length < 5) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    samples.push(((performance.now() - t0) * 1000) / reps);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

const one = await loadCore({ variant: 'simd' });
const many = await loadCore({ variant: 'simd', threads });
if (many.threads !== threads) throw new Error(`asked for ${threads} threads, got ${many.threads}: ${many.threadsFallback}`);
const pool = many.pool;

// 1. The barrier: a split call whose every share is an empty export call.
console.log('\nbarrier (one split call doing nothing: wake the workers, join them)');
{
  const ints = new Int32Array(new SharedArrayBuffer(4));
  const us = timeUs(() => {
    for (let i = 0; i < 1000; i++) Atomics.load(ints, 0);
  });
  console.log(`  one poll (Atomics.load)          ${(us).toFixed(3).padStart(8)} ns`);
}
const spinDefault = pool.spin;
for (const [label, spin] of [['Atomics.wait/notify (no spin)', 0], ['spin 200 polls, then wait', 200], ['spin 2 000 polls, then wait', 2000], ['spin 20 000 polls, then wait', 20000]]) {
  pool.spin = spin;
  const us = timeUs(() => many.exports.threads_barrier());
  console.log(`  ${label.padEnd(32)} ${us.toFixed(2).padStart(8)} µs`);
}
pool.spin = spinDefault;
const spinArg = args.find((a) => a.startsWith('--spin='));
if (spinArg) pool.spin = Number(spinArg.slice(7));
console.log(`\npool.spin: ${pool.spin} polls before a waiting thread sleeps`);

// 2. SGEMM, 1 thread against `threads`.
function operands(core, n) {
  const random = (count, seed) => {
    const out = new Float32Array(count);
    let s = seed >>> 0;
    for (let i = 0; i < count; i++) out[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5;
    return out;
  };
  return { a: core.arena.fromF32(random(n * n, 1)), b: core.arena.fromF32(random(n * n, 2)), c: core.arena.allocF32(n * n) };
}
// Interference on a shared host comes and goes over seconds (a one-thread 512³ SGEMM runs at 30 GFLOP/s,
// then at 18 for a second or two), so each round is short (100 ms per thread count) and the rounds many.
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? (quick ? 1 : 15));
const roundMs = Number(args.find((a) => a.startsWith('--round-ms='))?.slice(11) ?? 100);
console.log(`\nSGEMM n×n×n, GFLOP/s on 1 and ${threads} threads (square; the split threshold is 64³ multiply-adds)`);
console.log(`  ${rounds} alternating rounds of ${roundMs} ms (1 then ${threads}, ${threads} then 1, …); GFLOP/s are medians over rounds, the ratio the median of the rounds' ratios`);
const sizesArg = args.find((a) => a.startsWith('--sizes='));
const sizes = sizesArg ? sizesArg.slice(8).split(',').map(Number) : quick ? [64, 256, 512] : [32, 48, 64, 96, 128, 256, 512, 1024];
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const trans of (args.includes('--reverse') ? ['TT', 'TN', 'NT', 'NN'] : ['NN', 'NT', 'TN', 'TT'])) {
  const [transA, transB] = [trans[0] === 'T', trans[1] === 'T'];
  for (const n of sizes) {
    if (n < 512 && trans !== 'NN' && !quick && !sizesArg) continue; // the threshold is a property of the split, not of the transposes
    const cores = [one, many];
    const ops = cores.map((core) => operands(core, n));
    const rate = (i) => {
      const { a, b, c } = ops[i];
      const us = timeUs(() => sgemm(cores[i], { transA, transB, m: n, n, k: n, a, b, c }), roundMs);
      return (2 * n ** 3) / (us * 1e3);
    };
    const rates = [[], []];
    for (let r = 0; r < rounds; r++) {
      for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) rates[i].push(rate(i));
    }
    ops.forEach((o, i) => { for (const p of [o.a, o.b, o.c]) cores[i].arena.free(p); });
    const ratios = rates[0].map((r1, r) => rates[1][r] / r1);
    const span = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
    const best = Math.max(...rates[1]) / Math.max(...rates[0]);
    console.log(`  ${trans} n=${String(n).padEnd(5)} 1: ${median(rates[0]).toFixed(1).padStart(6)}   ${threads}: ${median(rates[1]).toFixed(1).padStart(6)}   ×${median(ratios).toFixed(2)} (rounds ${span}; best against best ×${best.toFixed(2)})`);
  }
}
console.log(`\nuptime: ${execSync('uptime').toString().trim()}`);
many.close();
