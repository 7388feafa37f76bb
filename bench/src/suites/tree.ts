import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repositoryRoot } from '../lm/options.js';
import { PYTHON, pytorchConfigs, pytorchMissing } from '../peers/pytorch.js';
import type { Report } from '../report.js';
import { round, run } from './classify.js';

/** Flags of this suite that take a value (main.ts must not read their values as suite names). */
export const TREE_VALUE_FLAGS = ['--epochs', '--rntn-epochs', '--seeds', '--sst', '--limit', '--runs', '--eddy-args'];

/** The runs of one seed, and the speed runs, by the names `--runs` takes. */
const RUNS = ['tree-lstm', 'binary', 'rntn', 'rntn-corenlp', 'rnn', 'pytorch', 'pytorch-binary', 'speed', 'pytorch-speed'] as const;

/** The issue's targets: Tai et al.'s random-vector Tree-LSTM and Socher et al.'s RNTN, in percent. */
const TARGETS: Record<string, Record<string, number>> = {
  'tree-lstm': { rootAccuracy: 43.9 },
  'tree-lstm --binary': { rootAccuracy: 82.0 },
  rntn: { rootAccuracy: 45.7, binaryRootAccuracy: 85.4, allAccuracy: 80.7 },
  'rntn --corenlp': { rootAccuracy: 45.7, binaryRootAccuracy: 85.4, allAccuracy: 80.7 },
};

/** Published figures that are not targets: Socher et al. (2013)'s recursive network (RNN), the RNTN's baseline. */
const REFERENCES: Record<string, Record<string, number>> = {
  rnn: { rootAccuracy: 43.2, binaryRootAccuracy: 82.4, allAccuracy: 79.0 },
};

/**
 * SST end to end (not CI; hours for the full run): for each of `--seeds` seeds (default 3),
 *  - `eddy tree train` Tree-LSTM with its defaults (Tai et al.'s, random vectors) five-class and
 *    `--binary`, for `--epochs` (default 10) epochs, the best dev root accuracy measured on test;
 *  - the RNTN with its defaults (d = 25, batch 27, CoreNLP's per-tree loss and AdaGrad 0.01 reset every
 *    epoch, at the L2 strengths of Socher's Matlab code: 0.1 on W, 0.15 on V, 1e-4 on the classifier's
 *    weights and on the words a batch uses; the unknown word trained, --unk-replace 0.25; validated and kept as the
 *    mean of the last 5 epochs' weights, --average-epochs 5) for its default 30 epochs, or `--rntn-epochs`; and as
 *    CoreNLP trains it (`--corenlp`: the same objective, CoreNLP's regularisers) for `--rntn-epochs` (default 60);
 *  - the recursive network (`--model rnn`: d = 25, batch 27, AdaGrad 0.01 reset every epoch, the mean loss
 *    over nodes, L2 1e-3 on the composition and classifier) for `--rntn-epochs`: the RNTN's baseline,
 *    beside Socher et al.'s RNN row (a reference, not a target);
 *  - beside them, in the same run, the level-batched PyTorch Tree-LSTM of the same size and training
 *    (bench/scripts/pytorch_tree.py), five-class and binary.
 * Then seconds per training epoch of the Tree-LSTM with word vectors and hidden state of 150, batch
 * 100, one thread, Eddy and PyTorch (one epoch each) and their ratio. Reports test root / all-node /
 * binary accuracies, wall time and seconds per epoch, and the mean over the seeds against the targets.
 * Options: --epochs N, --rntn-epochs N, --seeds N, --sst DIR (train.txt, dev.txt, test.txt),
 * --limit N (the first N trees of each file: a quick look that the suite runs), --no-pytorch,
 * --runs LIST (a comma-separated subset of tree-lstm, binary, rntn, rntn-corenlp, rnn, pytorch, pytorch-binary, speed,
 * pytorch-speed; default all: for a partial run when hours are not available), --eddy-args "FLAGS" (more
 * `eddy tree train` flags for every Eddy run, e.g. "--fast" for the relaxed-SIMD core), --quick (= --limit 200
 * --epochs 1 --rntn-epochs 1 --seeds 1).
 */
