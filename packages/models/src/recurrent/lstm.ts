import { lstmSequence, type Tensor } from '@eddy/autograd';
import { boolOption, intOption } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { Module, type ModuleConfig } from '../module.js';
import { parseRecurrentOptions, RecurrentBase, type CellSpec, type FusedRun, type ExtraParameter, type HiddenOutput, type LayerWeights, type HiddenState, type RecurrentOptions } from './runner.js';
import { familyCell } from './stepwise.js';
import { fillRange } from './variants/init.js';
import { layerNormGains } from './variants/layer-norm.js';
import { lstmStep } from './variants/steps.js';

export interface LSTMOptions extends RecurrentOptions {
  /** P > 0 projects h to P features (hₜ = W_hr(oₜ ⊙ tanh cₜ)); must be < hiddenSize. Default 0 (none). */
  projSize?: number;
  /**
   * Diagonal peephole connections from the cell to the gates (Gers & Schmidhuber 2000): iₜ and fₜ
   * also read w_ci ⊙ cₜ₋₁ and w_cf ⊙ cₜ₋₁, oₜ reads w_co ⊙ cₜ (parameters `weight_ci_l{k}`,
   * `weight_cf_l{k}`, `weight_co_l{k}` [H]). Runs on the per-step path. Default false.
   */
  peephole?: boolean;
  /**
   * The coupled input–forget gate (Greff et al. 2017, "CIFG"): iₜ = 1 − fₜ. The i-gate rows are
   * absent: gate blocks f|g|o, weights [3H, ·], biases [3H] (and no `weight_ci`). Runs on the
   * per-step path. Default false.
   */
  coupledInputForget?: boolean;
  /**
   * The initial value of the forget-gate bias (Jozefowicz et al. 2015 recommend 1): b_ih's f rows
   * are set to it and b_hh's f rows to 0, so b_if + b_hf = forgetBias. Only an initialisation, so
   * the fused path keeps running. Needs bias. Default null (PyTorch's uniform draw).
   */
  forgetBias?: number | null;
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

/** The checked options beyond PyTorch's an LSTM cell reads. */
interface LstmCellOptions {
  projSize: number;
  peephole: boolean;
  coupledInputForget: boolean;
  forgetBias: number | null;
  layerNorm: boolean;
  bias: boolean;
  hiddenSize: number;
}

/**
 * LSTM for the runner: the fused whole-sequence kernel, or the per-step path when an option needs
 * it (a projection, peepholes, the coupled gate, layer norm).
 */
function lstmCell(o: LstmCellOptions): CellSpec {
  const H = o.hiddenSize;
  const step = lstmStep(o);
  const extras: ExtraParameter[] = [];
  if (o.peephole) {
    if (!o.coupledInputForget) extras.push({ name: 'weight_ci', size: H, fill: null });
    extras.push({ name: 'weight_cf', size: H, fill: null }, { name: 'weight_co', size: H, fill: null });
  }
  if (o.layerNorm) {
    extras.push(...layerNormGains(step.gates, H), { name: 'weight_ln_c', size: H, fill: 1 });
    if (o.bias) extras.push({ name: 'bias_ln_c', size: H, fill: 0 });
  }
  const forgetRow = o.coupledInputForget ? 0 : H; // gate blocks f|g|o or i|f|g|o
  const perStep = o.projSize > 0 || o.peephole || o.coupledInputForget || o.layerNorm;
  const fused: FusedRun = (x, w, h0, c0, lengths, reverse) =>
    lstmSequence(x, { wIh: w.wIh, wHh: w.wHh, bIh: w.bIh, bHh: w.bHh, h0, c0, lengths, reverse });
  const reset = (w: LayerWeights): void => {
    if (o.forgetBias === null || w.bIh === null || w.bHh === null) return;
    fillRange(w.bIh, forgetRow, forgetRow + H, o.forgetBias);
    fillRange(w.bHh, forgetRow, forgetRow + H, 0);
  };
  return familyCell('LSTM', step, perStep, fused, { extras, reset });
}

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
 *
 * Options beyond PyTorch (README "Variants"; the fused kernels keep running unless marked
 * per-step):
 * - `layerNorm` = false (Ba et al. 2016; per-step): each gate block of W_ih xₜ and of W_hh hₜ₋₁ is
 *   layer-normalised with its own gain before the biases are added,
 *   LN(a) = γ ⊙ (a − μ)/√(σ² + 1e−5) over the block's H features; `weight_ln_ih_l{k}`, `weight_ln_hh_l{k}`
 *   [G·H] (start at 1); the shifts are b_ih and b_hh. cₜ is normalised too before its tanh:
 *   hₜ = oₜ ⊙ tanh(γ_c ⊙ ĉₜ + β_c) (`weight_ln_c_l{k}` = 1, `bias_ln_c_l{k}` = 0, [H]; no β_c
 *   without bias). The cell state itself stays unnormalised.
 * - `peephole` = false (Gers & Schmidhuber 2000; per-step): diagonal weights from the cell,
 *       iₜ = σ(W_ii xₜ + b_ii + W_hi hₜ₋₁ + b_hi + w_ci ⊙ cₜ₋₁)
 *       fₜ = σ(W_if xₜ + b_if + W_hf hₜ₋₁ + b_hf + w_cf ⊙ cₜ₋₁)
 *       oₜ = σ(W_io xₜ + b_io + W_ho hₜ₋₁ + b_ho + w_co ⊙ cₜ)
 *   with `weight_ci_l{k}`, `weight_cf_l{k}`, `weight_co_l{k}` [H], drawn like the rest.
 * - `coupledInputForget` = false (Greff et al. 2017, CIFG; per-step): iₜ = 1 − fₜ. The i rows are
 *   absent: gate rows f|g|o, `weight_ih_l{k}` [3H, ·], `weight_hh_l{k}` [3H, Hout], biases [3H],
 *   and no `weight_ci`.
 * - `forgetBias` = null (Jozefowicz et al. 2015 use 1): the initial b_if = forgetBias and
 *   b_hf = 0; an initialisation only, so the fused path keeps running. Needs bias.
 * - `residual` = false: layer l ≥ 1 outputs layer(x⁽ˡ⁾) + x⁽ˡ⁾ (its input after dropout); needs
 *   numLayers ≥ 2 (the widths always agree).
 * - `mergeMode` = 'concat' | 'sum' | 'mean' | 'mul': how each bidirectional layer combines y→, y←
 *   (PyTorch concatenates; the others give Hout features and layer l + 1 reads Hout).
 * - `init` = 'uniform' | 'identity' (Le et al. 2015: each gate block of W_hh = I, biases 0) |
 *   'orthogonal' (Saxe et al. 2014: each gate block of W_hh orthogonal).
 * Every variant parameter comes after PyTorch's for its layer and direction, in the order above.
 * Any option combines with any other and with projSize.
 *
 * NOTE: without projection or a per-step option, each layer and direction is one fused kernel
 * call (one tape node); otherwise it is a per-step loop of autograd primitives (stepwise.ts),
 * several times slower.
 *
 * @example
 * const lstm = new LSTM({ inputSize: 10, hiddenSize: 20, numLayers: 2 });
 * const x = randn([5, 3, 10]);                                         // [T, B, I]
 * const { output, h, c } = lstm.forward(x, { h: randn([2, 3, 20]), c: randn([2, 3, 20]) });
 * output.shape; // [5, 3, 20]; h.shape and c.shape: [2, 3, 20]
 */
export class LSTM extends RecurrentBase<LSTMState, LSTMOutput> {
  /** Diagonal peephole connections (Gers & Schmidhuber 2000). */
  readonly peephole: boolean;
  /** iₜ = 1 − fₜ, gate blocks f|g|o (Greff et al. 2017). */
  readonly coupledInputForget: boolean;
  /** The initial forget-gate bias b_if + b_hf, or null for the uniform draw. */
  readonly forgetBias: number | null;

