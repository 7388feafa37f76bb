#!/usr/bin/env node
// Measures the README's first command: `eddy train --time SECONDS --out run` on the built-in corpus,
// then `eddy sample run --length 1500 --seed S` for S = 1, 2, 3, and reports the run's validation
// loss and, per sample, the fraction of its words (runs of 3 or more ASCII letters) that occur as
// words in the built-in corpus (issue 11: the median must be at least one half).
//   node bench/scripts/demo-words.mjs [--time 60] [-- extra train flags…]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eddy = join(root, 'packages/cli/bin/eddy.js');
const args = process.argv.slice(2);
const sep = args.indexOf('--');
const extra = sep >= 0 ? args.slice(sep + 1) : [];
const own = sep >= 0 ? args.slice(0, sep) : args;
const time = own[0] === '--time' ? own[1] : '60';

const words = (text) => text.match(/[A-Za-z]{3,}/g) ?? [];
const corpus = new Set(words(readFileSync(join(root, 'packages/cli/corpus/eddy-sources.txt'), 'utf8')));
const dir = mkdtempSync(join(tmpdir(), 'eddy-demo-'));
try {
  const started = Date.now();
  const train = spawnSync(process.execPath, [eddy, 'train', '--time', time, '--out', join(dir, 'run'), '--json', ...extra], { encoding: 'utf8' });
  if (train.status !== 0) throw new Error(`eddy train failed: ${train.stderr}`);
  const lines = train.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const done = lines.find((l) => l.event === 'done');
  const start = lines.find((l) => l.event === 'start');
  const fractions = [1, 2, 3].map((seed) => {
    const s = spawnSync(process.execPath, [eddy, 'sample', join(dir, 'run'), '--length', '1500', '--seed', String(seed), '--json'], { encoding: 'utf8' });
    if (s.status !== 0) throw new Error(`eddy sample failed: ${s.stderr}`);
    const w = words(JSON.parse(s.stdout).text);
    return w.length === 0 ? 0 : w.filter((x) => corpus.has(x)).length / w.length;
  });
  const median = [...fractions].sort((a, b) => a - b)[1];
  console.log(JSON.stringify({
    options: start?.options && { hidden: start.model.hiddenSize, layers: start.model.numLayers, ...Object.fromEntries(['seqLen', 'batch', 'lr', 'optimizer'].map((k) => [k, start.options[k]])) },
    steps: done.step, valLoss: done.valLoss, bestValLoss: done.bestValLoss, trainSeconds: done.seconds, wallSeconds: (Date.now() - started) / 1000,
    wordFractions: fractions.map((f) => Math.round(f * 1000) / 1000), median: Math.round(median * 1000) / 1000, pass: median >= 0.5,
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
