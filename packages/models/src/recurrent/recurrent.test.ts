import { EddyError, gradcheck, init, manualSeed, randn, scope, tensor, Tensor, zeros } from '@eddy/autograd';
import { describe, expect, it } from 'vitest';
import { BuiltModules } from '../test/modules.js';
import { Module, StateDictError } from '../module.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import { RNN } from './rnn.js';
import type { LayerResult, RecurrentBase } from './runner.js';

// Behaviour beyond PyTorch parity (parity.test.ts): options, configs, names, shapes, errors,
// packed-sequence semantics against an independent per-element run, dropout, init.

type Recurrent = RecurrentBase<{ h?: Tensor | null; c?: Tensor | null }, LayerResult>;
type Family = 'RNN' | 'LSTM' | 'GRU';

const built = new BuiltModules();
const make = (type: Family, options: Record<string, unknown>): Recurrent => built.make<Recurrent>({ type, ...options });

function expectError(fn: () => unknown, code: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a throw').toBeInstanceOf(EddyError);
  expect((caught as EddyError).code).toBe(code);
  for (const f of fragments) expect((caught as Error).message).toContain(f);
}

const GATES: Record<Family, number> = { RNN: 1, LSTM: 4, GRU: 3 };

describe('options and configs', () => {
  it.each([
    ['RNN', { inputSize: 3, hiddenSize: 5, numLayers: 2, nonlinearity: 'relu', bias: false, batchFirst: true, dropout: 0.25, bidirectional: true }],
    ['LSTM', { inputSize: 3, hiddenSize: 5, numLayers: 3, bias: true, batchFirst: false, dropout: 0.5, bidirectional: true, projSize: 2 }],
    ['GRU', { inputSize: 7, hiddenSize: 2, numLayers: 1, bias: false, batchFirst: true, dropout: 0, bidirectional: false }],
  ] as const)('%s: toConfig → JSON → fromConfig rebuilds the same architecture', (type, options) => {
    const m = make(type, options);
    const config = m.toConfig();
    // The options beyond PyTorch (variants/) are filled in at their defaults.
    const variants = { layerNorm: false, residual: false, mergeMode: 'concat', init: 'uniform', ...{ RNN: {}, LSTM: { peephole: false, coupledInputForget: false, forgetBias: null }, GRU: { resetBefore: false } }[type] };
    expect(config).toEqual({ type, ...options, ...variants });
    const again = Module.fromConfig(JSON.parse(JSON.stringify(config)));
    built.push(again);
    expect(again).toBeInstanceOf({ RNN, LSTM, GRU }[type]);
    expect(again.toConfig()).toEqual(config);
    expect(again.namedParameters().map(([n, t]) => [n, t.shape])).toEqual(m.namedParameters().map(([n, t]) => [n, t.shape]));
  });

  it('fills every default in the config', () => {
    const base = { inputSize: 2, hiddenSize: 3, numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: false, layerNorm: false, residual: false, mergeMode: 'concat', init: 'uniform' };
    expect(make('RNN', { inputSize: 2, hiddenSize: 3 }).toConfig()).toEqual({ type: 'RNN', ...base, nonlinearity: 'tanh' });
    expect(make('LSTM', { inputSize: 2, hiddenSize: 3 }).toConfig()).toEqual({ type: 'LSTM', ...base, projSize: 0, peephole: false, coupledInputForget: false, forgetBias: null });
    expect(make('GRU', { inputSize: 2, hiddenSize: 3 }).toConfig()).toEqual({ type: 'GRU', ...base, resetBefore: false });
  });

  it('rejects misspelt and foreign options, naming the key and the nearest one', () => {
    expectError(() => new LSTM({ inputSize: 2, hiddenSzie: 3 } as never), 'E_ARGUMENT', '"hiddenSzie"', 'did you mean "hiddenSize"');
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 3, batch_first: true } as never), 'E_ARGUMENT', '"batch_first"', '"batchFirst"');
    // Options of another family are foreign too: a GRU has no nonlinearity, an RNN no projSize.
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 3, nonlinearity: 'relu' } as never), 'E_ARGUMENT', '"nonlinearity"');
    expectError(() => new RNN({ inputSize: 2, hiddenSize: 3, projSize: 1 } as never), 'E_ARGUMENT', '"projSize"');
  });

  it('rejects bad values with what was expected and what came', () => {
    expectError(() => new RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: 'sigmoid' as never }), 'E_ARGUMENT', 'nonlinearity', '"sigmoid"');
    expectError(() => new LSTM({ inputSize: 2, hiddenSize: 3, projSize: 3 }), 'E_ARGUMENT', 'projSize', 'hiddenSize = 3', 'got 3');
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 0 }), 'E_ARGUMENT', 'hiddenSize', 'got 0');
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 1.5 }), 'E_ARGUMENT', 'numLayers', 'got 1.5');
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 3, dropout: 1 }), 'E_ARGUMENT', 'dropout', 'got 1');
    expectError(() => new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: 'yes' as never }), 'E_ARGUMENT', 'bidirectional');
    expectError(() => new GRU(undefined as never), 'E_ARGUMENT', 'required');
  });
});

