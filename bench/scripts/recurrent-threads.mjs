// Training throughput of the canonical workloads W1–W3 on 1 and N threads: what the threaded core's
// split time loops (LSTM/GRU steps by hidden units, one barrier per step), split GEMMs and split
// optimizer updates do to a whole training step. The same trainer `eddy bench` and bench/ run
// (`workloadTrainer` from @eddy/models/workloads on text's LmBatcher windows).
//   node bench/scripts/recurrent-threads.mjs [--threads=1,2] [--workloads=W1,W2,W3] [--steps=N] [--rounds=N] [--fast]
//   node bench/scripts/recurrent-threads.mjs --sweep [--hidden=32,48,64,96,128]
//   --spin=0,20000: every thread count above 1 once per value of the pool's `spin` (polls before a
//   waiting thread sleeps), to measure what waking a sleeping worker costs a training step.
// --sweep times W1's LSTM at smaller hidden sizes instead, to place the split threshold: a time loop
// splits once a step's product B·4H·H reaches 64³ multiply-adds (B = 32: from H = 46 on), the GEMM's
// measured threshold (assembly/gemm/parallel.ts); where 2 threads lose to 1 the threshold is too low.
// Runs against the built packages (npm run build). Thread counts alternate within each round and the
// table shows medians over rounds, so load that comes and goes hits every count. Prints `uptime` first:
// on a shared machine the ratios mean little when the load is above the core count. Every thread count
// must give the same losses (the threaded core never changes the numbers): the script checks it.
//   --fast: the relaxed-SIMD core (deterministic: false), as `eddy train --fast`.
import { useCore } from '@eddy/autograd';
import { loadCore } from '@eddy/core-wasm';
import { workloadCorpus, workloadTrainer, WORKLOADS } from '@eddy/models/workloads';
import { LmBatcher } from '@eddy/text';
import { execSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import v8 from 'node:v8';

const args = process.argv.slice(2);
const option = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const threadCounts = option('threads', '1,2').split(',').map(Number);
const names = option('workloads', 'W1,W2,W3').split(',');
const rounds = Number(option('rounds', 3));
const fast = args.includes('--fast');
if (fast) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

console.log(`uptime: ${execSync('uptime').toString().trim()}`);
console.log(`cores: ${availableParallelism()}, thread counts: ${threadCounts.join(', ')}, ${fast ? 'relaxed (--fast)' : 'deterministic'} core, node ${process.version}`);

// A configuration: a thread count, and the pool's spin where --spin lists several.
const spins = args.some((a) => a.startsWith('--spin=')) ? option('spin', '').split(',').map(Number) : [undefined];
const configs = threadCounts.flatMap((threads) => (threads === 1 ? [{ threads }] : spins.map((spin) => ({ threads, spin }))));
const label = ({ threads, spin }) => (spin === undefined ? String(threads) : `${threads} spin ${spin}`);
const cores = new Map();
for (const entry of configs) {
  const { threads, spin } = entry;
  const core = await loadCore(fast ? { variant: 'relaxed', deterministic: false, threads } : { variant: 'simd', threads });
  if (core.threads !== threads) throw new Error(`asked for ${threads} threads, got ${core.threads}: ${core.threadsFallback}`);
  if (spin !== undefined && core.pool) core.pool.spin = spin;
  cores.set(entry, core);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const W1 = WORKLOADS.find((w) => w.name === 'W1');
const runs = args.includes('--sweep')
  ? option('hidden', '32,48,64,96,128').split(',').map((H) => ({ ...W1, name: `LSTM H=${H}`, config: { ...W1.config, H: Number(H) } }))
  : names.map((name) => {
    const workload = WORKLOADS.find((w) => w.name === name && w.kind === 'training');
    if (!workload) throw new Error(`--workloads: ${name} is not a training workload (W1, W2, W3)`);
    return workload;
  });

for (const workload of runs) {
  const { name, config } = workload;
  const steps = Number(option('steps', workload.steps));
  const tokens = config.B * config.T;
  const wall = new Map(configs.map((t) => [t, []]));
  const cpu = new Map(configs.map((t) => [t, []]));
  const teams = new Map();
  let losses;
  for (let round = 0; round < rounds; round++) {
    for (const entry of configs) {
      const core = cores.get(entry);
      useCore(core);
      // A fresh trainer per round: the same seed, so every round and thread count trains the same steps.
      const windows = new LmBatcher(workloadCorpus(config.V), { batchSize: config.B, seqLen: config.T, dropLast: true });
      const trainer = workloadTrainer(config, () => windows.next());
      const seen = [trainer.step().loss]; // warm-up: packs, scratch, JIT
      const teamsBefore = core.pool?.teams ?? 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let s = 0; s < steps; s++) seen.push(trainer.step().loss);
      const ms = performance.now() - t0;
      const used = process.cpuUsage(cpu0);
      trainer.dispose();
      wall.get(entry).push(ms / steps);
      cpu.get(entry).push((used.user + used.system) / 1000 / steps);
      teams.set(entry, ((core.pool?.teams ?? 0) - teamsBefore) / steps);
      if (losses === undefined) losses = seen;
      else if (seen.some((l, i) => !Object.is(l, losses[i]))) {
        throw new Error(`${name}: ${label(entry)} threads gave other losses than ${label(configs[0])} (${seen[1]} against ${losses[1]})`);
      }
    }
  }
  console.log(`\n${name}: ${config.cell.toUpperCase()} ${config.layers}×${config.H} (B ${config.B}, T ${config.T}), ${steps} steps × ${rounds} rounds, same losses on every count`);
  console.log('         threads   ms/step   tokens/s   ×1 thread   CPU ms/step   split loops+updates/step');
  const base = median(wall.get(configs[0]));
  for (const entry of configs) {
    const ms = median(wall.get(entry));
    console.log(
      `  ${label(entry).padStart(14)} ${ms.toFixed(1).padStart(9)} ${Math.round((tokens * 1000) / ms).toString().padStart(10)} `
      + `${(base / ms).toFixed(2).padStart(11)} ${median(cpu.get(entry)).toFixed(1).padStart(13)} ${teams.get(entry).toFixed(0).padStart(26)}`,
    );
  }
}
for (const core of cores.values()) core.close();
