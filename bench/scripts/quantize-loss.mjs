#!/usr/bin/env node
// What int8 weights cost in loss and gain in sampling time (issue 15): trains the char-rnn
// configuration (2×128 LSTM, seq-len 50, batch 50, RMSprop lr 2e-3, clip 5) for 1 000 steps with
// `eddy train` on the first 95 % of tiny-shakespeare, evaluates the last 5 % with `eddy eval` on the
// float32 weights and with `--quantize int8`, and reports both losses and their difference (target
// Δ ≤ 0.01 nats), then the CPU time per character of W4 sampling (2×512 LSTM, batch 1, after 500 warm-up characters; two alternating rounds, the second counts) on float32
// and int8 weights (process CPU time, so that other processes on the core count less).
// Run it pinned to one core, e.g.
//   taskset -c 0 node bench/scripts/quantize-loss.mjs [--data ../shared/data/tinyshakespeare/input.txt] [--steps 1000] [--chars 500] [--only loss|latency]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eddy = join(root, 'packages/cli/bin/eddy.js');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const data = option('data', join(root, '../shared/data/tinyshakespeare/input.txt'));
const steps = option('steps', '1000');
const chars = Number(option('chars', '500'));

function run(argv) {
  const r = spawnSync(process.execPath, [eddy, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`eddy ${argv[0]} failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

/** Validation loss with float32 and with int8 weights of the char-rnn model after `steps` steps. */
function loss() {
  const text = readFileSync(data, 'utf8');
  const cut = Math.floor(text.length * 0.95);
  const dir = mkdtempSync(join(tmpdir(), 'eddy-int8-'));
  try {
    const train = join(dir, 'train.txt'), valid = join(dir, 'valid.txt'), out = join(dir, 'run');
    writeFileSync(train, text.slice(0, cut));
    writeFileSync(valid, text.slice(cut));
    const started = process.hrtime.bigint();
    run(['train', train, '--hidden', '128', '--layers', '2', '--seq-len', '50', '--batch', '50', '--optimizer', 'rmsprop', '--lr', '2e-3',
      '--clip', '5', '--steps', steps, '--val-fraction', '0', '--threads', '1', '--seed', '1', '--out', out, '--json']);
    const trainSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const [f32] = run(['eval', out, valid, '--json']);
    const [int8] = run(['eval', out, valid, '--json', '--quantize', 'int8']);
    const delta = int8.loss - f32.loss;
    return {
      config: '2×128 LSTM, seq-len 50, batch 50, rmsprop 2e-3, clip 5', steps: Number(steps), trainSeconds: Math.round(trainSeconds),
      validTokens: f32.tokens, valLossF32: f32.loss, valLossInt8: int8.loss, delta, pass: Math.abs(delta) <= 0.01,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * W4 on this process's core: CPU time per character on float32 and on int8 weights. Two rounds
 * alternating the two, each after a warm-up (V8 tiers up over hundreds of steps); the second round counts.
 */
async function latency() {
  const { workloadSampler, WORKLOADS } = await import('@eddy/models/workloads');
  const w4 = WORKLOADS.find((w) => w.name === 'W4').config;
  const result = {};
  for (let round = 0; round < 2; round++) {
    for (const quantize of [undefined, 'int8']) {
      const sampler = workloadSampler(w4, quantize === undefined ? {} : { quantize });
      for (let i = 0; i < 500; i++) sampler.step();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < chars; i++) sampler.step();
      const cpu = process.cpuUsage(cpu0);
      result[quantize ?? 'f32'] = Math.round(((cpu.user + cpu.system) / chars) * 10) / 10;
      sampler.dispose();
    }
  }
  return { w4CpuMicrosecondsPerChar: result, w4Speedup: Math.round((result.f32 / result.int8) * 100) / 100, chars };
}

const only = option('only', 'both');
console.log(JSON.stringify({
  ...(only === 'latency' ? {} : loss()),
  ...(only === 'loss' ? {} : await latency()),
}));