describe('parameters', () => {
  it('have PyTorch names, shapes and order (LSTM with projection, 2 layers, bidirectional)', () => {
    const m = make('LSTM', { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, projSize: 2 });
    const expected: Array<[string, number[]]> = [];
    for (const l of [0, 1]) {
      for (const s of ['', '_reverse']) {
        const inSize = l === 0 ? 3 : 4; // D·P
        expected.push([`weight_ih_l${l}${s}`, [20, inSize]], [`weight_hh_l${l}${s}`, [20, 2]], [`bias_ih_l${l}${s}`, [20]], [`bias_hh_l${l}${s}`, [20]], [`weight_hr_l${l}${s}`, [2, 5]]);
      }
    }
    expect(m.namedParameters().map(([n, t]) => [n, t.shape])).toEqual(expected);
    expect(Object.keys(m.stateDict())).toEqual(expected.map(([n]) => n));
  });

  it('are drawn from U(−1/√H, 1/√H) in parameter order through the seeded RNG', () => {
    manualSeed(7);
    const m = make('GRU', { inputSize: 3, hiddenSize: 16, numLayers: 2, bidirectional: true });
    manualSeed(7);
    const bound = 0.25;
    for (const [name, p] of m.namedParameters()) {
      const want = init.uniform(zeros(p.shape), -bound, bound);
      expect(Array.from(p.toArray()), name).toEqual(Array.from(want.toArray()));
      want.dispose();
    }
    const all = m.parameters().flatMap((p) => Array.from(p.toArray()));
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(0.9 * bound); // spread over the range, not degenerate
  });

  it('strict loadStateDict names every missing, unexpected and mis-shaped key', () => {
    const m = make('LSTM', { inputSize: 3, hiddenSize: 4, bidirectional: true });
    const dict = { ...m.stateDict() };
    delete dict.bias_hh_l0_reverse;
    const extra = zeros([16, 4]);
    const wrong = zeros([16, 5]);
    dict.weight_ih_l1 = extra;
    dict.weight_hh_l0 = wrong;
    let caught: unknown;
    try {
      m.loadStateDict(dict);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StateDictError);
    const err = caught as StateDictError;
    expect(err.code).toBe('E_STATE_DICT');
    expect(err.missingKeys).toEqual(['bias_hh_l0_reverse']);
    expect(err.unexpectedKeys).toEqual(['weight_ih_l1']);
    expect(err.mismatchedKeys).toEqual([{ key: 'weight_hh_l0', expected: [16, 4], got: [16, 5] }]);
    for (const part of ['"bias_hh_l0_reverse"', '"weight_ih_l1"', '"weight_hh_l0": expected [16, 4], got [16, 5]']) expect(err.message).toContain(part);
    extra.dispose();
    wrong.dispose();
  });
});

