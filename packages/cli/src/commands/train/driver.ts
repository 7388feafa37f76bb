import { getCore, ready, type optim, type Tensor } from '@eddy/autograd';
import { DivergenceError, trainLoop, type CheckpointEvent, type TrainEvent, type TrainResult } from '@eddy/models';
import { readTrainingOptions, type CommonTrainingOptions } from '../../checkpoint/checkpoint.js';
import { lockCheckpointDir } from '../../checkpoint/lock.js';
import { canonicalPath, checkOutputDir, prepareOutDir } from '../../checkpoint/out-dir.js';
import { EXIT_INTERRUPTED } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import { BarReporter, JsonReporter, LineReporter, type Io, type Reporter } from '../../progress.js';
import { threadCount, withTrainingCore } from '../../threads.js';
import { divergenceError } from './divergence.js';
import { refuseFixed } from './epoch-run.js';
import { LOSS_FACTOR, LossWatch } from './loss-watch.js';

// Every training command (`eddy train`, `eddy classify train`, …) drives the library's trainLoop
// the same way: lock and check the output directory, pick a reporter, report steps, evaluations and
// checkpoints, watch the loss, name the checkpoint kept when the run diverges, and end with a
// summary and an exit code. This is that glue, once; a command supplies only what is its model's.

/** The progress every run keeps, which the driver updates after each step. */
export interface RunProgress {
  step: number;
  tokensSeen: number;
  /** Wall time of the earlier runs this one resumes (seconds). */
  elapsedBefore: number;
  trainLoss: number | null;
}

/** Where a run writes: `out` as the user named it, `outDir` normalised; `resumeDir` when resuming. */
export interface Destination {
  out: string;
  outDir: string;
  resumeDir: string | undefined;
}

type EvalEvent = Extract<TrainEvent, { type: 'eval' }>;

/** What of a training run is its command's, once the run is open. */
export interface TrainingPlan {
  /** Steps between progress lines (JSON and line reporters). */
  reportEvery: number;
  /** The start note: its text and its JSON fields. */
  start: { text: string; data: Record<string, unknown> };
  /** The run's optimizer, bounds, and the options the loop and its messages use. */
  optimizer: optim.Optimizer;
  totalSteps: number | null;
  seconds: number | null;
  evalEvery: number | null;
  bestValLoss: number | null;
  lr: number;
  clip: number;
  /** Step `step`'s loss and the tokens it covered. */
  loss: (step: number) => { loss: Tensor; tokens: number };
  /** Runs after each update, before the driver records the step. */
  afterStep?: () => void;
  /** The validation loss (lower is better); absent: no validation. */
  evaluate?: () => number;
  /** Records an evaluation in the run and writes the checkpoint (`bestFrom`: where best/ comes from until this run writes its own). */
  checkpoint: (c: CheckpointEvent, elapsedSeconds: number, bestFrom: string) => void;
  /** The epoch and validation loss a step's progress line shows. */
  epoch: () => number;
  valLoss: () => number | null;
  /** Reports an evaluation; default: the reporter's validation-loss line. */
  reportEval?: (e: EvalEvent, reporter: Reporter) => void;
  /** The JSON `done` fields before `stopped`, and the line printed when the run finished (not interrupted). */
  finish: (result: TrainResult, seconds: number) => { summary: Record<string, unknown>; message: string };
  /** Frees the run's tensors (after the summary, or when training threw). */
  dispose: () => void;
}

/** A training command, as the driver sees it. */
export interface TrainingCommand<R extends RunProgress> {
  /** How the user continues an interrupted run, e.g. `eddy train`. */
  name: string;
  /** The `--out` of a fresh run without one. */
  defaultOut: string;
  /** Opens the run, fresh or resumed from `resumeDir`. */
  open: (resumeDir: string | undefined) => R;
  /** The command's part of the loop, for the open run. */
  plan: (run: R, where: Destination) => TrainingPlan;
}

/** Runs a training command: returns the exit code (0, or 130 after Ctrl-C). */
export async function driveTraining<R extends RunProgress>(args: ParsedArgs, io: Io, signal: AbortSignal, command: TrainingCommand<R>): Promise<number> {
  const resumeDir = args.optionalString('resume');
  const out = args.optionalString('out') ?? resumeDir ?? command.defaultOut;
  // The directory written (normalised, links followed) and its lock, both before any training.
  const outDir = prepareOutDir(out);
  const lock = lockCheckpointDir(outDir, out);
  try {
    return await driveLocked(args, io, signal, command, { out, outDir, resumeDir });
  } finally {
    lock.release();
  }
}

/** A sentence-level training command (classify, tree, seq2seq): a run opens fresh from FILE, or from `--resume DIR`. */
export interface SentenceTrainingCommand<R extends RunProgress> extends Omit<TrainingCommand<R>, 'open'> {
  fresh: (args: ParsedArgs) => R;
  resumed: (args: ParsedArgs, dir: string) => R;
}

/**
 * Whether a run trains on the relaxed-SIMD core: `--fast`, or, resuming, what the checkpoint
 * recorded (--fast is fixed on resume, refused before any core is loaded).
 */
export function fastCore(args: ParsedArgs, trainCommand: string): boolean {
  const resumeDir = args.optionalString('resume');
  if (resumeDir === undefined) return args.flag('fast');
  refuseFixed(args, ['fast']);
  return readTrainingOptions<CommonTrainingOptions>(resumeDir, trainCommand).fast === true;
}

/**
 * Runs a sentence-level training command on the core `--fast` picks with `--threads` threads:
 * returns the exit code (0, or 130 after Ctrl-C).
 */
