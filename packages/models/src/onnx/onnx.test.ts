import { manualSeed, noGrad, randn, ready, scope, tensor } from '@eddy/autograd';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Linear } from '../layers/linear.js';
import { disposeState, LanguageModel, type CellKind } from '../lm/language-model.js';
import { GRU } from '../recurrent/gru.js';
import { LSTM } from '../recurrent/lstm.js';
import { RNN } from '../recurrent/rnn.js';
import { exportOnnx } from './export.js';
import { varint, ProtoWriter } from './protobuf.js';
import { OPSET_VERSION } from './onnx-proto.js';

// Every exported graph runs in onnxruntime-web (its wasm backend, in Node; the package finds its
// .wasm files beside itself, so no path is set) and must give Eddy's own outputs on random
// inputs and nonzero states: max |a − b| ≤ 1e-5·(1 + |b|) over every output.

const TOLERANCE = 1e-5;
/** The worst error of each case, printed at the end (the README and changeset quote them). */
const measured: Array<{ name: string; absolute: number; relative: number }> = [];

beforeAll(async () => {
  await ready();
  ort.env.wasm.numThreads = 1; // no worker threads: the machines are small and the graphs tiny
});

afterAll(() => {
  const worst = measured.reduce((w, m) => (m.relative > w.relative ? m : w), measured[0]);
  console.log(`onnx: ${measured.length} cases, worst max |a − b| / (1 + |b|) = ${worst.relative.toExponential(2)} (${worst.name}), worst max |a − b| = ${Math.max(...measured.map((m) => m.absolute)).toExponential(2)}`);
});

/** Asserts ONNX's `a` against Eddy's `b` and records the errors under `name`. */
function expectClose(name: string, a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  let absolute = 0;
  let relative = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    absolute = Math.max(absolute, d);
    relative = Math.max(relative, d / (1 + Math.abs(b[i])));
  }
  measured.push({ name, absolute, relative });
  expect(relative, `${name}: max |a − b| / (1 + |b|)`).toBeLessThanOrEqual(TOLERANCE);
}

function randomArray(shape: number[]): Float32Array {
  return scope(() => randn(shape).toFloat32Array());
}

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/** [T, B, F] → [B, T, F] (and back: the same swap). */
function swapTimeBatch(data: Float32Array, T: number, B: number, F: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.set(data.subarray((t * B + b) * F, (t * B + b + 1) * F), (b * T + t) * F);
  return out;
}

describe('exportOnnx: language models', () => {
  const cases: Array<[CellKind, number]> = [['lstm', 1], ['lstm', 2], ['gru', 1], ['gru', 2], ['rnn', 1], ['rnn', 2]];
  test.each(cases)('%s, %i layer(s): logits, hn (and cn) equal Eddy\'s for two batch and sequence sizes', async (cell, L) => {
    manualSeed(7);
    const V = 13;
    const H = 8;
    const lm = new LanguageModel({ vocabSize: V, hiddenSize: H, numLayers: L, cell, embeddingSize: 5 }).eval();
    try {
      const bytes = exportOnnx(lm);
      // Two shapes through the same file: the batch and sequence axes are dynamic.
      for (const [B, T] of [[3, 7], [1, 2]]) {
        const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 5 + 3 * B) % V); // [B, T], batch-major as ONNX reads them
        const h0 = randomArray([L, B, H]);
        const c0 = randomArray([L, B, H]);
        const eddy = noGrad(() =>
          scope(() => {
            const timeMajor = new Int32Array(T * B);
            for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) timeMajor[t * B + b] = ids[b * T + t];
            const state = { h: tensor(h0, [L, B, H]), c: cell === 'lstm' ? tensor(c0, [L, B, H]) : null };
            const r = lm.forward(tensor(timeMajor, [T, B], { dtype: 'int32' }), state);
            return { logits: swapTimeBatch(r.logits.toFloat32Array(), T, B, V), hn: r.state.h.toFloat32Array(), cn: r.state.c?.toFloat32Array() ?? null };
          }),
        );
        const feeds: Record<string, ort.Tensor> = {
          input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [B, T]),
          h0: new ort.Tensor('float32', h0, [L, B, H]),
        };
        if (cell === 'lstm') feeds.c0 = new ort.Tensor('float32', c0, [L, B, H]);
        const onnx = await run(bytes, feeds);
        expect(Object.keys(onnx).sort()).toEqual(cell === 'lstm' ? ['cn', 'hn', 'logits'] : ['hn', 'logits']);
        const name = `LM ${cell} ${L}L B${B} T${T}`;
        expectClose(`${name} logits`, onnx.logits, eddy.logits);
        expectClose(`${name} hn`, onnx.hn, eddy.hn);
        if (eddy.cn !== null) expectClose(`${name} cn`, onnx.cn, eddy.cn);
      }
    } finally {
      lm.dispose();
    }
  });
});

