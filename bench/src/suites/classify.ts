import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repositoryRoot } from '../lm/options.js';
import { PYTHON, pytorchConfigs, pytorchMissing } from '../peers/pytorch.js';
import type { Report } from '../report.js';
import { writeSstPhrases } from './sst-phrases.js';

/** Flags of this suite that take a value (main.ts must not read their values as suite names). */
export const CLASSIFY_VALUE_FLAGS = ['--seconds', '--seeds', '--sst2', '--sst', '--train'];

/**
 * SST-2 sentence classification end to end (not CI; minutes): `eddy classify train` with its
 * defaults for `--seconds` (default 300) on stsa.binary.train, validated on dev every epoch, the
 * best model measured on test (`eddy classify eval`); beside it, in the same run and one after the
 * other, the issue's PyTorch baseline (bench/scripts/pytorch_classify.py: BiLSTM 100/100, max
 * pooling, dropout 0.5, Adam 1e-3) for the same wall time, each for `--seeds` seeds (default 3).
 * Epoch speed is compared on the same model: Eddy with the baseline's settings for 2 epochs.
 * Training data (`--train`, the same for both peers): `phrases` (default) is Kim (2014)'s
 * phrase-level SST-2 training set, built here from the SST training trees (`--sst DIR`, see
 * sst-phrases.ts); `sentences` is stsa.binary.train alone. Dev and test are the sentences either way.
 * Options: --seconds N, --seeds N, --train phrases|sentences, --sst2 DIR, --sst DIR, --no-pytorch,
 * --quick (20 s, 1 seed).
 */
