import type { Tensor } from '@eddy/autograd';
import { checkOptions, intOption } from '@eddy/autograd/internal';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import { AttentionBase } from './attention.js';

export interface BahdanauAttentionOptions {
  /** H, the query's (decoder state's) features. */
  hiddenSize: number;
  /** Hk, the keys' (encoder outputs') features. Default H. */
  keySize?: number;
}

/**
 * Additive attention (Bahdanau et al. 2015), named as PyTorch's seq2seq tutorial so its weights
 * load: for a query q [B, H] and keys k_s [S, B, Hk],
 *
 *     e_s = Va(tanh(Wa q + Ua k_s))      a = softmax_s(e)      context = Σ_s a_s k_s
 *
 * Submodules (in this order): `Wa` Linear(H → H), `Ua` Linear(Hk → H), `Va` Linear(H → 1), all
 * with biases and PyTorch's Linear init. `projectKeys` computes Ua k once per source batch.
 * `forward(query, keys, { lengths?, projectedKeys? })` → `{ context [B, Hk], weights [B, S] }`.
 *
 * @example
 * const attention = new BahdanauAttention({ hiddenSize: 16 });
 * const projectedKeys = attention.projectKeys(encoderOutputs, { lengths });  // once per batch
 * const { context, weights } = attention.forward(h, encoderOutputs, { lengths, projectedKeys });
 */
export class BahdanauAttention extends AttentionBase {
  readonly Wa: Linear;
  readonly Ua: Linear;
  readonly Va: Linear;

  constructor(options: BahdanauAttentionOptions) {
    const o = checkOptions('BahdanauAttention', options, ['hiddenSize', 'keySize']);
    const H = intOption('BahdanauAttention', 'hiddenSize', o.hiddenSize, 1);
    const Hk = intOption('BahdanauAttention', 'keySize', o.keySize, 1, H);
    super(H, Hk);
    this.Wa = this.registerModule('Wa', new Linear({ inFeatures: H, outFeatures: H }));
    this.Ua = this.registerModule('Ua', new Linear({ inFeatures: Hk, outFeatures: H }));
    this.Va = this.registerModule('Va', new Linear({ inFeatures: H, outFeatures: 1 }));
  }

  protected get kind(): string {
    return 'BahdanauAttention';
  }

  protected get projectedSize(): number {
    return this.hiddenSize;
  }

  protected project(keys: Tensor): Tensor {
    return this.Ua.forward(keys);
  }

  protected scores(query: Tensor, projected: Tensor): Tensor {
    const [S, B] = projected.shape;
    return this.Va.forward(projected.add(this.Wa.forward(query)).tanh()).reshape([S, B]);
  }

  toConfig(): ModuleConfig {
    return { type: 'BahdanauAttention', hiddenSize: this.hiddenSize, keySize: this.keySize };
  }
}

Module.register('BahdanauAttention', (options) => new BahdanauAttention(options as unknown as BahdanauAttentionOptions));
