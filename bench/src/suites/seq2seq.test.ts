import { describe, expect, test } from 'vitest';
import { trainingRate } from './seq2seq.js';

describe('seq2seq suite', () => {
  test('trainingRate counts the steps between evaluations only', () => {
    // 100 tokens per step; steps take 0.1 s, but the evaluation after step 2 takes 5 s.
    const step = (n: number, elapsed: number) => ({ event: 'step', step: n, tokensPerSecond: (100 * n) / elapsed, elapsedSeconds: elapsed });
    const events = [
      { event: 'start' }, step(1, 0.1), step(2, 0.2), { event: 'eval' }, { event: 'checkpoint' }, step(3, 5.3), step(4, 5.4), step(5, 5.5), { event: 'done' },
    ];
    expect(trainingRate(events)).toBeCloseTo(1000, 6);
    // Counting the evaluation in would give 500 tokens in 5.5 s.
    expect(trainingRate(events.filter((e) => e.event !== 'eval' && e.event !== 'checkpoint'))).toBeCloseTo(400 / 5.4, 6);
    expect(trainingRate([step(1, 0.1)])).toBe(0);
  });
});