describe('shapes for every option combination', () => {
  const T = 4;
  const B = 3;
  const I = 2;
  const H = 5;
  const combos: Array<[Family, Record<string, unknown>]> = [];
  for (const type of ['RNN', 'LSTM', 'GRU'] as const) {
    for (const numLayers of [1, 2]) {
      for (const bidirectional of [false, true]) {
        for (const batchFirst of [false, true]) {
          for (const bias of [false, true]) {
            for (const extra of type === 'LSTM' ? [{ projSize: 0 }, { projSize: 3 }] : type === 'RNN' ? [{ nonlinearity: 'tanh' }, { nonlinearity: 'relu' }] : [{}]) {
              combos.push([type, { inputSize: I, hiddenSize: H, numLayers, bidirectional, batchFirst, bias, ...extra }]);
            }
          }
        }
      }
    }
  }

  it(`${combos.length} combinations: outputs, states, parameter count and gradients have PyTorch's shapes`, () => {
    for (const [type, options] of combos) {
      const m = make(type, options);
      const D = options.bidirectional ? 2 : 1;
      const L = options.numLayers as number;
      const P = (options.projSize as number | undefined) ?? 0;
      const hOut = P > 0 ? P : H;
      const G = GATES[type];
      const perDir = (inSize: number) => G * H * inSize + G * H * hOut + (options.bias ? 2 * G * H : 0) + (P > 0 ? P * H : 0);
      expect(m.numParameters(), JSON.stringify(options)).toBe(D * (perDir(I) + (L - 1) * perDir(D * hOut)));
      scope(() => {
        for (const lengths of [null, [T, 1, 3]]) {
          const x = randn(options.batchFirst ? [B, T, I] : [T, B, I], { requiresGrad: true });
          const h0 = randn([L * D, B, hOut], { requiresGrad: true });
          const c0 = type === 'LSTM' ? randn([L * D, B, H], { requiresGrad: true }) : null;
          const r = m.forward(x, { h: h0, ...(c0 ? { c: c0 } : {}) }, { lengths });
          const what = `${type} ${JSON.stringify(options)} lengths ${String(lengths)}`;
          expect(r.output.shape, what).toEqual(options.batchFirst ? [B, T, D * hOut] : [T, B, D * hOut]);
          expect(r.h.shape, what).toEqual([L * D, B, hOut]);
          if (type === 'LSTM') expect(r.c?.shape, what).toEqual([L * D, B, H]);
          else expect(r.c, what).toBeUndefined();
          let loss = r.output.sum().add(r.h.sum());
          if (r.c) loss = loss.add(r.c.sum());
          loss.backward();
          expect(x.grad?.shape, what).toEqual(x.shape);
          expect(h0.grad?.shape, what).toEqual(h0.shape);
          if (c0) expect(c0.grad?.shape, what).toEqual(c0.shape);
        }
      });
      m.zeroGrad();
    }
  });
});

