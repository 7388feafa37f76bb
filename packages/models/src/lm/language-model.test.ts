import { crossEntropy, detach, EddyError, keep, manualSeed, noGrad, scope, tensor } from '@eddy/autograd';
import { LmBatcher } from '@eddy/text';
import { describe, expect, test } from 'vitest';
import { Module } from '../module.js';
import { disposeState, LanguageModel } from './language-model.js';
import { windowTraining } from './window-training.js';

const ids = Int32Array.from({ length: 400 }, (_, i) => (i * 7 + (i >> 3)) % 11);

function model(options: Partial<ConstructorParameters<typeof LanguageModel>[0]> = {}) {
  manualSeed(3);
  return new LanguageModel({ vocabSize: 11, hiddenSize: 6, numLayers: 2, ...options });
}

describe('LanguageModel', () => {
  test("PyTorch word_language_model names; config round trip (format-1 configs too)", () => {
    const lm = model({ cell: 'gru' });
    expect([...lm.namedParameters()].map(([n]) => n)).toEqual([
      'encoder.weight', 'rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0',
      'rnn.weight_ih_l1', 'rnn.weight_hh_l1', 'rnn.bias_ih_l1', 'rnn.bias_hh_l1', 'decoder.weight', 'decoder.bias',
    ]);
    const again = Module.fromConfig(lm.toConfig()) as LanguageModel;
    expect(again.options).toEqual(lm.options);
    const v1 = Module.fromConfig({ type: 'EddyLanguageModel', cell: 'lstm', vocabSize: 11, hiddenSize: 6, numLayers: 1, dropout: 0 }) as LanguageModel;
    expect(v1.options).toMatchObject({ embeddingSize: 6, oneHot: false });
    expect(() => new LanguageModel({ vocabSize: 11, hiddenSize: 6, numLayer: 2 } as never)).toThrow(/did you mean "numLayers"/);
    expect(() => new LanguageModel({ vocabSize: 11, hiddenSize: 6, cell: 'lstn' as never })).toThrow(EddyError);
  });

  test.each([0, 3])('windowLoss is the mean cross-entropy of the steps after detachAt (d = %i)', (d) => {
    const lm = model();
    const w = new LmBatcher(ids, { batchSize: 4, seqLen: 8, bptt: 8 - d }).next();
    expect(w.detachAt).toBe(d);
    scope(() => {
      const r = lm.windowLoss(w, null);
      const warm = d > 0 ? noGrad(() => lm.forward(tensor(w.inputs.subarray(0, d * 4), [d, 4], { dtype: 'int32' })).state) : null;
      const out = lm.forward(tensor(w.inputs.subarray(d * 4), [8 - d, 4], { dtype: 'int32' }), warm);
      const ref = crossEntropy(out.logits, tensor(w.targets.subarray(d * 4), [(8 - d) * 4], { dtype: 'int32' }));
      expect(r.loss.item()).toBe(ref.item());
      expect(r.state.h.toFloat32Array()).toEqual(out.state.h.toFloat32Array());
    });
    expect(() => lm.windowLoss({ ...w, inputs: w.inputs.map(() => 11) }, null)).toThrow(/outside the vocabulary/);
  });

  test('evaluate sums the loss over every window, carrying the state, in eval mode', () => {
    const lm = model({ dropout: 0.3 });
    const windows = [...new LmBatcher(ids, { batchSize: 2, seqLen: 16 }).epochWindows()];
    const { nats, tokens } = lm.evaluate(windows);
    expect(lm.training).toBe(true);
    lm.eval();
    let expected = 0;
    let state = null as ReturnType<LanguageModel['forward']>['state'] | null;
    for (const w of windows) {
      const prev = state;
      const r = noGrad(() => scope(() => {
        const out = lm.forward(tensor(w.inputs, [w.steps, 2], { dtype: 'int32' }), prev);
        return { l: crossEntropy(out.logits, tensor(w.targets, [w.steps * 2], { dtype: 'int32' }), { reduction: 'sum' }).item(), s: out.state };
      }));
      disposeState(prev);
      state = r.s;
      expected += r.l;
    }
    disposeState(state);
    expect(tokens).toBe(windows.reduce((n, w) => n + w.steps * 2, 0));
    expect(nats).toBeCloseTo(expected, 3);
  });

  test.each(['lstm', 'gru', 'rnn'] as const)('advance steps one stream (%s): the same logits as a whole-sequence forward', (cell) => {
    const lm = model({ cell });
    lm.eval();
    const seq = [1, 4, 2, 9, 3];
    const whole = noGrad(() => scope(() => lm.forward(tensor(Int32Array.from(seq), [5, 1], { dtype: 'int32' })).logits.toFloat32Array()));
    let state = null as ReturnType<LanguageModel['advance']>['state'] | null;
    const first = lm.advance(seq.slice(0, 2), state);
    state = first.state;
    let last = first.logits;
    for (const id of seq.slice(2)) {
      const r = lm.advance([id], state);
      state = r.state;
      last = r.logits;
    }
    disposeState(state);
    const expected = whole.slice(4 * 11);
    last.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  test('the carried state round-trips through stateToDict / stateFromDict and is checked', () => {
    const lm = model();
    const w = new LmBatcher(ids, { batchSize: 3, seqLen: 5 }).next();
    const state = noGrad(() => scope(() => lm.windowLoss(w, null).state));
    const dict = lm.stateToDict(state);
    expect(Object.keys(dict).sort()).toEqual(['c', 'h']);
    const back = lm.stateFromDict(dict, 3)!;
    expect(back.h.toFloat32Array()).toEqual(state.h.toFloat32Array());
    expect(back.c!.toFloat32Array()).toEqual(state.c!.toFloat32Array());
    expect(lm.stateFromDict({}, 3)).toBeNull();
    expect(() => lm.stateFromDict(dict, 4)).toThrow(expect.objectContaining({ code: 'E_STATE_DICT' }));
    expect(() => lm.stateFromDict({ h: dict.h }, 3)).toThrow(/has c and h/);
    for (const s of [state, back]) disposeState(s);
  });

  test('oneHot: the encoder is the fixed identity (E = V) and gets no gradient', () => {
    const lm = model({ oneHot: true, numLayers: 1 });
    expect(lm.encoder.weight.toFloat32Array()).toEqual(Float32Array.from({ length: 121 }, (_, i) => (i % 12 === 0 ? 1 : 0)));
    expect([...lm.rnn.namedParameters()][0][1].shape).toEqual([24, 11]);
    scope(() => {
      lm.windowLoss(new LmBatcher(ids, { batchSize: 2, seqLen: 4 }).next(), null).loss.backward();
      expect(lm.encoder.weight.grad).toBeNull();
    });
    expect(() => model({ oneHot: true, embeddingSize: 5 })).toThrow(/with oneHot the embedding size is vocabSize/);
  });
});

describe('windowTraining', () => {
  test('carries the detached state from window to window and restarts from zeros where a window resets', () => {
    const lm = model();
    const batcher = new LmBatcher(ids, { batchSize: 2, seqLen: 40 });
    const all = [...new LmBatcher(ids, { batchSize: 2, seqLen: 40 }).epochWindows()];
    const windows = windowTraining(lm, () => batcher.next());
    const losses: number[] = [];
    for (let i = 0; i < all.length + 1; i++) {
      losses.push(scope(() => windows.loss(i + 1).loss.item()));
      windows.afterStep();
    }
    // The same windows by hand: the state of each feeds the next; the next epoch starts from zeros.
    let state = null as ReturnType<LanguageModel['forward']>['state'] | null;
    const expected = all.map((w) => scope(() => {
      const r = lm.windowLoss(w, state);
      const next = { h: keep(detach(r.state.h)), c: keep(detach(r.state.c!)) };
      disposeState(state);
      state = next;
      return r.loss.item();
    }));
    disposeState(state);
    expect(losses.slice(0, all.length)).toEqual(expected);
    expect(losses[all.length]).toBe(expected[0]);
    expect(windows.state?.h.shape).toEqual([2, 2, 6]);
    windows.dispose();
    expect(windows.state).toBeNull();
  });
});
