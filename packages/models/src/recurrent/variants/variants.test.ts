import {
  detach, EddyError, gradcheck, gruSequence, lstmSequence, manualSeed, randn, rnnSequence, scope, Tensor, tensor, type Nonlinearity,
} from '@eddy/autograd';
import { tapeLength } from '@eddy/autograd/internal';
import { describe, expect, it } from 'vitest';
import { BuiltModules } from '../../test/modules.js';
import { GRU } from '../gru.js';
import { LSTM } from '../lstm.js';
import { RNN } from '../rnn.js';
import type { LayerResult, LayerWeights, RecurrentBase } from '../runner.js';
import { runStepwise, type StepCell } from '../stepwise.js';
import { gruStep, lstmStep, rnnStep } from './steps.js';

// The options beyond PyTorch: the per-step machinery against the fused kernels, gradcheck of every
// variant, which path each option runs on, initialisations, parameter names, configs and errors.
// Their equations are checked against a float64 reference in reference.test.ts.

type Recurrent = RecurrentBase<{ h?: Tensor | null; c?: Tensor | null }, LayerResult>;

const built = new BuiltModules();
const make = (options: { type: string } & Record<string, unknown>): Recurrent => built.make<Recurrent>(options);

/** Expects fn to throw an EddyError with `code` whose message holds every fragment. */
function expectError(fn: () => unknown, code: string, ...fragments: string[]): void {
  expect(fn).toThrow(EddyError);
  expect(fn).toThrow(expect.objectContaining({ code }));
  for (const f of fragments) expect(fn).toThrow(f);
}