describe('input errors name both shapes', () => {
  it('x of the wrong rank or feature size', () => {
    const m = make('LSTM', { inputSize: 3, hiddenSize: 4 });
    const bf = make('GRU', { inputSize: 3, hiddenSize: 4, batchFirst: true });
    scope(() => {
      expectError(() => m.forward(randn([5, 2, 4])), 'E_SHAPE', 'LSTM.forward', '[T, B, inputSize = 3]', 'got [5, 2, 4]');
      expectError(() => m.forward(randn([5, 3])), 'E_SHAPE', 'got [5, 3]');
      expectError(() => bf.forward(randn([2, 5, 2])), 'E_SHAPE', 'GRU.forward', '[B, T, inputSize = 3] (batchFirst)', 'got [2, 5, 2]');
      expectError(() => m.forward('x' as never), 'E_ARGUMENT', 'x must be a Tensor');
    });
  });

  it('initial states of the wrong shape, or of the wrong kind', () => {
    const lstm = make('LSTM', { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, projSize: 2 });
    const gru = make('GRU', { inputSize: 3, hiddenSize: 4 });
    scope(() => {
      const x = randn([5, 2, 3]);
      expectError(() => lstm.forward(x, { h: randn([4, 2, 4]) }), 'E_SHAPE', 'state.h', '[4, 2, 2]', 'got [4, 2, 4]');
      expectError(() => lstm.forward(x, { c: randn([2, 2, 4]) }), 'E_SHAPE', 'state.c', '[4, 2, 4]', 'got [2, 2, 4]');
      expectError(() => gru.forward(x, { h: randn([1, 3, 4]) }), 'E_SHAPE', 'state.h', '[1, 2, 4]', 'got [1, 3, 4]');
      expectError(() => gru.forward(x, { h: randn([1, 2, 4]), c: randn([1, 2, 4]) }), 'E_ARGUMENT', 'no cell c');
      expectError(() => gru.forward(x, randn([1, 2, 4]) as never), 'E_ARGUMENT', 'state must be an object { h }');
    });
  });

  it('lengths of the wrong size, range or type', () => {
    const m = make('RNN', { inputSize: 3, hiddenSize: 4 });
    scope(() => {
      const x = randn([5, 2, 3]);
      expectError(() => m.forward(x, null, { lengths: [5, 2, 1] }), 'E_SHAPE', 'B = 2', 'got 3');
      expectError(() => m.forward(x, null, { lengths: [6, 2] }), 'E_ARGUMENT', 'lengths[0]', '[0, T = 5]', 'got 6');
      expectError(() => m.forward(x, null, { lengths: [2.5, 2] }), 'E_ARGUMENT', 'lengths[0]');
      expectError(() => m.forward(x, null, { lengths: tensor([5, 2], [2]) }), 'E_ARGUMENT', 'int32');
      expectError(() => m.forward(x, null, { lenghts: [5, 2] } as never), 'E_ARGUMENT', '"lenghts"', '"lengths"');
    });
  });
});

