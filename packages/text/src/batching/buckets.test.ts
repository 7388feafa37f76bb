import { Generator } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { bucketBatches } from './buckets.js';

describe('bucketBatches', () => {
  const seqs = [[1, 2, 3], [4], [5, 6, 7, 8, 9], [10, 11], [12, 13, 14, 15], [16, 17]];

  test('sorted by length into batches, padded time-major, with lengths and masks', () => {
    const batches = bucketBatches(seqs, { batchSize: 2, padId: 0 });
    expect(batches.map((b) => [...b.indices])).toEqual([[3, 1], [0, 5], [2, 4]]);
    const [first] = batches;
    expect(first.steps).toBe(2);
    expect([...first.lengths]).toEqual([2, 1]);
    expect([...first.tokens]).toEqual([10, 4, 11, 0]); // [T=2, B=2]: t=0 → 10, 4; t=1 → 11, pad
    expect([...first.mask]).toEqual([1, 1, 1, 0]);
    const last = batches[2];
    expect([...last.tokens]).toEqual([5, 12, 6, 13, 7, 14, 8, 15, 9, 0]);
  });

  test('every sequence appears once, unchanged; the last batch may be smaller', () => {
    const batches = bucketBatches(seqs, { batchSize: 4 });
    expect(batches.map((b) => b.batchSize)).toEqual([4, 2]);
    const recovered: number[][] = [];
    for (const b of batches) {
      for (let j = 0; j < b.batchSize; j++) {
        const s: number[] = [];
        for (let t = 0; t < b.lengths[j]; t++) s.push(b.tokens[t * b.batchSize + j]);
        recovered[b.indices[j]] = s;
      }
    }
    expect(recovered).toEqual(seqs);
  });

  test('shuffling the batch order is deterministic given the generator', () => {
    const many = Array.from({ length: 40 }, (_, i) => Array.from({ length: 1 + (i % 13) }, () => i));
    const order = (seed: number) => bucketBatches(many, { batchSize: 3, rng: new Generator(seed) }).map((b) => b.indices[0]);
    expect(order(1)).toEqual(order(1));
    expect(order(1)).not.toEqual(order(2));
    expect([...order(1)].sort((a, b) => a - b)).toEqual([...bucketBatches(many, { batchSize: 3 }).map((b) => b.indices[0])].sort((a, b) => a - b));
  });

  test('empty sequences and bad sizes are typed errors', () => {
    expect(() => bucketBatches([[1], []], { batchSize: 2 })).toThrow(/sequence 1 must be a non-empty array of ids/);
    expect(() => bucketBatches(seqs, { batchSize: 0 })).toThrow(/batchSize must be an integer >= 1, got 0/);
  });
});
