import { manualSeed, randn, scope, tensor, type Tensor } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { Module, type ModuleConfig } from '../module.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { Linear } from './linear.js';
import { Sequential } from './sequential.js';

const throws = (fn: () => unknown, code: string, message: RegExp): void =>
  expect(fn).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
const values = (t: Tensor): number[] => Array.from(t.toArray());
const ids = (data: number[], shape: number[]): Tensor => tensor(data, shape, { dtype: 'int32' });

/** toConfig → JSON text → fromConfig gives the same class, config and parameter shapes. */
function roundTrip<M extends Module>(m: M): M {
  const config = JSON.parse(JSON.stringify(m.toConfig())) as ModuleConfig;
  const back = Module.fromConfig(config) as M;
  expect(back).toBeInstanceOf(m.constructor);
  expect(back).not.toBe(m);
  expect(back.toConfig()).toEqual(m.toConfig());
  expect(back.namedParameters().map(([n, t]) => [n, t.shape])).toEqual(m.namedParameters().map(([n, t]) => [n, t.shape]));
  return back;
}

describe('Linear', () => {
  test('y = x Wᵀ + b against a float64 reference, and its gradients', () => {
    manualSeed(10);
    const fc = new Linear({ inFeatures: 5, outFeatures: 3 });
    expect(fc.namedParameters().map(([n, t]) => [n, t.shape])).toEqual([['weight', [3, 5]], ['bias', [3]]]);
    scope(() => {
      const x = randn([2, 4, 5], { requiresGrad: true });
      const r = randn([2, 4, 3]);
      const y = fc.forward(x);
      expect(y.shape).toEqual([2, 4, 3]);
      y.mul(r).sum().backward();
      const [xv, w, b, rv, yv] = [x, fc.weight, fc.bias!, r, y].map(values);
      const n = 8;
      const dw = new Array(15).fill(0), db = new Array(3).fill(0), dx = new Array(40).fill(0);
      for (let row = 0; row < n; row++) {
        for (let o = 0; o < 3; o++) {
          let s = b[o];
          for (let i = 0; i < 5; i++) s += xv[row * 5 + i] * w[o * 5 + i];
          expect(yv[row * 3 + o]).toBeCloseTo(s, 5);
          const g = rv[row * 3 + o];
          db[o] += g;
          for (let i = 0; i < 5; i++) {
            dw[o * 5 + i] += g * xv[row * 5 + i];
            dx[row * 5 + i] += g * w[o * 5 + i];
          }
        }
      }
      values(fc.weight.grad!).forEach((v, i) => expect(v).toBeCloseTo(dw[i], 4));
      values(fc.bias!.grad!).forEach((v, i) => expect(v).toBeCloseTo(db[i], 4));
      values(x.grad!).forEach((v, i) => expect(v).toBeCloseTo(dx[i], 4));
      // A single sample without a batch dimension.
      expect(fc.forward(tensor([1, 0, 0, 0, 0])).shape).toEqual([3]);
    });
    fc.dispose();
  });

  test('PyTorch’s init: weight and bias from U(±1/√in)', () => {
    manualSeed(11);
    const fc = new Linear({ inFeatures: 256, outFeatures: 64 });
    const bound = 1 / 16;
    const w = values(fc.weight);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.99 * bound);
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std / (bound / Math.sqrt(3))).toBeGreaterThan(0.97);
    expect(std / (bound / Math.sqrt(3))).toBeLessThan(1.03);
    const b = values(fc.bias!);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(new Set(b).size).toBe(64);
    fc.dispose();
  });

  test('bias: false has no bias; config round trip; options validated', () => {
    const fc = new Linear({ inFeatures: 2, outFeatures: 3, bias: false });
    expect(fc.bias).toBeNull();
    expect(fc.namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(fc.toConfig()).toEqual({ type: 'Linear', inFeatures: 2, outFeatures: 3, bias: false });
    roundTrip(fc).dispose();
    roundTrip(new Linear({ inFeatures: 4, outFeatures: 1 })).dispose();
    throws(() => new Linear({ inFeatures: 2, outFeatures: 3, bais: false } as never), 'E_ARGUMENT', /unknown option "bais" \(did you mean "bias"\?\)/);
    throws(() => new Linear({ inFeatures: 0, outFeatures: 3 }), 'E_ARGUMENT', /inFeatures must be an integer >= 1, got 0/);
    throws(() => new Linear({ inFeatures: 2.5, outFeatures: 3 }), 'E_ARGUMENT', /inFeatures .* got 2\.5/);
    throws(() => new Linear({ inFeatures: 2 } as never), 'E_ARGUMENT', /outFeatures must be an integer >= 1, got undefined/);
    throws(() => new Linear({ inFeatures: 2, outFeatures: 3, bias: 1 } as never), 'E_ARGUMENT', /bias must be true or false, got 1/);
    throws(() => new Linear(undefined as never), 'E_ARGUMENT', /inFeatures/);
    throws(() => fc.forward(tensor([[1, 2, 3]])), 'E_SHAPE', /inFeatures = 2, got shape \[1, 3\]/);
    fc.dispose();
  });
});

