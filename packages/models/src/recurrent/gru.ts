import { gruSequence } from '@eddy/autograd';
import { boolOption } from '@eddy/autograd/internal';
import { Module, type ModuleConfig } from '../module.js';
import { parseRecurrentOptions, RecurrentBase, type CellSpec, type FusedRun, type HiddenOutput, type HiddenState, type RecurrentOptions } from './runner.js';
import { familyCell } from './stepwise.js';
import { layerNormGains } from './variants/layer-norm.js';
import { gruStep } from './variants/steps.js';

export interface GRUOptions extends RecurrentOptions {
  /**
   * Cho et al. 2014's original form, the reset gate applied before the recurrent product:
   * nₜ = tanh(W_in xₜ + b_in + W_hn (rₜ ⊙ hₜ₋₁) + b_hn). Same parameters; the fused kernels
   * run it directly. Default false (PyTorch's form).
   */
  resetBefore?: boolean;
}

/** GRU for the runner: the fused kernel (either form), or the per-step path for layer norm. */
function gruCell(o: { resetBefore: boolean; layerNorm: boolean; hiddenSize: number }): CellSpec {
  const { resetBefore } = o;
  const fused: FusedRun = (x, w, h0, _c0, lengths, reverse) =>
    gruSequence(x, { wIh: w.wIh, wHh: w.wHh, bIh: w.bIh, bHh: w.bHh, h0, lengths, reverse, resetBefore });
  return familyCell('GRU', gruStep(o), o.layerNorm, fused, { extras: o.layerNorm ? layerNormGains(3, o.hiddenSize) : [] });
}

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
 * Each layer and direction is one fused kernel call (one tape node), except with layerNorm.
 *
 * Options beyond PyTorch (README "Variants"; the fused kernels keep running unless marked
 * per-step):
 * - `layerNorm` = false (Ba et al. 2016; per-step): each gate block of W_ih xₜ and of W_hh hₜ₋₁ is
 *   layer-normalised with its own gain before the biases are added,
 *   LN(a) = γ ⊙ (a − μ)/√(σ² + 1e−5) over the block's H features; `weight_ln_ih_l{k}`, `weight_ln_hh_l{k}`
 *   [3H] (start at 1); the shifts are b_ih and b_hh, and rₜ multiplies the normalised W_hn hₜ₋₁.
 * - `resetBefore` = false (Cho et al. 2014's original form; fused): the reset gate acts before
 *   the recurrent product, nₜ = tanh(W_in xₜ + b_in + W_hn (rₜ ⊙ hₜ₋₁) + b_hn). Same parameters.
 * - `residual` = false: layer l ≥ 1 outputs layer(x⁽ˡ⁾) + x⁽ˡ⁾ (its input after dropout); needs
 *   numLayers ≥ 2 (the widths always agree).
 * - `mergeMode` = 'concat' | 'sum' | 'mean' | 'mul': how each bidirectional layer combines y→, y←
 *   (PyTorch concatenates; the others give Hout features and layer l + 1 reads Hout).
 * - `init` = 'uniform' | 'identity' (Le et al. 2015: each gate block of W_hh = I, biases 0) |
 *   'orthogonal' (Saxe et al. 2014: each gate block of W_hh orthogonal).
 *
 * @example
 * const gru = new GRU({ inputSize: 10, hiddenSize: 20, numLayers: 2, batchFirst: true });
 * const { output, h } = gru.forward(randn([3, 5, 10]));  // [B, T, I]
 * output.shape; // [3, 5, 20]; h.shape: [2, 3, 20]
 */
export class GRU extends RecurrentBase<HiddenState, HiddenOutput> {
  /** Cho et al.'s form: the reset gate before the recurrent product. */
  readonly resetBefore: boolean;

  constructor(options: GRUOptions) {
    const { parsed, raw } = parseRecurrentOptions('GRU', options, ['resetBefore']);
    const resetBefore = boolOption('GRU', 'resetBefore', raw.resetBefore, false);
    super(gruCell({ ...parsed, resetBefore }), parsed);
    this.resetBefore = resetBefore;
  }

  toConfig(): ModuleConfig {
    return { ...this.baseConfig(), resetBefore: this.resetBefore };
  }
}

Module.register('GRU', (options) => new GRU(options as unknown as GRUOptions));
