import { describe, expect, test } from 'vitest';
import { gruSequence, lstmSequence, manualSeed, rand, rnnSequence, scope, tensor, type Tensor } from '../../index.js';

// The fused forward against a plain float64 JavaScript recurrence written from PyTorch's equations
// (torch.nn.LSTM / GRU / RNN docs), with packed-sequence lengths and reverse as PyTorch's
// pack_padded_sequence gives them. This checks the wiring (argument order, gate order, slots of
// optional inputs) independently of the kernels' own tests.

type Kind = 'lstm' | 'gru' | 'gru-before' | 'rnn-tanh' | 'rnn-relu';

interface Ref {
  output: Float64Array;
  h: Float64Array;
  c: Float64Array;
}

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

/** W [rows, cols] · v [cols] for rows r0 … r0+n−1, plus bias (or 0). */
function affine(W: Float32Array, cols: number, v: ArrayLike<number>, r0: number, n: number, b: Float32Array | null): number[] {
  const out: number[] = [];
  for (let r = r0; r < r0 + n; r++) {
    let s = b ? b[r] : 0;
    for (let j = 0; j < cols; j++) s += W[r * cols + j] * v[j];
    out.push(s);
  }
  return out;
}

function reference(
  kind: Kind, T: number, B: number, I: number, H: number,
  x: Float32Array, wIh: Float32Array, wHh: Float32Array, bIh: Float32Array | null, bHh: Float32Array | null,
  h0: Float32Array | null, c0: Float32Array | null, lengths: number[] | null, reverse: boolean,
): Ref {
  const output = new Float64Array(T * B * H);
  const hOut = new Float64Array(B * H);
  const cOut = new Float64Array(B * H);
  const G = kind === 'lstm' ? 4 : kind.startsWith('gru') ? 3 : 1;
  for (let b = 0; b < B; b++) {
    let h = Array.from({ length: H }, (_, j) => (h0 ? h0[b * H + j] : 0));
    let c = Array.from({ length: H }, (_, j) => (c0 ? c0[b * H + j] : 0));
    const len = lengths ? lengths[b] : T;
    for (let s = 0; s < len; s++) {
      const t = reverse ? len - 1 - s : s;
      const xt = x.subarray((t * B + b) * I, (t * B + b + 1) * I);
      const gi = affine(wIh, I, xt, 0, G * H, bIh);
      if (kind === 'lstm') {
        const gh = affine(wHh, H, h, 0, G * H, bHh);
        const a = gi.map((v, r) => v + gh[r]);
        const nh: number[] = [], nc: number[] = [];
        for (let j = 0; j < H; j++) {
          const i = sig(a[j]), f = sig(a[H + j]), g = Math.tanh(a[2 * H + j]), o = sig(a[3 * H + j]);
          nc.push(f * c[j] + i * g);
          nh.push(o * Math.tanh(nc[j]));
        }
        h = nh;
        c = nc;
      } else if (kind.startsWith('gru')) {
        const gh = affine(wHh, H, h, 0, 2 * H, bHh);
        const r = Array.from({ length: H }, (_, j) => sig(gi[j] + gh[j]));
        const z = Array.from({ length: H }, (_, j) => sig(gi[H + j] + gh[H + j]));
        let hn: number[];
        if (kind === 'gru') {
          const wh = affine(wHh, H, h, 2 * H, H, bHh);
          hn = wh.map((v, j) => r[j] * v);
        } else {
          hn = affine(wHh, H, h.map((v, j) => r[j] * v), 2 * H, H, bHh);
        }
        const n = hn.map((v, j) => Math.tanh(gi[2 * H + j] + v));
        h = n.map((v, j) => (1 - z[j]) * v + z[j] * h[j]);
      } else {
        const gh = affine(wHh, H, h, 0, H, bHh);
        h = gi.map((v, j) => (kind === 'rnn-relu' ? Math.max(0, v + gh[j]) : Math.tanh(v + gh[j])));
      }
      for (let j = 0; j < H; j++) output[(t * B + b) * H + j] = h[j];
    }
    for (let j = 0; j < H; j++) {
      hOut[b * H + j] = h[j];
      cOut[b * H + j] = c[j];
    }
  }
  return { output, h: hOut, c: cOut };
}

function uniform(shape: number[], scale = 0.8): Tensor {
  return tensor(rand(shape).toFloat32Array().map((u) => scale * (2 * u - 1)), shape);
}

function close(actual: Float32Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  // float32 kernels against float64: a few ulps of values of size ≤ 1 after a handful of steps.
  expect(worst).toBeLessThan(2e-6);
}

const kinds: Kind[] = ['lstm', 'gru', 'gru-before', 'rnn-tanh', 'rnn-relu'];
const variants = [
  { name: 'plain', bias: false, state: false, lengths: null, reverse: false },
  { name: 'biases, h0/c0', bias: true, state: true, lengths: null, reverse: false },
  { name: 'lengths', bias: true, state: true, lengths: [4, 0, 2], reverse: false },
  { name: 'lengths, reverse', bias: true, state: true, lengths: [1, 4, 3], reverse: true },
  { name: 'reverse, no bias', bias: false, state: true, lengths: null, reverse: true },
];

describe('fused recurrent forward against a float64 reference', () => {
  for (const kind of kinds) {
    for (const v of variants) {
      test(`${kind}: ${v.name}`, () => {
        manualSeed(7);
        scope(() => {
          const [T, B, I, H] = [4, 3, 5, 6];
          const G = kind === 'lstm' ? 4 : kind.startsWith('gru') ? 3 : 1;
          const x = uniform([T, B, I], 1);
          const wIh = uniform([G * H, I]), wHh = uniform([G * H, H]);
          const bIh = v.bias ? uniform([G * H]) : null, bHh = v.bias ? uniform([G * H]) : null;
          const h0 = v.state ? uniform([B, H]) : null, c0 = v.state ? uniform([B, H]) : null;
          const lengths = v.lengths ? tensor(v.lengths, [B], { dtype: 'int32' }) : null;
          const common = { wIh, wHh, bIh, bHh, h0, lengths, reverse: v.reverse };
          const got: { output: Tensor; h: Tensor; c?: Tensor } =
            kind === 'lstm' ? lstmSequence(x, { ...common, c0 })
            : kind.startsWith('gru') ? gruSequence(x, { ...common, resetBefore: kind === 'gru-before' })
            : rnnSequence(x, { ...common, nonlinearity: kind === 'rnn-relu' ? 'relu' : 'tanh' });
          const f = (t: Tensor | null) => (t ? t.toFloat32Array() : null);
          const want = reference(kind, T, B, I, H, x.toFloat32Array(), f(wIh)!, f(wHh)!, f(bIh), f(bHh), f(h0),
            kind === 'lstm' ? f(c0) : null, v.lengths, v.reverse);
          close(got.output.toFloat32Array(), want.output);
          close(got.h.toFloat32Array(), want.h);
          expect(got.c !== undefined).toBe(kind === 'lstm');
          if (got.c) close(got.c.toFloat32Array(), want.c);
          expect(got.output.shape).toEqual([T, B, H]);
          expect(got.h.shape).toEqual([B, H]);
        });
      });
    }
  }
});
