import { concat, crossEntropy, noGrad, scope, softmax, split, tensor, type Tensor } from '@eddy/autograd';
import { checkOptions, choiceOption, intOption, rangeOption } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { Dropout } from '../layers/dropout.js';
import type { Embedding } from '../layers/embedding.js';
import { Linear } from '../layers/linear.js';
import { Module, type ModuleConfig } from '../module.js';
import type { GRU } from '../recurrent/gru.js';
import type { LSTM } from '../recurrent/lstm.js';
import type { RNN } from '../recurrent/rnn.js';
import { checkIds, dropWords, ENCODER_OPTION_KEYS, makeEmbedding, makeRecurrent, parseEncoderOptions, type EncoderOptions } from './encoder.js';
import { AttentionPooling, checkLengths, maxPool, meanPool, POOLINGS, type Pooling } from './pooling.js';

export interface SequenceClassifierOptions extends EncoderOptions {
  /** C: the classes. */
  numClasses: number;
  /** How the steps' outputs become one vector per sentence. Default 'max'. */
  pooling?: Pooling;
  /** Probability of replacing each word by `unkId` in training mode. Default 0. */
  wordDropout?: number;
  /** The id word dropout substitutes (text's `UNK`). Default 1. */
  unkId?: number;
}

/** What `SequenceClassifier.forward` returns. */
export interface ClassifierOutput {
  /** [B, C] unnormalised class scores. */
  logits: Tensor;
  /** [B, T] attention pooling's weights α (each row sums to 1 over the valid steps), else null. */
  weights: Tensor | null;
}

/** What `SequenceClassifier.predict` returns. */
export interface ClassifierPrediction {
  /** [B]: the most probable class of each sequence. */
  labels: Int32Array;
  /** [B·C] row-major: softmax of the logits. */
  probabilities: Float32Array;
}

const OPTION_KEYS = [...ENCODER_OPTION_KEYS, 'numClasses', 'pooling', 'wordDropout', 'unkId'] as const;

/**
 * A many-to-one recurrent classifier (sentiment, topic): with hₜ the last layer's output at step t
 * (both directions concatenated when bidirectional, F = D·H features) and n the sentence's length,
 *
 *     eₜ = E[xₜ]                                   embedding: Embedding(V, E)
 *     hₜ = RNN(eₜ, hₜ₋₁)   (t < n)                 rnn: LSTM | GRU | RNN, L layers, D directions
 *     p  = pool(h₀ … hₙ₋₁)                          over the valid steps only:
 *            'max'        p_f = maxₜ hₜ,f
 *            'mean'       p   = (1/n) Σₜ hₜ
 *            'last'       p   = [h→ₙ₋₁ ; h←₀] (each direction's final state)
 *            'attention'  αₜ = softmax_t(hₜ · q),  p = Σₜ αₜ hₜ   (attention.query q ∈ ℝ^F)
 *     logits = W · Dropout(p) + b                   classifier: Linear(F, C)
 *
 * Padding never changes a result: the recurrent layers stop at each sequence's length (packed
 * semantics) and the pooling ignores the steps past it, so a padded batch gives each sentence's
 * logits exactly as it alone would. Parameter names are PyTorch's for the same model
 * (`embedding.weight`, `rnn.weight_ih_l0`, …, `attention.query`, `classifier.weight`).
 * In training mode, word dropout replaces ids by `unkId` with probability `wordDropout`.
 *
 * @example
 * const model = new SequenceClassifier({ vocabSize: tok.vocab.size, numClasses: 2, bidirectional: true });
 * const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * for (const b of classificationBatches(examples, { batchSize: 32, seed: epoch })) {
 *   scope(() => {
 *     const loss = model.loss(tensor(b.ids, [b.steps, b.batchSize], { dtype: 'int32' }), b.lengths, b.labels);
 *     opt.zeroGrad(); loss.backward(); opt.step();
 *   });
 * }
 * const { labels, probabilities } = model.predict(ids, lengths);
 */
export class SequenceClassifier extends Module {
  readonly options: Required<SequenceClassifierOptions>;
  readonly embedding: Embedding;
  readonly rnn: LSTM | GRU | RNN;
  readonly attention: AttentionPooling | null;
  readonly drop: Dropout;
  readonly classifier: Linear;

