import { EddyError, optim, scope, type Tensor } from '@eddy/autograd';
import { describe, fail } from '../errors.js';
import { checkOptions } from '@eddy/autograd/internal';

// The one training loop: `eddy train` and every later command family (seq2seq, tree, classify) and
// the docs site's workers run their models through it, each supplying only the loss of a step.
//
//   for step = start+1 … : loss = L(step) (inside a scope) → zero grads → backward → clip ‖g‖₂ → update
//   every `evalEvery` steps and at the end: evaluate (validation loss) → check the weights → checkpoint hook
//
// A loss can stay finite while the weights run away (1e29 weights still give a finite loss, and
// then NaN logits when sampled), so the weights are checked before the hook is told the model is
// worth keeping: every one finite and no |w| above `maxWeight`.
//
// It stops at `steps`, after `seconds` of wall time, or when `signal` aborts (then the checkpoint
// hook runs once more, without evaluating, so that stopping stays quick). Between steps it yields
// to the event loop about every 50 ms, so a Ctrl-C handler or a worker's message can run.

/** What a step's loss callback returns: the scalar loss (with its graph) and optionally the tokens it covered. */
export type StepLoss = Tensor | { loss: Tensor; tokens?: number };

/** Why a checkpoint hook runs. */
export type CheckpointReason = 'eval' | 'end' | 'abort';

/** What the checkpoint hook is told. */
export interface CheckpointEvent {
  step: number;
  reason: CheckpointReason;
  /** The validation loss just measured, or null when none was (no `evaluate`, or an abort). */
  valLoss: number | null;
  /** Whether `valLoss` is the best so far (the model is the best one: keep it). */
  improved: boolean;
}

/** Progress, for bars, logs and a docs page's plots. */
export type TrainEvent =
  | {
      type: 'step';
      step: number;
      /** The step count the loop stops at, or null when only time or the signal bounds it. */
      totalSteps: number | null;
      loss: number;
      lr: number;
      tokensPerSecond: number;
      elapsedSeconds: number;
      /** Estimated seconds left, or null when nothing bounds the run. */
      etaSeconds: number | null;
    }
  | { type: 'eval'; step: number; valLoss: number; bestValLoss: number; improved: boolean }
  | { type: 'checkpoint'; step: number; reason: CheckpointReason };

export interface TrainLoopOptions {
  /** The optimizer; its parameters are the ones clipped. */
  optimizer: optim.Optimizer;
  /**
   * The loss of step `step` (1-based), called inside a `scope`: tensors it makes are freed after
   * the update, except those it `keep`s (a carried recurrent state).
   */
  loss: (step: number) => StepLoss;
  /** Runs after the update, still inside the step's scope (e.g. swap in the state `loss` kept). */
  afterStep?: (step: number, loss: number) => void;
  /** Clip the global L2 norm of the gradients to this; 0 or absent: no clipping. */
  clip?: number;
  /** Stop when this many steps have been taken in total (counting `startStep`); null: unbounded. */
  steps?: number | null;
  /** Stop after this much wall time (seconds) in this call; null: unbounded. */
  seconds?: number | null;
  /** Steps already taken (a resumed run). Default 0. */
  startStep?: number;
  /** Wall time already spent (a resumed run), for `elapsedSeconds`. Default 0. */
  elapsedSeconds?: number;
  /** Evaluate and checkpoint every this many steps. Default: only at the end. */
  evalEvery?: number | null;
  /** The validation loss (lower is better); absent: no evaluation. */
  evaluate?: () => number;
  /** The best validation loss of the run so far (a resumed run), or null. */
  bestValLoss?: number | null;
  /**
   * The largest |w| a parameter may reach before the run counts as diverged (checked before every
   * checkpoint hook, with non-finite values); null: only non-finite weights count. Default
   * `MAX_WEIGHT` (1e6), far above what training reaches (|w| of a few tens) and far below where
   * float32 logits overflow.
   */
  maxWeight?: number | null;
  /** Writes a checkpoint; runs after every evaluation, at the end, and after an abort. */
  checkpoint?: (event: CheckpointEvent) => void;
  /** Stops the loop between steps. */
  signal?: AbortSignal;
  /** Progress events. */
  onEvent?: (event: TrainEvent) => void;
}

export interface TrainResult {
  step: number;
  stopped: 'done' | 'time' | 'aborted';
  trainLoss: number | null;
  valLoss: number | null;
  bestValLoss: number | null;
  /** Steps and tokens of this call, and its wall time. */
  stepsRun: number;
  tokens: number;
  seconds: number;
}

/** The default `maxWeight` of `trainLoop`. */
export const MAX_WEIGHT = 1e6;

/**
 * The run diverged: a non-finite loss (`step` is the step whose loss it was; nothing was updated
 * from it, so the weights are those after step − 1), a non-finite validation loss, or weights that
 * are non-finite or above `maxWeight` at a checkpoint (`value`: the largest |w|, NaN if any is NaN;
 * the checkpoint hook was not called).
 */
export class DivergenceError extends EddyError<'E_DIVERGED'> {
  constructor(
    readonly step: number,
    readonly what: 'loss' | 'validation loss' | 'largest weight',
    readonly value: number,
  ) {
    super('E_DIVERGED', `train: the ${what} became ${value} at step ${step}; lower the learning rate or clip the gradients`);
    this.name = 'DivergenceError';
  }
}

