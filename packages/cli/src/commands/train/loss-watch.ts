// A run can diverge without a single non-finite value: `--lr 1000 --clip 0` drove a character
// model's loss from 5 to 19 000 and still "finished". A healthy run's loss falls from where it
// starts (ln V for a fresh model) and never averages twice that over many steps, so that is the sign
// we watch for, once per run.

/** Steps averaged: long enough that a noisy step or two does not count. */
export const LOSS_WINDOW = 20;
/** The mean over the window, as a multiple of the run's first loss, that counts as diverging. */
export const LOSS_FACTOR = 2;

/** What the watch reports, once, when the loss has risen. */
export interface LossRise {
  step: number;
  firstLoss: number;
  meanLoss: number;
  window: number;
}

/** Watches the training losses of one run (its first step is its reference, resumed or not). */
export class LossWatch {
  private first: number | null = null;
  private readonly recent: number[] = [];
  private sum = 0;
  private warned = false;

  /** Records step `step`'s loss; returns the rise the first time the window's mean exceeds LOSS_FACTOR × the first loss. */
  add(step: number, loss: number): LossRise | null {
    if (this.first === null) this.first = loss;
    this.recent.push(loss);
    this.sum += loss;
    if (this.recent.length > LOSS_WINDOW) this.sum -= this.recent.shift()!;
    if (this.warned || this.recent.length < LOSS_WINDOW) return null;
    const meanLoss = this.sum / LOSS_WINDOW;
    if (!(meanLoss > LOSS_FACTOR * this.first)) return null;
    this.warned = true;
    return { step, firstLoss: this.first, meanLoss, window: LOSS_WINDOW };
  }
}
