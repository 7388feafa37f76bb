import { EddyError } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { accuracy, confusionMatrix, macroF1, perTagAccuracy } from './metrics.js';

describe('classification metrics (hand-computed; scikit-learn conventions)', () => {
  const gold = [0, 0, 1, 1, 2, 2];
  const pred = [0, 1, 1, 1, 0, 2];

  test('accuracy and confusion matrix (rows gold, columns predicted)', () => {
    expect(accuracy(gold, pred)).toBe(4 / 6);
    expect(confusionMatrix(gold, pred, 3)).toEqual([[1, 1, 0], [0, 2, 0], [1, 0, 1]]);
    expect(accuracy(Int32Array.of(1), Int32Array.of(1))).toBe(1);
  });

  test('macro-F1: the mean of per-class F1 = 2TP / (2TP + FP + FN)', () => {
    // Class 0: TP 1, FP 1, FN 1 → 1/2. Class 1: TP 2, FP 1, FN 0 → 4/5. Class 2: TP 1, FP 0, FN 1 → 2/3.
    expect(macroF1(gold, pred, 3)).toBeCloseTo((1 / 2 + 4 / 5 + 2 / 3) / 3, 12);
  });

  test('a class never predicted has F1 0; a class absent from both counts as 0 in the mean (labels=range(C))', () => {
    // sklearn: f1_score([0, 1, 1], [1, 1, 1], average='macro', zero_division=0) = (0 + 0.8) / 2 = 0.4
    expect(macroF1([0, 1, 1], [1, 1, 1], 2)).toBeCloseTo(0.4, 12);
    // f1_score([0, 0], [0, 0], labels=[0, 1, 2], average='macro', zero_division=0) = 1/3
    expect(macroF1([0, 0], [0, 0], 3)).toBeCloseTo(1 / 3, 12);
    expect(macroF1([0, 1], [0, 1], 2)).toBe(1);
    expect(macroF1([0, 1], [1, 0], 2)).toBe(0);
  });

  test('per-tag accuracy skips ignored positions (padding −1 on both sides)', () => {
    const g = [0, 1, 1, -1, 2, -1];
    const p = [0, 1, 0, -1, 2, 7];
    expect(perTagAccuracy(g, p, 3)).toEqual({ accuracy: 3 / 4, perTag: [1, 1 / 2, 1], count: 4 });
    expect(perTagAccuracy([0, 9, 1], [0, 1, 1], 3, { ignore: 9 })).toEqual({ accuracy: 1, perTag: [1, 1, null], count: 2 });
  });

  test('typed errors: lengths, classes out of range, empty input', () => {
    const code = (f: () => unknown) => { try { f(); } catch (e) { expect(e).toBeInstanceOf(EddyError); return (e as Error).message; } throw new Error('did not throw'); };
    expect(code(() => accuracy([0], [0, 1]))).toMatch(/same length, got 1 and 2/);
    expect(code(() => accuracy([], []))).toMatch(/empty/);
    expect(code(() => macroF1([0, 3], [0, 1], 3))).toMatch(/gold\[1\] must be a class index in \[0, 3\), got 3/);
    expect(code(() => confusionMatrix([0], [-1], 2))).toMatch(/pred\[0\]/);
    expect(code(() => perTagAccuracy([-1], [0], 2))).toMatch(/no position/);
    expect(code(() => perTagAccuracy([0], [0], 2, { ignor: 1 } as never))).toMatch(/did you mean "ignore"/);
  });
});