export async function runSentenceTraining<R extends RunProgress>(args: ParsedArgs, io: Io, signal: AbortSignal, command: SentenceTrainingCommand<R>): Promise<number> {
  await ready();
  const { fresh, resumed, ...rest } = command;
  return withTrainingCore({ fast: fastCore(args, command.name), threads: threadCount(args) }, () =>
    driveTraining(args, io, signal, { ...rest, open: (dir) => (dir === undefined ? fresh(args) : resumed(args, dir)) }),
  );
}

/**
 * The start note of a run: `description` after "training" (or "resuming DIR at step N:"), and the
 * JSON fields every command gives first (where it resumed from, its step and its total steps), then
 * `data`, then the core it trains on (`simd`, or `relaxed` with --fast).
 */
export function startNote(where: Destination, run: RunProgress, totalSteps: number | null, description: string, data: Record<string, unknown>): TrainingPlan['start'] {
  const { resumeDir } = where;
  const core = getCore().variant;
  return {
    text: `${resumeDir === undefined ? 'training' : `resuming ${resumeDir} at step ${run.step}:`} ${description}${core === 'relaxed' ? ', on the relaxed-SIMD core (--fast)' : ''}`,
    data: { resumedFrom: resumeDir ?? null, step: run.step, totalSteps, ...data, core },
  };
}

async function driveLocked<R extends RunProgress>(args: ParsedArgs, io: Io, signal: AbortSignal, command: TrainingCommand<R>, where: Destination): Promise<number> {
  const { out, outDir, resumeDir } = where;
  const json = args.flag('json');
  const outOptions = { resumeDir, overwrite: args.flag('overwrite') };
  // A fresh run refuses a used directory before reading anything; a resumed one once its checkpoint is read.
  if (resumeDir === undefined) checkOutputDir(outDir, out, outOptions);
  const run = command.open(resumeDir);
  if (resumeDir !== undefined) checkOutputDir(outDir, out, outOptions);
  const plan = command.plan(run, where);
  const reporter: Reporter = json ? new JsonReporter(io, plan.reportEvery) : io.stderr.isTTY ? new BarReporter(io) : new LineReporter(io, plan.reportEvery);
  reporter.note('start', plan.start.text, plan.start.data);

  const started = Date.now();
  const elapsed = (): number => run.elapsedBefore + (Date.now() - started) / 1000;
  // Resuming in place, the checkpoint read is the one on disk (written by an earlier run, its weights unchecked by this one).
  const resumedStep = resumeDir !== undefined && outDir === canonicalPath(resumeDir) ? run.step : null;
  let lastSavedStep: number | null = resumedStep;
  // best/ comes from the checkpoint resumed until this run has written its own (writeCheckpoint).
  const bestFrom = (): string => (lastSavedStep === null && resumeDir !== undefined ? resumeDir : outDir);
  const watch = new LossWatch();
  let stepTokens = 0;

  let result: TrainResult;
  try {
    result = await trainLoop({
      optimizer: plan.optimizer,
      clip: plan.clip,
      steps: plan.totalSteps,
      seconds: plan.seconds,
      startStep: run.step,
      elapsedSeconds: run.elapsedBefore,
      evalEvery: plan.evalEvery,
      bestValLoss: plan.bestValLoss,
      signal,
      loss: (step) => {
        const l = plan.loss(step);
        stepTokens = l.tokens;
        return l;
      },
      afterStep: (step, loss) => {
        plan.afterStep?.();
        run.step = step;
        run.trainLoss = loss;
        run.tokensSeen += stepTokens;
        const rise = watch.add(step, loss);
        if (rise !== null) {
          reporter.note(
            'warning',
            `warning: the training loss averaged ${rise.meanLoss.toPrecision(4)} over the last ${rise.window} steps, more than ${LOSS_FACTOR}× its first value ${rise.firstLoss.toPrecision(4)}: the run is diverging; stop it (Ctrl-C) and lower --lr (now ${plan.lr})${plan.clip === 0 ? ' or set --clip' : ''}`,
            { kind: 'loss-rising', ...rise },
          );
        }
      },
      evaluate: plan.evaluate,
      checkpoint: (c) => {
        plan.checkpoint(c, elapsed(), bestFrom());
        lastSavedStep = c.step;
      },
      onEvent: (e: TrainEvent) => {
        if (e.type === 'step') {
          reporter.step({
            step: e.step, totalSteps: e.totalSteps, epoch: plan.epoch(), loss: e.loss, lr: e.lr, tokensPerSecond: e.tokensPerSecond,
            elapsedSeconds: e.elapsedSeconds, etaSeconds: e.etaSeconds, valLoss: plan.valLoss(),
          });
        } else if (e.type === 'eval') {
          if (plan.reportEval) plan.reportEval(e, reporter);
          else reporter.eval(e);
        } else reporter.checkpoint({ step: e.step, dir: out, reason: e.reason === 'abort' ? 'interrupt' : e.reason });
      },
    });
  } catch (e) {
    plan.dispose();
    if (e instanceof DivergenceError) throw divergenceError(e, { out, lastSavedStep, resumedStep, lr: plan.lr });
    throw e;
  } finally {
    reporter.close();
  }
  const stopped = result.stopped === 'aborted' ? 'interrupted' : result.stopped;
  const { summary, message } = plan.finish(result, (Date.now() - started) / 1000);
  plan.dispose();
  if (json) io.stdout.write(JSON.stringify({ event: 'done', ...summary, stopped }) + '\n');
  else if (stopped === 'interrupted') io.stderr.write(`interrupted at step ${run.step}; checkpoint written to ${out} — continue with: ${command.name} --resume ${out}\n`);
  else io.stdout.write(message + '\n');
  return stopped === 'interrupted' ? EXIT_INTERRUPTED : 0;
}
