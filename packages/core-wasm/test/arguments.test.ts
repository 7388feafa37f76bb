import { describe, expect, it } from 'vitest';
import * as elementwise from '../src/kernels/elementwise.js';
import * as embedding from '../src/kernels/embedding.js';
import * as gemm from '../src/kernels/gemm.js';
import * as gru from '../src/kernels/gru.js';
import * as loss from '../src/kernels/loss.js';
import * as lstm from '../src/kernels/lstm.js';
import * as optim from '../src/kernels/optim.js';
import * as rnn from '../src/kernels/rnn.js';
import { ArgNames, checkArgs, type KnownArgs } from '../src/validate.js';
import { core, expectEddyError } from './cores.js';

// Every kernel wrapper rejects argument names it does not read: a misspelt optional key would
// otherwise leave its default in force without a word (the bench once passed `dWih` for `dwIh`
// and got no weight gradients).

// Compile-time checks (tsc -p tsconfig.json fails if these stop being errors): a key list must
// name every key of its args interface, and nothing else.
interface Example {
  n: number;
  alpha?: number;
}
const complete = { n: true, alpha: true } as const satisfies KnownArgs<Example>;
// @ts-expect-error -- `alpha` is missing
const missing = { n: true } as const satisfies KnownArgs<Example>;
// @ts-expect-error -- `beta` is not an argument of Example
const extra = { n: true, alpha: true, beta: true } as const satisfies KnownArgs<Example>;
void [complete, missing, extra];

const c0 = core();
const arena = c0.arena;
/** A fresh zeroed block, large enough for every minimal call below (zero is a valid id and class). */
const block = () => arena.zerosF32(256);

interface Case {
  /** The wrapper's name as exported, which is also the operation its errors name. */
  op: string;
  call(args: object): unknown;
  /** Minimal valid arguments (the call must succeed with them). */
  args(): object;
}

const wrap = (op: string, fn: (core: typeof c0, args: never) => unknown, args: () => object): Case => ({
  op,
  call: (a) => fn(c0, a as never),
  args,
});

const seq = { T: 1, B: 1, I: 2, H: 2 };
const seqForward = () => ({ ...seq, x: block(), wIh: block(), wHh: block(), out: block() });
const seqBackward = (workspaceBytes: (core: typeof c0, T: number, B: number, I: number, H: number) => number) => () => ({
  ...seq, x: block(), wIh: block(), wHh: block(), ws: arena.alloc(workspaceBytes(c0, 1, 1, 2, 2)), dwIh: block(),
});
const vector = () => ({ n: 4, x: block(), out: block() });
const rows = () => ({ rows: 2, cols: 3, x: block(), out: block() });
const rowsGrad = () => ({ rows: 2, cols: 3, y: block(), dy: block(), dx: block() });
const grads = () => ({ n: 4, dy: block(), dx: block() });

