import { rnnSequence, type Nonlinearity } from '@eddy/autograd';
import { choiceOption } from '@eddy/autograd/internal';
import { Module, type ModuleConfig } from '../module.js';
import { parseRecurrentOptions, RecurrentBase, type CellSpec, type FusedRun, type HiddenOutput, type HiddenState, type RecurrentOptions } from './runner.js';
import { familyCell } from './stepwise.js';
import { layerNormGains } from './variants/layer-norm.js';
import { rnnStep } from './variants/steps.js';

export interface RNNOptions extends RecurrentOptions {
  /** φ: 'tanh' or 'relu'. Default 'tanh'. */
  nonlinearity?: Nonlinearity;
}

/** The runner's cell for each φ (the fused kernel takes φ as an option; layer norm is per-step). */
function rnnCell(o: { nonlinearity: Nonlinearity; layerNorm: boolean; hiddenSize: number }): CellSpec {
  const { nonlinearity } = o;
  const fused: FusedRun = (x, w, h0, _c0, lengths, reverse) =>
    rnnSequence(x, { wIh: w.wIh, wHh: w.wHh, bIh: w.bIh, bHh: w.bHh, h0, lengths, reverse, nonlinearity });
  return familyCell('RNN', rnnStep(o), o.layerNorm, fused, { extras: o.layerNorm ? layerNormGains(1, o.hiddenSize) : [] });
}

/**
 * A multi-layer Elman RNN (PyTorch's `nn.RNN`). Each layer computes, for every step t,
 *
 *     hₜ = φ(W_ih xₜ + b_ih + W_hh hₜ₋₁ + b_hh),   φ = tanh or ReLU
 *
 * where xₜ is the input (layer 0) or the previous layer's output (both directions concatenated),
 * passed through dropout between layers in training mode.
 *
 * Arguments: `inputSize` I, `hiddenSize` H, `numLayers` L = 1, `nonlinearity` = 'tanh' (or
 * 'relu'), `bias` = true, `batchFirst` = false, `dropout` = 0, `bidirectional` = false (D = 2
 * when true, else 1). Unknown or misspelt options throw E_ARGUMENT.
 *
 * `forward(x, state?, { lengths? })`:
 * - x: [T, B, I], or [B, T, I] with batchFirst.
 * - state: `{ h: [L·D, B, H] }` (optional: zeros).
 * - lengths: int32 tensor or array [B] of valid steps (PyTorch's packed sequences).
 * - returns `{ output: [T, B, D·H] ([B, T, D·H] with batchFirst), h: [L·D, B, H] }`.
 *
 * Parameters (PyTorch's names and order; suffix `_reverse` for the backward direction):
 * `weight_ih_l{k}` [H, I] (k = 0) or [H, D·H]; `weight_hh_l{k}` [H, H]; `bias_ih_l{k}`,
 * `bias_hh_l{k}` [H]. All drawn from U(−1/√H, 1/√H) through the seeded RNG. Each layer and
 * direction is one fused kernel call (one tape node), except with layerNorm.
 *
 * Options beyond PyTorch (README "Variants"; the fused kernels keep running unless marked
 * per-step):
 * - `layerNorm` = false (Ba et al. 2016; per-step): each gate block of W_ih xₜ and of W_hh hₜ₋₁ is
 *   layer-normalised with its own gain before the biases are added,
 *   LN(a) = γ ⊙ (a − μ)/√(σ² + 1e−5) over the block's H features; here the one block of H:
 *   hₜ = φ(LN(W_ih xₜ; γ_ih) + b_ih + LN(W_hh hₜ₋₁; γ_hh) + b_hh), `weight_ln_ih_l{k}`,
 *   `weight_ln_hh_l{k}` [H] (start at 1).
 * - `residual` = false: layer l ≥ 1 outputs layer(x⁽ˡ⁾) + x⁽ˡ⁾ (its input after dropout); needs
 *   numLayers ≥ 2 (the widths always agree).
 * - `mergeMode` = 'concat' | 'sum' | 'mean' | 'mul': how each bidirectional layer combines y→, y←
 *   (PyTorch concatenates; the others give Hout features and layer l + 1 reads Hout).
 * - `init` = 'uniform' | 'identity' (Le et al. 2015: each gate block of W_hh = I, biases 0) |
 *   'orthogonal' (Saxe et al. 2014: each gate block of W_hh orthogonal). IRNN is
 *   `{ nonlinearity: 'relu', init: 'identity' }`.
 *
 * @example
 * const rnn = new RNN({ inputSize: 10, hiddenSize: 20, nonlinearity: 'relu', bidirectional: true });
 * const { output, h } = rnn.forward(randn([5, 3, 10]), null, { lengths: [5, 2, 4] });
 * output.shape; // [5, 3, 40]; h.shape: [2, 3, 20]
 */
export class RNN extends RecurrentBase<HiddenState, HiddenOutput> {
  readonly nonlinearity: Nonlinearity;

  constructor(options: RNNOptions) {
    const { parsed, raw } = parseRecurrentOptions('RNN', options, ['nonlinearity']);
    const nonlinearity = choiceOption<Nonlinearity>('RNN', 'nonlinearity', raw.nonlinearity, ['tanh', 'relu'], 'tanh');
    super(rnnCell({ ...parsed, nonlinearity }), parsed);
    this.nonlinearity = nonlinearity;
  }

  toConfig(): ModuleConfig {
    return { ...this.baseConfig(), nonlinearity: this.nonlinearity };
  }
}

Module.register('RNN', (options) => new RNN(options as unknown as RNNOptions));
