import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ready } from '@eddy/autograd';
import { loadSafetensors } from '@eddy/models';
import { beforeAll, describe, expect, test } from 'vitest';
import { repoRoot } from './packages.js';

// The recipe of packages/models/README.md "Moving to PyTorch": a checkpoint of `eddy train` continues
// in PyTorch with DistributedDataParallel (two gloo processes), and Eddy samples from, evaluates
// and resumes what PyTorch wrote. Needs Debian's python3-torch (not installed by CI: it is large);
// without it the tests are skipped and say so.

const SCRIPT = join(repoRoot, 'packages/models/scripts/continue_in_pytorch.py');
const EDDY = join(repoRoot, 'packages/cli/bin/eddy.js');

/** The first interpreter that imports torch: $EDDY_PYTHON, Debian's, then python3 on PATH. */
function torchPython(): string | null {
  const candidates = [process.env.EDDY_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c));
  return candidates.find((c) => spawnSync(c, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0) ?? null;
}

const python = torchPython();
const skipped = python === null ? ' (SKIPPED: no python3 imports torch; apt-get install python3-torch, or set EDDY_PYTHON)' : '';
if (python === null) console.warn(`pytorch.test.ts${skipped}`);

function run(command: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync(command, args, { encoding: 'utf8', timeout: 120_000 });
}

function ok(r: SpawnSyncReturns<string>): string {
  expect(r.stderr, r.stdout).not.toMatch(/Traceback/);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const evalLoss = (dir: string, corpus: string): number => (JSON.parse(ok(run(process.execPath, [EDDY, 'eval', dir, corpus, '--json']))) as { loss: number }).loss;

function shapes(file: string): Record<string, number[]> {
  const dict = loadSafetensors(readFileSync(file));
  const out = Object.fromEntries(Object.entries(dict).map(([name, t]) => [name, [...t.shape]]));
  for (const t of Object.values(dict)) t.dispose();
  return out;
}

describe.skipIf(python === null)(`continue_in_pytorch.py: eddy → PyTorch DDP → eddy${skipped}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-pytorch-'));
  const corpus = join(dir, 'corpus.txt');
  const eddyRun = join(dir, 'run');
  const torchRun = join(dir, 'run-torch');
  let before: number;
  let summary: { steps: number; worldSize: number; firstLoss: number; lastLoss: number; valLossBefore: number; valLossAfter: number; seconds: number };

  beforeAll(async () => {
    await ready();
    writeFileSync(corpus, 'the quick brown fox jumps over the lazy dog. '.repeat(60));
    ok(run(process.execPath, [EDDY, 'train', corpus, '--hidden', '32', '--batch', '4', '--seq-len', '16', '--eval-every', '30', '--steps', '30', '--out', eddyRun]));
    before = evalLoss(eddyRun, corpus);
    const out = ok(run(python!, [SCRIPT, eddyRun, corpus, '--steps', '40', '--world-size', '2', '--log-every', '20', '--out', torchRun]));
    const line = out.split('\n').find((l) => l.startsWith('summary '));
    expect(line, out).toBeDefined();
    summary = JSON.parse(line!.slice('summary '.length));
  });

  test('two processes trained 40 steps, and eddy eval finds the loss lower than before', () => {
    expect(summary).toMatchObject({ steps: 40, worldSize: 2 });
    const after = evalLoss(torchRun, corpus);
    console.log(`eddy eval: loss ${before.toFixed(4)} before PyTorch, ${after.toFixed(4)} after 40 DDP steps (${summary.seconds} s of training)`);
    expect(after).toBeLessThan(0.8 * before);
    // The script's validation loss uses Eddy's split and batching, so it starts where Eddy's ended.
    const config = JSON.parse(readFileSync(join(eddyRun, 'config.json'), 'utf8'));
    expect(summary.valLossBefore).toBeCloseTo(config.progress.valLoss, 4);
  });

  test('the checkpoint has the same tensor names and shapes, the same vocabulary, and its progress moved on', () => {
    expect(shapes(join(torchRun, 'model.safetensors'))).toEqual(shapes(join(eddyRun, 'model.safetensors')));
    expect(readFileSync(join(torchRun, 'vocab.json'), 'utf8')).toBe(readFileSync(join(eddyRun, 'vocab.json'), 'utf8'));
    const a = JSON.parse(readFileSync(join(eddyRun, 'config.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(torchRun, 'config.json'), 'utf8'));
    expect(b.model).toEqual(a.model);
    expect(b.training).toEqual(a.training);
    expect(b.progress).toMatchObject({ step: 70, bestStep: null });
    expect(b.progress.valLoss).toBeCloseTo(summary.valLossAfter, 6);
  });

  test('eddy sample reads it', () => {
    const text = ok(run(process.execPath, [EDDY, 'sample', torchRun, '--length', '60', '--seed', '1']));
    expect([...text.trim()].length).toBeGreaterThanOrEqual(50);
    expect(text).toMatch(/^[a-z. ]+\n?$/);
  });

  test('the train-state holds the optimizer state PyTorch left, which eddy train --resume loads and continues from', () => {
    const states = [eddyRun, torchRun].map((d) => JSON.parse(readFileSync(join(d, 'train-state/state.json'), 'utf8')));
    const buffers = [eddyRun, torchRun].map((d) => loadSafetensors(readFileSync(join(d, 'train-state/tensors.safetensors'))));
    expect(Object.values(states[1].optimizer.state)).toEqual(Object.values(states[0].optimizer.state).map(() => ({ step: 70 })));
    expect(states[1]).toMatchObject({ step: 70, hasHidden: false, batcher: states[0].batcher, rng: states[0].rng });
    expect(Object.keys(buffers[1]).sort()).toEqual(Object.keys(buffers[0]).filter((k) => k.startsWith('optimizer.')).sort());
    const moment = 'optimizer.state.1.exp_avg';
    expect(buffers[1][moment].toFloat32Array()).not.toEqual(buffers[0][moment].toFloat32Array());
    for (const dict of buffers) for (const t of Object.values(dict)) t.dispose();

    const r = run(process.execPath, [EDDY, 'train', '--resume', torchRun, '--steps', '80', '--eval-every', '10', '--json']);
    const steps = ok(r).trim().split('\n').map((l) => JSON.parse(l) as { event: string; step?: number; loss?: number }).filter((e) => e.event === 'step');
    expect(steps.map((e) => e.step)).toEqual([71, 72, 73, 74, 75, 76, 77, 78, 79, 80]);
    expect(evalLoss(torchRun, corpus)).toBeLessThan(0.8 * before);
  });

  test('an existing --out is refused in one sentence, and nothing is written', () => {
    const weights = readFileSync(join(eddyRun, 'model.safetensors'));
    const r = run(python!, [SCRIPT, eddyRun, corpus, '--out', eddyRun]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`continue_in_pytorch: ${eddyRun} already exists; choose a new --out (this script never replaces a checkpoint).\n`);
    expect(readFileSync(join(eddyRun, 'model.safetensors')).equals(weights)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['corpus.txt', 'run', 'run-torch']);
  });
});
