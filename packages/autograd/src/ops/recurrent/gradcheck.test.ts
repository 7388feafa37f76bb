import { describe, expect, test } from 'vitest';
import { loadCoreSync } from '@eddy/core-wasm';
import {
  concat, getCore, useCore, gradcheck, gruCell, gruSequence, lstmCell, lstmSequence, manualSeed, rand, reshape, rnnCell, rnnSequence, scope,
  tensor, type Tensor,
} from '../../index.js';

// Every fused recurrent Function against central differences (see gradcheck's note on the float32
// tolerances), over every input: x, both weights, both biases, h0 (and c0), from every output at
// once (output, h and c concatenated and projected by gradcheck's fixed random weights), and from
// a single output (the others' upstream gradients are then null → pointer 0 in the kernel).

type Kind = 'lstm' | 'gru' | 'gru-before' | 'rnn-tanh' | 'rnn-relu';
const gatesOf = (kind: Kind): number => (kind === 'lstm' ? 4 : kind.startsWith('gru') ? 3 : 1);

function uniform(shape: number[], scale: number, grad = true): Tensor {
  return tensor(rand(shape).toFloat32Array().map((u) => scale * (2 * u - 1)), shape, { requiresGrad: grad });
}

const flat = (t: Tensor): Tensor => reshape(t, [-1]);

interface Case {
  bias?: boolean;
  state?: boolean;
  lengths?: number[];
  reverse?: boolean;
  /** Which outputs feed the loss. Default all. */
  use?: 'all' | 'output' | 'h' | 'c';
  /** Which inputs require grad (by name). Default all. */
  grads?: string[];
}

function check(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs);
  expect(r.mismatches, `worst ${r.worst}`).toEqual([]);
  expect(r.ok).toBe(true);
}

function sequenceCase(kind: Kind, c: Case): void {
  manualSeed(kind.length * 31 + (c.lengths?.[0] ?? 9) + (c.reverse ? 1 : 0));
  scope(() => {
    const [T, B, I, H] = [3, 2, 3, 2];
    const G = gatesOf(kind) * H;
    const wants = (name: string) => c.grads === undefined || c.grads.includes(name);
    const named: Record<string, Tensor> = {
      x: uniform([T, B, I], 1, wants('x')),
      wIh: uniform([G, I], 0.8, wants('wIh')),
      wHh: uniform([G, H], 0.8, wants('wHh')),
    };
    if (c.bias) {
      named.bIh = uniform([G], 0.5, wants('bIh'));
      named.bHh = uniform([G], 0.5, wants('bHh'));
    }
    if (c.state) {
      named.h0 = uniform([B, H], 0.8, wants('h0'));
      if (kind === 'lstm') named.c0 = uniform([B, H], 0.8, wants('c0'));
    }
    const names = Object.keys(named);
    const lengths = c.lengths ? tensor(c.lengths, [B], { dtype: 'int32' }) : null;
    const use = c.use ?? 'all';
    const fn = (...xs: Tensor[]): Tensor => {
      const a = Object.fromEntries(names.map((n, i) => [n, xs[i]]));
      const common = { wIh: a.wIh, wHh: a.wHh, bIh: a.bIh, bHh: a.bHh, h0: a.h0, lengths, reverse: c.reverse };
      const r: { output: Tensor; h: Tensor; c?: Tensor } =
        kind === 'lstm' ? lstmSequence(a.x, { ...common, c0: a.c0 })
        : kind.startsWith('gru') ? gruSequence(a.x, { ...common, resetBefore: kind === 'gru-before' })
        : rnnSequence(a.x, { ...common, nonlinearity: kind === 'rnn-relu' ? 'relu' : 'tanh' });
      if (use === 'output') return r.output;
      if (use === 'h') return r.h;
      if (use === 'c') return r.c!;
      return concat([flat(r.output), flat(r.h), ...(r.c ? [flat(r.c)] : [])]);
    };
    const inputs = names.map((n) => named[n]);
    check(fn, inputs);
    // Inputs that need no gradient get none (the kernel was given 0 for them).
    for (const n of names) if (!wants(n)) expect(named[n].grad, n).toBe(null);
  });
}

