import { describe, expect, test } from 'vitest';
import { splitCorpus } from './split.js';

describe('splitCorpus', () => {
  const ids = Int32Array.from({ length: 100 }, (_, i) => i);

  test('validation is the contiguous tail of round(f·N) ids', () => {
    const { train, val } = splitCorpus(ids, 0.05);
    expect([...train]).toEqual([...ids.subarray(0, 95)]);
    expect([...val]).toEqual([95, 96, 97, 98, 99]);
    expect(splitCorpus(ids, 0.123).val.length).toBe(12);
  });

  test('f = 0 keeps everything for training', () => {
    const { train, val } = splitCorpus(ids, 0);
    expect(train.length).toBe(100);
    expect(val.length).toBe(0);
  });

  test('out-of-range fractions and corpora too small to split are typed errors', () => {
    for (const f of [-0.1, 1, 1.5, NaN]) expect(() => splitCorpus(ids, f)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => splitCorpus(ids.subarray(0, 10), 0.05)).toThrow(/corpus of 10 tokens is too small to split with valFraction 0.05/);
  });
});
