import { describe, expect, it } from 'vitest';
import { useLossHistory } from './loss-history.js';

describe('a live page\'s loss history', () => {
  it('keeps every step while there is room', () => {
    const h = useLossHistory();
    for (let s = 1; s <= 10; s++) h.push(s, 1 / s);
    expect(h.steps.value).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(h.losses.value).toEqual([1, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6, 1 / 7, 1 / 8, 1 / 9, 1 / 10]);
    expect(h.latest.value).toBe('0.1000');
    expect(h.step.value).toBe(10);
  });

  it('stays under 600 points and as dense at the start of a long run as at its end', () => {
    const h = useLossHistory();
    const n = 5000;
    for (let s = 1; s <= n; s++) h.push(s, s % 2);
    const xs = h.steps.value;
    expect(xs.length).toBeLessThanOrEqual(600);
    expect(xs.length).toBeGreaterThan(300);
    const gaps = xs.slice(1).map((x, i) => x - xs[i]);
    // Each point is the mean of the same number of steps, the last one of those so far.
    expect(Math.max(...gaps.slice(0, -1))).toBe(Math.min(...gaps.slice(0, -1)));
    expect(xs[0]).toBeLessThan(gaps[0]);
    expect(xs.at(-1)!).toBeGreaterThan(n - gaps[0]);
    // Means of alternating 1s and 0s over an even number of steps.
    for (const y of h.losses.value.slice(0, -1)) expect(y).toBe(0.5);
  });

  it('plots the mean of the steps each point stands for', () => {
    const h = useLossHistory();
    const loss = (s: number) => Math.sin(s / 100) + 2;
    for (let s = 1; s <= 2000; s++) h.push(s, loss(s));
    // 2 000 steps: 500 points of 4 steps each.
    expect(h.steps.value.length).toBe(500);
    expect(h.steps.value.slice(0, 2)).toEqual([2.5, 6.5]);
    const total = h.losses.value.reduce((sum, y) => sum + 4 * y, 0);
    let exact = 0;
    for (let s = 1; s <= 2000; s++) exact += loss(s);
    expect(total).toBeCloseTo(exact, 6);
  });
});
