import { gruCell, type Tensor } from '@eddy/autograd';
import { boolOption } from '@eddy/autograd/internal';
import { Module, type ModuleConfig } from '../module.js';
import { layerNormGains } from '../recurrent/variants/layer-norm.js';
import { gruStep } from '../recurrent/variants/steps.js';
import { CellBase, parseCellOptions, type CellFamily, type CellOptions } from './cell.js';

export interface GRUCellOptions extends CellOptions {
  /**
   * Cho et al. 2014's original form: n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn). Same
   * parameters; the fused kernel runs it directly. Default false (PyTorch's form).
   */
  resetBefore?: boolean;
}

/** The state and output of a GRU or Elman cell: h [B, H]. */
export interface HiddenCellState {
  h: Tensor;
}

function gruFamily(o: { hiddenSize: number; layerNorm: boolean; resetBefore: boolean }): CellFamily {
  const { resetBefore } = o;
  return {
    name: 'GRUCell',
    step: gruStep(o),
    extras: o.layerNorm ? layerNormGains(3, o.hiddenSize) : [],
    fused: (x, h, _c, w) => ({ h: gruCell(x, h, { ...w, resetBefore }) }),
  };
}

/**
 * One step of a gated recurrent unit (PyTorch's `nn.GRUCell`):
 *
 *     r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *     n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))        (resetBefore: W_hn (r ⊙ h))
 *     h′ = (1 − z) ⊙ n + z ⊙ h
 *
 * Arguments: `inputSize` I, `hiddenSize` H, `bias` = true; beyond PyTorch `resetBefore` = false,
 * `layerNorm` = false, `init` = 'uniform' (see `CellOptions`). Unknown options throw E_ARGUMENT.
 *
 * `forward(x [B, I], state?)` with state `{ h [B, H] }` (absent or null = zeros) returns
 * `{ h [B, H] }`: one fused kernel call, one tape node (except with layerNorm).
 *
 * Parameters (torch.nn's): `weight_ih` [3H, I], `weight_hh` [3H, H], `bias_ih`, `bias_hh` [3H],
 * gate rows r|z|n, drawn from U(−1/√H, 1/√H); with layerNorm `weight_ln_ih`, `weight_ln_hh` [3H].
 *
 * @example
 * const cell = new GRUCell({ inputSize: 10, hiddenSize: 20 });
 * const { h } = cell.forward(randn([3, 10]));         // h: [3, 20]
 */
export class GRUCell extends CellBase<HiddenCellState> {
  /** Cho et al.'s form: the reset gate before the recurrent product. */
  readonly resetBefore: boolean;

  constructor(options: GRUCellOptions) {
    const { parsed, raw } = parseCellOptions('GRUCell', options, ['resetBefore']);
    const resetBefore = boolOption('GRUCell', 'resetBefore', raw.resetBefore, false);
    super(gruFamily({ ...parsed, resetBefore }), parsed);
    this.resetBefore = resetBefore;
  }

  toConfig(): ModuleConfig {
    return { ...this.baseConfig(), resetBefore: this.resetBefore };
  }
}

Module.register('GRUCell', (options) => new GRUCell(options as unknown as GRUCellOptions));
