import { describe, expect, test } from 'vitest';
import { workloadCorpus, workloadDraw, workloadSampler, workloadTrainer, WORKLOADS } from './workloads.js';
import type { LmWindowLike } from './window.js';
import { LmBatcher } from '@eddy/text';

/** Training windows as the bench makes them: text's LmBatcher over the corpus. */
function windows(ids: Int32Array, B: number, T: number): () => LmWindowLike {
  const batcher = new LmBatcher(ids, { batchSize: B, seqLen: T, dropLast: true });
  return () => batcher.next();
}

describe('the canonical workloads', () => {
  test('W1–W4 are the issue-4 shapes', () => {
    expect(WORKLOADS.map((w) => `${w.name} ${w.kind} ${w.config.H}×${w.config.layers}`)).toEqual([
      'W1 training 256×1', 'W2 training 256×1', 'W3 training 512×2', 'W4 sampling 512×2',
    ]);
  });

  test.each(['lstm', 'gru'] as const)('a %s trainer on the workload corpus learns: the loss falls well below ln V', (cell) => {
    const V = 65, B = 4, T = 16;
    const trainer = workloadTrainer({ cell, V, H: 32, layers: 1, B, T }, windows(workloadCorpus(V), B, T));
    try {
      const losses = Array.from({ length: 60 }, () => trainer.step().loss);
      expect(losses[0]).toBeGreaterThan(Math.log(V) - 0.3);
      expect(Math.min(...losses.slice(-5))).toBeLessThan(losses[0] - 1);
      const { phases } = trainer.step();
      expect(phases.total).toBeGreaterThanOrEqual(phases.forward + phases.backward);
    } finally {
      trainer.dispose();
    }
  });

  test('the sampler is fixed by its seed and draws valid ids', () => {
    const draw = (seed: number) => {
      const s = workloadSampler({ V: 30, H: 16, layers: 2, seed });
      try {
        return Array.from({ length: 40 }, () => s.step());
      } finally {
        s.dispose();
      }
    };
    const a = draw(5);
    expect(draw(5)).toEqual(a);
    expect(a.every((id) => Number.isInteger(id) && id >= 0 && id < 30)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(3);
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
