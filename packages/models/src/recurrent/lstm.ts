import { lstmSequence, type Tensor } from '@eddy/autograd';
import { fail } from '../errors.js';
import { Module, type ModuleConfig } from '../module.js';
import { intOption } from '../options.js';
import { lstmProjectedSequence } from './projection.js';
import { parseRecurrentOptions, RecurrentBase, type CellSpec, type HiddenOutput, type HiddenState, type RecurrentOptions } from './runner.js';

export interface LSTMOptions extends RecurrentOptions {
  /** P > 0 projects h to P features (hₜ = W_hr(oₜ ⊙ tanh cₜ)); must be < hiddenSize. Default 0 (none). */
  projSize?: number;
}

/** The initial state of an LSTM: h [L·D, B, Hout] and c [L·D, B, H]; either absent = zeros. */
export interface LSTMState extends HiddenState {
  c?: Tensor | null;
}

/** What `LSTM.forward` returns: output and h as the other families, and c. */
export interface LSTMOutput extends HiddenOutput {
  /** Every layer's and direction's final c: [L·D, B, H]. */
  c: Tensor;
}

/** LSTM for the runner: the fused whole-sequence kernel, or the per-step path with a projection. */
const LSTM_CELL: CellSpec = {
  name: 'LSTM',
  gates: 4,
  hasCell: true,
  run(x, w, h0, c0, lengths, reverse) {
    if (w.wHr !== null) return lstmProjectedSequence(x, w, h0, c0, lengths, reverse);
    return lstmSequence(x, { wIh: w.wIh, wHh: w.wHh, bIh: w.bIh, bHh: w.bHh, h0, c0, lengths, reverse });
  },
};

/**
 * A multi-layer long short-term memory network (PyTorch's `nn.LSTM`). Each layer computes, for
 * every step t,
 *
 *     iₜ = σ(W_ii xₜ + b_ii + W_hi hₜ₋₁ + b_hi)
 *     fₜ = σ(W_if xₜ + b_if + W_hf hₜ₋₁ + b_hf)
 *     gₜ = tanh(W_ig xₜ + b_ig + W_hg hₜ₋₁ + b_hg)
 *     oₜ = σ(W_io xₜ + b_io + W_ho hₜ₋₁ + b_ho)
 *     cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ
 *     hₜ = oₜ ⊙ tanh(cₜ)                 (with projSize P > 0: hₜ = W_hr (oₜ ⊙ tanh cₜ))
 *
 * where xₜ is the input (layer 0) or the previous layer's output (both directions concatenated),
 * passed through dropout between layers in training mode.
 *
 * Arguments: `inputSize` I, `hiddenSize` H, `numLayers` L = 1, `bias` = true, `batchFirst` =
 * false, `dropout` = 0, `bidirectional` = false (D = 2 when true, else 1), `projSize` P = 0.
 * Unknown or misspelt options throw E_ARGUMENT. Hout = P when P > 0, else H.
 *
 * `forward(x, state?, { lengths? })`:
 * - x: [T, B, I], or [B, T, I] with batchFirst.
 * - state: `{ h: [L·D, B, Hout], c: [L·D, B, H] }`, each optional (zeros).
 * - lengths: int32 tensor or array [B] of valid steps (PyTorch's packed sequences; see
 *   `RecurrentForwardOptions`). Output rows past an element's length are zero.
 * - returns `{ output: [T, B, D·Hout] ([B, T, D·Hout] with batchFirst), h: [L·D, B, Hout],
 *   c: [L·D, B, H] }`; h and c are ordered layer by layer, forward direction first.
 *
 * Parameters, in PyTorch's order and names (k = layer, suffix `_reverse` for the backward
 * direction): `weight_ih_l{k}` [4H, I] (k = 0) or [4H, D·Hout]; `weight_hh_l{k}` [4H, Hout];
 * `bias_ih_l{k}`, `bias_hh_l{k}` [4H]; `weight_hr_l{k}` [P, H] when P > 0. Gate rows i|f|g|o.
 * All drawn from U(−1/√H, 1/√H) through the seeded RNG.
 *
 * NOTE: without projection each layer and direction is one fused kernel call (one tape node);
 * with projSize > 0 it is a per-step loop of autograd primitives, several times slower.
 *
 * @example
 * const lstm = new LSTM({ inputSize: 10, hiddenSize: 20, numLayers: 2 });
 * const x = randn([5, 3, 10]);                                         // [T, B, I]
 * const { output, h, c } = lstm.forward(x, { h: randn([2, 3, 20]), c: randn([2, 3, 20]) });
 * output.shape; // [5, 3, 20]; h.shape and c.shape: [2, 3, 20]
 */
export class LSTM extends RecurrentBase<LSTMState, LSTMOutput> {
  constructor(options: LSTMOptions) {
    const { parsed, raw } = parseRecurrentOptions('LSTM', options, ['projSize']);
    const projSize = intOption('LSTM', 'projSize', raw.projSize, 0, 0);
    if (projSize >= parsed.hiddenSize) {
      throw fail('E_ARGUMENT', `LSTM: projSize must be smaller than hiddenSize = ${parsed.hiddenSize}, got ${projSize}`);
    }
    super(LSTM_CELL, parsed, projSize);
  }

  toConfig(): ModuleConfig {
    return { ...this.baseConfig(), projSize: this.projSize };
  }
}

Module.register('LSTM', (options) => new LSTM(options as unknown as LSTMOptions));
