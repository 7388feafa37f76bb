import { concat, crossEntropy, getRngState, gradcheck, index, manualSeed, noGrad, optim, randn, scope, split, stack, tensor, zeros, type Tensor } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { GRUCell } from '../cells/gru.js';
import { LSTMCell } from '../cells/lstm.js';
import { RNNCell } from '../cells/rnn.js';
import type { CellBase, CellState } from '../cells/cell.js';
import { LanguageModel } from '../lm/language-model.js';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import { RNN } from '../recurrent/rnn.js';
import { thrown } from '../test/thrown.js';
import { gradientThroughTime } from './gradient-through-time.js';
import { recordStates } from './record-states.js';
import { spectralRadius } from './spectra.js';

// The reference: the same stack unrolled by hand from the step-wise cells (cells/, one fused step
// kernel each) with the recurrent module's weights, a zero probe zₜ added to every hₜ, so
// ∂L/∂zₜ = ∂L/∂hₜ. gradcheck confirms the reference's per-step gradients by central differences;
// the diagnostic (which runs the layers' own per-step path) must then agree with it to rounding.

type Stack = RNN | LSTM | GRU;

/** One cell per layer and direction, holding that layer's weights. */
function cellsOf(rnn: Stack): CellBase<CellState>[] {
  const p = Object.fromEntries(rnn.namedParameters());
  const cells: CellBase<CellState>[] = [];
  for (let l = 0; l < rnn.numLayers; l++) {
    for (let d = 0; d < rnn.numDirections; d++) {
      const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
      const o = { inputSize: p[`weight_ih${sfx}`].shape[1], hiddenSize: rnn.hiddenSize };
      const cell: CellBase<CellState> = rnn instanceof LSTM ? new LSTMCell(o) : rnn instanceof GRU ? new GRUCell(o) : new RNNCell({ ...o, nonlinearity: rnn.nonlinearity });
      cell.loadStateDict({ weight_ih: p[`weight_ih${sfx}`], weight_hh: p[`weight_hh${sfx}`], bias_ih: p[`bias_ih${sfx}`], bias_hh: p[`bias_hh${sfx}`] });
      cells.push(cell);
    }
  }
  return cells;
}

/** The unrolled stack over x [T, B, I] with probes z[k][t] added to every h: the output [T, B, D·H]. */
function unrolled(rnn: Stack, cells: CellBase<CellState>[], x: Tensor, z: Tensor[][]): Tensor {
  const T = x.shape[0];
  let input = split(x, 1, 0).map((s) => s.reshape(s.shape.slice(1)));
  for (let l = 0; l < rnn.numLayers; l++) {
    const outs: Tensor[][] = [];
    for (let d = 0; d < rnn.numDirections; d++) {
      const k = l * rnn.numDirections + d;
      const hs = new Array<Tensor>(T);
      let s: CellState | null = null;
      for (let i = 0; i < T; i++) {
        const t = d === 1 ? T - 1 - i : i;
        const next: CellState = cells[k].forward(input[t], s);
        s = { ...next, h: next.h.add(z[k][t]) };
        hs[t] = s.h;
      }
      outs.push(hs);
    }
    input = outs.length === 1 ? outs[0] : outs[0].map((h, t) => concat([h, outs[1][t]], 1));
  }
  return stack(input, 0);
}

function probes(rnn: Stack, T: number, B: number): Tensor[][] {
  return Array.from({ length: rnn.numLayers * rnn.numDirections }, () => Array.from({ length: T }, () => zeros([B, rnn.hiddenSize]).setRequiresGrad()));
}

function norm(g: Tensor | null): number {
  return g === null ? 0 : Math.sqrt(g.toFloat32Array().reduce((s, v) => s + v * v, 0));
}

function expectNorms(actual: Float64Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let t = 0; t < expected.length; t++) expect(Math.abs(actual[t] - expected[t])).toBeLessThanOrEqual(1e-5 * Math.max(expected[t], 1e-3));
}

const stacks: Array<[string, () => Stack]> = [
  ['tanh RNN, 2 layers', () => new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 2 })],
  ['ReLU RNN, identity init', () => new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu', init: 'identity' })],
  ['LSTM, 2 layers', () => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 })],
  ['GRU, bidirectional', () => new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true })],
  ['LSTM, 2 bidirectional layers', () => new LSTM({ inputSize: 3, hiddenSize: 3, numLayers: 2, bidirectional: true })],
];

