import { EddyError } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { exactMatch, tokenAccuracy } from './metrics.js';

describe('exactMatch', () => {
  test('the fraction equal after trimming', () => {
    expect(exactMatch(['168 ', ' 1999-05-03', 'x'], ['168', '1999-05-03', 'y'])).toBe(2 / 3);
    expect(exactMatch(['a b'], ['a  b'])).toBe(0); // inner spacing counts
  });
  test('empty or mismatched input is E_ARGUMENT', () => {
    expect(() => exactMatch([], [])).toThrow(EddyError);
    expect(() => exactMatch(['a'], ['a', 'b'])).toThrow(/same length, got 1 and 2/);
    expect(() => exactMatch([1 as never], ['a'])).toThrow(/hypotheses must be an array of strings/);
  });
});

describe('tokenAccuracy', () => {
  test('position-wise over the reference tokens', () => {
    // 2 of 3, 0 of 2 (shorter hypothesis), 1 of 1 (extra tokens not counted): 3 / 6.
    expect(tokenAccuracy([[1, 2, 9], [], Int32Array.of(5, 6, 7)], [[1, 2, 3], [4, 4], Int32Array.of(5)])).toBe(0.5);
  });
  test('no reference tokens or bad input is E_ARGUMENT', () => {
    expect(() => tokenAccuracy([[1]], [[]])).toThrow(/hold no token/);
    expect(() => tokenAccuracy([[1]], [])).toThrow(/same length/);
    expect(() => tokenAccuracy(['ab' as never], [[1]])).toThrow(/id arrays/);
  });
});