const CASES: Case[] = [
  wrap('sgemm', gemm.sgemm, () => ({ m: 2, n: 2, k: 2, a: block(), b: block(), c: block() })),
  wrap('packB', gemm.packB, () => ({ n: 2, k: 2, b: block() })),
  wrap('sgemmPacked', gemm.sgemmPacked, () => ({
    m: 2, n: 2, k: 2, a: block(), c: block(), packed: gemm.packB(c0, { n: 2, k: 2, b: block() }),
  })),
  wrap('lstmForward', lstm.lstmForward, seqForward),
  wrap('lstmBackward', lstm.lstmBackward, seqBackward(lstm.lstmWorkspaceBytes)),
  wrap('gruForward', gru.gruForward, seqForward),
  wrap('gruBackward', gru.gruBackward, seqBackward(gru.gruWorkspaceBytes)),
  wrap('rnnForward', rnn.rnnForward, seqForward),
  wrap('rnnBackward', rnn.rnnBackward, seqBackward(rnn.rnnWorkspaceBytes)),
  ...(['add', 'sub', 'mul'] as const).map((op) => wrap(op, elementwise[op], () => ({ n: 4, a: block(), b: block(), out: block() }))),
  wrap('scale', elementwise.scale, () => ({ ...vector(), alpha: 2 })),
  wrap('axpy', elementwise.axpy, () => ({ n: 4, alpha: 2, x: block(), y: block() })),
  ...(['exp', 'log', 'sigmoid', 'tanh', 'relu'] as const).map((op) => wrap(op, elementwise[op], vector)),
  wrap('sigmoidBackward', elementwise.sigmoidBackward, () => ({ ...grads(), y: block() })),
  wrap('tanhBackward', elementwise.tanhBackward, () => ({ ...grads(), y: block() })),
  wrap('reluBackward', elementwise.reluBackward, () => ({ ...grads(), x: block() })),
  wrap('sum', elementwise.sum, () => ({ n: 4, x: block() })),
  wrap('sumOfSquares', elementwise.sumOfSquares, () => ({ n: 4, x: block() })),
  wrap('softmax', elementwise.softmax, rows),
  wrap('logSoftmax', elementwise.logSoftmax, rows),
  wrap('softmaxBackward', elementwise.softmaxBackward, rowsGrad),
  wrap('logSoftmaxBackward', elementwise.logSoftmaxBackward, rowsGrad),
  wrap('softmaxCrossEntropy', loss.softmaxCrossEntropy, () => ({ n: 2, c: 3, logits: block(), targets: block() })),
  wrap('embeddingGather', embedding.embeddingGather, () => ({ n: 2, v: 3, d: 2, ids: block(), table: block(), out: block() })),
  wrap('embeddingScatterAdd', embedding.embeddingScatterAdd, () => ({ n: 2, v: 3, d: 2, ids: block(), grad: block(), dtable: block() })),
  wrap('sgdUpdate', optim.sgdUpdate, () => ({ n: 4, param: block(), grad: block() })),
  wrap('adamUpdate', optim.adamUpdate, () => ({ n: 4, param: block(), grad: block(), expAvg: block(), expAvgSq: block(), step: 1 })),
  wrap('adamwUpdate', optim.adamwUpdate, () => ({ n: 4, param: block(), grad: block(), expAvg: block(), expAvgSq: block(), step: 1 })),
  wrap('rmspropUpdate', optim.rmspropUpdate, () => ({ n: 4, param: block(), grad: block(), squareAvg: block() })),
  wrap('adagradUpdate', optim.adagradUpdate, () => ({ n: 4, param: block(), grad: block(), stateSum: block(), step: 1 })),
  wrap('clipValue', optim.clipValue, () => ({ n: 4, grad: block(), clip: 1 })),
];

describe('every kernel wrapper rejects argument names it does not know', () => {
  it('covers every exported wrapper of src/kernels (all but the positional …WorkspaceBytes)', () => {
    const exported = [elementwise, embedding, gemm, gru, loss, lstm, optim, rnn]
      .flatMap((m) => Object.entries(m))
      .filter(([name, value]) => typeof value === 'function' && !name.endsWith('WorkspaceBytes'))
      .map(([name]) => name);
    expect(CASES.map((c) => c.op).sort()).toEqual(exported.sort());
  });

  describe.each(CASES)('$op', ({ op, call, args }) => {
    it('runs with its minimal arguments, and rejects the same plus one unknown key', () => {
      arena.scope(() => {
        expect(() => call(args())).not.toThrow();
        const unknown = new RegExp(`^${op}: unknown argument "bogus" \\(expected one of `);
        expectEddyError(() => call({ ...args(), bogus: 1 }), 'E_ARGUMENT', unknown);
        // Checked by name even when the value is undefined (the spread of an optional field).
        expectEddyError(() => call({ ...args(), bogus: undefined }), 'E_ARGUMENT', unknown);
        // Object.prototype's names are not arguments either.
        expectEddyError(() => call({ ...args(), constructor: 1 }), 'E_ARGUMENT', new RegExp(`^${op}: unknown argument "constructor"`));
      });
    });
    it('rejects arguments that are not an object', () => {
      for (const [bad, shown] of [[null, 'null'], [3, '3'], [undefined, 'undefined'], [[1], '\\[1\\]']] as const) {
        expectEddyError(() => call(bad as never), 'E_ARGUMENT', new RegExp(`^${op}: arguments must be an object of named arguments, got ${shown}$`));
      }
    });
  });
});

