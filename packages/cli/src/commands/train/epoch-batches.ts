import type { optim } from '@eddy/autograd';
import type { CommonTrainingOptions } from '../../checkpoint/checkpoint.js';
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
 * Sentence-level training (classify, seq2seq, …) goes through `examples` in epochs of `batchSize`,
 * each epoch's batches made by `batchesOf(epoch)` (a seeded order per epoch), so that the position
 * { epoch, batch } saved in a checkpoint is all a resumed run needs to see the same batches.
 */
export function epochBatches<B>(run: EpochRun, examples: number, batchSize: number, batchesOf: (epoch: number) => B[]): EpochBatches<B> {
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
      }
      run.opt.lr = o.lr * o.lrDecay ** run.position.epoch;
      return batches[run.position.batch];
    },
    advance: () => {
      run.position = { ...run.position, batch: run.position.batch + 1 };
    },
  };
}
