import { scope } from '@eddy/autograd';
import { describe, expect, it } from 'vitest';
import { MemoryTask } from './memory-task.js';

describe('MemoryTask (the vanishing-gradient page\'s task)', () => {
  it('puts the answer first and only distractors after it', () => {
    const task = new MemoryTask({ steps: 6, symbols: 3, batchSize: 5 });
    scope(() => {
      const { tokens, targets } = task.batch();
      const ids = tokens.toArray(), ys = targets.toArray();
      for (let b = 0; b < 5; b++) {
        expect(ids[b]).toBe(ys[b]);
        for (let t = 1; t < 6; t++) expect(ids[t * 5 + b]).toBeGreaterThanOrEqual(3);
      }
    });
  });

  it('learns: the mean loss of the three networks falls from log K', async () => {
    const task = new MemoryTask({ steps: 10, seed: 1 });
    const losses: number[] = [];
    await task.train({ steps: 150, onEvent: (e) => e.type === 'step' && losses.push(e.loss) });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean(losses.slice(0, 5)) - Math.log(4))).toBeLessThan(0.2);
    expect(mean(losses.slice(-10))).toBeLessThan(Math.log(4) - 0.3);
  });
});

describe('MemoryTask.gradientCurves', () => {
  it('gives T finite norms and ρ(W_hh) per network: 1 for the identity-initialised RNN', () => {
    const task = new MemoryTask({ steps: 12 });
    const curves = task.gradientCurves();
    expect(curves.map((c) => c.key)).toEqual(['tanh', 'irnn', 'lstm']);
    for (const c of curves) {
      expect(c.norms).toHaveLength(12);
      expect(c.norms.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    }
    expect(curves[1].radius).toBeCloseTo(1, 6);
    // An untrained tanh RNN with PyTorch's init (ρ < 1) loses the gradient going back in time.
    expect(curves[0].radius).toBeLessThan(1);
    expect(curves[0].norms[0]).toBeLessThan(curves[0].norms[11]);
  });
});
