import { EddyError, manualSeed, noGrad, optim, scope, tensor } from '@eddy/autograd';
import { LmBatcher } from '@eddy/text';
import { describe, expect, test } from 'vitest';
import { disposeState, LanguageModel, type CellKind, type LmState } from './language-model.js';
import { QuantizedLanguageModel } from './quantized.js';
import { windowTraining } from './window-training.js';

// A repetitive stream a small model learns in a few dozen steps, so that its distributions are peaked
// (the regime sampling runs in) and not the flat ones of random weights.
const ids = Int32Array.from({ length: 600 }, (_, i) => (i * 7 + (i >> 3)) % 13);

function trained(cell: CellKind, steps: number): LanguageModel {
  manualSeed(5);
  const lm = new LanguageModel({ vocabSize: 13, hiddenSize: 48, numLayers: 2, cell });
  const batcher = new LmBatcher(ids, { batchSize: 8, seqLen: 16 });
  const windows = windowTraining(lm, () => batcher.next());
  const opt = new optim.Adam(lm.parameters(), { lr: 1e-2 });
  for (let i = 0; i < steps; i++) {
    scope(() => {
      const { loss } = windows.loss(i);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    });
    windows.afterStep();
  }
  windows.dispose();
  lm.eval();
  return lm;
}

function logSoftmax(z: Float32Array): Float64Array {
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  let s = 0;
  for (const v of z) s += Math.exp(v - m);
  return Float64Array.from(z, (v) => v - m - Math.log(s));
}

/** Feeds `seq` one id at a time; the log-probabilities of every next token. */
function stepLogProbs(model: { advance: LanguageModel['advance'] }, seq: Int32Array): Float64Array[] {
  let state: LmState | null = null;
  const out: Float64Array[] = [];
  for (const id of seq) {
    const r = model.advance([id], state);
    state = r.state;
    out.push(logSoftmax(r.logits));
  }
  disposeState(state);
  return out;
}

describe('QuantizedLanguageModel', () => {
  test.each(['lstm', 'gru', 'rnn'] as const)('%s: int8 per-step log-probabilities stay within 0.05 nats of float32 on a trained model', (cell) => {
    const lm = trained(cell, 60);
    const q = new QuantizedLanguageModel(lm, 'int8');
    const seq = ids.subarray(100, 160);
    const f = stepLogProbs(lm, seq), g = stepLogProbs(q, seq);
    let worst = 0, differs = false;
    for (let t = 0; t < f.length; t++) {
      for (let v = 0; v < 13; v++) {
        worst = Math.max(worst, Math.abs(f[t][v] - g[t][v]));
        differs ||= f[t][v] !== g[t][v];
      }
    }
    expect(differs).toBe(true); // the int8 path really runs
    expect(worst).toBeLessThan(0.05);
    // Evaluation agrees too: the loss over the stream moves by far less than a nat.
    const windows = () => new LmBatcher(ids, { batchSize: 4, seqLen: 16 }).epochWindows();
    const a = lm.evaluate(windows()), b = q.evaluate(windows());
    expect(b.tokens).toBe(a.tokens);
    expect(Math.abs(b.nats - a.nats) / a.tokens).toBeLessThan(0.01);
    q.dispose();
    lm.dispose();
  });

  test('is deterministic: the same ids give the same bits, and a prime fed at once equals feeding it step by step', () => {
    const lm = trained('lstm', 5);
    const q = new QuantizedLanguageModel(lm, 'int8');
    const seq = ids.subarray(0, 20);
    const once = stepLogProbs(q, seq), again = stepLogProbs(q, seq);
    expect(again).toEqual(once);
    const all = q.advance(seq, null);
    expect(logSoftmax(all.logits)).toEqual(once[once.length - 1]);
    disposeState(all.state);
    q.dispose();
    lm.dispose();
  });

  test('a batched forward gives each stream the numbers it gets alone (activations are quantized per row)', () => {
    const lm = trained('gru', 5);
    const q = new QuantizedLanguageModel(lm, 'int8');
    noGrad(() => scope(() => {
      const two = Int32Array.from({ length: 12 }, (_, i) => ids[i]); // [T 6, B 2]
      const both = q.forward(tensor(two, [6, 2], { dtype: 'int32' }), null).logits.toFloat32Array();
      const first = q.forward(tensor(two.filter((_, i) => i % 2 === 0), [6, 1], { dtype: 'int32' }), null).logits.toFloat32Array();
      for (let t = 0; t < 6; t++) expect(both.subarray(t * 26, t * 26 + 13)).toEqual(first.subarray(t * 13, (t + 1) * 13));
    }));
    q.dispose();
    lm.dispose();
  });

  test('refuses training (E_UNSUPPORTED) and unknown quantizations (E_ARGUMENT naming the choices)', () => {
    const lm = trained('rnn', 1);
    const q = new QuantizedLanguageModel(lm, 'int8');
    const w = new LmBatcher(ids, { batchSize: 2, seqLen: 4 }).next();
    expect(() => q.windowLoss()).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED', message: expect.stringMatching(/cannot be trained/) }));
    expect(() => q.parameters()).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    expect(() => windowTraining(q as never, () => w).loss(0)).toThrow(EddyError);
    expect(() => new QuantizedLanguageModel(lm, 'int4' as never)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringMatching(/one of "int8", got "int4"/) }));
    expect(() => new QuantizedLanguageModel({} as never, 'int8')).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringMatching(/must be a LanguageModel/) }));
    q.dispose();
    lm.dispose();
  });
});
