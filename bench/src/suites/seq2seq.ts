import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bleu, exactMatch } from '@eddy/text';
import { repositoryRoot } from '../lm/options.js';
import { PYTHON, pytorchConfigs, pytorchMissing, withThreads } from '../peers/pytorch.js';
import type { Report } from '../report.js';
import { additionPairs, datePairs, heldOutSplit, readEngFra, toTsv, type TextPair } from '../seq2seq-data/index.js';
import { round, run } from './classify.js';

/** Flags of this suite that take a value (main.ts must not read their values as suite names). */
export const SEQ2SEQ_VALUE_FLAGS = ['--task', '--seconds', '--seeds', '--eng-fra', '--speed-sentences', '--threads', '--torch-threads', '--eddy-args', '--first-seed'];

/** A benchmark task: its pairs, how they are held out, and the `eddy seq2seq train` flags it is trained with. */
interface Task {
  name: 'addition' | 'dates' | 'eng-fra';
  pairs: () => TextPair[];
  /** What keeps a held-out item unseen in training (the same date in another format, the same French sentence). */
  key?: (p: TextPair) => string;
  /** Beyond the CLI's defaults (char tokenizer, LSTM 128, Luong general attention with input feeding, batch 32, Adam 2e-3, clip 5). */
  flags: string[];
}

/** The targets in percent; eng-fra's are PyTorch's own figures (filled in per run). */
const EXACT_MATCH_TARGET: Record<Task['name'], number | null> = { addition: 99, dates: 99, 'eng-fra': null };
/** Pairs held out for validation (after the test split): enough for a steady loss, few enough to decode every epoch. */
const VALID_PAIRS = 1000;
/** The data's own seed: every training seed and both peers see the same split. */
const DATA_SEED = 1;
/** The beam of the decoding-speed rows. */
const BEAM = 5;

/**
 * Sequence to sequence against PyTorch (issue 12, not CI; `--seconds` per run and task): for each
 * task (`--task addition|dates|eng-fra|all`, default all; addition under --quick) the data is
 * generated (bench/src/seq2seq-data) into held-out train / valid / test TSV files; `eddy seq2seq
 * train` with its defaults (char tokenizer; eng-fra: `--tokenizer word`) trains for `--seconds`
 * (default 600, the addition target's ten minutes), validating every epoch, and `eddy seq2seq eval`
 * measures its best model on test (exact match, BLEU, token accuracy). Then, one after the other,
 * bench/scripts/pytorch_seq2seq.py — the same architecture, size, vocabulary (the Eddy run's
 * vocab.json), batch, optimizer, clipping, validation and decoding — trains for the same wall time
 * on the same files; its test outputs are scored by Eddy's `exactMatch` and `bleu` (one scorer for
 * both), its token accuracy as text's `tokenAccuracy`. Speed (first seed): training target tokens
 * per second (training steps only, validation excluded) and decoding sentences per second, greedy
 * and beam 5, on the first `--speed-sentences` (default 1000) test sources, with Eddy/PyTorch ratios.
 * Options: --task T, --seconds N, --seeds N (default 1), --first-seed S (default 123; seeds S, S + 1, …), --eng-fra FILE, --speed-sentences N,
 * --no-pytorch, --quick (20 s, one seed, addition unless --task), --eddy-args "FLAGS" (more `eddy seq2seq
 * train` flags for every task, e.g. "--lr-decay 0.9": the defaults are what the rows measure otherwise).
 */
