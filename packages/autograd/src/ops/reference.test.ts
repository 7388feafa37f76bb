import { describe, expect, test } from 'vitest';
import { add, argmax, div, manualSeed, max, mean, mul, rand, scope, sub, sum, tensor, type Tensor } from '../index.js';

// Broadcasting and reductions against a plain float64 JS reference that indexes every element
// from its coordinates (no shared code with the ops' offset tables).

function coords(i: number, shape: number[]): number[] {
  const c = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    c[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return c;
}

function flatIndex(c: number[], shape: number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d] + c[d];
  return i;
}

/** Element of an operand of `shape` that output coordinate `c` (rank r) reads under broadcasting. */
function broadcastRead(values: Float32Array, shape: number[], c: number[]): number {
  const off = c.length - shape.length;
  return values[flatIndex(shape.map((s, d) => (s === 1 ? 0 : c[d + off])), shape)];
}

function random(shape: number[]): Tensor {
  return tensor(rand(shape).toFloat32Array().map((u) => 2 * u - 1 + (u > 0.5 ? 0.25 : -0.25)), shape, { requiresGrad: true });
}

const pairs: Array<[number[], number[]]> = [
  [[3, 4], [4]],
  [[2, 3, 4], [3, 1]],
  [[2, 1, 4], [5, 1]],
  [[1], [2, 3]],
  [[], [2, 2]],
  [[4, 1, 3], [4, 2, 1]],
  [[2, 3], [2, 3]],
];

const ops = [
  ['add', add, (a: number, b: number) => a + b],
  ['sub', sub, (a: number, b: number) => a - b],
  ['mul', mul, (a: number, b: number) => a * b],
  ['div', div, (a: number, b: number) => a / b],
] as const;

describe('broadcasting against a float64 reference', () => {
  for (const [as, bs] of pairs) {
    for (const [name, op, ref] of ops) {
      test(`${name} ${JSON.stringify(as)} with ${JSON.stringify(bs)}: values and gradients`, () => {
        manualSeed(3);
        scope(() => {
          const a = random(as), b = random(bs);
          const y = op(a, b);
          const rank = Math.max(as.length, bs.length);
          const outShape = Array.from({ length: rank }, (_, i) => {
            const da = as[i - (rank - as.length)] ?? 1, db = bs[i - (rank - bs.length)] ?? 1;
            return Math.max(da, db);
          });
          expect(y.shape).toEqual(outShape);
          const av = a.toFloat32Array(), bv = b.toFloat32Array(), yv = y.toFloat32Array();
          const n = outShape.reduce((p, q) => p * q, 1);
          // Upstream gradient w; reference gradients accumulate every read.
          const w = Float32Array.from({ length: n }, (_, i) => ((i * 7) % 5) - 2);
          const ga = new Float64Array(av.length), gb = new Float64Array(bv.length);
          for (let i = 0; i < n; i++) {
            const c = coords(i, outShape);
            const x = broadcastRead(av, as, c), z = broadcastRead(bv, bs, c);
            expect(yv[i]).toBeCloseTo(ref(x, z), 5);
            const ia = flatIndex(as.map((s, d) => (s === 1 ? 0 : c[d + rank - as.length])), as);
            const ib = flatIndex(bs.map((s, d) => (s === 1 ? 0 : c[d + rank - bs.length])), bs);
            const [dx, dz] = name === 'add' ? [1, 1] : name === 'sub' ? [1, -1] : name === 'mul' ? [z, x] : [1 / z, -x / (z * z)];
            ga[ia] += w[i] * dx;
            gb[ib] += w[i] * dz;
          }
          y.backward(tensor(w, outShape));
          const gaT = a.grad!.toFloat32Array(), gbT = b.grad!.toFloat32Array();
          for (let i = 0; i < ga.length; i++) expect(gaT[i]).toBeCloseTo(ga[i], 3);
          for (let i = 0; i < gb.length; i++) expect(gbT[i]).toBeCloseTo(gb[i], 3);
        });
      });
    }
  }
});

describe('reductions against a float64 reference', () => {
  const shape = [3, 4, 5];
  const dimSets: Array<number | number[] | undefined> = [undefined, 0, 1, 2, -1, [0, 2], [1, 2], [0, 1, 2]];
  for (const dims of dimSets) {
    for (const keepDim of [false, true]) {
      test(`sum / mean / max over ${JSON.stringify(dims)} keepDim=${keepDim}`, () => {
        manualSeed(5);
        scope(() => {
          const x = random(shape);
          const xv = x.toFloat32Array();
          const reduced = dims === undefined ? [0, 1, 2] : (Array.isArray(dims) ? dims : [dims]).map((d) => (d + 3) % 3);
          const keepShape = shape.map((s, d) => (reduced.includes(d) ? 1 : s));
          const outShape = keepDim ? keepShape : shape.filter((_, d) => !reduced.includes(d));
          const m = keepShape.reduce((p, q) => p * q, 1);
          const sums = new Float64Array(m), maxs = new Float64Array(m).fill(-Infinity), counts = new Float64Array(m);
          for (let i = 0; i < xv.length; i++) {
            const c = coords(i, shape).map((v, d) => (reduced.includes(d) ? 0 : v));
            const j = flatIndex(c, keepShape);
            sums[j] += xv[i];
            counts[j]++;
            maxs[j] = Math.max(maxs[j], xv[i]);
          }
          const s = sum(x, dims, keepDim), mu = mean(x, dims, keepDim), mx = max(x, dims, keepDim);
          for (const t of [s, mu, mx]) expect(t.shape).toEqual(outShape);
          const sv = s.toFloat32Array(), mv = mu.toFloat32Array(), xm = mx.toFloat32Array();
          for (let j = 0; j < m; j++) {
            expect(sv[j]).toBeCloseTo(sums[j], 5);
            expect(mv[j]).toBeCloseTo(sums[j] / counts[j], 6);
            expect(xm[j]).toBe(maxs[j]);
          }
          // ∂ mean / ∂x = 1/count everywhere.
          mu.sum().backward();
          for (const g of x.grad!.toFloat32Array()) expect(g).toBeCloseTo(1 / counts[0], 7);
        });
      });
    }
  }

  test('max: ties send the gradient to the first maximum; NaN propagates; argmax', () => {
    scope(() => {
      const x = tensor([1, 3, 3, 2], [4], { requiresGrad: true });
      max(x).backward();
      expect(Array.from(x.grad!.toFloat32Array())).toEqual([0, 1, 0, 0]);
      expect(max(tensor([1, NaN, 2])).item()).toBeNaN();
      expect(Array.from(argmax(tensor([[1, 9, 2], [7, 0, 3]]), 1).toArray())).toEqual([1, 0]);
      expect(argmax(tensor([[1, 9, 2], [7, 0, 3]])).item()).toBe(1);
    });
  });
});
