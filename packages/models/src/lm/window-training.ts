import { detach, keep, type Tensor } from '@eddy/autograd';
import { disposeState, type LanguageModel, type LmState } from './language-model.js';
import type { LmWindowLike } from './window.js';

/** A window as a batcher hands it out: `reset` starts its stream again from a zero state (a new epoch). */
export type NextWindow = () => LmWindowLike & { reset?: boolean };

/** The `loss` and `afterStep` of `trainLoop` for a language model, with the state it carries. */
export interface WindowTraining {
  /** The loss of the next window from the carried state (keeps the state it ends in). */
  loss(step: number): { loss: Tensor; tokens: number };
  /** Swaps in the state the last window ended in (after the update: its backward still read the old one). */
  afterStep(): void;
  /** The carried state (null: zeros), e.g. for a checkpoint; setting it frees the previous one. */
  state: LmState | null;
  /** Frees the carried state. */
  dispose(): void;
}

/**
 * Truncated BPTT over successive windows: each window starts from the state the previous one ended
 * in, detached (its graph is not kept), or from zeros where the window says `reset`.
 *
 * @example
 * const windows = windowTraining(lm, () => batcher.next());
 * await trainLoop({ optimizer, loss: windows.loss, afterStep: windows.afterStep, steps: 1000 });
 * windows.dispose();
 */
export function windowTraining(model: LanguageModel, next: NextWindow, initial: LmState | null = null): WindowTraining {
  let carried = initial;
  let pending: LmState | null = null;
  return {
    loss() {
      const w = next();
      if (w.reset) {
        disposeState(carried);
        carried = null;
      }
      const r = model.windowLoss(w, carried);
      disposeState(pending);
      pending = { h: keep(detach(r.state.h)), c: r.state.c === null ? null : keep(detach(r.state.c)) };
      return { loss: r.loss, tokens: w.steps * w.batchSize };
    },
    afterStep() {
      if (pending === null) return;
      disposeState(carried);
      carried = pending;
      pending = null;
    },
    get state() {
      return carried;
    },
    set state(s: LmState | null) {
      if (s !== carried) disposeState(carried);
      carried = s;
    },
    dispose() {
      disposeState(carried);
      disposeState(pending);
      carried = pending = null;
    },
  };
}
