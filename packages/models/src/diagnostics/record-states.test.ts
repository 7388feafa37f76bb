import { getRngState, manualSeed, noGrad, randn, scope, split, tensor, type Tensor } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { LanguageModel } from '../lm/language-model.js';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import { RNN } from '../recurrent/rnn.js';
import { thrown } from '../test/thrown.js';
import { gateStatistics } from './gate-statistics.js';
import { gradientThroughTime } from './gradient-through-time.js';
import { recordStates } from './record-states.js';

const text = Int32Array.from({ length: 600 }, (_, i) => (i * 7 + (i >> 2)) % 13);

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

/** Rows [t0, t1) of a [T, B, n] recording. */
function rows(a: Float32Array, t0: number, t1: number, n: number): Float32Array {
  return a.subarray(t0 * n, t1 * n);
}

describe('recordStates', () => {
  test('a language model over a long text: the states the fused forward computes, aligned to the tokens', () => {
    manualSeed(8);
    const lm = new LanguageModel({ vocabSize: 13, hiddenSize: 6, numLayers: 2, dropout: 0.2 });
    const rng = getRngState();
    const rec = recordStates(lm, text);
    expect(getRngState()).toEqual(rng);
    expect(lm.training).toBe(true);
    expect(rec).toMatchObject({ steps: 600, batch: 1 });
    expect(rec.layers.map((l) => [l.name, l.hiddenSize, l.cellSize, Object.keys(l.gates).sort().join('')])).toEqual([['l0', 6, 6, 'fgio'], ['l1', 6, 6, 'fgio']]);
    const statesOnly = recordStates(lm, text, { gates: false });
    expect(statesOnly.layers.map((l) => l.gates)).toEqual([{}, {}]);
    expect(statesOnly.layers.map((l) => [l.h, l.c])).toEqual(rec.layers.map((l) => [l.h, l.c]));
    lm.eval();
    noGrad(() =>
      scope(() => {
        // The top layer's h is the stack's output; the last step of every layer its final state
        // (600 steps cross the recorder's chunks of 256, so the carried state is checked too).
        const out = (lm.rnn as LSTM).forward(tensor(text, [600, 1], { dtype: 'int32' }), null, { embedding: lm.encoder.weight });
        expectClose(rec.layers[1].h, out.output.toFloat32Array());
        const h = split(out.h, 1, 0).map((t) => t.toFloat32Array());
        const c = split(out.c, 1, 0).map((t) => t.toFloat32Array());
        rec.layers.forEach((l, k) => {
          expectClose(rows(l.h, 599, 600, 6), h[k]);
          expectClose(rows(l.c!, 599, 600, 6), c[k]);
        });
        // The gates of step t from the equations, at a few steps including a chunk boundary.
        const p = Object.fromEntries(lm.rnn.namedParameters());
        const x = lm.encoder.weight.toFloat32Array();
        for (const t of [0, 255, 256, 599]) {
          const xt = tensor(x.subarray(text[t] * 6, text[t] * 6 + 6), [1, 6]);
          const hPrev = t === 0 ? tensor(new Float32Array(6), [1, 6]) : tensor(rows(rec.layers[0].h, t - 1, t, 6), [1, 6]);
          const a = xt.matmul(p.weight_ih_l0.transpose()).add(p.bias_ih_l0).add(hPrev.matmul(p.weight_hh_l0.transpose())).add(p.bias_hh_l0);
          const [i, f, g, o] = split(a, 6, 1);
          const expected: Record<string, Tensor> = { i: i.sigmoid(), f: f.sigmoid(), g: g.tanh(), o: o.sigmoid() };
          for (const name of ['i', 'f', 'g', 'o']) expectClose(rows(rec.layers[0].gates[name], t, t + 1, 6), expected[name].toFloat32Array());
        }
      }),
    );
  });

  test('a bidirectional GRU over x [T, B, I]: each direction is its half of the output; an RNN has no gates', () => {
    manualSeed(3);
    const gru = new GRU({ inputSize: 4, hiddenSize: 5, bidirectional: true, batchFirst: true });
    scope(() => {
      const x = randn([3, 300, 4]); // [B, T, I]
      const rec = recordStates(gru, x);
      expect(rec).toMatchObject({ steps: 300, batch: 3 });
      expect(rec.layers.map((l) => [l.name, l.c, Object.keys(l.gates).sort().join('')])).toEqual([['l0', null, 'nrz'], ['l0_reverse', null, 'nrz']]);
      const out = noGrad(() => gru.forward(x).output.transpose(0, 1)).toFloat32Array(); // [T, B, 2H]
      const half = (d: number): Float32Array => Float32Array.from({ length: 300 * 3 * 5 }, (_, k) => out[Math.floor(k / 5) * 10 + d * 5 + (k % 5)]);
      expectClose(rec.layers[0].h, half(0));
      expectClose(rec.layers[1].h, half(1));
      const rnn = new RNN({ inputSize: 4, hiddenSize: 5 });
      expect(recordStates(rnn, randn([7, 1, 4])).layers[0].gates).toEqual({});
    });
  });

  test('variants on the per-step path: a projected peephole layer-norm LSTM records h of width P', () => {
    manualSeed(7);
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, projSize: 2, peephole: true, layerNorm: true, numLayers: 2 });
    scope(() => {
      const x = randn([9, 2, 3]);
      const rec = recordStates(lstm, x);
      expect(rec.layers.map((l) => [l.hiddenSize, l.cellSize, l.h.length, l.c!.length, l.gates.f.length])).toEqual([[2, 5, 36, 90, 90], [2, 5, 36, 90, 90]]);
      const out = noGrad(() => lstm.forward(x));
      expectClose(rec.layers[1].h, out.output.toFloat32Array());
      expectClose(rows(rec.layers[0].c!, 8, 9, 10), split(out.c, 1, 0)[0].toFloat32Array());
      const g = gradientThroughTime(lstm, x);
      expect(g.layers.every((l) => l.norms.every((v) => v > 0 && Number.isFinite(v)))).toBe(true);
    });
  });

  test('refuses input the model cannot read', () => {
    const lm = new LanguageModel({ vocabSize: 5, hiddenSize: 4 });
    expect(thrown(() => recordStates(lm, [1, 2, 5]))).toBe('E_ARGUMENT: recordStates: token 2 = 5 is outside the vocabulary [0, 5)');
    expect(thrown(() => recordStates(lm, 'abc' as never))).toMatch(/^E_ARGUMENT: recordStates: input must be token ids/);
    expect(thrown(() => recordStates(lm, []))).toMatch(/^E_SHAPE: recordStates: input must have at least one token/);
    expect(thrown(() => recordStates(lm, [1], { sate: null } as never))).toMatch(/did you mean "state"/);
    expect(thrown(() => gateStatistics(new LSTM({ inputSize: 2, hiddenSize: 3 }), [1, 2]))).toMatch(/^E_ARGUMENT: gateStatistics: input must be a Tensor x as LSTM.forward takes it/);
  });
});

