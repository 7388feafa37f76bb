import { describe, expect, test } from 'vitest';
import { bleuTarget, parallelLinesTarget } from '../test-fuzz-parallel.js';
import { assertFuzz, type FuzzTarget } from '../test-fuzz.js';

describe('fuzz: parallel corpora', () => {
  test.each([parallelLinesTarget, bleuTarget] as FuzzTarget<never>[])('$name', (target) => {
    const counts = assertFuzz(target, 2000);
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.typed).toBeGreaterThan(0);
  });
});