describe('gradientThroughTime', () => {
  test.each(stacks)('%s: equals the per-step gradients of the stack unrolled from cells', (_, make) => {
    manualSeed(11);
    const rnn = make();
    const [T, B] = [7, 2];
    scope(() => {
      const x = randn([T, B, 3]);
      const got = gradientThroughTime(rnn, x);
      const cells = cellsOf(rnn);
      const loss = (y: Tensor): Tensor => y.slice(0, T - 1, T).sum();
      // gradcheck-style: the reference's analytic ∂L/∂zₜ against central differences, for a few t.
      const checked = [0, 3, T - 1];
      const check = gradcheck((...ps) => {
        const z = ps.length === 0 ? [] : probes(rnn, T, B).map((zk, k) => zk.map((zt, t) => (checked.includes(t) ? ps[k * checked.length + checked.indexOf(t)] : zt.setRequiresGrad(false))));
        return loss(unrolled(rnn, cells, x, z));
      }, probes(rnn, checked.length, B).flat());
      expect(check.ok, JSON.stringify(check.mismatches)).toBe(true);
      const z = probes(rnn, T, B);
      const L = loss(unrolled(rnn, cells, x, z));
      L.backward();
      expect(got.loss).toBeCloseTo(L.item(), 5);
      expect(got.layers.map((l) => l.name)).toEqual(rnn.numDirections === 2 ? ['l0', 'l0_reverse', ...(rnn.numLayers > 1 ? ['l1', 'l1_reverse'] : [])] : Array.from({ length: rnn.numLayers }, (_, l) => `l${l}`));
      got.layers.forEach((layer, k) => expectNorms(layer.norms, z[k].map((zt) => norm(zt.grad))));
      // The loss of the last step reaches every earlier step of every forward layer (a reverse
      // direction reads step T − 1 first, so of the top layer's only that step counts).
      for (const layer of got.layers.filter((l) => l.direction === 0)) expect(layer.norms.every((v) => v > 0)).toBe(true);
    });
  });

  test('near the linear regime the norm shrinks by ρ(W_hh) per step back in time', () => {
    manualSeed(1);
    const rnn = new RNN({ inputSize: 2, hiddenSize: 6 });
    const p = Object.fromEntries(rnn.namedParameters());
    scope(() => {
      // W_hh = 0.7·Q (Q orthogonal), tiny inputs: hₜ ≈ 0, tanh′ ≈ 1, so ∂L/∂hₜ = (W_hhᵀ)^(T−1−t) ∂L/∂h_{T−1}
      // and, W_hh being a scaled orthogonal matrix, ‖∂L/∂hₜ‖ = 0.7^(T−1−t) ‖∂L/∂h_{T−1}‖.
      const q = new RNN({ inputSize: 2, hiddenSize: 6, init: 'orthogonal' });
      p.weight_hh_l0.copyFrom(Object.fromEntries(q.namedParameters()).weight_hh_l0.mul(0.7));
      p.bias_ih_l0.copyFrom(zeros([6]));
      p.bias_hh_l0.copyFrom(zeros([6]));
      expect(spectralRadius(p.weight_hh_l0)).toBeCloseTo(0.7, 6);
      const T = 12;
      const { norms } = gradientThroughTime(rnn, randn([T, 1, 2]).mul(1e-4)).layers[0];
      for (let t = 0; t < T; t++) expect(norms[t] / norms[T - 1]).toBeCloseTo(0.7 ** (T - 1 - t), 5);
    });
  });

  test("loss 'window' and a loss function; batchFirst reads the same steps", () => {
    manualSeed(5);
    const gru = new GRU({ inputSize: 3, hiddenSize: 4 });
    const bf = new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true });
    bf.loadStateDict(gru.stateDict());
    scope(() => {
      const x = randn([6, 2, 3]);
      const z = probes(gru, 6, 2);
      const L = unrolled(gru, cellsOf(gru), x, z).sum().div(6);
      L.backward();
      const window = gradientThroughTime(gru, x, { loss: 'window' });
      expectNorms(window.layers[0].norms, z[0].map((zt) => norm(zt.grad)));
      const fn = gradientThroughTime(gru, x, { loss: (y) => y.sum().div(6) });
      expect(Array.from(fn.layers[0].norms)).toEqual(Array.from(window.layers[0].norms));
      const last = gradientThroughTime(gru, x);
      const lastBf = gradientThroughTime(bf, x.transpose(0, 1));
      expectNorms(lastBf.layers[0].norms, Array.from(last.layers[0].norms));
    });
  });

  test.each(['lstm', 'gru', 'rnn'] as const)('a LanguageModel (%s): the cross-entropy of the last step or the window', (cell) => {
    manualSeed(2);
    const lm = new LanguageModel({ vocabSize: 9, hiddenSize: 5, numLayers: 2, cell });
    const [T, B] = [6, 2];
    const inputs = Int32Array.from({ length: T * B }, (_, i) => (i * 5 + 1) % 9);
    const targets = Int32Array.from({ length: T * B }, (_, i) => (i * 2 + 3) % 9);
    const w = { inputs, targets, steps: T, batchSize: B };
    scope(() => {
      const cells = cellsOf(lm.rnn);
      for (const loss of ['last', 'window'] as const) {
        const z = probes(lm.rnn, T, B);
        const x = index(lm.encoder.weight, tensor(inputs, [T, B], { dtype: 'int32' }));
        const logits = lm.decoder.forward(unrolled(lm.rnn, cells, x, z).reshape([T * B, 5]));
        const from = loss === 'last' ? T - 1 : 0;
        const L = crossEntropy(logits.slice(0, from * B, T * B), tensor(targets.subarray(from * B), [(T - from) * B], { dtype: 'int32' }));
        L.backward();
        const got = gradientThroughTime(lm, w, { loss });
        expect(got.loss).toBeCloseTo(L.item(), 5);
        got.layers.forEach((layer, k) => expectNorms(layer.norms, z[k].map((zt) => norm(zt.grad))));
      }
    });
  });

  test('leaves training exactly as it was: parameters, gradients, mode and RNG (and so does recordStates)', () => {
    const w = { inputs: Int32Array.from({ length: 16 }, (_, i) => i % 7), targets: Int32Array.from({ length: 16 }, (_, i) => (i + 1) % 7), steps: 8, batchSize: 2 };
    const train = (diagnose: boolean): { params: Float32Array[]; rng: unknown } => {
      manualSeed(9);
      const lm = new LanguageModel({ vocabSize: 7, hiddenSize: 5, numLayers: 2, dropout: 0.3 });
      const opt = new optim.Adam(lm.parameters(), { lr: 0.01 });
      for (let step = 0; step < 3; step++) {
        scope(() => {
          if (diagnose) gradientThroughTime(lm, w);
          const { loss } = lm.windowLoss(w, null);
          // With the training graph on the tape: it must survive for the backward below.
          if (diagnose) recordStates(lm, w.inputs);
          if (diagnose) gradientThroughTime(lm, w);
          opt.zeroGrad();
          loss.backward();
          if (diagnose) {
            const before = lm.parameters().map((p) => p.grad?.toFloat32Array());
            gradientThroughTime(lm, w, { loss: 'window' });
            expect(lm.parameters().map((p) => p.grad?.toFloat32Array())).toEqual(before);
            expect(lm.training).toBe(true);
          }
          opt.step();
        });
      }
      return { params: lm.parameters().map((p) => p.toFloat32Array()), rng: getRngState() };
    };
    const plain = train(false);
    const diagnosed = train(true);
    expect(diagnosed.params).toEqual(plain.params);
    expect(diagnosed.rng).toEqual(plain.rng);
  });

  test('refuses what it cannot read, with the argument named', () => {
    const rnn = new RNN({ inputSize: 3, hiddenSize: 4 });
    const lm = new LanguageModel({ vocabSize: 5, hiddenSize: 4 });
    scope(() => {
      const x = randn([4, 1, 3]);
      expect(thrown(() => gradientThroughTime({} as never, x))).toMatch(/^E_ARGUMENT: gradientThroughTime: model must be a LanguageModel or an RNN/);
      expect(thrown(() => gradientThroughTime(rnn, randn([4, 1, 2])))).toMatch(/^E_SHAPE: .*inputSize = 3, got float32 \[4, 1, 2\]/);
      expect(thrown(() => gradientThroughTime(rnn, x, { loss: 'first' as never }))).toMatch(/^E_ARGUMENT: .*loss must be 'last', 'window'/);
      expect(thrown(() => gradientThroughTime(rnn, x, { los: 'last' } as never))).toMatch(/^E_ARGUMENT: .*did you mean "loss"/);
      expect(thrown(() => gradientThroughTime(rnn, x, { loss: () => tensor([1, 2], [2]) }))).toMatch(/^E_ARGUMENT: .*scalar/);
      expect(thrown(() => gradientThroughTime(lm, x))).toMatch(/^E_ARGUMENT: .*reads a window/);
      expect(thrown(() => noGrad(() => gradientThroughTime(rnn, x)))).toMatch(/^E_GRAD: /);
    });
  });
});
