import { describe, expect, test } from 'vitest';
import { assertFuzz, type FuzzTarget } from '../test-fuzz.js';
import { labelledTarget, wordVectorsTarget } from '../test-fuzz-classification.js';
import { parseWordVectors } from './word-vectors.js';

describe('fuzz: classification files', () => {
  test.each([wordVectorsTarget, labelledTarget] as FuzzTarget<never>[])('$name', (target) => {
    const counts = assertFuzz(target, 2000);
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.typed).toBeGreaterThan(0);
  });

  test('a hostile word-vector file of one huge line is refused without reading it all', () => {
    const text = `w${' 1'.repeat(2_000_000)}`;
    const start = performance.now();
    expect(() => parseWordVectors(text)).toThrow(/MAX_VECTOR_DIM/);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
