import { describe, expect, test } from 'vitest';
import { gruWorkspaceBytes, lstmWorkspaceBytes } from '@eddy/core-wasm';
import {
  EddyError, add, getCore, gruCell, gruSequence, lstmCell, lstmSequence, manualSeed, mul, noGrad, optim, rand, randn, rnnCell,
  rnnSequence, scope, stack, sum, tensor, type Tensor,
} from '../../index.js';
import { tapeLength } from '../../internal.js';

// Behaviour of the fused recurrent functions beyond their gradients: the cells are the sequence
// stepped one token at a time, inference keeps no workspace and records nothing, one call is one
// tape node, memory stays flat over training steps, and bad arguments are typed errors.

function uniform(shape: number[], scale = 0.8, requiresGrad = false): Tensor {
  return tensor(rand(shape).toFloat32Array().map((u) => scale * (2 * u - 1)), shape, { requiresGrad });
}

function code(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof EddyError) return { code: e.code, message: e.message };
    throw e;
  }
  return { message: 'no error' };
}

function expectClose(a: Float32Array, b: Float32Array, tol = 1e-6): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol);
}

type Kind = 'lstm' | 'gru' | 'gru-before' | 'rnn-tanh' | 'rnn-relu';
const G = (kind: Kind): number => (kind === 'lstm' ? 4 : kind.startsWith('gru') ? 3 : 1);

describe('the cell stepped T times is the sequence', () => {
  for (const kind of ['lstm', 'gru', 'gru-before', 'rnn-tanh', 'rnn-relu'] as Kind[]) {
    for (const reverse of [false, true]) {
      test(`${kind}${reverse ? ', reverse' : ''}: same outputs, final state and gradients`, () => {
        manualSeed(11);
        const [T, B, I, H] = [5, 3, 4, 6];
        scope(() => {
          const x = uniform([T, B, I], 1, true);
          const w = { wIh: uniform([G(kind) * H, I], 0.8, true), wHh: uniform([G(kind) * H, H], 0.8, true),
            bIh: uniform([G(kind) * H], 0.5, true), bHh: uniform([G(kind) * H], 0.5, true) };
          const h0 = uniform([B, H], 0.8, true), c0 = uniform([B, H], 0.8, true);
          const resetBefore = kind === 'gru-before';
          const nonlinearity = kind === 'rnn-relu' ? 'relu' : 'tanh';
          const params = [x, w.wIh, w.wHh, w.bIh, w.bHh, h0, ...(kind === 'lstm' ? [c0] : [])];
          const wo = uniform([T, B, H], 1), wh = uniform([B, H], 1), wc = uniform([B, H], 1);

          // Whole sequence: one fused call.
          const seq = kind === 'lstm' ? lstmSequence(x, { ...w, h0, c0, reverse })
            : kind.startsWith('gru') ? gruSequence(x, { ...w, h0, reverse, resetBefore })
            : rnnSequence(x, { ...w, h0, reverse, nonlinearity });
          const seqC = (seq as { c?: Tensor }).c;
          let loss = add(sum(mul(seq.output, wo)), sum(mul(seq.h, wh)));
          if (seqC) loss = add(loss, sum(mul(seqC, wc)));
          loss.backward();
          const seqGrads = params.map((p) => p.grad!.toFloat32Array());
          for (const p of params) p.zeroGrad();

          // The cell, one token at a time (in processing order), outputs stacked back by time.
          let h = h0, c = c0;
          const outs: Tensor[] = new Array<Tensor>(T);
          for (let s = 0; s < T; s++) {
            const t = reverse ? T - 1 - s : s;
            const xt = x.slice(0, t, t + 1).reshape([B, I]);
            if (kind === 'lstm') ({ h, c } = lstmCell(xt, { h, c }, w));
            else if (kind.startsWith('gru')) h = gruCell(xt, h, { ...w, resetBefore });
            else h = rnnCell(xt, h, { ...w, nonlinearity });
            outs[t] = h;
          }
          const output = stack(outs, 0);
          // NOTE: not bit-identical: the sequence does X·W_ihᵀ (and dX, dW backward) as one GEMM over
          // all T·B rows, a cell over B rows, and the GEMM's blocking (so its summation order)
          // depends on the row count. Measured differences are a few float32 ulps.
          expectClose(output.toFloat32Array(), seq.output.toFloat32Array(), 1e-6);
          expectClose(h.toFloat32Array(), seq.h.toFloat32Array(), 1e-6);
          if (seqC) expectClose(c.toFloat32Array(), seqC.toFloat32Array(), 1e-6);

          let stepLoss = add(sum(mul(output, wo)), sum(mul(h, wh)));
          if (seqC) stepLoss = add(stepLoss, sum(mul(c, wc)));
          stepLoss.backward();
          params.forEach((p, i) => expectClose(p.grad!.toFloat32Array(), seqGrads[i], 1e-5));
        });
      });
    }
  }
});

