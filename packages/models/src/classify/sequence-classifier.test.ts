import { EddyError, manualSeed, noGrad, scope, tensor } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { Module } from '../module.js';
import { SequenceClassifier, type SequenceClassifierOptions } from './sequence-classifier.js';
import type { Pooling } from './pooling.js';

const V = 12;

function model(options: Partial<SequenceClassifierOptions> = {}): SequenceClassifier {
  manualSeed(11);
  return new SequenceClassifier({ vocabSize: V, numClasses: 3, embeddingSize: 5, hiddenSize: 4, ...options });
}

/** Sentences of lengths 5, 3, 1, 4 as a padded time-major batch whose padding holds arbitrary real ids. */
const sentences = [[2, 3, 4, 5, 6], [7, 8, 9], [10], [11, 2, 2, 3]];
function padded(fill: (t: number, b: number) => number): { ids: Int32Array; lengths: Int32Array } {
  const T = 5;
  const B = sentences.length;
  const ids = new Int32Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) ids[t * B + b] = t < sentences[b].length ? sentences[b][t] : fill(t, b);
  return { ids, lengths: Int32Array.from(sentences, (s) => s.length) };
}

const poolings: Pooling[] = ['max', 'mean', 'last', 'attention'];

describe('SequenceClassifier', () => {
  describe.each(poolings)('pooling %s: padding never changes a result', (pooling) => {
    test.each([
      ['lstm', false, 1], ['lstm', true, 1], ['gru', true, 2], ['rnn', false, 2],
    ] as const)('%s, bidirectional %s, %i layers: a padded batch equals its sentences one by one', (cell, bidirectional, numLayers) => {
      const m = model({ pooling, cell, bidirectional, numLayers }).eval();
      noGrad(() => scope(() => {
        const B = sentences.length;
        for (const fill of [() => 0, (t: number, b: number) => 1 + ((t * 5 + b) % (V - 1))]) {
          const { ids, lengths } = padded(fill);
          const batch = m.forward(tensor(ids, [5, B], { dtype: 'int32' }), lengths);
          const logits = batch.logits.toFloat32Array();
          const weights = batch.weights?.toFloat32Array() ?? null;
          sentences.forEach((s, b) => {
            const one = m.forward(tensor(Int32Array.from(s), [s.length, 1], { dtype: 'int32' }), [s.length]);
            const alone = one.logits.toFloat32Array();
            for (let c = 0; c < 3; c++) expect(logits[b * 3 + c]).toBeCloseTo(alone[c], 5);
            if (pooling === 'attention') {
              const w = one.weights!.toFloat32Array();
              for (let t = 0; t < 5; t++) expect(weights![b * 5 + t]).toBeCloseTo(t < s.length ? w[t] : 0, 6);
            } else {
              expect(one.weights).toBeNull();
            }
          });
        }
      }));
    });
  });

  test('PyTorch-style names, the attention query only with attention pooling; config round trip', () => {
    const m = model({ pooling: 'attention', bidirectional: true });
    expect(m.namedParameters().map(([n]) => n)).toEqual([
      'embedding.weight', 'rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0',
      'rnn.weight_ih_l0_reverse', 'rnn.weight_hh_l0_reverse', 'rnn.bias_ih_l0_reverse', 'rnn.bias_hh_l0_reverse',
      'attention.query', 'classifier.weight', 'classifier.bias',
    ]);
    expect(m.attention!.query.shape).toEqual([8]);
    expect(model().namedParameters().some(([n]) => n.startsWith('attention'))).toBe(false);
    const config = m.toConfig();
    expect(config).toEqual({
      type: 'EddySequenceClassifier', vocabSize: V, numClasses: 3, embeddingSize: 5, hiddenSize: 4, cell: 'lstm', numLayers: 1,
      bidirectional: true, pooling: 'attention', dropout: 0.5, wordDropout: 0, unkId: 1, paddingIdx: 0,
    });
    const again = SequenceClassifier.fromConfig(JSON.parse(JSON.stringify(config)));
    expect(again).toBeInstanceOf(SequenceClassifier);
    expect(again.options).toEqual(m.options);
    again.loadStateDict(m.stateDict());
    const ids = tensor(Int32Array.of(2, 3, 4), [3, 1], { dtype: 'int32' });
    expect(again.predict(ids, [3]).probabilities).toEqual(m.predict(ids, [3]).probabilities);
    expect(Module.fromConfig(config)).toBeInstanceOf(SequenceClassifier);
  });

  test('defaults: embedding and hidden 100, LSTM, max pooling, dropout 0.5, padding row zero', () => {
    manualSeed(1);
    const m = new SequenceClassifier({ vocabSize: 20, numClasses: 2 });
    expect(m.options).toMatchObject({ embeddingSize: 100, hiddenSize: 100, cell: 'lstm', pooling: 'max', dropout: 0.5, paddingIdx: 0, numLayers: 1 });
    expect(Array.from(m.embedding.weight.toFloat32Array().subarray(0, 100)).every((v) => v === 0)).toBe(true);
  });

  test('loss is the mean cross-entropy of predict\'s probabilities (eval mode)', () => {
    const m = model({ pooling: 'mean' }).eval();
    const { ids, lengths } = padded(() => 0);
    const labels = Int32Array.of(0, 2, 1, 2);
    const x = tensor(ids, [5, 4], { dtype: 'int32' });
    const loss = noGrad(() => m.loss(x, lengths, labels).item());
    const { probabilities, labels: predicted } = m.predict(x, lengths);
    let expected = 0;
    labels.forEach((y, b) => (expected -= Math.log(probabilities[b * 3 + y]) / 4));
    expect(loss).toBeCloseTo(expected, 5);
    predicted.forEach((c, b) => expect(Math.max(...probabilities.subarray(b * 3, b * 3 + 3))).toBe(probabilities[b * 3 + c]));
  });

  test('predict runs in eval mode and restores training mode', () => {
    const m = model({ dropout: 0.9 });
    const x = tensor(Int32Array.of(2, 3, 4), [3, 1], { dtype: 'int32' });
    const first = m.predict(x, [3]).probabilities;
    expect(m.training).toBe(true);
    expect(m.predict(x, [3]).probabilities).toEqual(first);
  });

  test('word dropout: only in training mode, only on valid steps, seeded, about the asked rate', () => {
    const m = model({ wordDropout: 0.3, unkId: 1, dropout: 0 });
    const T = 40;
    const B = 25;
    const ids = new Int32Array(T * B).fill(0);
    const lengths = Int32Array.from({ length: B }, (_, b) => 20 + (b % 21));
    lengths.forEach((n, b) => { for (let t = 0; t < n; t++) ids[t * B + b] = 2 + ((t + b) % 10); });
    const x = tensor(ids, [T, B], { dtype: 'int32' });
    // The embedding sees the dropped ids: record them.
    const seen: Int32Array[] = [];
    const forward = m.embedding.forward.bind(m.embedding);
    m.embedding.forward = (i) => (seen.push(i.toArray() as Int32Array), forward(i));
    const run = (seed: number) => { manualSeed(seed); scope(() => void m.forward(x, lengths)); return seen[seen.length - 1]; };
    const a = run(4);
    expect(run(4)).toEqual(a);
    expect(run(5)).not.toEqual(a);
    let valid = 0;
    let dropped = 0;
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
      if (t >= lengths[b]) { expect(a[t * B + b]).toBe(0); continue; }
      valid++;
      if (a[t * B + b] === 1) dropped++;
      else expect(a[t * B + b]).toBe(ids[t * B + b]);
    }
    expect(dropped / valid).toBeGreaterThan(0.25);
    expect(dropped / valid).toBeLessThan(0.35);
    m.eval();
    scope(() => void m.forward(x, lengths));
    expect(seen[seen.length - 1]).toEqual(ids);
  });

  test('bad options and inputs throw typed errors naming the argument', () => {
    const bad = (f: () => unknown, code: string, pattern: RegExp) => {
      try { f(); } catch (e) { expect(e).toBeInstanceOf(EddyError); expect((e as EddyError).code).toBe(code); expect((e as Error).message).toMatch(pattern); return; }
      throw new Error('did not throw');
    };
    bad(() => new SequenceClassifier({ vocabSize: 10, numClasses: 2, poolng: 'max' } as never), 'E_ARGUMENT', /did you mean "pooling"/);
    bad(() => new SequenceClassifier({ vocabSize: 10, numClasses: 2, pooling: 'min' as never }), 'E_ARGUMENT', /pooling must be one of/);
    bad(() => new SequenceClassifier({ vocabSize: 10, numClasses: 0 }), 'E_ARGUMENT', /numClasses/);
    bad(() => new SequenceClassifier({ vocabSize: 10, numClasses: 2, wordDropout: 1 }), 'E_ARGUMENT', /wordDropout/);
    bad(() => new SequenceClassifier({ vocabSize: 10, numClasses: 2, unkId: 10 }), 'E_ARGUMENT', /unkId/);
    const m = model();
    const x = tensor(Int32Array.of(2, 3, 4, 5), [2, 2], { dtype: 'int32' });
    bad(() => m.forward(x, [2, 0]), 'E_ARGUMENT', /lengths\[1\] must be an integer in \[1, T = 2\]/);
    bad(() => m.forward(x, [2]), 'E_SHAPE', /lengths must have B = 2/);
    bad(() => m.forward(tensor([1, 2], [2, 1]), [2]), 'E_ARGUMENT', /ids must be an int32 tensor \[T, B\].*float32/);
    bad(() => m.loss(x, [2, 2], Int32Array.of(0, 3)), 'E_ARGUMENT', /labels\[1\] must be a class in \[0, 3\)/);
    bad(() => m.loss(x, [2, 2], [0, 1] as never), 'E_ARGUMENT', /labels must be an Int32Array/);
  });
});