const kinds: Kind[] = ['lstm', 'gru', 'gru-before', 'rnn-tanh', 'rnn-relu'];
const cases: Array<[string, Case]> = [
  ['no biases, no initial state', {}],
  ['biases and initial state', { bias: true, state: true }],
  ['lengths (one empty sequence)', { bias: true, state: true, lengths: [3, 0] }],
  ['lengths, reverse', { bias: true, state: true, lengths: [2, 3], reverse: true }],
  ['reverse, no biases', { state: true, reverse: true }],
  ['only the output sequence feeds the loss', { bias: true, state: true, lengths: [1, 3], use: 'output' }],
  ['only the final h feeds the loss', { bias: true, state: true, lengths: [3, 2], use: 'h' }],
  ['only the weights require grad', { bias: true, state: true, grads: ['wHh', 'bHh', 'wIh'] }],
  ['only x and h0 require grad', { bias: true, state: true, grads: ['x', 'h0'] }],
];

describe('gradcheck of the fused sequence Functions', () => {
  for (const kind of kinds) for (const [name, c] of cases) test(`${kind}: ${name}`, () => sequenceCase(kind, c));
  test('lstm: only the final c feeds the loss', () => sequenceCase('lstm', { bias: true, state: true, lengths: [2, 3], use: 'c' }));
  test('lstm: only c0 requires grad', () => sequenceCase('lstm', { bias: true, state: true, grads: ['c0'] }));
});

describe('gradcheck on the checked debug build (no out-of-bounds access in the fused calls)', () => {
  const subset: Array<[Kind, Case]> = [
    ['lstm', { bias: true, state: true, lengths: [2, 0], reverse: true }],
    ['gru-before', { bias: true, state: true, lengths: [3, 1] }],
    ['gru', { use: 'h', grads: ['wHh', 'h0'], state: true }],
    ['rnn-relu', { bias: true, state: true, lengths: [1, 3], reverse: true }],
  ];
  test.each(subset)('%s %o', (kind, c) => {
    const before = getCore();
    useCore(loadCoreSync({ variant: 'debug' }));
    try {
      sequenceCase(kind, c);
    } finally {
      useCore(before);
    }
  });
});

describe('gradcheck of the cells', () => {
  const [B, I, H] = [2, 3, 2];
  for (const bias of [false, true]) {
    test(`lstmCell${bias ? ' with biases' : ''}`, () => {
      manualSeed(3);
      scope(() => {
        const xs = [uniform([B, I], 1), uniform([4 * H, I], 0.8), uniform([4 * H, H], 0.8), uniform([B, H], 0.8), uniform([B, H], 0.8)];
        if (bias) xs.push(uniform([4 * H], 0.5), uniform([4 * H], 0.5));
        check((x, wIh, wHh, h, c, bIh, bHh) => {
          const s = lstmCell(x, { h, c }, { wIh, wHh, bIh, bHh });
          return concat([flat(s.h), flat(s.c)]);
        }, xs);
      });
    });
    for (const resetBefore of [false, true]) {
      test(`gruCell${resetBefore ? ' (reset before)' : ''}${bias ? ' with biases' : ''}`, () => {
        manualSeed(4);
        scope(() => {
          const xs = [uniform([B, I], 1), uniform([3 * H, I], 0.8), uniform([3 * H, H], 0.8), uniform([B, H], 0.8)];
          if (bias) xs.push(uniform([3 * H], 0.5), uniform([3 * H], 0.5));
          check((x, wIh, wHh, h, bIh, bHh) => gruCell(x, h, { wIh, wHh, bIh, bHh, resetBefore }), xs);
        });
      });
    }
    for (const nonlinearity of ['tanh', 'relu'] as const) {
      test(`rnnCell (${nonlinearity})${bias ? ' with biases' : ''}`, () => {
        manualSeed(5);
        scope(() => {
          const xs = [uniform([B, I], 1), uniform([H, I], 0.8), uniform([H, H], 0.8), uniform([B, H], 0.8)];
          if (bias) xs.push(uniform([H], 0.5), uniform([H], 0.5));
          check((x, wIh, wHh, h, bIh, bHh) => rnnCell(x, h, { wIh, wHh, bIh, bHh, nonlinearity }), xs);
        });
      });
    }
  }
  test('a cell from a zero state (no h, c given)', () => {
    manualSeed(6);
    scope(() => {
      check((x, wIh, wHh) => concat([flat(lstmCell(x, null, { wIh, wHh }).c), flat(gruCell(x, null, { wIh: wIh.slice(0, 0, 3 * H), wHh: wHh.slice(0, 0, 3 * H) }))]),
        [uniform([B, I], 1), uniform([4 * H, I], 0.8), uniform([4 * H, H], 0.8)]);
    });
  });
});
