import { gruSequence } from '@eddy/autograd';
import { Module, type ModuleConfig } from '../module.js';
import { parseRecurrentOptions, RecurrentBase, type CellSpec, type HiddenOutput, type HiddenState, type RecurrentOptions } from './runner.js';

export type GRUOptions = RecurrentOptions;

const GRU_CELL: CellSpec = {
  name: 'GRU',
  gates: 3,
  hasCell: false,
  run(x, w, h0, _c0, lengths, reverse) {
    return gruSequence(x, { wIh: w.wIh, wHh: w.wHh, bIh: w.bIh, bHh: w.bHh, h0, lengths, reverse });
  },
};

/**
 * A multi-layer gated recurrent unit network (PyTorch's `nn.GRU`). Each layer computes, for every
 * step t,
 *
 *     rₜ = σ(W_ir xₜ + b_ir + W_hr hₜ₋₁ + b_hr)
 *     zₜ = σ(W_iz xₜ + b_iz + W_hz hₜ₋₁ + b_hz)
 *     nₜ = tanh(W_in xₜ + b_in + rₜ ⊙ (W_hn hₜ₋₁ + b_hn))
 *     hₜ = (1 − zₜ) ⊙ nₜ + zₜ ⊙ hₜ₋₁
 *
 * where xₜ is the input (layer 0) or the previous layer's output (both directions concatenated),
 * passed through dropout between layers in training mode.
 *
 * Arguments: `inputSize` I, `hiddenSize` H, `numLayers` L = 1, `bias` = true, `batchFirst` =
 * false, `dropout` = 0, `bidirectional` = false (D = 2 when true, else 1). Unknown or misspelt
 * options throw E_ARGUMENT.
 *
 * `forward(x, state?, { lengths? })`:
 * - x: [T, B, I], or [B, T, I] with batchFirst.
 * - state: `{ h: [L·D, B, H] }` (optional: zeros).
 * - lengths: int32 tensor or array [B] of valid steps (PyTorch's packed sequences).
 * - returns `{ output: [T, B, D·H] ([B, T, D·H] with batchFirst), h: [L·D, B, H] }`.
 *
 * Parameters (PyTorch's names and order; suffix `_reverse` for the backward direction):
 * `weight_ih_l{k}` [3H, I] (k = 0) or [3H, D·H]; `weight_hh_l{k}` [3H, H]; `bias_ih_l{k}`,
 * `bias_hh_l{k}` [3H]. Gate rows r|z|n. All drawn from U(−1/√H, 1/√H) through the seeded RNG.
 * Each layer and direction is one fused kernel call (one tape node).
 *
 * @example
 * const gru = new GRU({ inputSize: 10, hiddenSize: 20, numLayers: 2, batchFirst: true });
 * const { output, h } = gru.forward(randn([3, 5, 10]));  // [B, T, I]
 * output.shape; // [3, 5, 20]; h.shape: [2, 3, 20]
 */
export class GRU extends RecurrentBase<HiddenState, HiddenOutput> {
  constructor(options: GRUOptions) {
    super(GRU_CELL, parseRecurrentOptions('GRU', options, []).parsed);
  }

  toConfig(): ModuleConfig {
    return this.baseConfig();
  }
}

Module.register('GRU', (options) => new GRU(options as unknown as GRUOptions));
