import { Generator } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { createSampler, greedy, samplingDistribution } from './samplers.js';

const LOGITS = Float32Array.from([1.0, 3.0, -0.5, 2.2, 0.1, 2.9, -2.0, 1.7]);

/** Softmax in float64, the reference. */
function softmax(z: ArrayLike<number>, temperature = 1): number[] {
  const e = Array.from(z, (x) => Math.exp(x / temperature));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function frequencies(draw: () => number, n: number, V: number): number[] {
  const counts = new Array(V).fill(0);
  for (let i = 0; i < n; i++) counts[draw()]++;
  return counts.map((c) => c / n);
}

describe('samplers', () => {
  test('greedy is the argmax, lowest id on ties; NaN and all -Infinity are typed errors', () => {
    expect(greedy(LOGITS)).toBe(1);
    expect(greedy(Float32Array.from([0, 5, 5]))).toBe(1);
    expect(greedy(Float32Array.from([-Infinity, -3]))).toBe(1);
    expect(() => greedy(Float32Array.from([0, NaN]))).toThrow(/got NaN at id 1/);
    expect(() => greedy(Float32Array.from([-Infinity]))).toThrow(/every logit is -Infinity/);
  });

  test('the distribution is the tempered softmax', () => {
    for (const tau of [1, 0.5, 2]) {
      const p = samplingDistribution(LOGITS, { temperature: tau });
      softmax(LOGITS, tau).forEach((q, i) => expect(p[i]).toBeCloseTo(q, 12));
    }
  });

  test('empirical frequencies over 10^4 draws match the softmax', () => {
    const rng = new Generator(42);
    const sampler = createSampler({ temperature: 1 });
    const n = 10_000;
    const freq = frequencies(() => sampler(LOGITS, rng), n, LOGITS.length);
    softmax(LOGITS).forEach((p, i) => {
      // 4.5 standard errors of a binomial proportion: fails by chance with probability < 1e-4 per id.
      expect(Math.abs(freq[i] - p)).toBeLessThan(4.5 * Math.sqrt((p * (1 - p)) / n) + 1e-9);
    });
  });

  test('top-k never samples outside the k most probable ids and renormalises over them', () => {
    const rng = new Generator(1);
    const k = 3; // ids 1 (3.0), 5 (2.9), 3 (2.2)
    const sampler = createSampler({ topK: k });
    const freq = frequencies(() => sampler(LOGITS, rng), 10_000, LOGITS.length);
    const allowed = new Set([1, 5, 3]);
    freq.forEach((f, i) => (allowed.has(i) ? expect(f).toBeGreaterThan(0.1) : expect(f).toBe(0)));
    const ref = softmax([3.0, 2.9, 2.2]);
    expect(freq[1]).toBeCloseTo(ref[0], 1);
    expect(freq[3]).toBeCloseTo(ref[2], 1);
  });

  test('top-k honours k exactly (ties at the boundary go to the lower id) and k = 1 is greedy', () => {
    const p = samplingDistribution(Float32Array.from([1, 2, 2, 2, 0]), { topK: 2 });
    expect([...p].map((x) => x > 0)).toEqual([false, true, true, false, false]);
    const rng = new Generator(9);
    const one = createSampler({ topK: 1, temperature: 5 });
    for (let i = 0; i < 100; i++) expect(one(LOGITS, rng)).toBe(1);
  });

  test('the same seed gives the same ids; another seed gives others', () => {
    const sampler = createSampler({ topK: 4, temperature: 1.5 });
    const run = (seed: number) => {
      const rng = new Generator(seed);
      return Array.from({ length: 50 }, () => sampler(LOGITS, rng));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  test('top-p keeps the smallest most-probable set with cumulative probability >= p', () => {
    const probs = softmax(LOGITS);
    const order = probs.map((_, i) => i).sort((a, b) => probs[b] - probs[a]);
    for (const topP of [0.05, 0.3, 0.5, 0.8, 0.95, 0.999]) {
      const p = samplingDistribution(LOGITS, { topP });
      const kept = order.filter((i) => p[i] > 0);
      // A prefix of the probability order …
      expect(kept).toEqual(order.slice(0, kept.length));
      // … reaching p, while one id fewer would not.
      const mass = (m: number) => order.slice(0, m).reduce((s, i) => s + probs[i], 0);
      expect(mass(kept.length)).toBeGreaterThanOrEqual(topP);
      expect(mass(kept.length - 1)).toBeLessThan(topP);
      const total = kept.reduce((s, i) => s + p[i], 0);
      expect(total).toBeCloseTo(1, 12);
      kept.forEach((i) => expect(p[i]).toBeCloseTo(probs[i] / mass(kept.length), 12));
    }
  });

  test('temperature -> 0 equals greedy', () => {
    const rng = new Generator(3);
    for (const tau of [1e-3, 1e-6, 0]) {
      const sampler = createSampler({ temperature: tau });
      for (let i = 0; i < 200; i++) expect(sampler(LOGITS, rng)).toBe(greedy(LOGITS));
    }
    expect(samplingDistribution(LOGITS, { temperature: 1e-6 })[1]).toBe(1);
  });

  test('masked (-Infinity) ids are never drawn', () => {
    const rng = new Generator(5);
    const sampler = createSampler();
    const logits = Float32Array.from([0, -Infinity, 0, -Infinity]);
    for (let i = 0; i < 500; i++) expect([0, 2]).toContain(sampler(logits, rng));
  });

  test('bad options are typed errors', () => {
    const err = (re: RegExp) => expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringMatching(re) });
    expect(() => createSampler({ temperature: -1 })).toThrow(err(/temperature must be a finite number >= 0, got -1/));
    expect(() => createSampler({ topK: 1.5 })).toThrow(err(/topK must be an integer >= 0, got 1.5/));
    expect(() => createSampler({ topP: 0 })).toThrow(err(/topP must be in \(0, 1\], got 0/));
    expect(() => createSampler({ topP: 1.2 })).toThrow(err(/topP must be a finite number in \[0, 1\], got 1.2/));
  });
});