test('the README\'s serving loop: one token per run with hn and cn fed back gives the logits of Eddy\'s advance', async () => {
  manualSeed(3);
  const [V, H, L] = [9, 6, 2];
  const lm = new LanguageModel({ vocabSize: V, hiddenSize: H, numLayers: L }).eval();
  try {
    const session = await ort.InferenceSession.create(exportOnnx(lm));
    const zeros = () => new ort.Tensor('float32', new Float32Array(L * H), [L, 1, H]);
    let state: Record<string, ort.Tensor> = { h0: zeros(), c0: zeros() };
    const prompt = [4, 1, 7, 7, 2];
    let last: Float32Array = new Float32Array(0);
    for (const id of prompt) {
      const { logits, hn, cn } = await session.run({ input_ids: new ort.Tensor('int64', BigInt64Array.of(BigInt(id)), [1, 1]), ...state });
      last = logits.data as Float32Array;
      state = { h0: hn, c0: cn };
    }
    await session.release();
    const eddy = lm.advance(prompt, null);
    disposeState(eddy.state);
    expectClose('README loop (LSTM 2L, 5 steps)', last, eddy.logits);
  } finally {
    lm.dispose();
  }
});

describe('exportOnnx: recurrent layers', () => {
  const I = 4;
  const H = 5;
  const cases: Array<[string, () => LSTM | GRU | RNN]> = [
    ['LSTM 2 layers bidirectional', () => new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true })],
    ['LSTM batchFirst bidirectional, no bias', () => new LSTM({ inputSize: I, hiddenSize: H, bidirectional: true, batchFirst: true, bias: false })],
    ['GRU 2 layers bidirectional', () => new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true })],
    ['GRU resetBefore (linear_before_reset = 0)', () => new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, resetBefore: true })],
    ['RNN tanh 2 layers bidirectional', () => new RNN({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true })],
    ['RNN relu bidirectional batchFirst', () => new RNN({ inputSize: I, hiddenSize: H, nonlinearity: 'relu', bidirectional: true, batchFirst: true })],
  ];
  test.each(cases)('%s: output, hn (and cn) equal Eddy\'s', async (name, make) => {
    manualSeed(11);
    const rnn = make();
    try {
      const [T, B] = [6, 3];
      const LD = rnn.numLayers * rnn.numDirections;
      const isLstm = rnn instanceof LSTM;
      const xShape = rnn.batchFirst ? [B, T, I] : [T, B, I];
      const x = randomArray(xShape);
      const h0 = randomArray([LD, B, H]);
      const c0 = randomArray([LD, B, H]);
      const eddy = noGrad(() =>
        scope(() => {
          const r = rnn.forward(tensor(x, xShape), { h: tensor(h0, [LD, B, H]), ...(isLstm ? { c: tensor(c0, [LD, B, H]) } : {}) });
          return { output: r.output.toFloat32Array(), hn: r.h.toFloat32Array(), cn: 'c' in r ? (r.c as { toFloat32Array(): Float32Array }).toFloat32Array() : null };
        }),
      );
      const feeds: Record<string, ort.Tensor> = { input: new ort.Tensor('float32', x, xShape), h0: new ort.Tensor('float32', h0, [LD, B, H]) };
      if (isLstm) feeds.c0 = new ort.Tensor('float32', c0, [LD, B, H]);
      const onnx = await run(exportOnnx(rnn), feeds);
      expectClose(`${name} output`, onnx.output, eddy.output);
      expectClose(`${name} hn`, onnx.hn, eddy.hn);
      if (eddy.cn !== null) expectClose(`${name} cn`, onnx.cn, eddy.cn);
    } finally {
      rnn.dispose();
    }
  });
});

