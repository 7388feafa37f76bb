import { EddyError, manualSeed, optim, rand, randn, scope, tensor, type Tensor } from '@eddy/autograd';
import { tapeLength } from '@eddy/autograd/internal';
import { describe, expect, it } from 'vitest';
import { Linear } from '../layers/linear.js';
import { Module } from '../module.js';
import type { LayerResult, RecurrentBase } from '../recurrent/runner.js';
import '../recurrent/index.js';
import { BuiltModules } from '../test/modules.js';
import type { CellBase, CellState } from './cell.js';
import { GRUCell, LSTMCell, RNNCell } from './index.js';

// The cells beyond parity: one step equals the matching layer's first step (with every variant the
// cells share with the layers, so the variants' own float64 reference covers them), one tape node
// per fused step, init, options and configs.

type Recurrent = RecurrentBase<{ h?: Tensor | null; c?: Tensor | null }, LayerResult>;
const built = new BuiltModules();

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.toFloat32Array(), y = b.toFloat32Array();
  expect(a.shape).toEqual(b.shape);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
}

const CASES: Array<[string, Record<string, unknown>]> = [
  ['LSTM', {}],
  ['LSTM', { forgetBias: 1 }],
  ['LSTM', { layerNorm: true }],
  ['LSTM', { layerNorm: true, bias: false }],
  ['GRU', { resetBefore: true }],
  ['GRU', { layerNorm: true, resetBefore: true }],
  ['RNN', { nonlinearity: 'relu', init: 'identity' }],
  ['RNN', { layerNorm: true }],
];

