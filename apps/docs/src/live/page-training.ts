import { trainLoop, type TrainEvent, type TrainLoopOptions } from '@eddy/models';

/** How far one call trains a live page's model: until `signal` aborts, `steps` more steps or `seconds` pass; every step reported to `onEvent`. */
export interface TrainOptions {
  signal?: AbortSignal;
  steps?: number;
  seconds?: number;
  onEvent?: (e: TrainEvent) => void;
}

/**
 * The training of a live page's model, in calls that each go on from the step the last one reached
 * (the Train button stops and starts it): `trainLoop` with `loop` — the optimizer, the loss, clipping.
 */
export class PageTraining {
  private step = 0;

  constructor(private readonly loop: Pick<TrainLoopOptions, 'optimizer' | 'loss' | 'afterStep' | 'clip'>) {}

  /** Trains as `options` say; returns the step reached. */
  async train(options: TrainOptions): Promise<number> {
    const result = await trainLoop({
      ...this.loop,
      startStep: this.step,
      steps: options.steps === undefined ? null : this.step + options.steps,
      seconds: options.seconds ?? null,
      signal: options.signal,
      onEvent: options.onEvent,
    });
    this.step = result.step;
    return this.step;
  }
}

/** Step `step`'s batch (steps count from 1) when a page goes through its fixed `batches` in turn, over and over. */
export function batchInTurn<B>(batches: readonly B[], step: number): B {
  return batches[(step - 1) % batches.length];
}
