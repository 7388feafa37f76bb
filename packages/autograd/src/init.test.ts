import { describe, expect, it } from 'vitest';
import { EddyError } from './backend.js';
import * as init from './init.js';
import { withoutInitialDraws, drawsInitialValues } from './initial-draws.js';
import { defaultGenerator, Generator, manualSeed } from './rng.js';
import { zeros } from './creation.js';
import type { Tensor } from './tensor.js';

const make = (shape: number[], dtype: 'float32' | 'int32' = 'float32') => zeros(shape, { dtype });
const vals = (t: Tensor) => Array.from(t.toFloat32Array());

function stats(xs: number[]): { mean: number; std: number; min: number; max: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(v), min: Math.min(...xs), max: Math.max(...xs) };
}

describe('init: distributions', () => {
  it('uniform: within [a, b), mean and std of U(a, b)', () => {
    const s = stats(vals(init.uniform(make([200, 100]), -2, 4)));
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThan(4);
    expect(s.mean).toBeCloseTo(1, 1);
    expect(s.std).toBeCloseTo(6 / Math.sqrt(12), 1);
  });

  it('normal: mean and std', () => {
    const s = stats(vals(init.normal(make([200, 100]), 3, 0.5)));
    expect(Math.abs(s.mean - 3)).toBeLessThan(0.01);
    expect(Math.abs(s.std - 0.5)).toBeLessThan(0.01);
  });

  it('xavierUniform: bound gain·√(6/(fanIn+fanOut)), std gain·√(2/(fanIn+fanOut))', () => {
    const t = init.xavierUniform(make([300, 100]), 2);
    const bound = 2 * Math.sqrt(6 / 400);
    const s = stats(vals(t));
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.max).toBeLessThan(bound);
    expect(s.max).toBeGreaterThan(0.99 * bound);
    expect(s.std / (2 * Math.sqrt(2 / 400))).toBeCloseTo(1, 1);
  });

  it('xavierNormal uses fans of [out, in, …receptive]', () => {
    const t = init.xavierNormal(make([40, 30, 5]));
    expect(init.calculateFanInAndFanOut(t)).toEqual({ fanIn: 150, fanOut: 200 });
    expect(stats(vals(t)).std / Math.sqrt(2 / 350)).toBeCloseTo(1, 1);
  });

  it('kaimingUniform / kaimingNormal: std = gain/√fan with PyTorch defaults (leakyRelu, a = 0)', () => {
    const u = stats(vals(init.kaimingUniform(make([200, 50]))));
    const bound = Math.sqrt(2) * Math.sqrt(3 / 50);
    expect(u.max).toBeLessThan(bound);
    expect(u.min).toBeGreaterThanOrEqual(-bound);
    expect(u.std / (Math.sqrt(2) / Math.sqrt(50))).toBeCloseTo(1, 1);
    const n = stats(vals(init.kaimingNormal(make([200, 50]), { mode: 'fanOut', nonlinearity: 'tanh' })));
    expect(n.std / ((5 / 3) / Math.sqrt(200))).toBeCloseTo(1, 1);
  });

  it('calculateGain matches torch.nn.init.calculate_gain', () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBe(5 / 3);
    expect(init.calculateGain('relu')).toBe(Math.sqrt(2));
    expect(init.calculateGain('leakyRelu')).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(init.calculateGain('leakyRelu', 0.2)).toBe(Math.sqrt(2 / 1.04));
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('softplus' as 'relu')).toThrow(EddyError);
  });
});

