import { Generator, manualSeed, optim, scope, tensor } from '@eddy/autograd';
import { perTagAccuracy } from '@eddy/text';
import { expect, test } from 'vitest';
import { SequenceTagger } from './sequence-tagger.js';
import { taggingBatch as makeBatch } from '../test/tagging.js';

// The models README's tagging example, on the generated task of src/test/tagging.ts.
test('the README tagging example learns a task that needs the previous token (≥ 95 % per-tag accuracy held out)', () => {
  manualSeed(2);
  const rng = new Generator(1);
  const batches = Array.from({ length: 150 }, () => makeBatch(rng, 16));
  const test_ = makeBatch(new Generator(99), 64);

  const tagger = new SequenceTagger({ vocabSize: 10, numTags: 4, embeddingSize: 8, hiddenSize: 16, dropout: 0 });
  const opt = new optim.Adam(tagger.parameters(), { lr: 0.02 });
  for (const { ids, lengths, tags, T, B } of batches) {
    scope(() => {
      const loss = tagger.loss(tensor(ids, [T, B], { dtype: 'int32' }), lengths, tags); // tags[t·B + b]
      opt.zeroGrad(); loss.backward(); opt.step();
    });
  }
  const predicted = tagger.predict(tensor(test_.ids, [test_.T, test_.B], { dtype: 'int32' }), test_.lengths);
  predicted.forEach((p, i) => expect(p === -1).toBe(test_.tags[i] === -1)); // −1 exactly on padding
  const { accuracy, perTag } = perTagAccuracy(test_.tags, predicted, 4);
  expect(accuracy).toBeGreaterThanOrEqual(0.95);
  expect(perTag[3]).toBe(1);
});
