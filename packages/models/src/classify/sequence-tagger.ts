import { crossEntropy, noGrad, scope, tensor, type Tensor } from '@eddy/autograd';
import { checkOptions, intOption } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { Dropout } from '../layers/dropout.js';
import type { Embedding } from '../layers/embedding.js';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import type { GRU } from '../recurrent/gru.js';
import type { LSTM } from '../recurrent/lstm.js';
import type { RNN } from '../recurrent/rnn.js';
import { checkIds, ENCODER_OPTION_KEYS, makeEmbedding, makeRecurrent, parseEncoderOptions, type EncoderOptions } from './encoder.js';
import { checkLengths } from './pooling.js';

export interface SequenceTaggerOptions extends EncoderOptions {
  /** K: the tags. */
  numTags: number;
}

const OPTION_KEYS = [...ENCODER_OPTION_KEYS, 'numTags'] as const;

/** The tag `predict` writes on padding steps (and the loss ignores there). */
export const NO_TAG = -1;

/**
 * An aligned many-to-many recurrent tagger (part of speech, named entities, per-frame labels): a
 * tag distribution at every valid step,
 *
 *     eₜ = E[xₜ]                          embedding: Embedding(V, E)
 *     hₜ = RNN(eₜ, hₜ₋₁)   (t < n)        rnn: L layers, D directions (a bidirectional tagger sees
 *                                          the whole sentence at every step)
 *     P(yₜ | x) = softmax(W · Dropout(hₜ) + b)   classifier: Linear(D·H, K)
 *
 * trained with the mean cross-entropy over the valid steps only (padding steps neither count nor
 * get gradient). Parameter names as `SequenceClassifier`'s.
 *
 * @example
 * const tagger = new SequenceTagger({ vocabSize: V, numTags: K, bidirectional: true });
 * const ids = tensor(batch.ids, [T, B], { dtype: 'int32' });
 * const loss = tagger.loss(ids, batch.lengths, batch.tags); // tags [T·B] time-major
 * const tags = tagger.predict(ids, batch.lengths);           // Int32Array [T·B], −1 on padding
 */
export class SequenceTagger extends Module {
  readonly options: Required<SequenceTaggerOptions>;
  readonly embedding: Embedding;
  readonly rnn: LSTM | GRU | RNN;
  readonly drop: Dropout;
  readonly classifier: Linear;

  constructor(options: SequenceTaggerOptions) {
    super();
    const op = 'SequenceTagger';
    if (options === undefined) throw fail('E_ARGUMENT', `${op}: options { vocabSize, numTags, … } are required`);
    const o = checkOptions(op, options, OPTION_KEYS);
    const encoder = parseEncoderOptions(op, o);
    this.options = { ...encoder, numTags: intOption(op, 'numTags', o.numTags, 1) };
    const features = (encoder.bidirectional ? 2 : 1) * encoder.hiddenSize;
    this.embedding = this.registerModule('embedding', makeEmbedding(encoder));
    this.rnn = this.registerModule('rnn', makeRecurrent(encoder));
    this.drop = this.registerModule('drop', new Dropout({ p: encoder.dropout }));
    this.classifier = this.registerModule('classifier', new Linear({ inFeatures: features, outFeatures: this.options.numTags }));
  }

  /** K, the number of tags. */
  get numTags(): number {
    return this.options.numTags;
  }

  /** ids: int32 [T, B] time-major; lengths: B integers in [1, T] → logits [T, B, K] (padding rows are the bias alone). */
  forward(ids: Tensor, lengths: Int32Array | readonly number[]): Tensor {
    const op = 'SequenceTagger.forward';
    const [T, B] = checkIds(op, ids);
    const n = checkLengths(op, lengths, T, B);
    const out = this.rnn.forward(this.embedding.forward(ids), null, { lengths: n });
    const F = out.output.shape[2];
    return this.classifier.forward(this.drop.forward(out.output.reshape([T * B, F]))).reshape([T, B, this.numTags]);
  }

  /**
   * Mean cross-entropy over the valid steps against `tags` [T·B] time-major (tags[t·B + b]; the
   * values at padding steps are not read).
   */
  loss(ids: Tensor, lengths: Int32Array | readonly number[], tags: Int32Array): Tensor {
    const op = 'SequenceTagger.loss';
    const [T, B] = checkIds(op, ids);
    const n = checkLengths(op, lengths, T, B);
    if (!(tags instanceof Int32Array)) throw fail('E_ARGUMENT', `${op}: tags must be an Int32Array [T·B], got ${describe(tags)}`);
    if (tags.length !== T * B) throw fail('E_SHAPE', `${op}: tags must have T·B = ${T * B} entries (time-major), got ${tags.length}`);
    const K = this.numTags;
    const targets = new Int32Array(T * B).fill(NO_TAG);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < n.length; b++) {
        if (t >= n[b]) continue;
        const y = tags[t * B + b];
        if (!(y >= 0 && y < K)) throw fail('E_ARGUMENT', `${op}: tags[${t * B + b}] (step ${t} of sequence ${b}) must be a tag in [0, ${K}), got ${y}`);
        targets[t * B + b] = y;
      }
    }
    const logits = this.forward(ids, n).reshape([T * B, K]);
    return crossEntropy(logits, tensor(targets, [T * B], { dtype: 'int32' }), { ignoreIndex: NO_TAG });
  }

  /** The most probable tag of every step, [T·B] time-major, −1 (`NO_TAG`) on padding; eval mode, no gradients. */
  predict(ids: Tensor, lengths: Int32Array | readonly number[]): Int32Array {
    const wasTraining = this.training;
    this.eval();
    try {
      const [T, B] = checkIds('SequenceTagger.predict', ids);
      const n = checkLengths('SequenceTagger.predict', lengths, T, B);
      const logits = noGrad(() => scope(() => this.forward(ids, n).toFloat32Array()));
      const K = this.numTags;
      const tags = new Int32Array(T * B).fill(NO_TAG);
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          if (t >= n[b]) continue;
          const row = (t * B + b) * K;
          let best = 0;
          for (let k = 1; k < K; k++) if (logits[row + k] > logits[row + best]) best = k;
          tags[t * B + b] = best;
        }
      }
      return tags;
    } finally {
      this.train(wasTraining);
    }
  }

  toConfig(): ModuleConfig {
    return { type: 'EddySequenceTagger', ...this.options };
  }
}

Module.register('EddySequenceTagger', (o) => new SequenceTagger(o as unknown as SequenceTaggerOptions));
