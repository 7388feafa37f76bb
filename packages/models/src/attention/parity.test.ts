import { scope, type Tensor } from '@eddy/autograd';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModuleConfig } from '../module.js';
import { BuiltModules } from '../test/modules.js';
import { expectClose, stepFixture, stepIndex } from '../test/parity.js';
import type { AttentionBase } from './attention.js';
import './index.js';

// Attention parity against fixtures/steps: the PyTorch tutorials' modules (seq2seq's
// BahdanauAttention, chatbot's Attn) in float64 on float32 values, padding keys random. Outputs
// within 1e-5, every gradient (query, keys, each parameter) within 1e-4, with and without
// projectedKeys.

interface AttentionCase {
  name: string;
  file: string;
  config: ModuleConfig;
  lengths: number[] | null;
  parameters: string[];
}

const { attention } = stepIndex<{ attention: AttentionCase[] }>();
const built = new BuiltModules();
const worst = { forward: 0, gradient: 0 };
afterAll(() => console.info(`attention vs PyTorch: worst forward error ${worst.forward.toExponential(1)}, worst gradient error ${worst.gradient.toExponential(1)}`));

describe('attention: PyTorch parity (fixtures/steps)', () => {
  it('covers the four scores, each with and without lengths', () => {
    const kinds = attention.map((c) => `${c.config.type}:${String(c.config.score ?? '')}:${c.lengths === null ? '' : 'len'}`);
    expect(new Set(kinds).size).toBe(8);
  });

  for (const c of attention) {
    for (const projected of [false, true]) {
      it(`${c.name}${projected ? ' (projectedKeys)' : ''}`, () => {
        const m = built.make<AttentionBase>(c.config);
        scope(() => {
          const { get } = stepFixture(c.file);
          expect(m.namedParameters().map(([n]) => n)).toEqual(c.parameters);
          m.loadStateDict(Object.fromEntries(c.parameters.map((n) => [n, get(`param.${n}`)])));
          const query = get('input.query').setRequiresGrad(true);
          const keys = get('input.keys').setRequiresGrad(true);
          const lengths = c.lengths === null ? null : get('input.lengths');
          const projectedKeys = projected ? m.projectKeys(keys, { lengths }) : null;
          const r = m.forward(query, keys, { lengths, projectedKeys });
          const fwd = [expectClose('context', r.context, get('out.context'), 1e-5), expectClose('weights', r.weights, get('out.weights'), 1e-5)];
          r.context.mul(get('loss.Rc')).sum().add(r.weights.mul(get('loss.Rw')).sum()).backward();
          const grads: Array<[string, Tensor | null]> = [['query', query.grad], ['keys', keys.grad], ...m.namedParameters().map(([n, p]): [string, Tensor | null] => [n, p.grad])];
          const back = grads.map(([n, g]) => expectClose(`∂L/∂${n}`, g, get(`grad.${n}`), 1e-4));
          worst.forward = Math.max(worst.forward, ...fwd);
          worst.gradient = Math.max(worst.gradient, ...back);
          if (lengths !== null) {
            // Exactly 0, not merely small, past each length.
            const w = r.weights.toArray();
            const S = r.weights.shape[1];
            c.lengths!.forEach((n, b) => {
              for (let s = n; s < S; s++) expect(w[b * S + s]).toBe(0);
            });
          }
        });
      });
    }
  }
});
