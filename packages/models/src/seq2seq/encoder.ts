import type { Tensor } from '@eddy/autograd';
import { makeEmbedding, makeRecurrent, type ParsedEncoderOptions } from '../classify/encoder.js';
import { Dropout } from '../layers/dropout.js';
import type { Embedding } from '../layers/embedding.js';
import { Module, type ModuleConfig } from '../module.js';
import type { GRU } from '../recurrent/gru.js';
import type { LSTM } from '../recurrent/lstm.js';
import type { RNN } from '../recurrent/rnn.js';
import { embedPadded } from './padded-embedding.js';

/** What the encoder hands the bridge and the attention. */
export interface Encoded {
  /** The last layer's outputs, the attention's keys: [S, B, D·H], zero past each length. */
  keys: Tensor;
  /** Each layer's and direction's final state, [L·D, B, H] (PyTorch's h_n). */
  h: Tensor;
  /** The LSTM's final cells [L·D, B, H], else null. */
  c: Tensor | null;
}

/**
 * The seq2seq encoder: the classifiers' embedding + recurrent stack (classify/encoder.ts), with
 * dropout on the embeddings and between layers, run over the valid steps of each source only
 * (packed semantics), so padding never changes a result. Parameters `embedding.weight` and
 * `rnn.weight_ih_l0` … (`_reverse` for the backward direction), as PyTorch names them.
 */
export class Seq2SeqEncoder extends Module {
  readonly embedding: Embedding;
  readonly rnn: LSTM | GRU | RNN;
  readonly drop: Dropout;
  private readonly options: ParsedEncoderOptions;

  constructor(options: ParsedEncoderOptions) {
    super();
    this.options = options;
    this.embedding = this.registerModule('embedding', makeEmbedding(options));
    this.rnn = this.registerModule('rnn', makeRecurrent(options));
    this.drop = this.registerModule('drop', new Dropout({ p: options.dropout }));
  }

  /**
   * Encodes `source` [S·B] (time-major ids, checked by the caller) of `lengths` [B]. With
   * `reverse`, each source's valid tokens are read last to first (Sutskever et al. 2014); the
   * padding stays at the end, so the keys of a reversed source are in reversed order too.
   */
  forward(source: Int32Array, lengths: Int32Array, S: number, B: number, reverse: boolean): Encoded {
    const ids = reverse ? reverseValid(source, lengths, B) : source;
    const x = this.drop.forward(embedPadded(this.embedding, ids, S, B, lengths));
    const out = this.rnn.forward(x, null, { lengths });
    return { keys: out.output, h: out.h, c: 'c' in out ? (out.c as Tensor) : null };
  }

  toConfig(): ModuleConfig {
    return { type: 'EddySeq2SeqEncoder', ...this.options };
  }
}

/** A copy of time-major `ids` [S·B] with each column's first lengths[b] ids in reverse order. */
export function reverseValid(ids: Int32Array, lengths: Int32Array, B: number): Int32Array {
  const out = ids.slice();
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    for (let t = 0; t < n; t++) out[t * B + b] = ids[(n - 1 - t) * B + b];
  }
  return out;
}
