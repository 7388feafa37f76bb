import { rnnCell, type Nonlinearity } from '@eddy/autograd';
import { choiceOption } from '@eddy/autograd/internal';
import { Module, type ModuleConfig } from '../module.js';
import { layerNormGains } from '../recurrent/variants/layer-norm.js';
import { rnnStep } from '../recurrent/variants/steps.js';
import { CellBase, parseCellOptions, type CellFamily, type CellOptions } from './cell.js';
import type { HiddenCellState } from './gru.js';

export interface RNNCellOptions extends CellOptions {
  /** φ: 'tanh' or 'relu'. Default 'tanh'. */
  nonlinearity?: Nonlinearity;
}

function rnnFamily(o: { hiddenSize: number; layerNorm: boolean; nonlinearity: Nonlinearity }): CellFamily {
  const { nonlinearity } = o;
  return {
    name: 'RNNCell',
    step: rnnStep(o),
    extras: o.layerNorm ? layerNormGains(1, o.hiddenSize) : [],
    fused: (x, h, _c, w) => ({ h: rnnCell(x, h, { ...w, nonlinearity }) }),
  };
}

/**
 * One step of an Elman RNN (PyTorch's `nn.RNNCell`):
 *
 *     h′ = φ(W_ih x + b_ih + W_hh h + b_hh),   φ = tanh or ReLU
 *
 * Arguments: `inputSize` I, `hiddenSize` H, `bias` = true, `nonlinearity` = 'tanh' (or 'relu');
 * beyond PyTorch `layerNorm` = false and `init` = 'uniform' (IRNN: `{ nonlinearity: 'relu',
 * init: 'identity' }`). Unknown options throw E_ARGUMENT.
 *
 * `forward(x [B, I], state?)` with state `{ h [B, H] }` (absent or null = zeros) returns
 * `{ h [B, H] }`: one fused kernel call, one tape node (except with layerNorm).
 *
 * Parameters (torch.nn's): `weight_ih` [H, I], `weight_hh` [H, H], `bias_ih`, `bias_hh` [H],
 * drawn from U(−1/√H, 1/√H); with layerNorm `weight_ln_ih`, `weight_ln_hh` [H].
 *
 * @example
 * const cell = new RNNCell({ inputSize: 10, hiddenSize: 20, nonlinearity: 'relu' });
 * const { h } = cell.forward(randn([3, 10]));         // h: [3, 20]
 */
export class RNNCell extends CellBase<HiddenCellState> {
  readonly nonlinearity: Nonlinearity;

  constructor(options: RNNCellOptions) {
    const { parsed, raw } = parseCellOptions('RNNCell', options, ['nonlinearity']);
    const nonlinearity = choiceOption<Nonlinearity>('RNNCell', 'nonlinearity', raw.nonlinearity, ['tanh', 'relu'], 'tanh');
    super(rnnFamily({ ...parsed, nonlinearity }), parsed);
    this.nonlinearity = nonlinearity;
  }

  toConfig(): ModuleConfig {
    return { ...this.baseConfig(), nonlinearity: this.nonlinearity };
  }
}

Module.register('RNNCell', (options) => new RNNCell(options as unknown as RNNCellOptions));
