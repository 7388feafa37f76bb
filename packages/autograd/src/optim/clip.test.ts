import { describe, expect, it } from 'vitest';
import { EddyError, getCore } from '../backend.js';
import { tensor } from '../creation.js';
import { Tensor } from '../tensor.js';
import { clipGradNorm, clipGradValue } from './index.js';

const core = getCore();

function withGrad(values: number[], grad: number[] | null): Tensor {
  const p = tensor(values, [values.length], { requiresGrad: true });
  if (grad !== null) {
    p.grad = new Tensor(core, core.arena.allocBeside(p.ptr, p.size * 4), p.shape);
    core.arena.f32.set(grad, p.grad.ptr >>> 2);
  }
  return p;
}

const grad = (p: Tensor) => Array.from(p.grad!.toFloat32Array());
const f32 = (xs: number[]) => xs.map(Math.fround);

describe('clipGradNorm', () => {
  it('returns the global 2-norm over all gradients and rescales them to maxNorm', () => {
    const ga = [3, -4, 1];
    const gb = [2, 0.5];
    const a = withGrad([0, 0, 0], ga);
    const b = withGrad([0, 0], gb);
    const c = withGrad([1], null); // no gradient: skipped
    const total = Math.hypot(...f32([...ga, ...gb]));
    expect(clipGradNorm([a, b, c], 1)).toBeCloseTo(total, 6);
    const coef = 1 / (total + 1e-6);
    const clipped = [...grad(a), ...grad(b)];
    clipped.forEach((g, i) => expect(g).toBeCloseTo([...ga, ...gb][i] * coef, 6));
    expect(Math.hypot(...clipped)).toBeCloseTo(1, 5);
    expect(c.grad).toBeNull();
    // The returned value is the norm before clipping; clipping again finds ≈ maxNorm and (the
    // +1e-6 keeps c just below 1) changes the gradients by about 1e-6 relative only.
    const again = clipGradNorm([a, b], 1);
    expect(again).toBeCloseTo(1, 5);
    [...grad(a), ...grad(b)].forEach((g, i) => expect(Math.abs(g - clipped[i])).toBeLessThan(2e-6 * Math.abs(clipped[i])));
  });

  it('leaves gradients alone when the norm is below maxNorm', () => {
    const a = withGrad([0, 0], [0.3, -0.4]);
    expect(clipGradNorm([a], 10)).toBeCloseTo(0.5, 6);
    expect(grad(a)).toEqual(f32([0.3, -0.4]));
  });

  it('other norm types: ∞ is the largest magnitude, p = 1 the sum of magnitudes', () => {
    const a = withGrad([0, 0, 0], [1, -6, 2]);
    const b = withGrad([0], [-3]);
    expect(clipGradNorm([a, b], 100, Infinity)).toBe(6);
    expect(clipGradNorm([a, b], 100, 1)).toBeCloseTo(12, 5);
    expect(clipGradNorm([a, b], 100, 3)).toBeCloseTo(Math.cbrt(1 + 216 + 8 + 27), 5);
    const total = clipGradNorm([a, b], 3, 1);
    expect(total).toBeCloseTo(12, 5);
    expect(grad(a)[1]).toBeCloseTo((-6 * 3) / (12 + 1e-6), 6);
  });

  it('a NaN gradient makes every gradient NaN (not silently skipped), or an error on request', () => {
    const a = withGrad([0, 0], [NaN, 1]);
    const b = withGrad([0], [2]);
    expect(() => clipGradNorm([a, b], 1, 2, true)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(grad(b)).toEqual([2]);
    expect(clipGradNorm([a, b], 1)).toBeNaN();
    expect(grad(b)[0]).toBeNaN();
  });

  it('no parameters with gradients: norm 0', () => {
    expect(clipGradNorm([withGrad([1], null)], 1)).toBe(0);
    expect(clipGradNorm([], 1)).toBe(0);
  });

  it('rejects a bad maxNorm or normType', () => {
    const a = withGrad([0], [1]);
    for (const [max, p] of [[-1, 2], [NaN, 2], [1, 0], [1, -2], [1, NaN]] as const) {
      expect(() => clipGradNorm([a], max, p)).toThrow(EddyError);
    }
  });
});

describe('clipGradValue', () => {
  it('clamps each gradient element to [−c, c] and keeps NaN', () => {
    const a = withGrad([0, 0, 0, 0], [0.5, -3, 2, NaN]);
    const b = withGrad([0], [-0.1]);
    clipGradValue([a, b, withGrad([0], null)], 1);
    const ga = grad(a);
    expect(ga.slice(0, 3)).toEqual([0.5, -1, 1]);
    expect(ga[3]).toBeNaN();
    expect(grad(b)).toEqual([Math.fround(-0.1)]);
    expect(() => clipGradValue([a], -1)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });
});