/** max |a − b| / (1 + |b|). */
function worst(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.toArray();
  const y = b.toArray();
  let w = 0;
  for (let i = 0; i < x.length; i++) w = Math.max(w, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
  return w;
}

describe('the per-step path with every option off matches the fused kernels', () => {
  // This proves the per-step machinery (hoisting, masks, reverse, state handling) on which the
  // primitive-path variants run: values ≤ 1e-5 and gradients ≤ 1e-4, as the parity tests.
  const T = 4;
  const B = 3;
  const I = 3;
  const H = 4;
  const kinds: Array<[string, number, StepCell, (x: Tensor, w: LayerWeights, h0: Tensor, c0: Tensor, lengths: Tensor | null, reverse: boolean) => LayerResult]> = [];
  for (const nonlinearity of ['tanh', 'relu'] as Nonlinearity[]) {
    kinds.push([`RNN ${nonlinearity}`, 1, rnnStep({ nonlinearity, layerNorm: false }), (x, w, h0, _c, lengths, reverse) => rnnSequence(x, { ...pick(w), h0, lengths, reverse, nonlinearity })]);
  }
  kinds.push(['LSTM', 4, lstmStep({ peephole: false, coupledInputForget: false, layerNorm: false }), (x, w, h0, c0, lengths, reverse) => lstmSequence(x, { ...pick(w), h0, c0, lengths, reverse })]);
  for (const resetBefore of [false, true]) {
    kinds.push([`GRU resetBefore ${resetBefore}`, 3, gruStep({ resetBefore, layerNorm: false }), (x, w, h0, _c, lengths, reverse) => gruSequence(x, { ...pick(w), h0, lengths, reverse, resetBefore })]);
  }

  it.each(kinds)('%s: outputs, final states and every gradient, both directions, with and without lengths', (_, G, cell, fused) => {
    manualSeed(4);
    scope(() => {
      for (const reverse of [false, true]) {
        for (const lengths of [null, tensor([4, 1, 3], [3], { dtype: 'int32' })]) {
          const leaf = (shape: number[]) => detach(randn(shape).mul(0.5)).setRequiresGrad();
          const x = leaf([T, B, I]);
          const h0 = leaf([B, H]);
          const c0 = leaf([B, H]);
          const w: LayerWeights = { wIh: leaf([G * H, I]), wHh: leaf([G * H, H]), bIh: leaf([G * H]), bHh: leaf([G * H]), wHr: null, extra: {} };
          const inputs = [x, h0, c0, w.wIh, w.wHh, w.bIh!, w.bHh!];
          const rOut = randn([T, B, H]);
          const rH = randn([B, H]);
          const grads = (r: LayerResult): { values: Tensor[]; grads: Tensor[] } => {
            for (const t of inputs) t.grad = null;
            let loss = r.output.mul(rOut).sum().add(r.h.mul(rH).sum());
            if (r.c !== undefined) loss = loss.add(r.c.mul(rH).sum());
            loss.backward();
            const values = [r.output, r.h, ...(r.c === undefined ? [] : [r.c])];
            return { values, grads: inputs.map((t) => t.grad ?? tensor(new Float32Array(t.size), t.shape)) };
          };
          const want = grads(fused(x, w, h0, c0, lengths, reverse));
          const got = grads(runStepwise(cell, x, w, h0, G === 4 ? c0 : null, lengths, reverse));
          const what = `reverse ${reverse}, lengths ${lengths === null ? 'none' : 'given'}`;
          want.values.forEach((v, i) => expect(worst(got.values[i], v), `${what}: value ${i}`).toBeLessThanOrEqual(1e-5));
          want.grads.forEach((g, i) => expect(worst(got.grads[i], g), `${what}: gradient of input ${i}`).toBeLessThanOrEqual(1e-4));
        }
      }
    });
  });
});

function pick(w: LayerWeights) {
  return { wIh: w.wIh, wHh: w.wHh, bIh: w.bIh, bHh: w.bHh };
}

describe('gradcheck of every variant (small shapes, lengths, both directions)', () => {
  const cases: Array<[string, { type: string } & Record<string, unknown>]> = [
    ['LSTM peephole', { type: 'LSTM', peephole: true }],
    ['LSTM coupled + peephole', { type: 'LSTM', coupledInputForget: true, peephole: true }],
    // NOTE: layer norm over 2 features is ±1 up to ε (a sign function), too curved for central
    // differences; 3 features are enough to be smooth.
    ['LSTM layer norm + projection', { type: 'LSTM', layerNorm: true, projSize: 1, hiddenSize: 3 }],
    ['GRU layer norm + reset-before', { type: 'GRU', layerNorm: true, resetBefore: true, hiddenSize: 3 }],
    ['GRU reset-before (fused)', { type: 'GRU', resetBefore: true }],
    ['RNN layer norm', { type: 'RNN', layerNorm: true, hiddenSize: 3 }],
    ['RNN residual + mergeMode mul', { type: 'RNN', residual: true, mergeMode: 'mul', numLayers: 2 }],
    ['LSTM residual + mergeMode mean', { type: 'LSTM', residual: true, mergeMode: 'mean', numLayers: 2 }],
  ];
  it.each(cases)('%s', (_, options) => {
    manualSeed(8);
    const m = make({ inputSize: 2, hiddenSize: 2, bidirectional: true, ...options });
    const hasCell = options.type === 'LSTM';
    const LD = m.numLayers * 2;
    scope(() => {
      const x = randn([3, 2, 2], { requiresGrad: true });
      const h = randn([LD, 2, m.stateSize], { requiresGrad: true });
      const c = randn([LD, 2, m.hiddenSize], { requiresGrad: true });
      const states = hasCell ? [h, c] : [h];
      const result = gradcheck(
        (xx, hh, ...rest) => {
          const r = m.forward(xx, hasCell ? { h: hh, c: rest[0] } : { h: hh }, { lengths: [3, 2] });
          let loss = r.output.sum().add(r.h.mul(r.h).sum());
          if (r.c !== undefined) loss = loss.add(r.c.mul(2).sum());
          return loss;
        },
        [x, ...states, ...m.parameters()],
      );
      expect(result.mismatches).toEqual([]);
      expect(result.ok).toBe(true);
    });
  });
});

describe('which path each option runs on', () => {
  // The fused path records one tape node per layer and direction for the whole sequence; the
  // per-step path records several per step. T = 12 separates them by an order of magnitude.
  const nodes = (options: { type: string } & Record<string, unknown>): number => {
    const m = make({ inputSize: 3, hiddenSize: 4, ...options });
    return scope(() => {
      const before = tapeLength();
      m.forward(randn([12, 2, 3]));
      return tapeLength() - before;
    });
  };
  it.each([
    { type: 'LSTM', forgetBias: 1 },
    { type: 'LSTM', init: 'orthogonal' },
    { type: 'GRU', resetBefore: true },
    { type: 'RNN', init: 'identity', nonlinearity: 'relu' },
    { type: 'GRU', bidirectional: true, mergeMode: 'sum' },
    { type: 'LSTM', numLayers: 2, residual: true },
  ])('fused: %j', (options) => {
    expect(nodes(options)).toBeLessThan(12);
  });
  it.each([
    { type: 'LSTM', peephole: true },
    { type: 'LSTM', coupledInputForget: true },
    { type: 'LSTM', layerNorm: true },
    { type: 'GRU', layerNorm: true },
    { type: 'RNN', layerNorm: true },
  ])('per-step: %j', (options) => {
    expect(nodes(options)).toBeGreaterThan(3 * 12);
  });
});

describe('initialisation', () => {
  const values = (t: Tensor) => Array.from(t.toArray());
  const block = (m: Recurrent, name: string, g: number) => {
    const w = m.stateDict()[name];
    const cols = w.shape[1];
    return values(w).slice(g * m.hiddenSize * cols, (g + 1) * m.hiddenSize * cols);
  };

  it("'identity' (IRNN): W_hh = I per gate block, biases 0, W_ih drawn as usual", () => {
    const m = make({ type: 'RNN', inputSize: 3, hiddenSize: 4, nonlinearity: 'relu', init: 'identity', numLayers: 2 });
    for (const l of [0, 1]) {
      expect(values(m.stateDict()[`weight_hh_l${l}`])).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
      expect(values(m.stateDict()[`bias_ih_l${l}`]).concat(values(m.stateDict()[`bias_hh_l${l}`])).every((v) => v === 0)).toBe(true);
      expect(values(m.stateDict()[`weight_ih_l${l}`]).some((v) => v !== 0)).toBe(true);
    }
    const lstm = make({ type: 'LSTM', inputSize: 3, hiddenSize: 3, projSize: 2, init: 'identity' });
    for (let g = 0; g < 4; g++) expect(block(lstm, 'weight_hh_l0', g)).toEqual([1, 0, 0, 1, 0, 0]); // [H, P]: leading diagonal
  });

  it("'orthogonal': each gate block of W_hh has QᵀQ = I, drawn through the seeded RNG", () => {
    manualSeed(5);
    const m = make({ type: 'GRU', inputSize: 3, hiddenSize: 5, init: 'orthogonal', bidirectional: true });
    manualSeed(5);
    const again = make({ type: 'GRU', inputSize: 3, hiddenSize: 5, init: 'orthogonal', bidirectional: true });
    for (const name of ['weight_hh_l0', 'weight_hh_l0_reverse']) {
      expect(values(again.stateDict()[name])).toEqual(values(m.stateDict()[name]));
      const blocks = [0, 1, 2].map((g) => block(m, name, g));
      for (const q of blocks) {
        for (let i = 0; i < 5; i++) {
          for (let j = 0; j < 5; j++) {
            let dot = 0;
            for (let k = 0; k < 5; k++) dot += q[k * 5 + i] * q[k * 5 + j];
            expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-5);
          }
        }
      }
      expect(blocks[0]).not.toEqual(blocks[1]); // drawn separately
    }
  });

  it('forgetBias sets b_ih\'s f rows (and zeroes b_hh\'s), i|f|g|o or f|g|o with the coupled gate', () => {
    const H = 3;
    for (const [coupled, fRow] of [[false, H], [true, 0]] as const) {
      const m = make({ type: 'LSTM', inputSize: 2, hiddenSize: H, forgetBias: 1, coupledInputForget: coupled, numLayers: 2 });
      for (const l of [0, 1]) {
        const bIh = values(m.stateDict()[`bias_ih_l${l}`]);
        const bHh = values(m.stateDict()[`bias_hh_l${l}`]);
        expect(bIh.slice(fRow, fRow + H)).toEqual([1, 1, 1]);
        expect(bHh.slice(fRow, fRow + H)).toEqual([0, 0, 0]);
        const rest = [...bIh.slice(0, fRow), ...bIh.slice(fRow + H)];
        expect(rest.every((v) => v !== 0 && Math.abs(v) <= 1 / Math.sqrt(H))).toBe(true);
      }
    }
  });

  it('layer-norm gains start at 1 and the cell shift at 0; peepholes are drawn like the rest', () => {
    const m = make({ type: 'LSTM', inputSize: 2, hiddenSize: 3, layerNorm: true, peephole: true });
    const d = m.stateDict();
    for (const name of ['weight_ln_ih_l0', 'weight_ln_hh_l0', 'weight_ln_c_l0']) expect(values(d[name]).every((v) => v === 1)).toBe(true);
    expect(values(d.bias_ln_c_l0)).toEqual([0, 0, 0]);
    for (const name of ['weight_ci_l0', 'weight_cf_l0', 'weight_co_l0']) expect(values(d[name]).every((v) => v !== 0 && Math.abs(v) <= 1 / Math.sqrt(3))).toBe(true);
  });
});

