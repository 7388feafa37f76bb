import { concat, zeros, type Tensor } from '@eddy/autograd';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import type { Encoded } from './encoder.js';

/** The decoder's initial state: h (and c for an LSTM) per layer, each [B, H]. */
export interface InitialState {
  h: Tensor[];
  c: Tensor[] | null;
}

/** What the bridge is built from (the model's options, checked). */
export interface BridgeOptions {
  hiddenSize: number;
  layers: number;
  bidirectional: boolean;
  lstm: boolean;
  /** C > 0: `condition` gives every layer's initial h. */
  conditionSize: number;
  conditionInit: boolean;
}

/**
 * From the encoder's final states (and the conditioning vector) to the decoder's initial state,
 * layer by layer:
 *
 *     unidirectional:  h⁰_l = h_l^enc,  c⁰_l = c_l^enc             (no parameters)
 *     bidirectional:   h⁰_l = tanh(W_h,l [h→_l; h←_l] + b_h,l)     `h_l{l}` Linear(2H → H)
 *                      c⁰_l = tanh(W_c,l [c→_l; c←_l] + b_c,l)     `c_l{l}` Linear(2H → H) (LSTM)
 *     conditioned (conditionAs 'init' or 'both'):
 *                      h⁰_l = tanh(W_v v + b_v),  c⁰_l = 0          `condition` Linear(C → H)
 *
 * A conditioned initial state replaces the encoder's (the decoder still attends over the source):
 * for one-to-many tasks such as captioning the vector v is what the output is about.
 */
export class Bridge extends Module {
  private readonly options: BridgeOptions;
  private readonly hLinears: Linear[] = [];
  private readonly cLinears: Linear[] = [];
  readonly condition: Linear | null;

  constructor(options: BridgeOptions) {
    super();
    this.options = options;
    const H = options.hiddenSize;
    if (options.bidirectional && !options.conditionInit) {
      for (let l = 0; l < options.layers; l++) {
        this.hLinears.push(this.registerModule(`h_l${l}`, new Linear({ inFeatures: 2 * H, outFeatures: H })));
        if (options.lstm) this.cLinears.push(this.registerModule(`c_l${l}`, new Linear({ inFeatures: 2 * H, outFeatures: H })));
      }
    }
    this.condition = options.conditionInit ? this.registerModule('condition', new Linear({ inFeatures: options.conditionSize, outFeatures: H })) : null;
  }

  /** The initial state for `encoded` (B sources) and, when conditioned, `condition` [B, C]. */
  forward(encoded: Encoded, condition: Tensor | null): InitialState {
    const { layers: L, lstm, hiddenSize: H } = this.options;
    const B = encoded.keys.shape[1];
    if (this.condition !== null) {
      const h = this.condition.forward(condition!).tanh();
      return { h: Array.from({ length: L }, () => h), c: lstm ? Array.from({ length: L }, () => zeros([B, H])) : null };
    }
    const D = this.options.bidirectional ? 2 : 1;
    const layer = (all: Tensor, l: number, linears: Linear[]): Tensor => {
      if (D === 1) return all.slice(0, l, l + 1).reshape([B, H]);
      const both = concat([all.slice(0, 2 * l, 2 * l + 1).reshape([B, H]), all.slice(0, 2 * l + 1, 2 * l + 2).reshape([B, H])], 1);
      return linears[l].forward(both).tanh();
    };
    const h = Array.from({ length: L }, (_, l) => layer(encoded.h, l, this.hLinears));
    const c = lstm ? Array.from({ length: L }, (_, l) => layer(encoded.c!, l, this.cLinears)) : null;
    return { h, c };
  }

  toConfig(): ModuleConfig {
    return { type: 'EddySeq2SeqBridge', ...this.options };
  }
}