describe('gateStatistics', () => {
  test('the fractions of the recorded gates below 0.1 and above 0.9, per gate and layer', () => {
    manualSeed(12);
    const lm = new LanguageModel({ vocabSize: 13, hiddenSize: 8, numLayers: 2, cell: 'gru' });
    // Push some gates into saturation so both tails are exercised.
    scope(() => lm.rnn.namedParameters().forEach(([, p]) => p.copyFrom(p.mul(6))));
    const stats = gateStatistics(lm, text.subarray(0, 300));
    const rec = recordStates(lm, text.subarray(0, 300));
    expect(stats).toMatchObject({ steps: 300, batch: 1 });
    stats.layers.forEach((layer, k) => {
      expect(layer.gates.map((g) => g.gate)).toEqual(['r', 'z']);
      for (const g of layer.gates) {
        const v = rec.layers[k].gates[g.gate];
        const low = v.filter((x) => x < 0.1).length / v.length;
        const high = v.filter((x) => x > 0.9).length / v.length;
        expect(g).toMatchObject({ count: 300 * 8 });
        expect(g.low).toBeCloseTo(low, 12);
        expect(g.high).toBeCloseTo(high, 12);
        expect(g.saturated).toBeCloseTo(low + high, 12);
        expect(g.mean).toBeCloseTo(v.reduce((s, x) => s + x, 0) / v.length, 6);
        expect(g.low + g.high).toBeGreaterThan(0);
      }
    });
  });

  test('a forget bias of 10 keeps every forget gate open; an Elman RNN has no gates', () => {
    manualSeed(1);
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 4, forgetBias: 10 });
    scope(() => {
      const [l0] = gateStatistics(lstm, randn([20, 2, 2]).mul(0.1)).layers;
      expect(l0.gates.map((g) => g.gate)).toEqual(['i', 'f', 'o']);
      expect(l0.gates[1]).toMatchObject({ gate: 'f', low: 0, high: 1, saturated: 1, count: 20 * 2 * 4 });
      expect(gateStatistics(new RNN({ inputSize: 2, hiddenSize: 3 }), randn([5, 1, 2])).layers[0].gates).toEqual([]);
    });
  });
});