describe('parameters', () => {
  const shapes = (m: Recurrent) => m.namedParameters().map(([n, t]) => [n, t.shape]);

  it("LSTM peephole + layer norm: PyTorch's parameters, then the variant's, per layer and direction", () => {
    const m = make({ type: 'LSTM', inputSize: 3, hiddenSize: 4, layerNorm: true, peephole: true, bidirectional: true });
    const want: Array<[string, number[]]> = [];
    for (const s of ['_l0', '_l0_reverse']) {
      want.push([`weight_ih${s}`, [16, 3]], [`weight_hh${s}`, [16, 4]], [`bias_ih${s}`, [16]], [`bias_hh${s}`, [16]]);
      want.push([`weight_ci${s}`, [4]], [`weight_cf${s}`, [4]], [`weight_co${s}`, [4]]);
      want.push([`weight_ln_ih${s}`, [16]], [`weight_ln_hh${s}`, [16]], [`weight_ln_c${s}`, [4]], [`bias_ln_c${s}`, [4]]);
    }
    expect(shapes(m)).toEqual(want);
  });

  it('the coupled gate has no i rows and no weight_ci; without bias, no bias_ln_c', () => {
    const m = make({ type: 'LSTM', inputSize: 3, hiddenSize: 4, coupledInputForget: true, peephole: true, layerNorm: true, bias: false });
    expect(shapes(m)).toEqual([
      ['weight_ih_l0', [12, 3]], ['weight_hh_l0', [12, 4]], ['weight_cf_l0', [4]], ['weight_co_l0', [4]],
      ['weight_ln_ih_l0', [12]], ['weight_ln_hh_l0', [12]], ['weight_ln_c_l0', [4]],
    ]);
  });

  it('layer-norm GRU and RNN gains; merge modes other than concat halve layer l + 1\'s input', () => {
    expect(shapes(make({ type: 'GRU', inputSize: 3, hiddenSize: 4, layerNorm: true, bias: false }))).toEqual([
      ['weight_ih_l0', [12, 3]], ['weight_hh_l0', [12, 4]], ['weight_ln_ih_l0', [12]], ['weight_ln_hh_l0', [12]],
    ]);
    expect(shapes(make({ type: 'RNN', inputSize: 3, hiddenSize: 4, layerNorm: true })).slice(4)).toEqual([['weight_ln_ih_l0', [4]], ['weight_ln_hh_l0', [4]]]);
    for (const [mergeMode, width] of [['concat', 8], ['sum', 4], ['mean', 4], ['mul', 4]] as const) {
      const m = make({ type: 'GRU', inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, mergeMode });
      expect(m.stateDict().weight_ih_l1.shape).toEqual([12, width]);
      scope(() => {
        const r = m.forward(randn([5, 2, 3]), null, { lengths: [5, 3] });
        expect(r.output.shape).toEqual([5, 2, width]);
        expect(r.h.shape).toEqual([4, 2, 4]); // the state keeps both directions
        expect(Array.from(r.output.slice(1, 1, 2).slice(0, 3, 5).toArray()).every((v) => v === 0)).toBe(true); // padding rows
      });
    }
  });
});