describe('a misspelt argument is named with the likely intended one, per family', () => {
  const did = (op: string, key: string, meant: string) =>
    new RegExp(`^${op}: unknown argument "${key}" \\(did you mean "${meant}"\\?\\)$`);
  const by = (op: string) => CASES.find((c) => c.op === op)!;
  const misspelt = (op: string, key: string, meant: string) => {
    arena.scope(() => expectEddyError(() => by(op).call({ ...by(op).args(), [key]: 1 }), 'E_ARGUMENT', did(op, key, meant)));
  };
  const FAMILIES: Array<[family: string, cases: Array<[op: string, key: string, meant: string]>]> = [
    ['gemm', [['sgemm', 'transb', 'transB'], ['sgemm', 'M', 'm'], ['sgemmPacked', 'pakced', 'packed'], ['packB', 'ldB', 'ldb']]],
    ['recurrent (the bench bug first)', [
      ['lstmBackward', 'dWih', 'dwIh'], ['lstmForward', 'C0', 'c0'], ['gruForward', 'resetbefore', 'resetBefore'],
      ['gruBackward', 'dWhh', 'dwHh'], ['rnnForward', 'Relu', 'relu'], ['rnnBackward', 'lenghts', 'lengths'],
    ]],
    ['elementwise and softmax', [
      ['reluBackward', 'accumulte', 'accumulate'], ['softmax', 'ldX', 'ldx'], ['logSoftmaxBackward', 'lddyy', 'lddy'], ['axpy', 'alpah', 'alpha'],
    ]],
    ['softmaxCrossEntropy', [['softmaxCrossEntropy', 'ignore_index', 'ignoreIndex'], ['softmaxCrossEntropy', 'ldlogits', 'ldLogits']]],
    ['embedding', [['embeddingGather', 'tabel', 'table'], ['embeddingScatterAdd', 'dTable', 'dtable']]],
    ['optimizers and clipping', [
      ['adamUpdate', 'weight_decay', 'weightDecay'], ['adamwUpdate', 'beta_1', 'beta1'], ['sgdUpdate', 'nestrov', 'nesterov'],
      ['rmspropUpdate', 'squareavg', 'squareAvg'], ['clipValue', 'clp', 'clip'],
    ]],
  ];
  it.each(FAMILIES)('%s', (_family, cases) => {
    for (const [op, key, meant] of cases) misspelt(op, key, meant);
  });
});

describe('checkArgs', () => {
  // It first compares the keys with those of the last accepted call: every change of shape
  // must still be looked up.
  const names = new ArgNames({ n: true, x: true, out: true, ldo: true } satisfies KnownArgs<{ n: number; x: number; out: number; ldo?: number }>);
  const check = (args: object) => () => checkArgs('op', args, names);
  it('accepts any subset in any order, and rejects a changed, added or reordered-in unknown key after an accepted call', () => {
    expect(check({ n: 1, x: 2, out: 3 })).not.toThrow();
    expectEddyError(check({ n: 1, x: 2, oot: 3 }), 'E_ARGUMENT', /^op: unknown argument "oot" \(did you mean "out"\?\)$/);
    expect(check({ n: 1, x: 2, out: 3 })).not.toThrow();
    expectEddyError(check({ n: 1, x: 2, out: 3, ld0: 4 }), 'E_ARGUMENT', /unknown argument "ld0" \(did you mean "ldo"\?\)/);
    expectEddyError(check({ n: 1, y: 2 }), 'E_ARGUMENT', /unknown argument "y" \(expected one of n, x, out, ldo\)/);
    expect(check({ out: 3, n: 1 })).not.toThrow();
    expect(check({})).not.toThrow();
    expectEddyError(check({ X: 2 }), 'E_ARGUMENT', /unknown argument "X" \(did you mean "x"\?\)/);
    expect(check({ ldo: 1, out: 3, x: 2, n: 1 })).not.toThrow();
  });
  it('checks inherited enumerable keys, which a wrapper would read too', () => {
    const inherited = Object.assign(Object.create({ stride: 4 }), { n: 1 }) as object;
    expectEddyError(check(inherited), 'E_ARGUMENT', /unknown argument "stride"/);
  });
});
