import { manualSeed, optim, scope } from '@eddy/autograd';
import { expect, test } from 'vitest';
import { BuiltModules } from '../test/modules.js';
import { makeBatch, randomSequences } from '../test/seq2seq.js';
import { Seq2Seq, type Seq2SeqOptions } from './seq2seq.js';

// Learning checks (seconds): copy and reverse with attention to >= 95 % exact match of whole
// held-out outputs, and a conditioned decoder that learns to emit the sequence its vector picks.

const built = new BuiltModules();

/** Trains on `pairs` with Adam until `done()` or `epochs` pass; returns the epochs used. */
function train(m: Seq2Seq, pairs: ReadonlyArray<readonly [Int32Array, Int32Array]>, epochs: number, done: () => boolean, condition?: (i: number) => Float32Array): number {
  const opt = new optim.Adam(m.parameters(), { lr: 0.03 });
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (let i = 0; i < pairs.length; i += 48) {
      const chunk = pairs.slice(i, i + 48);
      const batch = makeBatch(chunk, condition === undefined ? {} : { condition: Float32Array.from(chunk.flatMap((_, j) => Array.from(condition(i + j)))) });
      scope(() => {
        const { loss } = m.loss(batch);
        opt.zeroGrad();
        loss.backward();
        opt.step();
      });
    }
    if (done()) return epoch;
  }
  return epochs;
}

function exactMatch(m: Seq2Seq, sources: Int32Array[], references: Int32Array[]): number {
  const out = m.translate(sources, { batchSize: 64 });
  return out.filter(([best], i) => best.tokens.join() === references[i].join()).length / sources.length;
}

test.each([
  ['copy', (s: Int32Array) => s, { attention: 'bahdanau' }],
  ['reverse', (s: Int32Array) => s.slice().reverse(), { attention: 'bahdanau' }],
] as Array<[string, (s: Int32Array) => Int32Array, Partial<Seq2SeqOptions>]>)('learns the %s task with attention to >= 95 percent exact match', (_, task, options) => {
  manualSeed(21);
  const m = new Seq2Seq({ sourceVocabSize: 10, targetVocabSize: 10, hiddenSize: 32, embeddingSize: 12, ...options });
  built.push(m);
  const train_ = randomSequences(288, 5, 2, 4, 1);
  const held = randomSequences(100, 5, 2, 4, 2);
  const targets = held.map(task);
  let accuracy = 0;
  const epochs = train(m, train_.map((s) => [s, task(s)] as const), 30, () => (accuracy = exactMatch(m, held, targets)) >= 0.95);
  console.info(`${_}: ${(accuracy * 100).toFixed(0)} % exact match after ${epochs} epochs`);
  expect(accuracy).toBeGreaterThanOrEqual(0.95);
});

test.each(['init', 'input'] as const)('conditionAs %s: a decoder given a vector learns to emit the sequence it picks', (conditionAs) => {
  manualSeed(22);
  const C = 4;
  const m = new Seq2Seq({ sourceVocabSize: 6, targetVocabSize: 12, hiddenSize: 16, embeddingSize: 8, conditionSize: C, conditionAs });
  built.push(m);
  // The source is the same token for every example; only the one-hot vector says which output.
  const outputs = [[4, 5, 6], [7, 8], [9, 4, 4, 10], [11]].map((o) => Int32Array.from(o));
  const oneHot = (k: number) => Float32Array.from({ length: C }, (_, j) => (j === k ? 1 : 0));
  const pairs = Array.from({ length: 64 }, (_, i) => [Int32Array.of(4), outputs[i % C]] as const);
  const conditions = Float32Array.from(outputs.flatMap((_, k) => Array.from(oneHot(k))));
  const sources = outputs.map(() => Int32Array.of(4));
  const correct = () => m.translate(sources, { conditions }).every(([best], k) => best.tokens.join() === outputs[k].join());
  train(m, pairs, 40, correct, (i) => oneHot(i % C));
  expect(correct()).toBe(true);
});