  constructor(options: LSTMOptions) {
    const { parsed, raw } = parseRecurrentOptions('LSTM', options, ['projSize', 'peephole', 'coupledInputForget', 'forgetBias']);
    const projSize = intOption('LSTM', 'projSize', raw.projSize, 0, 0);
    if (projSize >= parsed.hiddenSize) {
      throw fail('E_ARGUMENT', `LSTM: projSize must be smaller than hiddenSize = ${parsed.hiddenSize}, got ${projSize}`);
    }
    const peephole = boolOption('LSTM', 'peephole', raw.peephole, false);
    const coupledInputForget = boolOption('LSTM', 'coupledInputForget', raw.coupledInputForget, false);
    const forgetBias = raw.forgetBias ?? null;
    if (forgetBias !== null && (typeof forgetBias !== 'number' || !Number.isFinite(forgetBias))) {
      throw fail('E_ARGUMENT', `LSTM: forgetBias must be a finite number or null, got ${describe(forgetBias)}`);
    }
    if (forgetBias !== null && !parsed.bias) {
      throw fail('E_ARGUMENT', `LSTM: forgetBias initialises the forget-gate bias and needs bias: true, got bias = false`);
    }
    super(lstmCell({ ...parsed, projSize, peephole, coupledInputForget, forgetBias }), parsed, projSize);
    [this.peephole, this.coupledInputForget, this.forgetBias] = [peephole, coupledInputForget, forgetBias];
  }

  toConfig(): ModuleConfig {
    const { peephole, coupledInputForget, forgetBias } = this;
    return { ...this.baseConfig(), projSize: this.projSize, peephole, coupledInputForget, forgetBias };
  }
}

Module.register('LSTM', (options) => new LSTM(options as unknown as LSTMOptions));
