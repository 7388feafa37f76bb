import { EddyError, Generator, logSoftmax, manualSeed, noGrad, scope, tensor } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { SequenceTagger } from './sequence-tagger.js';
import { taggingBatch } from '../test/tagging.js';

describe('SequenceTagger', () => {
  test('the loss is the mean cross-entropy over valid steps only (padding tags are not read)', () => {
    manualSeed(4);
    const tagger = new SequenceTagger({ vocabSize: 10, numTags: 4, embeddingSize: 3, hiddenSize: 5, bidirectional: true }).eval();
    const b = taggingBatch(new Generator(3), 5);
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