describe('configs', () => {
  it.each([
    { type: 'LSTM', inputSize: 3, hiddenSize: 5, numLayers: 2, bias: true, batchFirst: true, dropout: 0.1, bidirectional: true, layerNorm: true, residual: true, mergeMode: 'mean', init: 'orthogonal', projSize: 2, peephole: true, coupledInputForget: true, forgetBias: 1 },
    { type: 'GRU', inputSize: 4, hiddenSize: 2, numLayers: 3, bias: false, batchFirst: false, dropout: 0, bidirectional: true, layerNorm: true, residual: true, mergeMode: 'mul', init: 'identity', resetBefore: true },
    { type: 'RNN', inputSize: 2, hiddenSize: 6, numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: true, layerNorm: false, residual: false, mergeMode: 'sum', init: 'identity', nonlinearity: 'relu' },
  ])('$type: every new option survives toConfig → JSON → fromConfig', (config) => {
    const m = make(config);
    expect(m.toConfig()).toEqual(config);
    const again = make(JSON.parse(JSON.stringify(m.toConfig())));
    expect(again.toConfig()).toEqual(config);
    expect(again.namedParameters().map(([n, t]) => [n, t.shape])).toEqual(m.namedParameters().map(([n, t]) => [n, t.shape]));
    again.loadStateDict(m.stateDict()); // strict: the variant's parameters are named the same
  });
});