describe('inference and the tape', () => {
  test('a no-grad forward allocates no workspace and records no node; a recorded one does', () => {
    manualSeed(1);
    const arena = getCore().arena;
    const [T, B, I, H] = [8, 4, 3, 8];
    scope(() => {
      const x = uniform([T, B, I]);
      const w = { wIh: uniform([4 * H, I], 0.8, true), wHh: uniform([4 * H, H], 0.8, true) };
      const ws = lstmWorkspaceBytes(getCore(), T, B, I, H);
      const outputs = (T + 2) * B * H * 4;
      expect(ws).toBeGreaterThan(2 * outputs);

      // NOTE: the core keeps one scratch block for kernel calls that grows on demand; grow it first
      // (a recorded forward and its backward) so that it does not count below.
      scope(() => lstmSequence(x, w).output.sum().backward());

      // Bytes still allocated and nodes recorded right after fn (before its scope frees them).
      const delta = (fn: () => unknown): { used: number; nodes: number } => scope(() => {
        const before = arena.used;
        const tape = tapeLength();
        fn();
        return { used: arena.used - before, nodes: tapeLength() - tape };
      });

      const inference = delta(() => noGrad(() => lstmSequence(x, w)));
      expect(inference.nodes).toBe(0);
      expect(inference.used).toBeLessThan(ws);
      expect(inference.used).toBeGreaterThanOrEqual(outputs);

      // Grad mode on but nothing requires grad: no node either.
      const constants = { wIh: uniform([4 * H, I]), wHh: uniform([4 * H, H]) };
      const frozen = delta(() => {
        const r = lstmSequence(x, constants);
        expect(r.output.requiresGrad).toBe(false);
        expect(r.output.node).toBe(null);
      });
      expect(frozen.nodes).toBe(0);
      expect(frozen.used).toBe(inference.used);

      const training = delta(() => {
        const r = lstmSequence(x, w);
        expect(r.output.requiresGrad && r.h.requiresGrad && r.c.requiresGrad).toBe(true);
        expect(r.output.node).toBe(r.h.node);
      });
      expect(training.nodes).toBe(1);
      expect(training.used - inference.used).toBeGreaterThanOrEqual(ws);
    });
  });

  test('one tape node per call, whatever T; one per cell step', () => {
    manualSeed(2);
    scope(() => {
      const [T, B, I, H] = [40, 2, 3, 4];
      const x = uniform([T, B, I], 1, true);
      const lstmW = { wIh: uniform([4 * H, I]), wHh: uniform([4 * H, H]), bIh: uniform([4 * H]), bHh: uniform([4 * H]) };
      const gruW = { wIh: uniform([3 * H, I]), wHh: uniform([3 * H, H]) };
      const rnnW = { wIh: uniform([H, I]), wHh: uniform([H, H]) };
      const lengths = tensor([T, 7], [B], { dtype: 'int32' });
      let n = tapeLength();
      lstmSequence(x, { ...lstmW, lengths, h0: uniform([B, H]), c0: uniform([B, H]) });
      expect(tapeLength() - n).toBe(1);
      n = tapeLength();
      gruSequence(x, { ...gruW, reverse: true, resetBefore: true });
      expect(tapeLength() - n).toBe(1);
      n = tapeLength();
      rnnSequence(x, { ...rnnW, nonlinearity: 'relu', lengths });
      expect(tapeLength() - n).toBe(1);
      const xt = uniform([B, I], 1, true);
      n = tapeLength();
      lstmCell(xt, null, lstmW);
      gruCell(xt, null, gruW);
      rnnCell(xt, null, rnnW);
      expect(tapeLength() - n).toBe(3);
    });
  });

  test('backward leaves the upstream gradients untouched and frees the workspace', () => {
    manualSeed(3);
    const arena = getCore().arena;
    scope(() => {
      const [T, B, I, H] = [4, 2, 3, 5];
      const x = uniform([T, B, I], 1, true);
      const w = { wIh: uniform([3 * H, I], 0.8, true), wHh: uniform([3 * H, H], 0.8, true) };
      const gOut = uniform([T, B, H], 1);
      scope(() => gruSequence(x, w).output.backward(gOut)); // grows the core's scratch block first
      const before = gOut.toFloat32Array();
      const { output } = gruSequence(x, w);
      const ws = (output.node!.saved as { ws: Tensor }).ws;
      expect(ws.size * 4).toBeGreaterThanOrEqual(gruWorkspaceBytes(getCore(), T, B, I, H));
      const wsPtr = ws.ptr;
      expect(arena.isLive(wsPtr)).toBe(true);
      output.backward(gOut);
      expect(Array.from(gOut.toFloat32Array())).toEqual(Array.from(before));
      // The workspace went back to the arena as soon as the node's backward ran, not at scope end.
      expect(ws.disposed).toBe(true);
      expect(arena.isLive(output.ptr)).toBe(true);
      expect(gruWorkspaceBytes(getCore(), T, B, I, H)).toBe(5 * T * B * H * 4);
    });
  });

  test('memory stays flat over repeated scoped training steps (with and without backward)', () => {
    manualSeed(4);
    const arena = getCore().arena;
    const [T, B, I, H] = [6, 3, 4, 5];
    const params = [uniform([4 * H, I], 0.5, true), uniform([4 * H, H], 0.5, true), uniform([4 * H], 0.5, true), uniform([4 * H], 0.5, true),
      uniform([4 * H, H], 0.5, true)];
    const [wIh, wHh, bIh, bHh, wIh2] = params;
    const opt = new optim.Adam(params, { lr: 1e-3 });
    const x = uniform([T, B, I], 1);
    const lengths = tensor([6, 2, 4], [B], { dtype: 'int32' });
    let used = 0, reserved = 0;
    for (let step = 0; step < 300; step++) {
      scope(() => {
        opt.zeroGrad();
        const { output, h, c } = lstmSequence(x, { wIh, wHh, bIh, bHh, lengths });
        const { h: h2 } = lstmCell(h, { h, c }, { wIh: wIh2, wHh, bIh, bHh });
        const loss = add(sum(output), sum(h2));
        // Every third step the graph is dropped by the scope without a backward: its node's
        // workspace must then be freed by the scope, once.
        if (step % 3 !== 2) {
          loss.backward();
          opt.step();
        }
      });
      if (step === 30) [used, reserved] = [arena.used, arena.reserved];
    }
    expect(arena.used).toBe(used);
    expect(arena.reserved).toBe(reserved);
    for (const p of [...params, x, lengths]) p.dispose();
  });
});