const KEYS = [
  'optimizer', 'loss', 'afterStep', 'clip', 'steps', 'seconds', 'startStep', 'elapsedSeconds', 'evalEvery', 'evaluate', 'bestValLoss',
  'maxWeight', 'checkpoint', 'signal', 'onEvent',
] as const;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Trains until `steps`, `seconds` or `signal` stops it; see the file comment. */
export async function trainLoop(options: TrainLoopOptions): Promise<TrainResult> {
  const o = checkOptions('trainLoop', options, KEYS) as unknown as TrainLoopOptions;
  if (!(o.optimizer instanceof optim.Optimizer)) throw fail('E_ARGUMENT', `trainLoop: optimizer must be an optim.Optimizer, got ${describe(o.optimizer)}`);
  if (typeof o.loss !== 'function') throw fail('E_ARGUMENT', `trainLoop: loss must be a function (step) => Tensor, got ${describe(o.loss)}`);
  const clip = o.clip ?? 0;
  const steps = o.steps ?? null;
  const seconds = o.seconds ?? null;
  const evalEvery = o.evalEvery ?? null;
  let step = o.startStep ?? 0;
  checkCount('startStep', step, 0);
  if (steps !== null) checkCount('steps', steps, 0);
  if (evalEvery !== null) checkCount('evalEvery', evalEvery, 1);
  if (!(clip >= 0) || !Number.isFinite(clip)) throw fail('E_ARGUMENT', `trainLoop: clip must be a finite number >= 0, got ${describe(clip)}`);
  const maxWeight = o.maxWeight === undefined ? MAX_WEIGHT : o.maxWeight;
  if (maxWeight !== null && !(maxWeight > 0)) throw fail('E_ARGUMENT', `trainLoop: maxWeight must be a number > 0 or null, got ${describe(maxWeight)}`);
  if (seconds !== null && !(seconds > 0)) throw fail('E_ARGUMENT', `trainLoop: seconds must be > 0, got ${describe(seconds)}`);

  const opt = o.optimizer;
  const emit = o.onEvent ?? (() => {});
  const started = performance.now();
  const secondsSinceStart = (): number => (performance.now() - started) / 1000;
  let lastYield = performance.now();
  let stepsRun = 0;
  let tokens = 0;
  let trainLoss: number | null = null;
  let valLoss: number | null = null;
  let bestValLoss = o.bestValLoss ?? null;
  let lastCheckpoint: number | null = null;
  let stopped: TrainResult['stopped'] = 'done';

  const checkpoint = (reason: CheckpointReason): void => {
    let improved = false;
    let measured: number | null = null;
    if (reason !== 'abort' && o.evaluate !== undefined) {
      measured = o.evaluate();
      if (!Number.isFinite(measured)) throw new DivergenceError(step, 'validation loss', measured);
      valLoss = measured;
      improved = bestValLoss === null || measured < bestValLoss;
      if (improved) bestValLoss = measured;
      emit({ type: 'eval', step, valLoss: measured, bestValLoss: bestValLoss!, improved });
    }
    const largest = largestWeight(opt.params);
    if (!Number.isFinite(largest) || largest > (maxWeight ?? Infinity)) throw new DivergenceError(step, 'largest weight', largest);
    if (o.checkpoint !== undefined) {
      o.checkpoint({ step, reason, valLoss: measured, improved });
      emit({ type: 'checkpoint', step, reason });
    }
    lastCheckpoint = step;
  };

  while (steps === null || step < steps) {
    if (seconds !== null && secondsSinceStart() >= seconds) {
      stopped = 'time';
      break;
    }
    if (performance.now() - lastYield > 50) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    if (o.signal?.aborted) {
      stopped = 'aborted';
      break;
    }
    const next = step + 1;
    const { loss, covered } = scope(() => {
      const out = o.loss(next);
      const lossTensor = isTensorLike(out) ? out : out.loss;
      const value = lossTensor.item();
      if (!Number.isFinite(value)) throw new DivergenceError(next, 'loss', value);
      opt.zeroGrad();
      lossTensor.backward();
      if (clip > 0) optim.clipGradNorm(opt.params, clip);
      opt.step();
      o.afterStep?.(next, value);
      return { loss: value, covered: isTensorLike(out) ? 0 : (out.tokens ?? 0) };
    });
    step = next;
    stepsRun++;
    tokens += covered;
    trainLoss = loss;
    const elapsed = secondsSinceStart();
    const perStep = elapsed / stepsRun;
    const eta = Math.min(steps === null ? Infinity : (steps - step) * perStep, seconds === null ? Infinity : seconds - elapsed);
    emit({
      type: 'step', step, totalSteps: steps, loss, lr: opt.lr, tokensPerSecond: elapsed > 0 ? tokens / elapsed : 0,
      elapsedSeconds: (o.elapsedSeconds ?? 0) + elapsed, etaSeconds: Number.isFinite(eta) ? Math.max(0, eta) : null,
    });
    if (evalEvery !== null && step % evalEvery === 0) checkpoint('eval');
  }
  if (lastCheckpoint !== step) {
    // After an abort only what was trained since the last checkpoint is saved, without evaluating.
    if (stopped !== 'aborted') checkpoint('end');
    else if (stepsRun > 0) checkpoint('abort');
  }
  return { step, stopped, trainLoss, valLoss, bestValLoss, stepsRun, tokens, seconds: secondsSinceStart() };
}

/** max |w| over `params`; NaN if any value is NaN (Infinity if one is infinite). */
function largestWeight(params: readonly Tensor[]): number {
  let largest = 0;
  for (const p of params) {
    for (const v of p.toFloat32Array()) {
      const a = Math.abs(v);
      if (!(a <= largest)) {
        if (Number.isNaN(a)) return NaN;
        largest = a;
      }
    }
  }
  return largest;
}

function isTensorLike(x: StepLoss): x is Tensor {
  return typeof (x as Tensor).backward === 'function';
}

function checkCount(name: string, value: unknown, min: number): void {
  if (!Number.isSafeInteger(value) || (value as number) < min) throw fail('E_ARGUMENT', `trainLoop: ${name} must be an integer >= ${min}, got ${describe(value)}`);
}