describe('cells', () => {
  it.each(CASES)('%sCell %j equals one step of the layer with the same weights and options', (family, options) => {
    manualSeed(3);
    const cell = built.make<CellBase<CellState>>({ type: `${family}Cell`, inputSize: 5, hiddenSize: 4, ...options });
    const layer = built.make<Recurrent>({ type: family, inputSize: 5, hiddenSize: 4, ...options });
    // The layer's names are the cell's with the layer suffix.
    layer.loadStateDict(Object.fromEntries(Object.entries(cell.stateDict()).map(([n, t]) => [`${n}_l0`, t])));
    scope(() => {
      const x = randn([3, 5]);
      const h = randn([3, 4]);
      const c = randn([3, 4]);
      const hasCell = family === 'LSTM';
      const got = cell.forward(x, hasCell ? { h, c } : { h });
      const want = layer.forward(x.reshape([1, 3, 5]), hasCell ? { h: h.reshape([1, 3, 4]), c: c.reshape([1, 3, 4]) } : { h: h.reshape([1, 3, 4]) });
      expect(maxDiff(got.h, want.h.reshape([3, 4]))).toBeLessThanOrEqual(1e-6);
      if (hasCell) expect(maxDiff(got.c!, want.c!.reshape([3, 4]))).toBeLessThanOrEqual(1e-6);
      else expect(got.c).toBeUndefined();
    });
  });

  it('a fused step is one tape node; a missing state is zeros', () => {
    const cells = [new LSTMCell({ inputSize: 3, hiddenSize: 2 }), new GRUCell({ inputSize: 3, hiddenSize: 2 }), new RNNCell({ inputSize: 3, hiddenSize: 2 })];
    built.push(...cells);
    scope(() => {
      const x = randn([2, 3]);
      for (const cell of cells) {
        const before = tapeLength();
        const r = cell.forward(x);
        expect(tapeLength() - before, cell.constructor.name).toBe(1);
        const zeros = { h: randn([2, 2]).mul(0), c: randn([2, 2]).mul(0) };
        const again = cell.forward(x, cell instanceof LSTMCell ? zeros : { h: zeros.h });
        expect(maxDiff(r.h, again.h)).toBe(0);
      }
    });
  });

  it("draws U(±1/√H) in torch.nn's parameter order through the seeded RNG; forgetBias sets b_if + b_hf", () => {
    manualSeed(5);
    const a = new LSTMCell({ inputSize: 3, hiddenSize: 16 });
    manualSeed(5);
    const b = new LSTMCell({ inputSize: 3, hiddenSize: 16, forgetBias: 2 });
    built.push(a, b);
    expect(a.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([['weight_ih', [64, 3]], ['weight_hh', [64, 16]], ['bias_ih', [64]], ['bias_hh', [64]]]);
    for (const [, p] of a.namedParameters()) expect(Math.max(...p.toArray().map(Math.abs))).toBeLessThanOrEqual(0.25);
    // Same seed, same draw: only the forget rows differ.
    expect(b.stateDict().weight_hh.toArray()).toEqual(a.stateDict().weight_hh.toArray());
    const bi = b.stateDict().bias_ih.toArray(), bh = b.stateDict().bias_hh.toArray(), ai = a.stateDict().bias_ih.toArray();
    for (let r = 0; r < 64; r++) {
      if (r >= 16 && r < 32) expect([bi[r], bh[r]]).toEqual([2, 0]);
      else expect(bi[r]).toBe(ai[r]);
    }
  });

  it('toConfig / fromConfig round-trips every option', () => {
    for (const config of [
      { type: 'LSTMCell', inputSize: 3, hiddenSize: 2, bias: true, layerNorm: true, init: 'orthogonal', forgetBias: 1 },
      { type: 'GRUCell', inputSize: 3, hiddenSize: 2, bias: false, layerNorm: false, init: 'uniform', resetBefore: true },
      { type: 'RNNCell', inputSize: 3, hiddenSize: 2, bias: true, layerNorm: false, init: 'identity', nonlinearity: 'relu' },
    ]) {
      const m = built.make<Module>(config);
      expect(m.toConfig()).toEqual(config);
    }
  });

  it('refuses unknown options, bad values and bad inputs with typed errors naming them', () => {
    const bad: Array<[() => unknown, string, RegExp]> = [
      [() => new LSTMCell({ inputSize: 3, hiddenSize: 2, forgetbias: 1 } as never), 'E_ARGUMENT', /forgetbias/],
      [() => new LSTMCell({ inputSize: 3, hiddenSize: 2, bias: false, forgetBias: 1 }), 'E_ARGUMENT', /needs bias/],
      [() => new GRUCell({ inputSize: 3, hiddenSize: 2, nonlinearity: 'relu' } as never), 'E_ARGUMENT', /nonlinearity/],
      [() => new RNNCell({ inputSize: 3, hiddenSize: 2, nonlinearity: 'sigmoid' as never }), 'E_ARGUMENT', /nonlinearity/],
      [() => new RNNCell({ inputSize: 0, hiddenSize: 2 }), 'E_ARGUMENT', /inputSize/],
    ];
    for (const [fn, code, message] of bad) {
      let error: unknown;
      try { fn(); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(EddyError);
      expect((error as EddyError).code).toBe(code);
      expect((error as Error).message).toMatch(message);
    }
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 2 });
    built.push(cell);
    scope(() => {
      expect(() => cell.forward(randn([2, 4]))).toThrow(/x must have shape \[B, inputSize = 3\]/);
      expect(() => cell.forward(randn([2, 3]), { h: randn([3, 2]) })).toThrow(/state.h must have shape \[B, H\] = \[2, 2\]/);
      expect(() => cell.forward(randn([2, 3]), { h: randn([2, 2]), cell: randn([2, 2]) } as never)).toThrow(/cell/);
      const gru = new GRUCell({ inputSize: 3, hiddenSize: 2 });
      built.push(gru);
      expect(() => gru.forward(randn([2, 3]), { h: randn([2, 2]), c: randn([2, 2]) })).toThrow(/"c"|c\b/);
    });
  });

  it('LSTMCell learns to count within a few hundred steps (a decoder-style loop fed its own state)', () => {
    // The sum of a ±1 sequence of length 6, read out from h after the last step.
    manualSeed(11);
    const cell = new LSTMCell({ inputSize: 1, hiddenSize: 8, forgetBias: 1 });
    const readout = new Linear({ inFeatures: 8, outFeatures: 1 });
    built.push(cell, readout);
    const opt = new optim.Adam([...cell.parameters(), ...readout.parameters()], { lr: 0.02 });
    const losses: number[] = [];
    for (let step = 0; step < 300; step++) {
      losses.push(scope(() => {
        const xs = Array.from({ length: 6 }, () => tensor(Float32Array.from(rand([16, 1]).toArray(), (u) => (u < 0.5 ? -1 : 1)), [16, 1]));
        let state: { h: Tensor; c: Tensor } | undefined;
        let target = xs[0].mul(0);
        for (const x of xs) {
          state = cell.forward(x, state);
          target = target.add(x.mul(1 / 6));
        }
        const err = readout.forward(state!.h).sub(target);
        const loss = err.mul(err).mean();
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss.item();
      }));
    }
    const first = losses.slice(0, 10).reduce((a, b) => a + b) / 10;
    const final = losses.slice(-10).reduce((a, b) => a + b) / 10;
    expect(final).toBeLessThan(first / 20);
  });
});