describe('empty sequences', () => {
  test('T = 0: the final state is the initial state and its gradient passes straight through', () => {
    manualSeed(5);
    scope(() => {
      const [B, I, H] = [2, 3, 4];
      const h0 = uniform([B, H], 1, true), c0 = uniform([B, H], 1, true);
      const wIh = uniform([4 * H, I], 0.8, true);
      const r = lstmSequence(uniform([0, B, I], 1, true), { wIh, wHh: uniform([4 * H, H]), h0, c0 });
      expect(r.output.shape).toEqual([0, B, H]);
      expect(Array.from(r.h.toFloat32Array())).toEqual(Array.from(h0.toFloat32Array()));
      expect(Array.from(r.c.toFloat32Array())).toEqual(Array.from(c0.toFloat32Array()));
      add(sum(mul(r.h, 2)), sum(r.c)).backward();
      expect(Array.from(h0.grad!.toFloat32Array())).toEqual(new Array(B * H).fill(2));
      expect(Array.from(c0.grad!.toFloat32Array())).toEqual(new Array(B * H).fill(1));
      expect(Array.from(wIh.grad!.toFloat32Array())).toEqual(new Array(4 * H * I).fill(0));
    });
  });
});

describe('bad arguments are typed errors naming the function and the shapes', () => {
  const [T, B, I, H] = [3, 2, 4, 5];
  const ok = () => ({ wIh: randn([4 * H, I]), wHh: randn([4 * H, H]) });
  const cases: Array<[string, () => unknown, string, RegExp]> = [
    ['x of rank 2', () => lstmSequence(randn([B, I]), ok()), 'E_SHAPE', /lstmSequence: x must have rank 3.*\[2, 4\]/],
    ['wIh with the wrong input size', () => lstmSequence(randn([T, B, I]), { ...ok(), wIh: randn([4 * H, I + 1]) }), 'E_SHAPE', /lstmSequence: wIh must have shape \[4·H, I\] = \[20, 4\], got \[20, 5\]/],
    ['wHh not square per gate', () => gruSequence(randn([T, B, I]), { wIh: randn([3 * H, I]), wHh: randn([4 * H, H]) }), 'E_SHAPE', /gruSequence: wHh must have shape \[3·H, H\] = \[15, 5\], got \[20, 5\]/],
    ['a bias of the wrong size', () => rnnSequence(randn([T, B, I]), { wIh: randn([H, I]), wHh: randn([H, H]), bHh: randn([H + 1]) }), 'E_SHAPE', /rnnSequence: bHh must have shape \[H\] = \[5\], got \[6\]/],
    ['h0 of the wrong batch', () => lstmSequence(randn([T, B, I]), { ...ok(), h0: randn([B + 1, H]) }), 'E_SHAPE', /lstmSequence: h0 must have shape \[B, H\] = \[2, 5\], got \[3, 5\]/],
    ['c0 of the wrong size', () => lstmSequence(randn([T, B, I]), { ...ok(), c0: randn([B, H, 1]) }), 'E_SHAPE', /lstmSequence: c0 must have shape \[B, H\] = \[2, 5\], got \[2, 5, 1\]/],
    ['float lengths', () => lstmSequence(randn([T, B, I]), { ...ok(), lengths: tensor([1, 2]) }), 'E_ARGUMENT', /lstmSequence: lengths must be int32/],
    ['lengths of the wrong size', () => lstmSequence(randn([T, B, I]), { ...ok(), lengths: tensor([1, 2, 3], [3], { dtype: 'int32' }) }), 'E_SHAPE', /lstmSequence: lengths must have shape \[B\] = \[2\], got \[3\]/],
    ['a length beyond T', () => gruSequence(randn([T, B, I]), { wIh: randn([3 * H, I]), wHh: randn([3 * H, H]), lengths: tensor([1, 4], [2], { dtype: 'int32' }) }), 'E_ARGUMENT', /gruSequence: lengths\[1\] must be in \[0, T = 3\], got 4/],
    ['a negative length', () => gruSequence(randn([T, B, I]), { wIh: randn([3 * H, I]), wHh: randn([3 * H, H]), lengths: tensor([-1, 2], [2], { dtype: 'int32' }) }), 'E_ARGUMENT', /lengths\[0\]/],
    ['an unknown nonlinearity', () => rnnSequence(randn([T, B, I]), { wIh: randn([H, I]), wHh: randn([H, H]), nonlinearity: 'sigmoid' as 'tanh' }), 'E_ARGUMENT', /rnnSequence: nonlinearity must be 'tanh' or 'relu', got sigmoid/],
    ['a non-boolean reverse', () => lstmSequence(randn([T, B, I]), { ...ok(), reverse: 1 as unknown as boolean }), 'E_ARGUMENT', /lstmSequence: reverse must be a boolean/],
    ['no weights', () => lstmSequence(randn([T, B, I]), undefined as never), 'E_ARGUMENT', /lstmSequence: expected an options object/],
    ['a cell given a sequence', () => lstmCell(randn([T, B, I]), null, ok()), 'E_SHAPE', /lstmCell: x must have rank 2 \(\[B, I\]\), got \[3, 2, 4\]/],
    ['a cell state of the wrong size', () => gruCell(randn([B, I]), randn([B, H + 1]), { wIh: randn([3 * H, I]), wHh: randn([3 * H, H]) }), 'E_SHAPE', /gruCell: h must have shape \[B, H\] = \[2, 5\], got \[2, 6\]/],
    ['an int32 input', () => rnnCell(tensor([1, 2, 3, 4, 5, 6, 7, 8], [B, I], { dtype: 'int32' }), null, { wIh: randn([H, I]), wHh: randn([H, H]) }), 'E_ARGUMENT', /rnnCell: x must be float32/],
  ];
  for (const [name, fn, expected, message] of cases) {
    test(name, () => {
      const r = scope(() => code(fn));
      expect(r.code, r.message).toBe(expected);
      expect(r.message).toMatch(message);
    });
  }

  test('a freed tensor is E_SCOPE', () => {
    let w!: ReturnType<typeof ok>;
    scope(() => {
      w = ok();
    });
    expect(code(() => lstmSequence(randn([T, B, I]), w)).code).toBe('E_SCOPE');
  });
});