export async function tree(report: Report, options: { quick: boolean }): Promise<void> {
  const argv = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = argv.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    return i < 0 ? undefined : argv[i].includes('=') ? argv[i].slice(flag.length + 1) : argv[i + 1];
  };
  const epochs = Number(value('--epochs') ?? (options.quick ? 1 : 10));
  const rntnEpochs = Number(value('--rntn-epochs') ?? (options.quick ? 1 : 60));
  const seeds = Number(value('--seeds') ?? (options.quick ? 1 : 3));
  const limit = Number(value('--limit') ?? (options.quick ? 200 : 0));
  const source = resolve(value('--sst') ?? join(repositoryRoot(), '../shared/data/sst'));
  const runs = new Set((value('--runs') ?? RUNS.join(',')).split(',').map((r) => r.trim()));
  const eddyArgs = (value('--eddy-args') ?? '').split(/\s+/).filter((a) => a !== '');
  const unknown = [...runs].filter((r) => !(RUNS as readonly string[]).includes(r));
  if (!(epochs > 0) || !(rntnEpochs > 0) || !Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(limit) || limit < 0 || unknown.length > 0) {
    console.error(`tree: --epochs and --rntn-epochs must be > 0, --seeds an integer ≥ 1, --limit an integer ≥ 0, --runs a comma-separated subset of ${RUNS.join(', ')}${unknown.length > 0 ? ` (got ${unknown.join(', ')})` : ''}`);
    process.exitCode = 2;
    return;
  }
  // The installed command (it enables relaxed SIMD on Node 20 for --fast), which runs the built dist/cli.js.
  const bin = join(repositoryRoot(), 'packages', 'cli', 'bin', 'eddy.js');
  const built = join(repositoryRoot(), 'packages', 'cli', 'dist', 'cli.js');
  for (const [what, path] of [['the eddy bin', built], ['SST', join(source, 'train.txt')]]) {
    if (!existsSync(path)) {
      console.error(`tree: ${what} is missing at ${path}; ${what === 'SST' ? 'pass --sst DIR' : 'run npm run build at the repository root'}`);
      process.exitCode = 2;
      return;
    }
  }
  const torchMissing = argv.includes('--no-pytorch') ? 'skipped (--no-pytorch)' : pytorchMissing();
  if (torchMissing !== null) console.error(`tree: PyTorch ${torchMissing}`);
  const progress = (line: string): void => console.error(`  ${line}`);
  const work = mkdtempSync(join(tmpdir(), 'eddy-bench-tree-'));
  // With --limit, both peers read the same slice: the first N trees of each file.
  const data = limit === 0 ? source : join(work, 'sst');
  if (limit > 0) {
    mkdirSync(data);
    for (const split of ['train', 'dev', 'test']) {
      const lines = readFileSync(join(source, `${split}.txt`), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, limit);
      writeFileSync(join(data, `${split}.txt`), lines.join('\n') + '\n');
    }
  }
  const file = (split: string): string => join(data, `${split}.txt`);
  const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
  // One thread of the BLAS PyTorch is fastest with here, as the lm and classify suites.
  const torchEnv = (): Record<string, string> => pytorchConfigs().configs.find((c) => c.peer === 'pytorch-openblas')?.env ?? { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

  interface Row { peer: string; seed: number; test: Record<string, number | null>; dev: number; epochs: number; seconds: number; secondsPerEpoch: number | null; load: string }
  const rows: Row[] = [];
  const eddy = async (peer: string, seed: number, flags: string[]): Promise<Row> => {
    const out = join(work, `run-${rows.length}`);
    const l = load();
    const started = Date.now();
    const train = await run(process.execPath, [bin, 'tree', 'train', file('train'), '--valid', file('dev'), '--seed', String(seed), '--threads', '1', ...flags, ...eddyArgs, '--out', out, '--json'], progress);
    const seconds = (Date.now() - started) / 1000;
    const done = JSON.parse(train.trim().split('\n').at(-1)!) as Record<string, number>;
    const test = JSON.parse((await run(process.execPath, [bin, 'tree', 'eval', out, file('test'), '--json'], progress)).trim()) as Record<string, number | null>;
    rmSync(out, { recursive: true, force: true });
    const row = { peer, seed, test, dev: done.bestValAccuracy, epochs: done.epoch, seconds, secondsPerEpoch: done.secondsPerEpoch, load: l };
    progress(`${peer} seed ${seed}: test root ${pct(test.rootAccuracy)} all ${pct(test.allAccuracy)} binary root ${pct(test.binaryRootAccuracy)} (dev root ${pct(done.bestValAccuracy)}, ${seconds.toFixed(0)} s)`);
    return row;
  };
  const pytorch = async (peer: string, seed: number, flags: string[]): Promise<Row> => {
    const l = load();
    const started = Date.now();
    const out = await run(PYTHON, [join(repositoryRoot(), 'bench', 'scripts', 'pytorch_tree.py'), data, String(seed), ...flags], progress, torchEnv());
    const py = JSON.parse(out.trim().split('\n').at(-1)!) as { test: Record<string, number | null>; bestDevRootAccuracy: number; epochs: number; secondsPerEpoch: number };
    const row = { peer, seed, test: py.test, dev: py.bestDevRootAccuracy, epochs: py.epochs, seconds: (Date.now() - started) / 1000, secondsPerEpoch: py.secondsPerEpoch, load: l };
    progress(`${peer} seed ${seed}: test root ${pct(py.test.rootAccuracy)} all ${pct(py.test.allAccuracy)} (dev root ${pct(py.bestDevRootAccuracy)})`);
    return row;
  };

  try {
    for (let s = 0; s < seeds; s++) {
      const seed = 123 + s;
      if (runs.has('tree-lstm')) rows.push(await eddy('tree-lstm', seed, ['--epochs', String(epochs)]));
      if (runs.has('binary')) rows.push(await eddy('tree-lstm --binary', seed, ['--binary', '--epochs', String(epochs)]));
      // The RNTN's default bounds itself (30 epochs) unless --rntn-epochs is given.
      const rntnBound = value('--rntn-epochs') !== undefined || options.quick ? ['--epochs', String(rntnEpochs)] : [];
      if (runs.has('rntn')) rows.push(await eddy('rntn', seed, ['--model', 'rntn', ...rntnBound]));
      if (runs.has('rntn-corenlp')) rows.push(await eddy('rntn --corenlp', seed, ['--model', 'rntn', '--corenlp', '--epochs', String(rntnEpochs)]));
      if (runs.has('rnn')) rows.push(await eddy('rnn', seed, ['--model', 'rnn', '--epochs', String(rntnEpochs)]));
      if (torchMissing === null && runs.has('pytorch')) rows.push(await pytorch('pytorch tree-lstm', seed, ['--epochs', String(epochs)]));
      if (torchMissing === null && runs.has('pytorch-binary')) rows.push(await pytorch('pytorch tree-lstm --binary', seed, ['--binary', '--epochs', String(epochs)]));
    }
    // Speed: word vectors and hidden state of 150, batch 100, one thread, one epoch each (DyNet's published setting).
    const speed = ['--dim', '150', '--hidden', '150', '--batch', '100'];
    const e = runs.has('speed') ? await eddy('tree-lstm 150/150 batch 100 (speed)', 123, [...speed, '--epochs', '1']) : undefined;
    const p = torchMissing === null && runs.has('pytorch-speed') ? await pytorch('pytorch tree-lstm 150/150 batch 100 (speed)', 123, [...speed, '--epochs', '1']) : undefined;
    const speedRows = [e, p].filter((r): r is Row => r !== undefined);

    for (const r of [...rows, ...speedRows]) {
      report.row({
        bench: 'tree', peer: r.peer, seed: r.seed, testRoot: pctNum(r.test.rootAccuracy), testAll: pctNum(r.test.allAccuracy),
        testBinaryRoot: pctNum(r.test.binaryRootAccuracy), testBinaryAll: pctNum(r.test.binaryAllAccuracy), devRoot: pctNum(r.dev),
        epochs: round(r.epochs), wallSeconds: round(r.seconds), secondsPerEpoch: r.secondsPerEpoch === null ? null : round(r.secondsPerEpoch), loadAverage: r.load,
      });
    }
    report.table(`SST${limit > 0 ? ` (first ${limit} trees of each file)` : ''}: best dev-root epoch measured on test (percent), one thread`,
      ['peer', 'seed', 'testRoot', 'testAll', 'testBinaryRoot', 'testBinaryAll', 'devRoot', 'epochs', 'wallSeconds', 'secondsPerEpoch', 'loadAverage']);

    for (const peer of new Set(rows.map((r) => r.peer))) {
      const mine = rows.filter((r) => r.peer === peer);
      const mean = (k: string): number | null => {
        const xs = mine.map((r) => r.test[k]).filter((x): x is number => x !== null && x !== undefined);
        return xs.length === 0 ? null : round((100 * xs.reduce((a, b) => a + b, 0)) / xs.length);
      };
      const target = TARGETS[peer];
      const reference = REFERENCES[peer];
      const met = target === undefined ? null : Object.entries(target).every(([k, t]) => (mean(k) ?? 0) >= t);
      const figures = (f: Record<string, number>, relation: string): string => Object.entries(f).map(([k, t]) => `${k}${relation}${t}`).join(', ');
      report.row({
        bench: 'tree-mean', peer, seeds: mine.length, meanTestRoot: mean('rootAccuracy'), meanTestAll: mean('allAccuracy'), meanTestBinaryRoot: mean('binaryRootAccuracy'),
        meanWallSeconds: round(mine.reduce((a, r) => a + r.seconds, 0) / mine.length), target: target !== undefined ? figures(target, ' ≥ ') : reference !== undefined ? `none (paper: ${figures(reference, ' ')})` : null, met,
      });
    }
    report.table('mean over the seeds against the issue\'s targets (Tai et al. 2015, random vectors; Socher et al. 2013)',
      ['peer', 'seeds', 'meanTestRoot', 'meanTestAll', 'meanTestBinaryRoot', 'meanWallSeconds', 'target', 'met']);
    if (speedRows.length === 0) return;
    report.row({ bench: 'tree-speed', eddySecondsPerEpoch: e?.secondsPerEpoch ?? null, pytorchSecondsPerEpoch: p?.secondsPerEpoch ?? null, pytorchOverEddy: p && e?.secondsPerEpoch ? round(p.secondsPerEpoch! / e.secondsPerEpoch) : null, target: 'eddy ≤ 9 s per SST epoch' });
    report.table('seconds per training epoch, Tree-LSTM 150/150, batch 100, one thread (DyNet: 18.5 s, Fold: 50.7 s on an i7-6900K)',
      ['eddySecondsPerEpoch', 'pytorchSecondsPerEpoch', 'pytorchOverEddy', 'target']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(2)}%`);
const pctNum = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : round(100 * x));
