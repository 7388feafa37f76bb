import { describe, expect, test } from 'vitest';
import { workloadBatches, workloadCorpus, workloadDraw } from './rnn-lm.js';

describe('the workloads\' data and draw (shared with the bench peers)', () => {
  test('batches are B contiguous streams: targets are the next inputs, and the next window continues each stream', () => {
    const V = 65, B = 4, T = 8;
    const text = workloadCorpus(V);
    const stride = Math.floor(text.length / B);
    const batches = workloadBatches(V, B, T);
    batches.next();
    const first = { x: [...batches.x], y: [...batches.y] };
    batches.next();
    for (let b = 0; b < B; b++) {
      // Stream b starts at b·stride of the corpus.
      const stream = [...text.subarray(b * stride, b * stride + 2 * T + 1)];
      for (let t = 0; t < T; t++) {
        expect(first.x[t * B + b]).toBe(stream[t]);
        expect(first.y[t * B + b]).toBe(stream[t + 1]);
        expect(batches.x[t * B + b]).toBe(stream[T + t]);
        expect(batches.y[t * B + b]).toBe(stream[T + t + 1]);
      }
    }
    expect(Math.max(...text)).toBeLessThan(V);
  });

  test('the draw follows the probabilities and is fixed by the seed', () => {
    const probs = [0.1, 0.6, 0, 0.3];
    const draw = workloadDraw(7);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[draw(probs)]++;
    expect(counts[2]).toBe(0);
    counts.forEach((c, i) => expect(Math.abs(c / 20_000 - probs[i])).toBeLessThan(0.02));
    const a = workloadDraw(3), b = workloadDraw(3);
    expect(Array.from({ length: 50 }, () => a(probs))).toEqual(Array.from({ length: 50 }, () => b(probs)));
    // Mass that rounds short of 1 still draws a valid index.
    expect(workloadDraw(1)([0, 0, 0])).toBe(2);
  });
});
