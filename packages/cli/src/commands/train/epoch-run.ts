import { Generator, setRngState, type optim } from '@eddy/autograd';
import type { Module } from '@eddy/models';
import { optimizerFromFiles, type CheckpointConfig, type LoadedCheckpoint } from '../../checkpoint/checkpoint.js';
import { count, record } from '../../checkpoint/train-state.js';
import { CliError, reason, UsageError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import type { Reporter } from '../../progress.js';
import type { RunProgress, TrainingPlan } from './driver.js';

// What the commands that train on shuffled examples epoch by epoch (`eddy classify train`, `eddy
// tree train`, `eddy seq2seq train`) share beyond the driver: how a run reads its files and resumes
// (its arguments, its files, its train-state), and for those validated by accuracy (classify, tree)
// how their validations, checkpoints and summary read.

/** A file a run read, and its hash (`--resume` refuses a changed one). */
export interface FileRef {
  path: string;
  sha256: string;
}

/** The reference a run keeps of a data file it read. */
export function fileRef(c: { path: string | null; sha256: string }): FileRef {
  return { path: c.path!, sha256: c.sha256 };
}

/** The position of a run in its batches: batch `batch` (from 0) of epoch `epoch`. */
export interface EpochPosition {
  epoch: number;
  batch: number;
}

/** 0 … n − 1 in the order a Generator seeded with `seed` shuffles them (Fisher–Yates). */
export function shuffledIndices(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = new Generator(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Checks a train-state's `batcher` entry: an EpochPosition (a TrainStateError names a bad field). */
export function checkEpochPosition(value: unknown): EpochPosition {
  const b = record('batcher', value);
  return { epoch: count('batcher.epoch', b.epoch), batch: count('batcher.batch', b.batch) };
}

/** Where such a run stood (config.json's `progress`); accuracies are fractions. */
export interface AccuracyProgress {
  step: number;
  epoch: number;
  trainLoss: number | null;
  valAccuracy: number | null;
  bestValAccuracy: number | null;
  bestStep: number | null;
}

/** A run as the shared pieces see it. */
export interface EpochRun extends RunProgress, Omit<AccuracyProgress, 'epoch'> {
  position: EpochPosition;
}

/** Where run `run` stands, as its config.json records it. */
export function accuracyProgress(run: EpochRun): AccuracyProgress {
  return {
    step: run.step, epoch: run.position.epoch, trainLoss: run.trainLoss,
    valAccuracy: run.valAccuracy, bestValAccuracy: run.bestValAccuracy, bestStep: run.bestStep,
  };
}

/** A UsageError for the first option of `fixed` given with --resume (the checkpoint fixes it). */
export function refuseFixed(args: ParsedArgs, fixed: readonly string[]): void {
  for (const name of fixed) {
    if (args.has(name)) throw new UsageError(`--${name} cannot change when resuming (the checkpoint fixes it); drop --${name}, or start a new run without --resume.`);
  }
}

/**
 * Checks the arguments of `--resume DIR`: no option in `fixed` (the checkpoint fixes them), no
 * FILE (the checkpoint names it), not both --steps and --epochs. Returns the run's bounds: the saved
 * ones, unless --steps, --epochs or --time is given (then those alone).
 */
export function resumeBounds<T extends { steps: number | null; epochs: number | null; time: number | null }>(args: ParsedArgs, dir: string, fixed: readonly string[], saved: T): T {
  refuseFixed(args, fixed);
  if (args.positionals.length > 0) throw new UsageError(`--resume reads the training file named in ${dir}/config.json; drop the argument '${args.positionals[0]}'.`);
  if (args.has('steps') && args.has('epochs')) throw new UsageError('--steps and --epochs both bound the run; give one of them.');
  if (!(args.has('steps') || args.has('epochs') || args.has('time'))) return saved;
  return { ...saved, steps: args.optionalNumber('steps') ?? null, epochs: args.optionalNumber('epochs') ?? null, time: args.optionalNumber('time') ?? null };
}

/**
 * The FILE argument of a fresh run (`file`: its placeholder, `what`: what it holds); without it, a
 * usage error that shows the command's form.
 */
export function trainingFilePath(args: ParsedArgs, command: string, file: string, what: string): string {
  const path = args.positionals[0];
  if (path === undefined) throw new UsageError(`${command} needs ${file}, ${what} (or --resume DIR): ${command} ${file} [options].`);
  return path;
}

/**
 * The training file and the validation file (null without one) of a run, each read by
 * `read(source, what, verb)`: from the paths of a fresh run, or (with rereadFile) the references of a resumed one.
 */
export function readRunFiles<S, F>(train: S, valid: S | null, read: (source: S, what: string, verb: string) => F): { trainFile: F; validFile: F | null } {
  const trainFile = read(train, 'the training file', 'train on');
  return { trainFile, validFile: valid === null ? null : read(valid, 'the validation file', 'validate on') };
}

/** Opens a run from a checkpoint's `model` with `open`; when that fails, the model is freed before the error goes on. */
export function openResumed<R>(model: Module, open: () => R): R {
  try {
    return open();
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Reads file `f` of a resumed run again (`read` parses it); a file changed since `dir` was written is refused. */
export function rereadFile<F extends { corpus: { sha256: string } }>(f: FileRef, what: string, dir: string, read: (path: string) => F): F {
  const file = read(f.path);
  if (file.corpus.sha256 !== f.sha256) throw new CliError(`${what} ${f.path} has changed since ${dir} was written (its sha256 differs); resuming needs the same file, so restore it or start a new run.`);
  return file;
}

/**
 * Restores the optimizer state and the RNG of checkpoint `ck` (read with its train-state) into
 * `opt`, checking that its batcher position lies within an epoch of `batchesPerEpoch`. A bad
 * train-state ends in one sentence.
 */
export function restoreTrainState(
  ck: LoadedCheckpoint<Module, CheckpointConfig<unknown, { step: number }>, EpochPosition>,
  opt: optim.Optimizer,
  batchesPerEpoch: number,
): void {
  const ts = ck.trainState!;
  try {
    opt.loadStateDict(optimizerFromFiles(ts.optimizer, ck.trainTensors!));
    setRngState(ts.rng);
    if (ts.batcher.batch > batchesPerEpoch) throw new Error(`batcher.batch ${ts.batcher.batch} is past the end of an epoch`);
  } catch (e) {
    throw new CliError(`${ck.dir}/train-state is corrupt (${reason(e)}); resume from a complete checkpoint or restart training.`);
  }
}

/**
 * `restoreTrainState`, then the run's progress: its position, counters and accuracies as the
 * checkpoint left them.
 */
export function restoreEpochRun(
  ck: LoadedCheckpoint<Module, CheckpointConfig<unknown, AccuracyProgress>, EpochPosition>,
  opt: optim.Optimizer,
  batchesPerEpoch: number,
): EpochRun {
  restoreTrainState(ck, opt, batchesPerEpoch);
  const ts = ck.trainState!;
  const p = ck.config.progress;
  return {
    position: { ...ts.batcher }, step: ts.step, tokensSeen: ts.tokensSeen, elapsedBefore: ts.elapsedSeconds,
    trainLoss: p.trainLoss, valAccuracy: p.valAccuracy, bestValAccuracy: p.bestValAccuracy, bestStep: p.bestStep,
  };
}

/**
 * The parts of a training plan that validate once per epoch by accuracy (`what`: "validation
 * accuracy", …), keep the best (trainLoop keeps the lowest loss: the error rate 1 − accuracy), save
 * through `save`, and end with a summary that suggests `evalCommand`.
 */
export function accuracyPlan(
  run: EpochRun,
  o: { stepsPerEpoch: number; out: string; what: string; evalCommand: string; save: (best: boolean, elapsedSeconds: number, bestFrom: string) => void },
): Pick<TrainingPlan, 'evalEvery' | 'bestValLoss' | 'checkpoint' | 'epoch' | 'valLoss' | 'reportEval' | 'finish'> {
  const { stepsPerEpoch, out, what } = o;
  return {
    // Validation after every epoch: every epoch has the same number of batches.
    evalEvery: stepsPerEpoch,
    bestValLoss: run.bestValAccuracy === null ? null : 1 - run.bestValAccuracy,
    checkpoint: (c, elapsed, bestFrom) => {
      if (c.valLoss !== null) {
        run.valAccuracy = 1 - c.valLoss;
        if (c.improved) [run.bestValAccuracy, run.bestStep] = [run.valAccuracy, c.step];
      }
      o.save(c.improved, elapsed, bestFrom);
    },
    epoch: () => run.position.epoch,
    valLoss: () => null,
    reportEval: (e, reporter: Reporter) => {
      const acc = 1 - e.valLoss;
      const best = 1 - e.bestValLoss;
      const epoch = e.step / stepsPerEpoch;
      reporter.note(
        'eval',
        `epoch ${Number.isInteger(epoch) ? epoch : epoch.toFixed(2)} (step ${e.step})  ${what} ${(100 * acc).toFixed(2)}%${e.improved ? '  (best)' : `  (best ${(100 * best).toFixed(2)}%)`}`,
        { step: e.step, epoch, valAccuracy: acc, bestValAccuracy: best, improved: e.improved },
      );
    },
    finish: (result, seconds) => {
      const epoch = run.step / stepsPerEpoch;
      const val = run.bestValAccuracy === null ? '' : `, best ${what} ${(100 * run.bestValAccuracy).toFixed(2)}% at step ${run.bestStep} (kept in ${out}/best)`;
      return {
        summary: {
          step: run.step, epoch, trainLoss: run.trainLoss, valAccuracy: run.valAccuracy, bestValAccuracy: run.bestValAccuracy,
          bestStep: run.bestStep, dir: out, seconds, secondsPerEpoch: result.stepsRun > 0 ? (result.seconds / result.stepsRun) * stepsPerEpoch : null,
        },
        message: `trained to step ${run.step} (epoch ${epoch.toFixed(2)}) in ${seconds.toFixed(1)}s: loss ${run.trainLoss?.toFixed(4) ?? '–'}${val} — try: ${o.evalCommand} ${out} FILE`,
      };
    },
  };
}