describe('semantics', () => {
  const families: Array<[Family, Record<string, unknown>]> = [
    ['RNN', { nonlinearity: 'tanh' }],
    ['LSTM', {}],
    ['LSTM', { projSize: 2 }],
    ['GRU', {}],
  ];

  // Packed sequences against an independent reference: each element run alone on its own valid
  // prefix must give the same output rows and final states, in both directions.
  it.each(families)('%s %j: lengths match running each element alone on its valid steps', (type, extra) => {
    const m = make(type, { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, ...extra });
    m.eval();
    const lengths = [2, 5, 4];
    const T = 5;
    scope(() => {
      const x = randn([T, 3, 3]);
      const hOut = m.stateSize;
      const h0 = randn([4, 3, hOut]);
      const c0 = randn([4, 3, 4]);
      const state = (b: number | null) => {
        const pick = (t: Tensor) => (b === null ? t : t.slice(1, b, b + 1));
        return type === 'LSTM' ? { h: pick(h0), c: pick(c0) } : { h: pick(h0) };
      };
      const all = m.forward(x, state(null), { lengths });
      for (let b = 0; b < 3; b++) {
        const alone = m.forward(x.slice(0, 0, lengths[b]).slice(1, b, b + 1), state(b));
        const rows = all.output.slice(1, b, b + 1);
        expectAllClose(rows.slice(0, 0, lengths[b]), alone.output, 1e-6);
        if (lengths[b] < T) expect(Array.from(rows.slice(0, lengths[b], T).toArray()).every((v) => v === 0)).toBe(true);
        expectAllClose(all.h.slice(1, b, b + 1), alone.h, 1e-6);
        if (type === 'LSTM') expectAllClose(all.c!.slice(1, b, b + 1), alone.c!, 1e-6);
      }
      // An int32 tensor and an array give the same result.
      const again = m.forward(x, state(null), { lengths: tensor(Int32Array.from(lengths), [3], { dtype: 'int32' }) });
      expect(Array.from(again.output.toArray())).toEqual(Array.from(all.output.toArray()));
    });
  });

  it.each(families)('%s %j: batchFirst is the transpose at the boundary, nothing else', (type, extra) => {
    manualSeed(3);
    const a = make(type, { inputSize: 3, hiddenSize: 4, numLayers: 2, ...extra });
    const b = make(type, { inputSize: 3, hiddenSize: 4, numLayers: 2, batchFirst: true, ...extra });
    b.loadStateDict(a.stateDict());
    scope(() => {
      const x = randn([5, 2, 3]);
      const ra = a.forward(x, null, { lengths: [5, 3] });
      const rb = b.forward(x.transpose(0, 1), null, { lengths: [5, 3] });
      expect(Array.from(rb.output.transpose(0, 1).toArray())).toEqual(Array.from(ra.output.toArray()));
      expect(Array.from(rb.h.toArray())).toEqual(Array.from(ra.h.toArray()));
    });
  });

  it('dropout acts between layers in training mode only, drawn from the seeded RNG', () => {
    manualSeed(11);
    const plain = make('GRU', { inputSize: 3, hiddenSize: 8, numLayers: 2 });
    const dropped = make('GRU', { inputSize: 3, hiddenSize: 8, numLayers: 2, dropout: 0.5 });
    const single = make('GRU', { inputSize: 3, hiddenSize: 8, numLayers: 1, dropout: 0.5 });
    const singlePlain = make('GRU', { inputSize: 3, hiddenSize: 8, numLayers: 1 });
    dropped.loadStateDict(plain.stateDict());
    singlePlain.loadStateDict(single.stateDict());
    scope(() => {
      const x = randn([4, 2, 3]);
      const want = Array.from(plain.forward(x).output.toArray());
      manualSeed(5);
      const train1 = Array.from(dropped.forward(x).output.toArray());
      manualSeed(5);
      const train2 = Array.from(dropped.forward(x).output.toArray());
      expect(train1).not.toEqual(want);
      expect(train2).toEqual(train1); // same seed, same mask
      expect(Array.from(dropped.eval().forward(x).output.toArray())).toEqual(want);
      // Not after the last layer: a one-layer stack is unaffected even in training mode.
      expect(Array.from(single.train().forward(x).output.toArray())).toEqual(Array.from(singlePlain.forward(x).output.toArray()));
    });
  });

  it('the per-step projection path passes gradcheck, with lengths and in reverse', () => {
    manualSeed(2);
    const m = make('LSTM', { inputSize: 2, hiddenSize: 3, bidirectional: true, projSize: 2 });
    const params = m.parameters();
    scope(() => {
      const x = randn([3, 2, 2], { requiresGrad: true });
      const h = randn([2, 2, 2], { requiresGrad: true });
      const c = randn([2, 2, 3], { requiresGrad: true });
      const result = gradcheck(
        (xx, hh, cc) => {
          const r = m.forward(xx, { h: hh, c: cc }, { lengths: [3, 2] });
          return r.output.sum().add(r.h.mul(r.h).sum()).add(r.c!.mul(2).sum());
        },
        [x, h, c, ...params],
      );
      expect(result.mismatches).toEqual([]);
      expect(result.ok).toBe(true);
    });
  });
});

function expectAllClose(a: Tensor, b: Tensor, tol: number): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.toArray();
  const y = b.toArray();
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i]), `element ${i}: ${x[i]} vs ${y[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(y[i])));
}

describe('README', () => {
  it('the recurrent example runs with the shapes it states', () => {
    const lstm = new LSTM({ inputSize: 10, hiddenSize: 20, numLayers: 2, bidirectional: true, batchFirst: true });
    built.push(lstm);
    scope(() => {
      const x = randn([3, 7, 10]);
      const { output, h, c } = lstm.forward(x, null, { lengths: [7, 4, 5] });
      expect([output.shape, h.shape, c.shape]).toEqual([[3, 7, 40], [4, 3, 20], [4, 3, 20]]);
      expect(Array.from(output.slice(0, 1, 2).slice(1, 4, 7).toArray()).every((v) => v === 0)).toBe(true);
      output.sum().backward();
    });
    expect(lstm.parameters().every((p) => p.grad !== null)).toBe(true);
  });
});
