import { describe, expect, test } from 'vitest';
import { assertFuzz } from '../test-fuzz.js';
import { treesTarget } from '../test-fuzz-trees.js';

describe('fuzz: tree files', () => {
  test('parseTrees: trees that print back, binarise and schedule, or E_FORMAT', () => {
    const counts = assertFuzz(treesTarget, 2000);
    expect(counts.ok).toBeGreaterThan(100);
    expect(counts.typed).toBeGreaterThan(100);
  });
});