  constructor(options: SequenceClassifierOptions) {
    super();
    const op = 'SequenceClassifier';
    if (options === undefined) throw fail('E_ARGUMENT', `${op}: options { vocabSize, numClasses, … } are required`);
    const o = checkOptions(op, options, OPTION_KEYS);
    const encoder = parseEncoderOptions(op, o);
    this.options = {
      ...encoder,
      numClasses: intOption(op, 'numClasses', o.numClasses, 1),
      pooling: choiceOption(op, 'pooling', o.pooling, POOLINGS, 'max'),
      wordDropout: rangeOption(op, 'wordDropout', o.wordDropout, 0, 1, 0),
      unkId: intOption(op, 'unkId', o.unkId, 0, 1, encoder.vocabSize - 1),
    };
    const features = (encoder.bidirectional ? 2 : 1) * encoder.hiddenSize;
    this.embedding = this.registerModule('embedding', makeEmbedding(encoder));
    this.rnn = this.registerModule('rnn', makeRecurrent(encoder));
    this.attention = this.options.pooling === 'attention' ? this.registerModule('attention', new AttentionPooling({ features })) : null;
    this.drop = this.registerModule('drop', new Dropout({ p: encoder.dropout }));
    this.classifier = this.registerModule('classifier', new Linear({ inFeatures: features, outFeatures: this.options.numClasses }));
  }

  /** C, the number of classes. */
  get numClasses(): number {
    return this.options.numClasses;
  }

  /**
   * ids: int32 [T, B] time-major, padded past each sequence's length; lengths: B integers in
   * [1, T]. Returns the logits [B, C] and, with attention pooling, its weights [B, T].
   */
  forward(ids: Tensor, lengths: Int32Array | readonly number[]): ClassifierOutput {
    const op = 'SequenceClassifier.forward';
    const [T, B] = checkIds(op, ids);
    const n = checkLengths(op, lengths, T, B);
    const { wordDropout, unkId } = this.options;
    const input = this.training && wordDropout > 0 ? dropWords(ids, n, wordDropout, unkId) : ids;
    const out = this.rnn.forward(this.embedding.forward(input), null, { lengths: n });
    let pooled: Tensor;
    let weights: Tensor | null = null;
    switch (this.options.pooling) {
      case 'max':
        pooled = maxPool(out.output, n);
        break;
      case 'mean':
        pooled = meanPool(out.output, n);
        break;
      case 'last':
        pooled = this.lastStates(out.h);
        break;
      case 'attention':
        ({ pooled, weights } = this.attention!.forward(out.output, n));
        break;
    }
    return { logits: this.classifier.forward(this.drop.forward(pooled)), weights };
  }

  /** The last layer's final state of each direction, [B, D·H], from the stack's h [L·D, B, H]. */
  private lastStates(h: Tensor): Tensor {
    const { numLayers: L, bidirectional, hiddenSize: H } = this.options;
    const D = bidirectional ? 2 : 1;
    const B = h.shape[1];
    const last = split(h.slice(0, (L - 1) * D, L * D), 1, 0).map((t) => t.reshape([B, H]));
    return D === 1 ? last[0] : concat(last, 1);
  }

  /** The mean cross-entropy of the batch against `labels` (B classes in [0, C)). */
  loss(ids: Tensor, lengths: Int32Array | readonly number[], labels: Int32Array): Tensor {
    const op = 'SequenceClassifier.loss';
    if (!(labels instanceof Int32Array)) throw fail('E_ARGUMENT', `${op}: labels must be an Int32Array, got ${describe(labels)}`);
    const B = ids?.shape?.[1];
    if (labels.length !== B) throw fail('E_SHAPE', `${op}: labels must have B = ${B} entries, got ${labels.length}`);
    const C = this.numClasses;
    labels.forEach((y, b) => {
      if (y < 0 || y >= C) throw fail('E_ARGUMENT', `${op}: labels[${b}] must be a class in [0, ${C}), got ${y}`);
    });
    return crossEntropy(this.forward(ids, lengths).logits, tensor(labels, [labels.length], { dtype: 'int32' }));
  }

  /**
   * The most probable class and the class probabilities of each sequence, in eval mode (no
   * dropout) without gradients; the training mode is restored after.
   */
  predict(ids: Tensor, lengths: Int32Array | readonly number[]): ClassifierPrediction {
    const wasTraining = this.training;
    this.eval();
    try {
      const probabilities = noGrad(() => scope(() => softmax(this.forward(ids, lengths).logits).toFloat32Array()));
      const C = this.numClasses;
      const B = probabilities.length / C;
      const labels = new Int32Array(B);
      for (let b = 0; b < B; b++) {
        let best = 0;
        for (let c = 1; c < C; c++) if (probabilities[b * C + c] > probabilities[b * C + best]) best = c;
        labels[b] = best;
      }
      return { labels, probabilities };
    } finally {
      this.train(wasTraining);
    }
  }

  toConfig(): ModuleConfig {
    return { type: 'EddySequenceClassifier', ...this.options };
  }
}

Module.register('EddySequenceClassifier', (o) => new SequenceClassifier(o as unknown as SequenceClassifierOptions));
