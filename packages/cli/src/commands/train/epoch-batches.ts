import type { optim } from '@eddy/autograd';
import type { CommonTrainingOptions } from '../../checkpoint/checkpoint.js';
import type { TrainingPlan } from './driver.js';
import type { EpochPosition } from './epoch-run.js';

/** What of a run `epochBatches` reads and moves. */
export interface EpochRun {
  position: EpochPosition;
  opt: optim.Optimizer;
  options: Pick<CommonTrainingOptions, 'lr' | 'lrDecay' | 'steps' | 'epochs'>;
}

/** A run's walk through its epochs of batches. */
export interface EpochBatches<B> {
  stepsPerEpoch: number;
  /** --steps, or --epochs in steps; null when only --time bounds the run. */
  totalSteps: number | null;
  /** The batch at the run's position, going on to the next epoch after the last; sets that epoch's learning rate (lr · lrDecay^epoch). */
  next(): B;
  /** Moves the position past the batch `next` gave (after the optimizer step). */
  advance(): void;
}

/**
 * Sentence-level training (classify, tree, seq2seq) goes through `examples` in epochs of `batchSize`,
 * each epoch's batches made by `batchesOf(epoch)` (a seeded order per epoch), so that the position
 * { epoch, batch } saved in a checkpoint is all a resumed run needs to see the same batches.
 * `onEpoch` runs when a new epoch begins, before its first batch (not at the run's first).
 */
export function epochBatches<B>(run: EpochRun, examples: number, batchSize: number, batchesOf: (epoch: number) => B[], onEpoch?: () => void): EpochBatches<B> {
  const stepsPerEpoch = Math.ceil(examples / batchSize);
  const o = run.options;
  let batches = batchesOf(run.position.epoch);
  return {
    stepsPerEpoch,
    totalSteps: o.steps ?? (o.epochs !== null ? Math.ceil(o.epochs * stepsPerEpoch) : null),
    next: () => {
      if (run.position.batch >= batches.length) {
        run.position = { epoch: run.position.epoch + 1, batch: 0 };
        batches = batchesOf(run.position.epoch);
        onEpoch?.();
      }
      // Setting lr rescales every parameter group by its ratio to the first (tree's word vectors
      // keep theirs): only when it changes, so that the groups' rates are not re-rounded every step.
      const lr = o.lr * o.lrDecay ** run.position.epoch;
      if (run.opt.lr !== lr) run.opt.lr = lr;
      return batches[run.position.batch];
    },
    advance: () => {
      run.position = { ...run.position, batch: run.position.batch + 1 };
    },
  };
}

/** A run through epochs of batches, as `epochPlan` sees it. */
export interface EpochPlanRun extends EpochRun {
  options: EpochRun['options'] & Pick<CommonTrainingOptions, 'time' | 'clip'>;
  model: { dispose(): void };
}

/**
 * The parts of a training plan that every run through epochs of batches fills alike: a progress
 * line about ten times an epoch, its bounds and optimisation from its options, the move past each
 * batch, and its model freed at the end.
 */
export function epochPlan(run: EpochPlanRun, data: EpochBatches<unknown>): Pick<TrainingPlan, 'reportEvery' | 'optimizer' | 'totalSteps' | 'seconds' | 'lr' | 'clip' | 'afterStep' | 'dispose'> {
  const o = run.options;
  return {
    reportEvery: Math.max(1, Math.round(data.stepsPerEpoch / 10)),
    optimizer: run.opt,
    totalSteps: data.totalSteps,
    seconds: o.time,
    lr: o.lr,
    clip: o.clip,
    afterStep: data.advance,
    dispose: () => run.model.dispose(),
  };
}