export async function seq2seq(report: Report, options: { quick: boolean }): Promise<void> {
  const argv = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = argv.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    return i < 0 ? undefined : argv[i].includes('=') ? argv[i].slice(flag.length + 1) : argv[i + 1];
  };
  const seconds = Number(value('--seconds') ?? (options.quick ? 20 : 600));
  const seeds = Number(value('--seeds') ?? 1);
  const firstSeed = Number(value('--first-seed') ?? 123);
  const speedSentences = Number(value('--speed-sentences') ?? 1000);
  const taskName = value('--task') ?? (options.quick ? 'addition' : 'all');
  const eddyArgs = (value('--eddy-args') ?? '').split(/\s+/).filter((a) => a !== '');
  const engFra = resolve(value('--eng-fra') ?? join(repositoryRoot(), '../shared/data/eng-fra/fra.txt'));
  const TASKS: Task[] = [
    { name: 'addition', pairs: () => additionPairs({ count: 50_000, seed: DATA_SEED }), flags: [] },
    { name: 'dates', pairs: () => datePairs({ count: 20_000, seed: DATA_SEED }), key: (p) => p.target, flags: [] },
    { name: 'eng-fra', pairs: () => readEngFra(engFra), flags: ['--tokenizer', 'word'] },
  ];
  const tasks = TASKS.filter((t) => taskName === 'all' || t.name === taskName);
  if (!(seconds > 0) || !Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(firstSeed) || !Number.isInteger(speedSentences) || speedSentences < 2 || tasks.length === 0) {
    console.error('seq2seq: --seconds must be > 0, --seeds an integer ≥ 1, --speed-sentences an integer ≥ 2 and --task addition, dates, eng-fra or all');
    process.exitCode = 2;
    return;
  }
  const bin = join(repositoryRoot(), 'packages', 'cli', 'dist', 'cli.js');
  const needed: Array<[string, string, string]> = [['the eddy bin', bin, 'run npm run build at the repository root']];
  if (tasks.some((t) => t.name === 'eng-fra')) needed.push(['the eng-fra pairs', engFra, 'pass --eng-fra FILE']);
  for (const [what, path, hint] of needed) {
    if (!existsSync(path)) {
      console.error(`seq2seq: ${what} is missing at ${path}; ${hint}`);
      process.exitCode = 2;
      return;
    }
  }
  const torchMissing = argv.includes('--no-pytorch') ? 'skipped (--no-pytorch)' : pytorchMissing();
  if (torchMissing !== null) console.error(`seq2seq: PyTorch ${torchMissing}`);
  // The BLAS PyTorch is fastest with (OpenBLAS SkylakeX, one thread) when it is installed, as the
  // other suites; else one thread of whatever libblas.so.3 is (the row names the library).
  // `--threads N` trains and decodes Eddy on N threads, `--torch-threads N` PyTorch.
  const threads = Number(value('--threads') ?? 1);
  const torchThreads = Number(value('--torch-threads') ?? 1);
  if (![threads, torchThreads].every((n) => Number.isInteger(n) && n >= 1)) {
    console.error('seq2seq: --threads and --torch-threads take an integer ≥ 1');
    process.exitCode = 2;
    return;
  }
  const openblas = pytorchConfigs().configs.find((c) => c.peer === 'pytorch-openblas');
  const torchEnv = openblas !== undefined ? withThreads(openblas, torchThreads).env : { OMP_NUM_THREADS: String(torchThreads), MKL_NUM_THREADS: String(torchThreads) };
  const progress = (line: string): void => console.error(`  ${line}`);
  const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
  const work = mkdtempSync(join(tmpdir(), 'eddy-bench-seq2seq-'));
  try {
    for (const task of tasks) await runTask(task);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  async function runTask(task: Task): Promise<void> {
    const dir = join(work, task.name);
    mkdirSync(dir);
    const all = task.pairs();
    const { train: rest, test } = heldOutSplit(all, { fraction: 0.1, seed: DATA_SEED, key: task.key });
    const { train, test: valid } = heldOutSplit(rest, { fraction: Math.min(0.5, VALID_PAIRS / rest.length), seed: DATA_SEED + 1, key: task.key });
    const file = (split: string): string => join(dir, `${split}.tsv`);
    writeFileSync(file('train'), toTsv(train));
    writeFileSync(file('valid'), toTsv(valid));
    writeFileSync(file('test'), toTsv(test));
    const speedSources = join(dir, 'speed.txt');
    writeFileSync(speedSources, test.slice(0, speedSentences).map((p) => `${p.source}\n`).join(''));
    const oneSource = join(dir, 'one.txt');
    writeFileSync(oneSource, `${test[0].source}\n`);
    const references = test.map((p) => p.target);
    console.error(`seq2seq ${task.name}: ${train.length} training, ${valid.length} validation and ${test.length} test pairs, ${seconds} s per run`);

    interface Row { peer: string; seed: number; exactMatch: number; bleu: number; tokenAccuracy: number; epochs: number; trainSeconds: number; load: string }
    const rows: Row[] = [];
    let speed: Record<string, number | string | null> | null = null;
    for (let s = 0; s < seeds; s++) {
      const seed = firstSeed + s;
      const out = join(dir, `eddy-${seed}`);
      const l = load();
      const started = Date.now();
      const lines = (await run(process.execPath, [bin, 'seq2seq', 'train', file('train'), '--valid', file('valid'), '--seed', String(seed), '--time', String(seconds), '--threads', String(threads), ...task.flags, ...eddyArgs, '--out', out, '--json'], progress))
        .trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      const trainSeconds = (Date.now() - started) / 1000;
      const done = lines.at(-1) as { epoch: number };
      const measured = JSON.parse((await run(process.execPath, [bin, 'seq2seq', 'eval', out, file('test'), '--json'], progress)).trim()) as { exactMatch: number; bleu: number; tokenAccuracy: number };
      rows.push({ peer: 'eddy', seed, ...measured, epochs: done.epoch, trainSeconds, load: l });
      progress(`eddy seed ${seed}: exact match ${pct(measured.exactMatch)}, BLEU ${measured.bleu.toFixed(2)}, token accuracy ${pct(measured.tokenAccuracy)} after ${done.epoch.toFixed(2)} epochs (${trainSeconds.toFixed(0)} s)`);
      const eddySpeed = s === 0 ? { trainTokensPerSecond: trainingRate(lines), greedy: await decodingRate(out, 1), beam: await decodingRate(out, BEAM) } : null;

      if (torchMissing === null) {
        const l2 = load();
        const pyOut = join(dir, `pytorch-${seed}`);
        mkdirSync(pyOut);
        const py = JSON.parse((await run(PYTHON, [
          join(repositoryRoot(), 'bench', 'scripts', 'pytorch_seq2seq.py'), '--train', file('train'), '--valid', file('valid'), '--test', file('test'),
          '--vocab', join(out, 'vocab.json'), '--seconds', String(seconds), '--seed', String(seed), '--out', pyOut, '--beam', String(BEAM), '--speed-sentences', String(speedSentences),
        ], progress, torchEnv)).trim().split('\n').at(-1)!) as Record<string, number> & { blas: string };
        const hypotheses = readFileSync(join(pyOut, 'greedy.txt'), 'utf8').split('\n').slice(0, references.length);
        const m = { exactMatch: exactMatch(hypotheses, references), bleu: bleu(hypotheses, references).score, tokenAccuracy: py.tokenAccuracy };
        rows.push({ peer: 'pytorch', seed, ...m, epochs: py.epochs, trainSeconds: py.seconds, load: l2 });
        progress(`pytorch seed ${seed}: exact match ${pct(m.exactMatch)}, BLEU ${m.bleu.toFixed(2)}, token accuracy ${pct(m.tokenAccuracy)} after ${py.epochs.toFixed(2)} epochs (${py.blas}, 512 GEMM ${py.gemm512Gflops} GFLOP/s)`);
        if (eddySpeed !== null) {
          speed = {
            eddyTrainTokensPerSecond: round(eddySpeed.trainTokensPerSecond), pytorchTrainTokensPerSecond: round(py.trainTokensPerSecond), trainRatio: ratio(eddySpeed.trainTokensPerSecond, py.trainTokensPerSecond),
            eddyGreedyPerSecond: round(eddySpeed.greedy), pytorchGreedyPerSecond: round(py.greedySentencesPerSecond), greedyRatio: ratio(eddySpeed.greedy, py.greedySentencesPerSecond),
            eddyBeamPerSecond: round(eddySpeed.beam), pytorchBeamPerSecond: round(py.beamSentencesPerSecond), beamRatio: ratio(eddySpeed.beam, py.beamSentencesPerSecond),
            pytorchBlas: py.blas, loadAverage: load(),
          };
        }
      } else if (eddySpeed !== null) {
        speed = {
          eddyTrainTokensPerSecond: round(eddySpeed.trainTokensPerSecond), eddyGreedyPerSecond: round(eddySpeed.greedy), eddyBeamPerSecond: round(eddySpeed.beam), loadAverage: load(),
        };
      }
      rmSync(out, { recursive: true, force: true });
    }

    for (const r of rows) {
      report.row({
        bench: 'seq2seq', task: task.name, peer: r.peer, seed: r.seed, budgetSeconds: seconds, exactMatch: round(100 * r.exactMatch), bleu: round(r.bleu),
        tokenAccuracy: round(100 * r.tokenAccuracy), epochs: round(r.epochs), trainSeconds: round(r.trainSeconds), loadAverage: r.load,
      });
    }
    report.table(`seq2seq ${task.name}: ${seconds} s of training per run (validation included), best validation-loss model on ${test.length} held-out test pairs, greedy; training on ${threads} Eddy and ${torchThreads} PyTorch thread(s)`,
      ['peer', 'seed', 'exactMatch', 'bleu', 'tokenAccuracy', 'epochs', 'trainSeconds', 'loadAverage']);

    const mean = (peer: string, k: 'exactMatch' | 'bleu'): number | null => {
      const mine = rows.filter((r) => r.peer === peer);
      return mine.length === 0 ? null : mine.reduce((a, r) => a + (k === 'exactMatch' ? 100 * r[k] : r[k]), 0) / mine.length;
    };
    const [em, b, pem, pb] = [mean('eddy', 'exactMatch')!, mean('eddy', 'bleu')!, mean('pytorch', 'exactMatch'), mean('pytorch', 'bleu')];
    const emTarget = EXACT_MATCH_TARGET[task.name];
    const target = emTarget !== null ? `exact match ≥ ${emTarget} %${task.name === 'addition' ? ' in ≤ 600 s' : ''}` : 'exact match and BLEU ≥ PyTorch\'s';
    const met = emTarget !== null ? em >= emTarget && (task.name !== 'addition' || seconds <= 600) : pem === null ? null : em >= pem && b >= pb!;
    report.row({
      bench: 'seq2seq-target', task: task.name, seeds, eddyExactMatch: round(em), eddyBleu: round(b), pytorchExactMatch: pem === null ? null : round(pem), pytorchBleu: pb === null ? null : round(pb), target, met,
    });
    report.table(`seq2seq ${task.name}: mean over the seeds against the issue's target`, ['seeds', 'eddyExactMatch', 'eddyBleu', 'pytorchExactMatch', 'pytorchBleu', 'target', 'met']);
    if (speed !== null) {
      report.row({ bench: 'seq2seq-speed', task: task.name, sentences: Math.min(speedSentences, test.length), ...speed });
      report.table(`seq2seq ${task.name} speed (same model; training and decoding on ${threads} Eddy and ${torchThreads} PyTorch thread(s)): training target tokens/s (steps only), decoding sentences/s greedy and beam ${BEAM}; ratios Eddy/PyTorch (target ≥ 1.0)`,
        ['eddyTrainTokensPerSecond', 'pytorchTrainTokensPerSecond', 'trainRatio', 'eddyGreedyPerSecond', 'pytorchGreedyPerSecond', 'greedyRatio', 'eddyBeamPerSecond', 'pytorchBeamPerSecond', 'beamRatio', 'pytorchBlas', 'loadAverage']);
    }

    /** Sentences per second of `eddy seq2seq translate` on the speed sources, less a one-sentence run's start-up and loading. */
    async function decodingRate(out: string, beam: number): Promise<number> {
      const timed = async (input: string): Promise<number> => {
        const started = performance.now();
        await run(process.execPath, [bin, 'seq2seq', 'translate', out, '--input', input, '--beam', String(beam), '--threads', String(threads)], progress);
        return (performance.now() - started) / 1000;
      };
      const n = Math.min(speedSentences, test.length);
      return (n - 1) / Math.max(1e-3, (await timed(speedSources)) - (await timed(oneSource)));
    }
  }
}

/**
 * Target tokens per second of training steps alone, from `eddy seq2seq train --json`'s events: each
 * step event's cumulative tokens are tokensPerSecond × elapsedSeconds; the intervals that hold an
 * evaluation or a checkpoint are left out, so validation (which the wall-time budget includes) does
 * not count as training time.
 */
export function trainingRate(events: readonly Record<string, unknown>[]): number {
  let tokens = 0;
  let seconds = 0;
  let previous: { tokens: number; seconds: number } | null = null;
  for (const e of events) {
    if (e.event === 'step') {
      const now = { tokens: (e.tokensPerSecond as number) * (e.elapsedSeconds as number), seconds: e.elapsedSeconds as number };
      if (previous !== null) {
        tokens += now.tokens - previous.tokens;
        seconds += now.seconds - previous.seconds;
      }
      previous = now;
    } else if (e.event === 'eval' || e.event === 'checkpoint') previous = null;
  }
  return seconds > 0 ? tokens / seconds : 0;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const ratio = (eddy: number, pytorch: number): number | null => (pytorch > 0 ? round(eddy / pytorch) : null);
