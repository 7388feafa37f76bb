import { lstmCell, type Tensor } from '@eddy/autograd';
import { describe, fail } from '../errors.js';
import { Module, type ModuleConfig } from '../module.js';
import type { ExtraParameter } from '../recurrent/runner.js';
import { fillRange } from '../recurrent/variants/init.js';
import { layerNormGains } from '../recurrent/variants/layer-norm.js';
import { lstmStep } from '../recurrent/variants/steps.js';
import { CellBase, parseCellOptions, type CellFamily, type CellOptions } from './cell.js';

export interface LSTMCellOptions extends CellOptions {
  /**
   * The initial forget-gate bias (Jozefowicz et al. 2015 recommend 1): b_ih's f rows are set to
   * it and b_hh's to 0, so b_if + b_hf = forgetBias. Needs bias. Default null (the uniform draw).
   */
  forgetBias?: number | null;
}

/** An LSTM cell's state and output: h and c, each [B, H]. */
export interface LSTMCellState {
  h: Tensor;
  c: Tensor;
}

function lstmFamily(o: { hiddenSize: number; bias: boolean; layerNorm: boolean; forgetBias: number | null }): CellFamily {
  const H = o.hiddenSize;
  const extras: ExtraParameter[] = [];
  if (o.layerNorm) {
    // The layers' layer-norm LSTM (recurrent/lstm.ts): gains per gate block, then c's gain and shift.
    extras.push(...layerNormGains(4, H), { name: 'weight_ln_c', size: H, fill: 1 });
    if (o.bias) extras.push({ name: 'bias_ln_c', size: H, fill: 0 });
  }
  return {
    name: 'LSTMCell',
    step: lstmStep({ peephole: false, coupledInputForget: false, layerNorm: o.layerNorm }),
    extras,
    fused: (x, h, c, w) => lstmCell(x, { h: h!, c: c! }, w),
    reset: (w) => {
      if (o.forgetBias === null || w.bIh === null || w.bHh === null) return;
      fillRange(w.bIh, H, 2 * H, o.forgetBias);
      fillRange(w.bHh, H, 2 * H, 0);
    },
  };
}

/**
 * One step of a long short-term memory (PyTorch's `nn.LSTMCell`), for decoders that feed each
 * output back in:
 *
 *     i = σ(W_ii x + b_ii + W_hi h + b_hi)      f = σ(W_if x + b_if + W_hf h + b_hf)
 *     g = tanh(W_ig x + b_ig + W_hg h + b_hg)   o = σ(W_io x + b_io + W_ho h + b_ho)
 *     c′ = f ⊙ c + i ⊙ g                          h′ = o ⊙ tanh(c′)
 *
 * Arguments: `inputSize` I, `hiddenSize` H, `bias` = true; beyond PyTorch `forgetBias` = null,
 * `layerNorm` = false, `init` = 'uniform' (see `CellOptions`). Unknown options throw E_ARGUMENT.
 *
 * `forward(x [B, I], state?)` with state `{ h [B, H], c [B, H] }` (absent or null = zeros)
 * returns `{ h [B, H], c [B, H] }`. One fused kernel call and one tape node per step (the same
 * Function as a whole-sequence LSTM with T = 1), except with layerNorm.
 *
 * Parameters (torch.nn's names, shapes and order): `weight_ih` [4H, I], `weight_hh` [4H, H],
 * `bias_ih`, `bias_hh` [4H], gate rows i|f|g|o, all drawn from U(−1/√H, 1/√H) through the
 * seeded RNG; with layerNorm then `weight_ln_ih`, `weight_ln_hh` [4H], `weight_ln_c`, `bias_ln_c` [H].
 *
 * @example
 * const cell = new LSTMCell({ inputSize: 10, hiddenSize: 20 });
 * let state = cell.forward(randn([3, 10]));          // { h: [3, 20], c: [3, 20] }
 * state = cell.forward(randn([3, 10]), state);
 */
export class LSTMCell extends CellBase<LSTMCellState> {
  /** The initial forget-gate bias b_if + b_hf, or null for the uniform draw. */
  readonly forgetBias: number | null;

  constructor(options: LSTMCellOptions) {
    const { parsed, raw } = parseCellOptions('LSTMCell', options, ['forgetBias']);
    const forgetBias = raw.forgetBias ?? null;
    if (forgetBias !== null && (typeof forgetBias !== 'number' || !Number.isFinite(forgetBias))) {
      throw fail('E_ARGUMENT', `LSTMCell: forgetBias must be a finite number or null, got ${describe(forgetBias)}`);
    }
    if (forgetBias !== null && !parsed.bias) {
      throw fail('E_ARGUMENT', 'LSTMCell: forgetBias initialises the forget-gate bias and needs bias: true, got bias = false');
    }
    super(lstmFamily({ ...parsed, forgetBias }), parsed);
    this.forgetBias = forgetBias;
  }

  toConfig(): ModuleConfig {
    return { ...this.baseConfig(), forgetBias: this.forgetBias };
  }
}

Module.register('LSTMCell', (options) => new LSTMCell(options as unknown as LSTMCellOptions));