describe('Embedding', () => {
  test('looks up rows; repeated ids accumulate gradients', () => {
    manualSeed(12);
    const emb = new Embedding({ numEmbeddings: 4, embeddingDim: 3 });
    expect(emb.namedParameters().map(([n, t]) => [n, t.shape])).toEqual([['weight', [4, 3]]]);
    scope(() => {
      const w = values(emb.weight);
      const out = emb.forward(ids([2, 0, 2, 3], [2, 2]));
      expect(out.shape).toEqual([2, 2, 3]);
      expect(values(out)).toEqual([...w.slice(6, 9), ...w.slice(0, 3), ...w.slice(6, 9), ...w.slice(9, 12)]);
      out.sum().backward();
      expect(values(emb.weight.grad!)).toEqual([1, 1, 1, 0, 0, 0, 2, 2, 2, 1, 1, 1]);
      throws(() => emb.forward(tensor([1, 2])), 'E_ARGUMENT', /ids must be an int32 tensor, got float32/);
      throws(() => emb.forward(ids([4], [1])), 'E_ARGUMENT', /\[0, 4\), got 4/);
    });
    emb.dispose();
  });

  test('N(0, 1) init with the padding row zero', () => {
    manualSeed(13);
    const emb = new Embedding({ numEmbeddings: 200, embeddingDim: 50, paddingIdx: 7 });
    const w = values(emb.weight);
    expect(w.slice(350, 400).every((v) => v === 0)).toBe(true);
    const rest = [...w.slice(0, 350), ...w.slice(400)];
    const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
    const std = Math.sqrt(rest.reduce((a, b) => a + (b - mean) ** 2, 0) / rest.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(std - 1)).toBeLessThan(0.03);
    emb.dispose();
  });

  test('the padding row gets no gradient and is looked up as it is (as PyTorch)', () => {
    manualSeed(14);
    const emb = new Embedding({ numEmbeddings: 3, embeddingDim: 2, paddingIdx: -1 });
    expect(emb.paddingIdx).toBe(2);
    scope(() => {
      emb.loadStateDict({ weight: tensor([1, 2, 3, 4, 5, 6], [3, 2]) });
      const out = emb.forward(ids([2, 0, 2, 1, 0], [5]));
      expect(values(out)).toEqual([5, 6, 1, 2, 5, 6, 3, 4, 1, 2]);
      out.mul(tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [5, 2])).sum().backward();
      expect(values(emb.weight.grad!)).toEqual([3 + 9, 4 + 10, 7, 8, 0, 0]);
    });
    emb.dispose();
  });

  test('config round trip (paddingIdx stored normalised) and option checks', () => {
    const emb = new Embedding({ numEmbeddings: 5, embeddingDim: 2, paddingIdx: -1 });
    expect(emb.toConfig()).toEqual({ type: 'Embedding', numEmbeddings: 5, embeddingDim: 2, paddingIdx: 4 });
    roundTrip(emb).dispose();
    const plain = new Embedding({ numEmbeddings: 5, embeddingDim: 2 });
    expect(plain.toConfig().paddingIdx).toBeNull();
    roundTrip(plain).dispose();
    throws(() => new Embedding({ numEmbeddings: 5, embeddingDim: 2, padding_idx: 0 } as never), 'E_ARGUMENT', /"padding_idx" \(did you mean "paddingIdx"\?\)/);
    throws(() => new Embedding({ numEmbeddings: 5, embeddingDim: 2, paddingIdx: 5 }), 'E_ARGUMENT', /paddingIdx must be an integer in \[-5, 4\], got 5/);
    throws(() => new Embedding({ numEmbeddings: 5, embeddingDim: 0 }), 'E_ARGUMENT', /embeddingDim/);
    emb.dispose();
    plain.dispose();
  });
});

