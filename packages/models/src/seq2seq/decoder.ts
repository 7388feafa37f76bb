import { concat, dropout, zeros, type Tensor } from '@eddy/autograd';
import type { AttentionMemory } from '../attention/attention.js';
import { BahdanauAttention } from '../attention/bahdanau.js';
import { LuongAttention } from '../attention/luong.js';
import { Embedding } from '../layers/embedding.js';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import { CellStack, type StackState } from './cell-stack.js';
import { embedPadded } from './padded-embedding.js';

/** The attention score of a decoder, or none. */
export type AttentionKind = 'bahdanau' | 'luong-dot' | 'luong-general' | 'luong-concat' | 'none';

/** What the decoder is built from (the model's options, checked). */
export interface DecoderOptions {
  vocabSize: number;
  embeddingSize: number;
  hiddenSize: number;
  layers: number;
  cell: 'lstm' | 'gru';
  dropout: number;
  attention: AttentionKind;
  inputFeeding: boolean;
  /** Hk, the encoder outputs' features (D·H). */
  keySize: number;
  /** C of a vector concatenated to every step's input, or 0. */
  conditionInput: number;
  padId: number;
}

/** The source side every decoder step reads, for R rows. */
export interface Memory {
  /** The encoder's outputs prepared once per source batch (`attention.prepare`); null without attention. */
  attention: AttentionMemory | null;
  /** [R, C] concatenated to every step's input (conditionAs 'input' or 'both'), else null. */
  condition: Tensor | null;
}

/** The decoder's recurrent state: the stack's, and h̃ₜ₋₁ [R, H] with input feeding (else null). */
export interface DecoderState extends StackState {
  feed: Tensor | null;
}

/** One step's result. */
export interface DecoderStep {
  state: DecoderState;
  /** What the output layer reads [R, H]: h̃ₜ with attention, the top layer's hₜ without. */
  attentional: Tensor;
  /** The attention weights aₜ [R, S], or null without attention. */
  weights: Tensor | null;
}

/**
 * The seq2seq decoder (Luong et al. 2015's global attention; Bahdanau's additive score as one of
 * the scores). For the previous target token yₜ₋₁ and the source keys k (the encoder's outputs):
 *
 *     xₜ  = [E yₜ₋₁ ; h̃ₜ₋₁ (input feeding) ; v (conditionAs 'input')]   embedding: Embedding(V, E)
 *     hₜ  = cells(xₜ, hₜ₋₁)                                  cells.0 … : LSTMCell | GRUCell, L layers
 *     aₜ  = softmax_s(score(hₜ, k_s)),  cₜ = Σ_s aₜₛ k_s       attention: Bahdanau | Luong dot/general/concat
 *     h̃ₜ  = tanh(W_c [hₜ ; cₜ])                               combine: Linear(H + Hk → H, no bias)
 *     p(yₜ | y<ₜ, x) = softmax(W_o h̃ₜ + b_o)                   output: Linear(H → V)
 *
 * Without attention h̃ₜ = hₜ (no `attention`, no `combine`, no feeding). h̃₀ = 0.
 */
export class Seq2SeqDecoder extends Module {
  readonly embedding: Embedding;
  readonly cells: CellStack;
  readonly attention: BahdanauAttention | LuongAttention | null;
  readonly combine: Linear | null;
  readonly output: Linear;
  private readonly options: DecoderOptions;

  constructor(options: DecoderOptions) {
    super();
    this.options = options;
    const { vocabSize: V, embeddingSize: E, hiddenSize: H, keySize: Hk, attention } = options;
    this.embedding = this.registerModule('embedding', new Embedding({ numEmbeddings: V, embeddingDim: E, paddingIdx: options.padId }));
    const inputSize = E + (options.inputFeeding ? H : 0) + options.conditionInput;
    this.cells = this.registerModule('cells', new CellStack({ cell: options.cell, inputSize, hiddenSize: H, layers: options.layers, dropout: options.dropout }));
    this.attention =
      attention === 'none' ? null
      : this.registerModule('attention', attention === 'bahdanau' ? new BahdanauAttention({ hiddenSize: H, keySize: Hk })
        : new LuongAttention({ score: attention === 'luong-dot' ? 'dot' : attention === 'luong-general' ? 'general' : 'concat', hiddenSize: H, keySize: Hk }));
    this.combine = attention === 'none' ? null : this.registerModule('combine', new Linear({ inFeatures: H + Hk, outFeatures: H, bias: false }));
    this.output = this.registerModule('output', new Linear({ inFeatures: H, outFeatures: V }));
  }

  /** The state before the first step: `initial` from the bridge, h̃₀ = 0 with input feeding. */
  start(initial: StackState): DecoderState {
    const R = initial.h[0].shape[0];
    return { ...initial, feed: this.options.inputFeeding ? zeros([R, this.options.hiddenSize]) : null };
  }

  /** The embeddings of `ids` (any shape), with dropout in training mode. */
  embed(ids: Tensor): Tensor {
    return dropout(this.embedding.forward(ids), this.options.dropout, this.training);
  }

  /**
   * The embeddings [T, B, E] of teacher-forced inputs (time-major ids [T·B]), row b valid for its
   * first valid[b] steps, with dropout in training mode.
   */
  embedSequence(ids: Int32Array, T: number, B: number, valid: ArrayLike<number>): Tensor {
    return dropout(embedPadded(this.embedding, ids, T, B, valid), this.options.dropout, this.training);
  }

  /** One step for R rows: `embedded` [R, E] = E yₜ₋₁ (from `embed`). */
  step(embedded: Tensor, state: DecoderState, memory: Memory): DecoderStep {
    const parts = [embedded];
    if (state.feed !== null) parts.push(state.feed);
    if (memory.condition !== null) parts.push(memory.condition);
    const next = this.cells.forward(parts.length === 1 ? embedded : concat(parts, 1), state);
    const top = next.h[next.h.length - 1];
    if (this.attention === null) return { state: { ...next, feed: null }, attentional: dropout(top, this.options.dropout, this.training), weights: null };
    const { context, weights } = this.attention.attend(top, memory.attention!);
    const attentional = dropout(this.combine!.forward(concat([top, context], 1)).tanh(), this.options.dropout, this.training);
    return { state: { ...next, feed: this.options.inputFeeding ? attentional : null }, attentional, weights };
  }

  /** The logits W_o h̃ + b_o for `attentional` [..., H] → [..., V]. */
  logits(attentional: Tensor): Tensor {
    return this.output.forward(attentional);
  }

  toConfig(): ModuleConfig {
    return { type: 'EddySeq2SeqDecoder', ...this.options };
  }
}
