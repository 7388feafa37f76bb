import { EddyError } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { BOS, EOS, PAD } from '../vocab.js';
import { parallelBatches, type ParallelExample } from './batches.js';

const ids = (...xs: number[]): Int32Array => Int32Array.from(xs);
const pairs: ParallelExample[] = [
  { source: ids(10, 11, 12), target: ids(20) },
  { source: ids(13), target: ids(21, 22, 23) },
  { source: ids(14, 15), target: ids() },
  { source: ids(16, 17, 18, 19), target: ids(24, 25) },
  { source: ids(30, 31), target: ids(26) },
];

/** Pair b of a batch read back out of the time-major buffers. */
function column(data: Int32Array, steps: number, B: number, b: number): number[] {
  return Array.from({ length: steps }, (_, t) => data[t * B + b]);
}

describe('parallelBatches', () => {
  test('bucketed by source length, BOS … EOS targets, pads, lengths and indices', () => {
    const batches = parallelBatches(pairs, { batchSize: 2, shuffle: false });
    // Source lengths 3 1 2 4 2: sorted (ties by position) 1 2 4 | 0 3 … each batch longest first.
    expect(batches.map((b) => Array.from(b.indices))).toEqual([[2, 1], [0, 4], [3]]);
    const [first] = batches;
    expect([first.sourceSteps, first.targetSteps, first.batchSize]).toEqual([2, 5, 2]);
    expect(Array.from(first.sourceLengths)).toEqual([2, 1]);
    expect(column(first.source, 2, 2, 0)).toEqual([14, 15]);
    expect(column(first.source, 2, 2, 1)).toEqual([13, PAD]);
    expect(Array.from(first.targetLengths)).toEqual([2, 5]);
    // An empty target is BOS EOS.
    expect(column(first.target, 5, 2, 0)).toEqual([BOS, EOS, PAD, PAD, PAD]);
    expect(column(first.target, 5, 2, 1)).toEqual([BOS, 21, 22, 23, EOS]);
    expect(column(batches[1].target, batches[1].targetSteps, 2, 0)).toEqual([BOS, 20, EOS]);
    // Every pair exactly once.
    expect(batches.flatMap((b) => Array.from(b.indices)).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  test('every batch holds its pairs exactly, whatever the seed', () => {
    for (const seed of [0, 1, 7]) {
      for (const b of parallelBatches(pairs, { batchSize: 2, seed })) {
        b.indices.forEach((at, k) => {
          const p = pairs[at];
          expect(column(b.source, b.sourceSteps, b.batchSize, k).slice(0, b.sourceLengths[k])).toEqual(Array.from(p.source));
          expect(column(b.target, b.targetSteps, b.batchSize, k).slice(0, b.targetLengths[k])).toEqual([BOS, ...p.target, EOS]);
          expect(column(b.target, b.targetSteps, b.batchSize, k).slice(b.targetLengths[k]).every((x) => x === PAD)).toBe(true);
        });
      }
    }
    const order = (seed: number) => parallelBatches(pairs, { batchSize: 1, seed }).map((b) => b.indices[0]);
    expect(order(3)).toEqual(order(3));
    expect([1, 2, 3, 4, 5].some((s) => order(s).join() !== order(0).join())).toBe(true);
  });

  test('lengths cut, and other pad/BOS/EOS ids', () => {
    const [b] = parallelBatches([pairs[3]], { batchSize: 4, maxSourceLength: 2, maxTargetLength: 1, padId: 1, bosId: 7, eosId: 8 });
    expect([b.sourceSteps, Array.from(b.source)]).toEqual([2, [16, 17]]);
    expect(Array.from(b.target)).toEqual([7, 24, 8]);
    expect(Array.from(b.targetLengths)).toEqual([3]);
  });

  test('bad pairs and options are E_ARGUMENT naming them', () => {
    expect(() => parallelBatches([{ source: ids(), target: ids(1) }], { batchSize: 1 })).toThrow(/pair 0 must have non-empty source ids/);
    expect(() => parallelBatches([{ source: ids(1), target: [1] as never }], { batchSize: 1 })).toThrow(/pair 0 must have target ids/);
    expect(() => parallelBatches(pairs, { batchSize: 0 })).toThrow(EddyError);
    expect(() => parallelBatches(pairs, { batchSize: 2, maxSourceLen: 3 } as never)).toThrow(/did you mean "maxSourceLength"/);
  });
});
