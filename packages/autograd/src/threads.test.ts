import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  getCore, gruSequence, loadCore, lstmSequence, mul, rnnSequence, scope, sum, add, tensor, useCore, type Core, type Tensor,
} from './index.js';

// A threaded core (loadCore({ threads })) splits the GEMMs inside the fused recurrent kernels — the
// hoisted input projection, the per-step h·W_hhᵀ and dG·W_hh, the weight gradients — and every
// product autograd makes. The bits must not depend on the thread count: forward and BPTT of every
// cell on 1, 2 and 3 threads.

const [T, B, I, H] = [5, 32, 40, 96]; // every per-step product (B × G·H × H) is above the split threshold

/** Deterministic values in [-scale, scale) (mulberry32), so every core gets the same inputs. */
function values(n: number, seed: number, scale = 0.5): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return scale * (2 * (((t ^ (t >>> 14)) >>> 0) / 4294967296) - 1);
  });
}

type Kind = 'lstm' | 'gru' | 'rnn';
const GATES: Record<Kind, number> = { lstm: 4, gru: 3, rnn: 1 };

/** Forward and backward of one cell family on `core`; returns the output and every gradient, as arrays. */
function run(core: Core, kind: Kind, reverse: boolean): Float32Array[] {
  const previous = getCore();
  useCore(core);
  try {
    return scope(() => {
      const G = GATES[kind] * H;
      const leaf = (shape: number[], seed: number) => tensor(values(shape.reduce((a, b) => a * b), seed), shape, { requiresGrad: true });
      const x = leaf([T, B, I], 1);
      const w = { wIh: leaf([G, I], 2), wHh: leaf([G, H], 3), bIh: leaf([G], 4), bHh: leaf([G], 5) };
      const h0 = leaf([B, H], 6);
      const lengths = tensor(Int32Array.from({ length: B }, (_, b) => T - (b % 3)), [B], { dtype: 'int32' });
      const options = { ...w, h0, lengths, reverse };
      const result = kind === 'lstm' ? lstmSequence(x, options) : kind === 'gru' ? gruSequence(x, options) : rnnSequence(x, options);
      const loss = add(sum(mul(result.output, tensor(values(T * B * H, 7), [T, B, H]))), sum(result.h));
      loss.backward();
      return [result.output, x.grad!, w.wIh.grad!, w.wHh.grad!, w.bIh.grad!, w.bHh.grad!, h0.grad!].map((t: Tensor) => t.toFloat32Array());
    });
  } finally {
    useCore(previous);
  }
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

describe('a threaded core gives the bits of one thread', () => {
  let one: Core;
  const cores: Core[] = [];
  beforeAll(async () => {
    one = await loadCore();
    for (const threads of [2, 3]) cores.push(await loadCore({ threads }));
  });
  afterAll(() => cores.forEach((core) => core.close()));

  for (const kind of ['lstm', 'gru', 'rnn'] as Kind[]) {
    test(`${kind}: fused forward and BPTT, ragged lengths, both directions, on 2 and 3 threads`, () => {
      for (const reverse of [false, true]) {
        const want = run(one, kind, reverse);
        for (const core of cores) {
          expect(core.threads).toBeGreaterThan(1);
          const before = core.pool!.runs;
          const got = run(core, kind, reverse);
          expect(core.pool!.runs - before).toBeGreaterThan(2 * T); // the per-step products split, forward and backward
          got.forEach((g, i) => expect(sameBits(g, want[i]), `${kind} reverse=${reverse} threads=${core.threads} array ${i}`).toBe(true));
        }
      }
    });
  }
});