describe('errors', () => {
  it('misspelt options name the nearest one; options of another family are foreign', () => {
    expectError(() => new LSTM({ inputSize: 2, hiddenSize: 3, peepholes: true } as never), 'E_ARGUMENT', '"peepholes"', 'did you mean "peephole"');
    expectError(() => new LSTM({ inputSize: 2, hiddenSize: 3, forgetbias: 1 } as never), 'E_ARGUMENT', '"forgetbias"', 'did you mean "forgetBias"');
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 3, layernorm: true } as never), 'E_ARGUMENT', 'did you mean "layerNorm"');
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 3, resetAfter: true } as never), 'E_ARGUMENT', '"resetAfter"');
    expectError(() => new RNN({ inputSize: 2, hiddenSize: 3, resetBefore: true } as never), 'E_ARGUMENT', '"resetBefore"');
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 3, peephole: true } as never), 'E_ARGUMENT', '"peephole"');
    expectError(() => new RNN({ inputSize: 2, hiddenSize: 3, mergemode: 'sum' } as never), 'E_ARGUMENT', 'did you mean "mergeMode"');
  });

  it('bad values and combinations that would do nothing', () => {
    expectError(() => new LSTM({ inputSize: 2, hiddenSize: 3, peephole: 1 as never }), 'E_ARGUMENT', 'peephole', 'got 1');
    expectError(() => new LSTM({ inputSize: 2, hiddenSize: 3, forgetBias: 'one' as never }), 'E_ARGUMENT', 'forgetBias', 'finite number');
    expectError(() => new LSTM({ inputSize: 2, hiddenSize: 3, forgetBias: Number.NaN }), 'E_ARGUMENT', 'forgetBias');
    expectError(() => new LSTM({ inputSize: 2, hiddenSize: 3, forgetBias: 1, bias: false }), 'E_ARGUMENT', 'forgetBias', 'needs bias: true');
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 3, residual: true }), 'E_ARGUMENT', 'residual', 'numLayers >= 2', 'got numLayers = 1');
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 2, mergeMode: 'sum' }), 'E_ARGUMENT', 'mergeMode "sum"', 'needs bidirectional: true');
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true, mergeMode: 'max' as never }), 'E_ARGUMENT', 'mergeMode', '"concat", "sum", "mean", "mul"', '"max"');
    expectError(() => new RNN({ inputSize: 2, hiddenSize: 3, init: 'xavier' as never }), 'E_ARGUMENT', 'init', '"identity"', '"xavier"');
    expectError(() => new RNN({ inputSize: 2, hiddenSize: 3, layerNorm: 'yes' as never }), 'E_ARGUMENT', 'layerNorm');
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 3, resetBefore: null as never }), 'E_ARGUMENT', 'resetBefore');
  });
});

describe('README', () => {
  it('the variants example runs with the shapes it states', () => {
    const lstm = new LSTM({ inputSize: 8, hiddenSize: 16, numLayers: 3, bidirectional: true, mergeMode: 'sum', residual: true, peephole: true, layerNorm: true, forgetBias: 1 });
    const gru = new GRU({ inputSize: 8, hiddenSize: 16, resetBefore: true, init: 'orthogonal' });
    const irnn = new RNN({ inputSize: 8, hiddenSize: 16, nonlinearity: 'relu', init: 'identity' });
    built.push(lstm, gru, irnn);
    scope(() => {
      const x = randn([5, 2, 8]);
      const { output, h, c } = lstm.forward(x, null, { lengths: [5, 3] });
      expect([output.shape, h.shape, c.shape]).toEqual([[5, 2, 16], [6, 2, 16], [6, 2, 16]]);
      expect(gru.forward(x).output.shape).toEqual([5, 2, 16]);
      expect(irnn.forward(x).h.shape).toEqual([1, 2, 16]);
    });
    expect(lstm.namedParameters().slice(4, 11).map(([n]) => n)).toEqual(['weight_ci_l0', 'weight_cf_l0', 'weight_co_l0', 'weight_ln_ih_l0', 'weight_ln_hh_l0', 'weight_ln_c_l0', 'bias_ln_c_l0']);
  });
});