describe('Dropout', () => {
  test('training: zeros about p and scales the rest by 1/(1 − p); eval: identity', () => {
    manualSeed(15);
    const drop = new Dropout({ p: 0.25 });
    scope(() => {
      const x = randn([4000]);
      const xv = values(x);
      const y = values(drop.forward(x));
      const zeros = y.filter((v) => v === 0).length;
      expect(zeros / y.length).toBeGreaterThan(0.22);
      expect(zeros / y.length).toBeLessThan(0.28);
      y.forEach((v, i) => v !== 0 && expect(v).toBeCloseTo(xv[i] / 0.75, 5));
      drop.eval();
      expect(values(drop.forward(x))).toEqual(xv);
      drop.train();
      expect(values(new Dropout({ p: 0 }).forward(x))).toEqual(xv);
    });
  });

  test('default p = 0.5, config round trip, option checks', () => {
    expect(new Dropout().p).toBe(0.5);
    expect(roundTrip(new Dropout({ p: 0.1 })).p).toBe(0.1);
    throws(() => new Dropout({ p: 1 }), 'E_ARGUMENT', /p must be a finite number in \[0, 1\), got 1/);
    throws(() => new Dropout({ P: 0.2 } as never), 'E_ARGUMENT', /unknown option "P" \(did you mean "p"\?\)/);
  });
});

describe('Sequential', () => {
  test('PyTorch names, forward is the chain, nesting, config round trip', () => {
    manualSeed(16);
    const a = new Linear({ inFeatures: 3, outFeatures: 4 });
    const b = new Linear({ inFeatures: 4, outFeatures: 2 });
    const seq = new Sequential(a, new Dropout({ p: 0.5 }), new Sequential(b));
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.0.weight', '2.0.bias']);
    expect(seq.length).toBe(3);
    expect(seq.at(-1)).toBeInstanceOf(Sequential);
    seq.eval();
    scope(() => {
      const x = randn([5, 3]);
      expect(values(seq.forward(x))).toEqual(values(b.forward(a.forward(x))));
    });
    const back = roundTrip(seq);
    expect(back.toConfig()).toEqual({
      type: 'Sequential',
      modules: [
        { type: 'Linear', inFeatures: 3, outFeatures: 4, bias: true },
        { type: 'Dropout', p: 0.5 },
        { type: 'Sequential', modules: [{ type: 'Linear', inFeatures: 4, outFeatures: 2, bias: true }] },
      ],
    });
    throws(() => new Sequential(a, {} as never), 'E_ARGUMENT', /module 1 must be a Module with a forward method/);
    throws(() => seq.at(3), 'E_ARGUMENT', /index must be an integer in \[-3, 3\), got 3/);
    throws(() => Module.fromConfig({ type: 'Sequential', layers: [] }), 'E_ARGUMENT', /unknown option "layers"/);
    throws(() => Module.fromConfig({ type: 'Sequential', modules: {} }), 'E_ARGUMENT', /modules must be an array/);
    seq.dispose();
    back.dispose();
  });
});
