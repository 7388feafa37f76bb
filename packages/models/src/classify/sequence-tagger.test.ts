import { EddyError, Generator, logSoftmax, manualSeed, noGrad, optim, scope, tensor } from '@eddy/autograd';
import { perTagAccuracy } from '@eddy/text';
import { describe, expect, test } from 'vitest';
import { SequenceTagger } from './sequence-tagger.js';

// A generated tagging task that needs memory: the tag of step t is the class (id mod 3) of the
// token before it, and 3 at the first step. Ids 2 … 9 (0 is padding, 1 unknown).
function batch(rng: Generator, B: number): { ids: Int32Array; tags: Int32Array; lengths: Int32Array; T: number } {
  const lengths = Int32Array.from({ length: B }, () => 3 + rng.nextInt(8)).sort().reverse();
  const T = lengths[0];
  const ids = new Int32Array(T * B);
  const tags = new Int32Array(T * B).fill(-1);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lengths[b]; t++) {
      ids[t * B + b] = 2 + rng.nextInt(8);
      tags[t * B + b] = t === 0 ? 3 : ids[(t - 1) * B + b] % 3;
    }
  }
  return { ids, tags, lengths, T };
}

describe('SequenceTagger', () => {
  test('learns a tagging task that needs the previous token (≥ 95 % per-tag accuracy held out)', () => {
    manualSeed(2);
    const tagger = new SequenceTagger({ vocabSize: 10, numTags: 4, embeddingSize: 8, hiddenSize: 16, dropout: 0 });
    const opt = new optim.Adam(tagger.parameters(), { lr: 0.02 });
    const rng = new Generator(1);
    for (let step = 0; step < 150; step++) {
      const b = batch(rng, 16);
      scope(() => {
        const loss = tagger.loss(tensor(b.ids, [b.T, 16], { dtype: 'int32' }), b.lengths, b.tags);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      });
    }
    const held = batch(new Generator(99), 64);
    const predicted = tagger.predict(tensor(held.ids, [held.T, 64], { dtype: 'int32' }), held.lengths);
    predicted.forEach((p, i) => expect(p === -1).toBe(held.tags[i] === -1)); // −1 exactly on padding
    const { accuracy, perTag } = perTagAccuracy(held.tags, predicted, 4);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(perTag[3]).toBe(1);
  });

  test('the loss is the mean cross-entropy over valid steps only (padding tags are not read)', () => {
    manualSeed(4);
    const tagger = new SequenceTagger({ vocabSize: 10, numTags: 4, embeddingSize: 3, hiddenSize: 5, bidirectional: true }).eval();
    const b = batch(new Generator(3), 5);
    const ids = tensor(b.ids, [b.T, 5], { dtype: 'int32' });
    noGrad(() => scope(() => {
      const loss = tagger.loss(ids, b.lengths, b.tags).item();
      const garbage = b.tags.map((y) => (y === -1 ? 77 : y));
      expect(tagger.loss(ids, b.lengths, garbage).item()).toBe(loss);
      const logp = logSoftmax(tagger.forward(ids, b.lengths)).toFloat32Array();
      let sum = 0;
      let n = 0;
      b.tags.forEach((y, i) => { if (y >= 0) { sum -= logp[i * 4 + y]; n++; } });
      expect(loss).toBeCloseTo(sum / n, 5);
    }));
  });

  test('names, config round trip, typed errors', () => {
    manualSeed(4);
    const tagger = new SequenceTagger({ vocabSize: 10, numTags: 4, embeddingSize: 3, hiddenSize: 5, cell: 'gru' });
    expect(tagger.namedParameters().map(([n]) => n)).toEqual([
      'embedding.weight', 'rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'classifier.weight', 'classifier.bias',
    ]);
    const again = SequenceTagger.fromConfig(JSON.parse(JSON.stringify(tagger.toConfig())));
    expect(again.toConfig()).toEqual({
      type: 'EddySequenceTagger', vocabSize: 10, numTags: 4, embeddingSize: 3, hiddenSize: 5, cell: 'gru', numLayers: 1, bidirectional: false, dropout: 0.5, paddingIdx: 0,
    });
    expect(() => new SequenceTagger({ vocabSize: 10, numTag: 4 } as never)).toThrow(/did you mean "numTags"/);
    const ids = tensor(Int32Array.of(2, 3, 4, 0), [2, 2], { dtype: 'int32' });
    expect(() => tagger.loss(ids, [2, 1], Int32Array.of(0, 1, 5, -1))).toThrow(/tags\[2\] \(step 1 of sequence 0\) must be a tag in \[0, 4\), got 5/);
    expect(() => tagger.loss(ids, [2, 1], Int32Array.of(0, 1, 2))).toThrow(EddyError);
  });
});
