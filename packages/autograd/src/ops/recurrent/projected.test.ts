import { describe, expect, test } from 'vitest';
import {
  concat, gradcheck, gruSequence, index, lstmCell, lstmSequence, manualSeed, projectedEmbedding, rand, reshape,
  rnnSequence, scope, tensor, type Tensor,
} from '../../index.js';
import { projectionPays } from '../../internal.js';

// A first layer fed by an embedding: `projectedEmbedding` + `wIh: null` computes E·W_ihᵀ for the V
// vocabulary rows and gathers, instead of gathering E and projecting every token. Same function,
// so: gradcheck through table, W_ih and everything else, and agreement with the dense path.

type Kind = 'lstm' | 'gru' | 'rnn';
const gatesOf = (kind: Kind): number => (kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1);

function uniform(shape: number[], scale: number): Tensor {
  return tensor(rand(shape).toFloat32Array().map((u) => scale * (2 * u - 1)), shape, { requiresGrad: true });
}

const flat = (t: Tensor): Tensor => reshape(t, [-1]);

function run(kind: Kind, x: Tensor, w: { wIh: Tensor | null; wHh: Tensor; bIh: Tensor; bHh: Tensor; h0: Tensor }, lengths: Tensor): Tensor {
  const o = { ...w, lengths, reverse: true };
  const r: { output: Tensor; h: Tensor; c?: Tensor } =
    kind === 'lstm' ? lstmSequence(x, o) : kind === 'gru' ? gruSequence(x, o) : rnnSequence(x, o);
  return concat([flat(r.output), flat(r.h), ...(r.c ? [flat(r.c)] : [])]);
}

describe('projected embedding input (wIh: null)', () => {
  for (const kind of ['lstm', 'gru', 'rnn'] as const) {
    test(`${kind}: gradcheck through the table, W_ih, W_hh, biases and h0`, () => {
      manualSeed(11);
      scope(() => {
        const [T, B, V, I, H] = [3, 2, 4, 3, 2];
        const G = gatesOf(kind) * H;
        const tokens = tensor([0, 3, 3, 1, 2, 3], [T, B], { dtype: 'int32' });
        const lengths = tensor([3, 2], [B], { dtype: 'int32' });
        const inputs = [uniform([V, I], 1), uniform([G, I], 0.8), uniform([G, H], 0.8), uniform([G], 0.5), uniform([G], 0.5), uniform([B, H], 0.8)];
        const r = gradcheck((table, wIh, wHh, bIh, bHh, h0) =>
          run(kind, projectedEmbedding(table, wIh, tokens), { wIh: null, wHh, bIh, bHh, h0 }, lengths), inputs);
        expect(r.mismatches, `worst ${r.worst}`).toEqual([]);
      });
    });

    test(`${kind}: the same outputs and gradients as gathering the embedding and projecting every token`, () => {
      manualSeed(12);
      scope(() => {
        const [T, B, V, I, H] = [6, 5, 7, 8, 9];
        const G = gatesOf(kind) * H;
        const tokens = tensor(Array.from({ length: T * B }, (_, i) => (i * 5) % V), [T, B], { dtype: 'int32' });
        const lengths = tensor([6, 4, 6, 1, 5], [B], { dtype: 'int32' });
        const [table, wIh, wHh, bIh, bHh, h0] = [uniform([V, I], 1), uniform([G, I], 0.5), uniform([G, H], 0.5), uniform([G], 0.5), uniform([G], 0.5), uniform([B, H], 0.8)];
        const params = [table, wIh, wHh, bIh, bHh, h0];
        const weights = rand([T * B * H + B * H * (kind === 'lstm' ? 2 : 1)]);
        const lossOf = (y: Tensor) => y.mul(weights).sum();
        const dense = lossOf(run(kind, index(table, tokens), { wIh, wHh, bIh, bHh, h0 }, lengths));
        dense.backward();
        const denseGrads = params.map((p) => p.grad!.toFloat32Array());
        for (const p of params) p.grad = null;
        const projected = lossOf(run(kind, projectedEmbedding(table, wIh, tokens), { wIh: null, wHh, bIh, bHh, h0 }, lengths));
        projected.backward();
        expect(Math.abs(projected.item() - dense.item())).toBeLessThan(1e-5 * Math.max(1, Math.abs(dense.item())));
        params.forEach((p, i) => {
          const got = p.grad!.toFloat32Array();
          const want = denseGrads[i];
          let worst = 0;
          for (let j = 0; j < want.length; j++) worst = Math.max(worst, Math.abs(got[j] - want[j]) / (1e-5 + 1e-4 * Math.abs(want[j])));
          expect(worst, `gradient ${i}`).toBeLessThanOrEqual(1);
        });
      });
    });
  }

  test('a cell takes a projected row too', () => {
    manualSeed(13);
    scope(() => {
      const [B, V, I, H] = [2, 3, 4, 2];
      const tokens = tensor([2, 0], [B], { dtype: 'int32' });
      const r = gradcheck((table, wIh, wHh) => {
        const s = lstmCell(projectedEmbedding(table, wIh, tokens), null, { wIh: null, wHh });
        return concat([flat(s.h), flat(s.c)]);
      }, [uniform([V, I], 1), uniform([4 * H, I], 0.8), uniform([4 * H, H], 0.8)]);
      expect(r.mismatches, `worst ${r.worst}`).toEqual([]);
    });
  });

  test('x must hold G·H features when wIh is null', () => {
    scope(() => {
      const x = tensor(new Float32Array(2 * 3 * 5), [2, 3, 5]);
      const wHh = tensor(new Float32Array(8 * 2), [8, 2]);
      expect(() => lstmSequence(x, { wIh: null, wHh })).toThrow(/lstmSequence: with wIh null, x must hold the input projection \[T, B, 4·H = 8\], got \[2, 3, 5\]/);
    });
  });

  test('projectionPays when the vocabulary is smaller than the tokens of a window', () => {
    expect(projectionPays(65, 2048)).toBe(true);
    expect(projectionPays(10_000, 700)).toBe(false);
  });
});