describe('exportOnnx: what it refuses', () => {
  test.each([
    ['layerNorm', () => new GRU({ inputSize: 3, hiddenSize: 4, layerNorm: true }), /layerNorm/],
    ['projSize', () => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2 }), /projSize/],
    ['peephole', () => new LSTM({ inputSize: 3, hiddenSize: 4, peephole: true }), /peephole/],
    ['coupledInputForget', () => new LSTM({ inputSize: 3, hiddenSize: 4, coupledInputForget: true }), /coupledInputForget/],
    ['residual', () => new RNN({ inputSize: 3, hiddenSize: 3, numLayers: 2, residual: true }), /residual/],
    ['mergeMode', () => new RNN({ inputSize: 3, hiddenSize: 4, bidirectional: true, mergeMode: 'sum' }), /mergeMode 'sum'/],
  ])('%s: E_UNSUPPORTED naming the option', (_, make, pattern) => {
    const m = make();
    try {
      expect(() => exportOnnx(m)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED', message: expect.stringMatching(pattern) }));
    } finally {
      m.dispose();
    }
  });

  test('a module it cannot write and an unknown option: E_ARGUMENT', () => {
    const linear = new Linear({ inFeatures: 2, outFeatures: 2 });
    expect(() => exportOnnx(linear as never)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringMatching(/LanguageModel, RNN, LSTM or GRU, got/) }));
    const gru = new GRU({ inputSize: 2, hiddenSize: 2 });
    expect(() => exportOnnx(gru, { docstring: 'x' } as never)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringMatching(/docString/) }));
    expect(() => exportOnnx(gru, { docString: 5 } as never)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    linear.dispose();
    gru.dispose();
  });
});

describe('the protobuf writer', () => {
  test('varints as the encoding spec gives them (1, 150, 300, 2³², −1)', () => {
    expect([...varint(1)]).toEqual([0x01]);
    expect([...varint(150)]).toEqual([0x96, 0x01]);
    expect([...varint(300)]).toEqual([0xac, 0x02]);
    expect([...varint(2 ** 32)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
    expect([...varint(-1)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  test('fields: tag = field << 3 | wire type, strings and nested messages length-prefixed', () => {
    const bytes = new ProtoWriter().int(2, OPSET_VERSION).string(1, 'ab').message(3, (m) => m.int(1, 150)).packedInts(4, [1, 300]).finish();
    expect([...bytes]).toEqual([0x10, 17, 0x0a, 2, 0x61, 0x62, 0x1a, 3, 0x08, 0x96, 0x01, 0x22, 3, 0x01, 0xac, 0x02]);
  });

  test('the model header: ir_version 8, producer eddy, the doc string, opset 17 in the default domain', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 2 });
    const bytes = exportOnnx(gru, { docString: 'from run/' });
    gru.dispose();
    expect([...bytes.subarray(0, 2)]).toEqual([0x08, 8]); // ir_version = 8
    const text = new TextDecoder('latin1').decode(bytes);
    expect(text).toContain('\x12\x04eddy'); // producer_name
    expect(text).toContain('\x32\x09from run/'); // doc_string
    expect([...bytes.subarray(bytes.length - 4)]).toEqual([0x42, 2, 0x10, 17]); // opset_import { version: 17 }, last
  });
});
