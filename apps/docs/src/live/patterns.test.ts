import { describe, expect, it } from 'vitest';
import { correlation, PATTERNS, rankCells } from './patterns.js';

const pattern = (key: string) => PATTERNS.find((p) => p.key === key)!;

describe('cell patterns', () => {
  it('marks quotes, brackets and columns character by character', () => {
    expect(Array.from(pattern('quotes').values('a "bc" d'))).toEqual([0, 0, 1, 1, 1, 1, 0, 0]);
    expect(Array.from(pattern('brackets').values('f(a(b))c'))).toEqual([0, 1, 1, 1, 1, 1, 1, 0]);
    expect(Array.from(pattern('column').values('ab\ncd'))).toEqual([0, 1, 2, 0, 1]);
  });

  it('correlates as Pearson does and ranks the cell that tracks the pattern first', () => {
    expect(correlation([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(correlation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(correlation([1, 1, 1], [1, 2, 3])).toBe(0);
    const p = pattern('quotes').values('x "yy" z "w"');
    const T = p.length, H = 3;
    const cells = new Float32Array(T * H);
    for (let t = 0; t < T; t++) {
      cells[t * H] = Math.sin(t);            // noise
      cells[t * H + 1] = -2 * p[t] + 0.1;    // tracks the quotes, negatively
      cells[t * H + 2] = t / T;              // a ramp
    }
    const ranked = rankCells(cells, H, p);
    expect(ranked[0].cell).toBe(1);
    expect(ranked[0].r).toBeCloseTo(-1, 5);
  });
});
