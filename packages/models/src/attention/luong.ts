import { init, linear, zeros, type Tensor } from '@eddy/autograd';
import { checkOptions, choiceOption, intOption } from '@eddy/autograd/internal';
import { fail } from '../errors.js';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import { AttentionBase } from './attention.js';

/** Luong et al. 2015's score functions. */
export type LuongScore = 'dot' | 'general' | 'concat';

export interface LuongAttentionOptions {
  /** 'dot' q·k_s, 'general' q·attn(k_s), 'concat' v·tanh(attn([q; k_s])). */
  score: LuongScore;
  /** H, the query's (decoder state's) features. */
  hiddenSize: number;
  /** Hk, the keys' (encoder outputs') features. Default H; must be H for 'dot'. */
  keySize?: number;
}

/**
 * Multiplicative and concat attention (Luong et al. 2015), named as PyTorch's chatbot tutorial so
 * its weights load: for a query q [B, H] and keys k_s [S, B, Hk],
 *
 *     dot:      e_s = q · k_s                        (Hk = H; no parameters)
 *     general:  e_s = q · attn(k_s)                  `attn` Linear(Hk → H)
 *     concat:   e_s = v · tanh(attn([q; k_s]))       `attn` Linear(H + Hk → H), `v` [H]
 *     a = softmax_s(e)      context = Σ_s a_s k_s
 *
 * `v` is drawn from U(−1/√H, 1/√H) after `attn`'s PyTorch init (the tutorial leaves it
 * uninitialised). concat splits attn's weight by columns, attn([q; k]) = W_q q + (W_k k + b), so
 * `projectKeys` computes W_k k + b once per source batch (attn(k) for general, k for dot).
 * `forward(query, keys, { lengths?, projectedKeys? })` → `{ context [B, Hk], weights [B, S] }`.
 *
 * @example
 * const attention = new LuongAttention({ score: 'general', hiddenSize: 16 });
 * const { context, weights } = attention.forward(h, encoderOutputs, { lengths });
 */
export class LuongAttention extends AttentionBase {
  /** The score function. */
  readonly score: LuongScore;
  /** Linear(Hk → H) for 'general', Linear(H + Hk → H) for 'concat'; null for 'dot'. */
  readonly attn: Linear | null;
  /** [H] for 'concat', else null. */
  readonly v: Tensor | null;

  constructor(options: LuongAttentionOptions) {
    const op = 'LuongAttention';
    const o = checkOptions(op, options, ['score', 'hiddenSize', 'keySize']);
    if (o.score === undefined) throw fail('E_ARGUMENT', `${op}: score is required: 'dot', 'general' or 'concat'`);
    const score = choiceOption<LuongScore>(op, 'score', o.score, ['dot', 'general', 'concat'], 'dot');
    const H = intOption(op, 'hiddenSize', o.hiddenSize, 1);
    const Hk = intOption(op, 'keySize', o.keySize, 1, H);
    if (score === 'dot' && Hk !== H) throw fail('E_ARGUMENT', `${op}: score 'dot' needs keySize = hiddenSize = ${H}, got keySize = ${Hk}`);
    super(H, Hk);
    this.score = score;
    this.attn = score === 'dot' ? null : this.registerModule('attn', new Linear({ inFeatures: score === 'general' ? Hk : H + Hk, outFeatures: H }));
    const bound = 1 / Math.sqrt(H);
    this.v = score === 'concat' ? this.registerParameter('v', init.uniform(zeros([H]), -bound, bound)) : null;
  }

  protected get kind(): string {
    return 'LuongAttention';
  }

  protected get projectedSize(): number {
    return this.score === 'dot' ? this.keySize : this.hiddenSize;
  }

  protected project(keys: Tensor): Tensor {
    if (this.attn === null) return keys;
    if (this.score === 'general') return this.attn.forward(keys);
    const H = this.hiddenSize;
    return linear(keys, this.attn.weight.slice(1, H, H + this.keySize), this.attn.bias ?? undefined);
  }

  /** dot and general score q · P: the fused step computes them. */
  protected get dotProduct(): boolean {
    return this.score !== 'concat';
  }

  protected scores(query: Tensor, projected: Tensor): Tensor {
    if (this.score !== 'concat') return projected.mul(query).sum(2);
    const wq = linear(query, this.attn!.weight.slice(1, 0, this.hiddenSize));
    return projected.add(wq).tanh().matmul(this.v!);
  }

  toConfig(): ModuleConfig {
    return { type: 'LuongAttention', score: this.score, hiddenSize: this.hiddenSize, keySize: this.keySize };
  }
}

Module.register('LuongAttention', (options) => new LuongAttention(options as unknown as LuongAttentionOptions));
