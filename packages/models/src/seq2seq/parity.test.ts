import { scope } from '@eddy/autograd';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModuleConfig } from '../module.js';
import { BuiltModules } from '../test/modules.js';
import { expectClose, stepFixture, stepIndex } from '../test/parity.js';
import { makeBatch } from '../test/seq2seq.js';
import type { Seq2Seq } from './seq2seq.js';
import './seq2seq.js';

// Seq2Seq against fixtures/seq2seq (scripts/make_seq2seq_fixtures.py): the same model written with
// torch.nn (packed bidirectional LSTM encoder, bridge, LSTMCell decoder with input feeding, Luong
// general or Bahdanau attention, combine, output) in float64 from the same weights. The loss of
// one padded batch and its gradient w.r.t. every parameter, within 1e-5.

interface Case {
  name: string;
  file: string;
  config: ModuleConfig;
  pairs: Array<[number[], number[]]>;
  loss: number;
  parameters: string[];
}

const { cases } = stepIndex<{ cases: Case[] }>('seq2seq');
const built = new BuiltModules();
let worst = 0;
afterAll(() => console.info(`seq2seq vs PyTorch: worst loss/gradient error ${worst.toExponential(1)}`));

describe('Seq2Seq: PyTorch parity (fixtures/seq2seq)', () => {
  it('covers Luong general and Bahdanau', () => expect(cases.map((c) => c.config.attention)).toEqual(['luong-general', 'bahdanau']));

  for (const c of cases) {
    it(`${c.name}: the loss and every gradient`, () => {
      const m = built.make<Seq2Seq>(c.config);
      scope(() => {
        const { get } = stepFixture(c.file, 'seq2seq');
        expect([...m.namedParameters().map(([n]) => n)].sort()).toEqual([...c.parameters].sort());
        m.loadStateDict(Object.fromEntries(c.parameters.map((n) => [n, get(`param.${n}`)])));
        const { loss } = m.loss(makeBatch(c.pairs));
        const error = Math.abs(loss.item() - c.loss);
        expect(error).toBeLessThanOrEqual(1e-5);
        loss.backward();
        const errors = m.namedParameters().map(([n, p]) => expectClose(`∂L/∂${n}`, p.grad, get(`grad.${n}`), 1e-5));
        worst = Math.max(worst, error, ...errors);
      });
    });
  }
});
