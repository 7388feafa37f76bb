import { EddyError, index, manualSeed, randn, scope, tensor, type Tensor } from '@eddy/autograd';
import { describe, expect, it } from 'vitest';
import { BuiltModules } from '../test/modules.js';
import type { LayerResult, RecurrentBase } from './runner.js';
import './gru.js';
import './lstm.js';
import './rnn.js';

// `forward(tokens, state, { embedding })`: the first layer reads E[tokens]. Where the fused kernels
// run and V < T·B it projects the table instead of every token; either way it must be the same
// function as gathering the embedding and calling forward on floats — outputs, states, and the
// gradients of the table and of every parameter.

type Recurrent = RecurrentBase<{ h?: Tensor | null; c?: Tensor | null }, LayerResult & { c?: Tensor }>;

const built = new BuiltModules();
const make = (type: string, options: Record<string, unknown>): Recurrent => built.make<Recurrent>({ type, ...options });

function worst(got: Float32Array, want: Float32Array): number {
  let w = 0;
  for (let i = 0; i < want.length; i++) w = Math.max(w, Math.abs(got[i] - want[i]) / (1e-5 + 1e-4 * Math.abs(want[i])));
  return w;
}

const cases: Array<[string, string, Record<string, unknown>, number]> = [
  ['LSTM, V < T·B (projected)', 'LSTM', { numLayers: 2 }, 5],
  ['GRU bidirectional, batchFirst (projected)', 'GRU', { bidirectional: true, batchFirst: true }, 5],
  ['RNN relu (projected)', 'RNN', { nonlinearity: 'relu' }, 5],
  ['LSTM, V ≥ T·B (gathered)', 'LSTM', { bidirectional: true }, 40],
  ['LSTM layerNorm, per-step path (gathered)', 'LSTM', { layerNorm: true }, 5],
];

describe('embedding input', () => {
  it.each(cases)('%s: same outputs and gradients as forward(E[tokens])', (_label, type, options, V) => {
    manualSeed(21);
    const [T, B, I, H] = [6, 4, 5, 3];
    const m = make(type, { inputSize: I, hiddenSize: H, ...options });
    const batchFirst = options.batchFirst === true;
    scope(() => {
      const table = randn([V, I]);
      table.requiresGrad = true;
      const ids = Int32Array.from({ length: T * B }, (_, i) => (i * 7 + 3) % V);
      const tokens = tensor(ids, batchFirst ? [B, T] : [T, B], { dtype: 'int32' });
      const run = (useEmbedding: boolean) => {
        for (const p of [table, ...m.parameters()]) p.grad = null;
        const out = useEmbedding ? m.forward(tokens, null, { embedding: table }) : m.forward(index(table, tokens), null);
        const weights = randn(out.output.shape);
        const loss = out.output.mul(weights).sum().add(out.h.sum()).add(out.c ? out.c.sum() : tensor([0], []));
        loss.backward();
        return { output: out.output.toFloat32Array(), h: out.h.toFloat32Array(), grads: [table, ...m.parameters()].map((p) => p.grad!.toFloat32Array()) };
      };
      manualSeed(5);
      const dense = run(false);
      manualSeed(5);
      const fromTokens = run(true);
      expect(worst(fromTokens.output, dense.output), 'output').toBeLessThanOrEqual(1);
      expect(worst(fromTokens.h, dense.h), 'h').toBeLessThanOrEqual(1);
      fromTokens.grads.forEach((g, i) => expect(worst(g, dense.grads[i]), `gradient ${i}`).toBeLessThanOrEqual(1));
    });
  });

  it('lengths and an initial state work with token input', () => {
    manualSeed(22);
    const m = make('LSTM', { inputSize: 4, hiddenSize: 3 });
    scope(() => {
      const table = randn([3, 4]);
      const tokens = tensor([0, 1, 2, 2, 1, 0], [3, 2], { dtype: 'int32' });
      const state = { h: randn([1, 2, 3]), c: randn([1, 2, 3]) };
      const a = m.forward(tokens, state, { embedding: table, lengths: [3, 1] });
      const b = m.forward(index(table, tokens), state, { lengths: [3, 1] });
      expect(worst(a.output.toFloat32Array(), b.output.toFloat32Array())).toBeLessThanOrEqual(1);
      expect(worst(a.c!.toFloat32Array(), b.c!.toFloat32Array())).toBeLessThanOrEqual(1);
    });
  });

  it('rejects a table of the wrong shape, float input, and ids of the wrong rank, naming them', () => {
    const m = make('GRU', { inputSize: 4, hiddenSize: 3 });
    scope(() => {
      const tokens = tensor([0, 1], [1, 2], { dtype: 'int32' });
      const fails = (fn: () => unknown, code: string, text: string) => {
        try {
          fn();
          expect.unreachable();
        } catch (e) {
          expect(e).toBeInstanceOf(EddyError);
          expect((e as EddyError).code).toBe(code);
          expect((e as Error).message).toContain(text);
        }
      };
      fails(() => m.forward(tokens, null, { embedding: randn([5, 3]) }), 'E_SHAPE', 'GRU.forward: embedding must have shape [V, inputSize = 4], got [5, 3]');
      fails(() => m.forward(randn([1, 2, 4]), null, { embedding: randn([5, 4]) }), 'E_ARGUMENT', 'GRU.forward: with an embedding, x must be int32 token ids [T, B], got float32');
      fails(() => m.forward(tensor([0, 1], [2], { dtype: 'int32' }), null, { embedding: randn([5, 4]) }), 'E_SHAPE', 'x must have shape [T, B], got [2]');
      fails(() => m.forward(tokens, null, { embedding: 'table' as never }), 'E_ARGUMENT', 'embedding must be a Tensor');
    });
  });
});
