import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  getCore, gruSequence, loadCore, lstmSequence, mul, noGrad, rnnSequence, scope, sum, add, tensor, useCore, type Core, type Tensor,
} from './index.js';

// A threaded core (loadCore({ threads })) splits the fused LSTM, GRU and RNN time loops by hidden
// units (each thread: its units' columns of every step's product and their gate update, one barrier
// per step — two in the Cho GRU — forward and BPTT), the hoisted input projection, the weight
// gradients, and every product autograd makes. The bits must not depend on the thread count:
// forward and BPTT of every cell on 1, 2 and 3 threads, with hidden sizes that do not divide evenly.

const [T, I] = [5, 40];
/** Rows: every per-step product (B × G·H × H) is above the split threshold for these H. */
const ROWS = 32;
/** 96: 12 panels of 8 units; 100: 13 panels, the last half full; 102: a scalar tail past the SIMD groups. */
const HIDDEN = [96, 100, 102];

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

type Kind = 'lstm' | 'gru' | 'gru-before' | 'rnn-tanh' | 'rnn-relu';
const GATES: Record<Kind, number> = { lstm: 4, gru: 3, 'gru-before': 3, 'rnn-tanh': 1, 'rnn-relu': 1 };

/**
 * Forward and backward of one cell family on `core` (with `train` false: the inference forward only);
 * returns the output and every gradient, as arrays.
 */
function run(core: Core, kind: Kind, H: number, reverse: boolean, train = true, B = ROWS): Float32Array[] {
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
      const forward = () => kind === 'lstm' ? lstmSequence(x, options)
        : kind.startsWith('gru') ? gruSequence(x, { ...options, resetBefore: kind === 'gru-before' })
        : rnnSequence(x, { ...options, nonlinearity: kind === 'rnn-relu' ? 'relu' : 'tanh' });
      if (!train) {
        const result = noGrad(forward);
        return [result.output, result.h].map((t: Tensor) => t.toFloat32Array());
      }
      const result = forward();
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

  for (const kind of ['lstm', 'gru', 'gru-before', 'rnn-tanh', 'rnn-relu'] as Kind[]) {
    test(`${kind}: fused forward and BPTT, ragged lengths, both directions, H = ${HIDDEN.join(', ')}, on 2 and 3 threads`, () => {
      for (const H of HIDDEN) {
        for (const reverse of [false, true]) {
          const want = run(one, kind, H, reverse);
          const wantInference = run(one, kind, H, reverse, false);
          for (const core of cores) {
            expect(core.threads).toBeGreaterThan(1);
            const [runs, teams] = [core.pool!.runs, core.pool!.teams];
            const got = run(core, kind, H, reverse);
            const where = `${kind} H=${H} reverse=${reverse} threads=${core.threads}`;
            expect(core.pool!.teams - teams, where).toBe(2); // the forward and the backward time loop split
            expect(core.pool!.runs - runs, where).toBeGreaterThan(2); // and so did products outside them
            got.forEach((g, i) => expect(sameBits(g, want[i]), `${where} array ${i}`).toBe(true));
            run(core, kind, H, reverse, false).forEach((g, i) => expect(sameBits(g, wantInference[i]), `${where} inference array ${i}`).toBe(true));
          }
        }
      }
    });
  }

  // Few hidden units (2 or 3 panels of 8) and enough rows to split anyway: 3 threads make a team of
  // 2 when there are 2 panels (the third thread idles), and a last share of 4 units with H = 20.
  test('few hidden units: teams smaller than the pool, a short last share', () => {
    for (const kind of ['lstm', 'gru-before', 'rnn-relu'] as Kind[]) {
      for (const H of [12, 20]) {
        const B = Math.ceil(64 ** 3 / (GATES[kind] * H * H));
        const want = run(one, kind, H, false, true, B);
        for (const core of cores) {
          const teams = core.pool!.teams;
          const got = run(core, kind, H, false, true, B);
          const where = `${kind} H=${H} B=${B} threads=${core.threads}`;
          expect(core.pool!.teams - teams, where).toBeGreaterThanOrEqual(2);
          got.forEach((g, i) => expect(sameBits(g, want[i]), `${where} array ${i}`).toBe(true));
        }
      }
    }
  });
});
