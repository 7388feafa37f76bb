import { crossEntropy, noGrad, scope, tensor, type Tensor } from '@eddy/autograd';
import { checkWindow, type LmWindowLike } from './window.js';

// What evaluation and generation do with any language model's `forward`: the float32
// `LanguageModel` and its int8 copy (`QuantizedLanguageModel`) share these, so both measure loss
// and feed tokens the same way.

/** The recurrent state carried between windows: h [L, B, H] (and c [L, B, H] for an LSTM). */
export interface LmState {
  h: Tensor;
  c: Tensor | null;
}

/** Frees a state's tensors (states carried across windows live outside scopes). */
export function disposeState(state: LmState | null): void {
  if (state === null) return;
  state.h.dispose();
  state.c?.dispose();
}

/** ids int32 [T, B] and a state (null: zeros) → logits [T·B, V] and the state after the last step. */
export type LmForward = (ids: Tensor, state: LmState | null) => { logits: Tensor; state: LmState };

/**
 * Summed cross-entropy (nats) and predicted tokens over `windows`, the state carried across them,
 * without gradients.
 */
export function evaluateWindows(op: string, forward: LmForward, vocabSize: number, windows: Iterable<LmWindowLike>): { nats: number; tokens: number } {
  let nats = 0;
  let tokens = 0;
  let state: LmState | null = null;
  try {
    for (const w of windows) {
      const { steps: T, batchSize: B } = checkWindow(op, w, vocabSize);
      const previous: LmState | null = state;
      const result = noGrad(() =>
        scope(() => {
          const out = forward(tensor(w.inputs.subarray(0, T * B), [T, B], { dtype: 'int32' }), previous);
          const y = tensor(w.targets.subarray(0, T * B), [T * B], { dtype: 'int32' });
          return { nats: crossEntropy(out.logits, y, { reduction: 'sum' }).item(), state: out.state };
        }),
      );
      disposeState(previous);
      state = result.state;
      nats += result.nats;
      tokens += T * B;
    }
  } finally {
    disposeState(state);
  }
  return { nats, tokens };
}

/**
 * Runs `ids` (one stream, batch 1) from `state` without gradients: the logits after the last id and
 * the new state. The state passed in is freed. `step` runs a single id when the model has a cheaper
 * path for it.
 */
export function advanceIds(
  forward: LmForward, vocabSize: number, ids: ArrayLike<number>, state: LmState | null,
  step: (id: number, state: LmState | null) => { logits: Tensor; state: LmState } = (id, s) => forward(tensor(Int32Array.of(id), [1, 1], { dtype: 'int32' }), s),
): { logits: Float32Array; state: LmState } {
  const n = ids.length;
  const r = noGrad(() => scope(() => (n === 1 ? step(ids[0], state) : forward(tensor(Int32Array.from(ids), [n, 1], { dtype: 'int32' }), state))));
  const all = r.logits.toFloat32Array();
  r.logits.dispose();
  disposeState(state);
  return { logits: n === 1 ? all : all.slice((n - 1) * vocabSize), state: r.state };
}