describe('init: deterministic structures', () => {
  it('constant, zeros, ones, eye (rectangular, with gain)', () => {
    expect(vals(init.constant(make([2, 2]), 0.25))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(vals(init.ones(make([3])))).toEqual([1, 1, 1]);
    expect(vals(init.zeros(init.ones(make([2]))))).toEqual([0, 0]);
    expect(vals(init.eye(make([2, 3]), 0.5))).toEqual([0.5, 0, 0, 0, 0.5, 0]);
    expect(vals(init.eye(make([3, 2])))).toEqual([1, 0, 0, 1, 0, 0]);
  });

  it.each([[[8, 8]], [[12, 5]], [[5, 12]], [[6, 2, 3]]])('orthogonal %j: QᵀQ = I (tall) or QQᵀ = I (wide) to 1e-5', (shape) => {
    const t = init.orthogonal(make(shape), 1);
    const rows = shape[0];
    const cols = t.size / rows;
    const q = vals(t);
    const tall = rows >= cols;
    const k = tall ? cols : rows;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let dot = 0;
        if (tall) for (let r = 0; r < rows; r++) dot += q[r * cols + i] * q[r * cols + j];
        else for (let c = 0; c < cols; c++) dot += q[i * cols + c] * q[j * cols + c];
        expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-5);
      }
    }
  });

  it('orthogonal is the QR factor with positive diag(R): Qᵀ A is upper triangular with positive diagonal', () => {
    // Reproduce A from the same seed and check R = QᵀA has the sign convention PyTorch enforces.
    const [m, n] = [6, 4];
    const q = vals(init.orthogonal(make([m, n]), 1, new Generator(77)));
    const g = new Generator(77);
    const a = Array.from({ length: m * n }, () => g.nextNormal());
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let r = 0;
        for (let k = 0; k < m; k++) r += q[k * n + i] * a[k * n + j];
        if (i > j) expect(Math.abs(r)).toBeLessThan(1e-5);
        if (i === j) expect(r).toBeGreaterThan(0);
      }
    }
  });

  it('orthogonal applies gain', () => {
    const q = vals(init.orthogonal(make([4, 4]), 3));
    const col0 = Math.hypot(q[0], q[4], q[8], q[12]);
    expect(col0).toBeCloseTo(3, 5);
  });
});

describe('init: RNG use', () => {
  it('same seed, same values; another seed, other values; the default generator is used', () => {
    const fill = (seed: number) => {
      manualSeed(seed);
      return [vals(init.normal(make([10]))), vals(init.orthogonal(make([3, 3]))), vals(init.kaimingUniform(make([4, 4])))];
    };
    const a = fill(5);
    expect(fill(5)).toEqual(a);
    expect(fill(6)[0]).not.toEqual(a[0]);
  });

  it('draws exactly the generator stream: uniform(a, b) = a + (b − a)·nextUniform()', () => {
    const g = new Generator(9);
    const expected = Array.from({ length: 5 }, () => Math.fround(-1 + 3 * g.nextUniform()));
    expect(vals(init.uniform(make([5]), -1, 2, new Generator(9)))).toEqual(expected);
  });
});

describe('init: bad input', () => {
  it('typed errors for int32 tensors, fewer than 2 dims where fans are needed, bad arguments', () => {
    const codes = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as EddyError).code;
      }
      return 'none';
    };
    expect(codes(() => init.normal(make([3], 'int32')))).toBe('E_ARGUMENT');
    expect(codes(() => init.xavierUniform(make([3])))).toBe('E_SHAPE');
    expect(codes(() => init.orthogonal(make([3])))).toBe('E_SHAPE');
    expect(codes(() => init.eye(make([2, 2, 2])))).toBe('E_SHAPE');
    expect(codes(() => init.uniform(make([2]), 1, 0))).toBe('E_ARGUMENT');
    expect(codes(() => init.normal(make([2]), 0, -1))).toBe('E_ARGUMENT');
    expect(codes(() => init.constant(make([2]), NaN))).toBe('E_ARGUMENT');
    expect(codes(() => init.kaimingNormal(make([2, 2]), { mode: 'fan_in' as 'fanIn' }))).toBe('E_ARGUMENT');
  });
});

describe('init: withoutInitialDraws', () => {
  it('leaves tensors as they are and the generator where it was, nested, and draws again after', () => {
    manualSeed(3);
    const before = defaultGenerator.getState();
    const t = make([4, 3]);
    withoutInitialDraws(() => {
      init.uniform(t, -1, 1);
      withoutInitialDraws(() => init.normal(t));
      expect(drawsInitialValues()).toBe(false);
      init.kaimingUniform(t, { a: Math.sqrt(5) });
      init.orthogonal(t);
    });
    expect(vals(t)).toEqual(new Array(12).fill(0));
    expect(defaultGenerator.getState()).toEqual(before);
    expect(() => withoutInitialDraws(() => { throw new Error('boom'); })).toThrow('boom');
    expect(drawsInitialValues()).toBe(true);
    expect(vals(init.uniform(t, -1, 1)).some((v) => v !== 0)).toBe(true);
  });
});