export async function classify(report: Report, options: { quick: boolean }): Promise<void> {
  const argv = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = argv.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    return i < 0 ? undefined : argv[i].includes('=') ? argv[i].slice(flag.length + 1) : argv[i + 1];
  };
  const seconds = Number(value('--seconds') ?? (options.quick ? 20 : 300));
  const seeds = Number(value('--seeds') ?? (options.quick ? 1 : 3));
  const data = resolve(value('--sst2') ?? join(repositoryRoot(), '../shared/data/sst2'));
  const trees = resolve(value('--sst') ?? join(repositoryRoot(), '../shared/data/sst'));
  const trainOn = value('--train') ?? 'phrases';
  if (!(seconds > 0) || !Number.isInteger(seeds) || seeds < 1 || (trainOn !== 'phrases' && trainOn !== 'sentences')) {
    console.error('classify: --seconds must be > 0, --seeds an integer ≥ 1 and --train phrases or sentences');
    process.exitCode = 2;
    return;
  }
  const bin = join(repositoryRoot(), 'packages', 'cli', 'dist', 'cli.js');
  const needed = [['the eddy bin', bin, 'run npm run build at the repository root'], ['SST-2', join(data, 'stsa.binary.train'), 'pass --sst2 DIR']];
  if (trainOn === 'phrases') needed.push(['the SST trees', join(trees, 'train.txt'), 'pass --sst DIR']);
  for (const [what, path, hint] of needed) {
    if (!existsSync(path)) {
      console.error(`classify: ${what} is missing at ${path}; ${hint}`);
      process.exitCode = 2;
      return;
    }
  }
  const torchMissing = argv.includes('--no-pytorch') ? 'skipped (--no-pytorch)' : pytorchMissing();
  if (torchMissing !== null) console.error(`classify: PyTorch ${torchMissing}`);
  const file = (split: string): string => join(data, `stsa.binary.${split}`);
  const work = mkdtempSync(join(tmpdir(), 'eddy-bench-classify-data-'));
  const trainFile = trainOn === 'sentences' ? file('train') : join(work, 'stsa.binary.phrases.train');
  if (trainOn === 'phrases') console.error(`classify: ${writeSstPhrases(join(trees, 'train.txt'), trainFile)} phrase-level training examples from ${join(trees, 'train.txt')}`);
  try {
    await suite();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  async function suite(): Promise<void> {
    const progress = (line: string): void => console.error(`  ${line}`);

    const eddy = async (seed: number, extra: string[], budget: string[]): Promise<{ done: Record<string, number>; test: Record<string, number> }> => {
      const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-classify-'));
      try {
        const train = await run(process.execPath, [bin, 'classify', 'train', trainFile, '--valid', file('dev'), '--seed', String(seed), ...budget, ...extra, '--out', join(dir, 'run'), '--json'], progress);
        const done = JSON.parse(train.trim().split('\n').at(-1)!) as Record<string, number>;
        const test = JSON.parse((await run(process.execPath, [bin, 'classify', 'eval', join(dir, 'run'), file('test'), '--json'], progress)).trim()) as Record<string, number>;
        return { done, test };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    const rows: Array<{ peer: string; seed: number; test: number; dev: number; epochs: number; secondsPerEpoch: number | null; load: string }> = [];
    for (let s = 0; s < seeds; s++) {
      const seed = 123 + s;
      const load = loadavg().map((x) => x.toFixed(2)).join(' ');
      const e = await eddy(seed, [], ['--time', String(seconds)]);
      rows.push({ peer: 'eddy (defaults)', seed, test: e.test.accuracy, dev: e.done.bestValAccuracy, epochs: e.done.epoch, secondsPerEpoch: e.done.secondsPerEpoch, load });
      progress(`eddy seed ${seed}: test ${(100 * e.test.accuracy).toFixed(2)}% (dev ${(100 * e.done.bestValAccuracy).toFixed(2)}%, ${e.done.epoch.toFixed(2)} epochs)`);
      if (torchMissing === null) {
        const load2 = loadavg().map((x) => x.toFixed(2)).join(' ');
        // The BLAS PyTorch is fastest with here (OpenBLAS SkylakeX, one thread), as the lm suite; else one thread of whatever libblas is.
        const env = pytorchConfigs().configs.find((c) => c.peer === 'pytorch-openblas')?.env ?? { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
        const out = await run(PYTHON, [join(repositoryRoot(), 'bench', 'scripts', 'pytorch_classify.py'), data, String(seconds), String(seed), trainFile], progress, env);
        const py = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
        rows.push({ peer: 'pytorch BiLSTM', seed, test: py.testAccuracy, dev: py.bestDevAccuracy, epochs: py.epochs, secondsPerEpoch: py.secondsPerEpoch, load: load2 });
        progress(`pytorch seed ${seed}: test ${(100 * py.testAccuracy).toFixed(2)}% (dev ${(100 * py.bestDevAccuracy).toFixed(2)}%, ${py.epochs} epochs)`);
      }
    }
    // Epoch speed on the baseline's own model and settings.
    const same = await eddy(123, ['--bidirectional', '--word-dropout', '0', '--lr', '1e-3', '--lr-decay', '1', '--vocab-size', '100000'], ['--epochs', '2']);
    rows.push({
      peer: 'eddy, baseline settings (2 epochs)', seed: 123, test: same.test.accuracy, dev: same.done.bestValAccuracy, epochs: same.done.epoch,
      secondsPerEpoch: same.done.secondsPerEpoch, load: loadavg().map((x) => x.toFixed(2)).join(' '),
    });
    for (const r of rows) {
      report.row({
        bench: 'classify', peer: r.peer, train: trainOn, seed: r.seed, budgetSeconds: seconds, testAccuracy: round(100 * r.test), devAccuracy: round(100 * r.dev),
        epochs: round(r.epochs), secondsPerEpoch: r.secondsPerEpoch === null ? null : round(r.secondsPerEpoch), loadAverage: r.load,
      });
    }
    report.table(`SST-2 (trained on ${trainOn}, random init), ${seconds} s of training per run, best dev epoch measured on test, one thread`,
      ['peer', 'seed', 'testAccuracy', 'devAccuracy', 'epochs', 'secondsPerEpoch', 'loadAverage']);
    for (const peer of new Set(rows.map((r) => r.peer))) {
      const mine = rows.filter((r) => r.peer === peer);
      const mean = mine.reduce((a, r) => a + r.test, 0) / mine.length;
      report.row({ bench: 'classify-mean', peer, seeds: mine.length, meanTestAccuracy: round(100 * mean), target: peer === 'eddy (defaults)' ? mean >= 0.815 : null });
    }
    report.table('mean test accuracy over the seeds (target for Eddy\'s defaults: ≥ 81.5 % in ≤ 5 minutes)', ['peer', 'seeds', 'meanTestAccuracy', 'target']);
  }
}

/** Runs a command; resolves with its stdout, forwarding progress lines of stderr (the tree suite uses it too). */
export function run(command: string, args: string[], progress: (line: string) => void, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const lines = err.split('\n');
      err = lines.pop() ?? '';
      for (const line of lines) if (/^(pytorch epoch|epoch )/.test(line)) progress(line);
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`${command} ${args.slice(0, 3).join(' ')} exited with ${code}: ${(err || out).trim().slice(-1000)}`))));
  });
}

export function round(x: number): number {
  return Math.round(x * 100) / 100;
}
