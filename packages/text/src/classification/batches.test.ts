import { describe, expect, test } from 'vitest';
import { classificationBatches, type ClassificationExample } from './batches.js';

const examples: ClassificationExample[] = Array.from({ length: 23 }, (_, i) => ({
  ids: Int32Array.from({ length: 1 + ((i * 7) % 9) }, (_, t) => 2 + ((i + t) % 5)),
  label: i % 3,
}));

describe('classificationBatches', () => {
  test('every example exactly once, padded time-major, longest first, labels and indices aligned', () => {
    const batches = classificationBatches(examples, { batchSize: 4, seed: 3 });
    const seen = batches.flatMap((b) => Array.from(b.indices)).sort((a, b) => a - b);
    expect(seen).toEqual(examples.map((_, i) => i));
    for (const b of batches) {
      expect(b.steps).toBe(b.lengths[0]);
      expect(b.ids.length).toBe(b.steps * b.batchSize);
      b.indices.forEach((i, k) => {
        const e = examples[i];
        expect(b.labels[k]).toBe(e.label);
        expect(b.lengths[k]).toBe(e.ids.length);
        for (let t = 0; t < b.steps; t++) expect(b.ids[t * b.batchSize + k]).toBe(t < e.ids.length ? e.ids[t] : 0);
        if (k > 0) expect(b.lengths[k]).toBeLessThanOrEqual(b.lengths[k - 1]);
      });
    }
  });

  test('seeded: the same seed gives the same batches, another seed other members and order; no shuffle is fixed', () => {
    const key = (seed: number) => JSON.stringify(classificationBatches(examples, { batchSize: 4, seed }).map((b) => Array.from(b.indices)));
    expect(key(1)).toBe(key(1));
    expect(key(2)).not.toBe(key(1));
    const fixed = classificationBatches(examples, { batchSize: 4, shuffle: false, seed: 9 });
    expect(fixed).toEqual(classificationBatches(examples, { batchSize: 4, shuffle: false, seed: 1 }));
    expect(fixed.map((b) => b.steps)).toEqual([...fixed.map((b) => b.steps)].sort((a, b) => a - b));
  });

  test('maxLength cuts longer examples; padId pads', () => {
    const [b] = classificationBatches([{ ids: Int32Array.of(5, 6, 7, 8), label: 1 }, { ids: Int32Array.of(9), label: 0 }], { batchSize: 2, maxLength: 2, padId: 3 });
    expect(Array.from(b.ids)).toEqual([5, 9, 6, 3]);
    expect(Array.from(b.lengths)).toEqual([2, 1]);
  });

  test('typed errors naming the example or option', () => {
    expect(() => classificationBatches([{ ids: new Int32Array(0), label: 0 }], { batchSize: 1 })).toThrow(/example 0 must have non-empty ids/);
    expect(() => classificationBatches([{ ids: Int32Array.of(1), label: -1 }], { batchSize: 1 })).toThrow(/example 0 must have an integer label >= 0, got -1/);
    expect(() => classificationBatches(examples, { batchSize: 0 })).toThrow(/batchSize must be an integer >= 1/);
    expect(() => classificationBatches(examples, { batchSize: 2, shufle: false } as never)).toThrow(/did you mean "shuffle"/);
  });
});
