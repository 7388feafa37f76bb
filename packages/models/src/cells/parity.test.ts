import { scope, type Tensor } from '@eddy/autograd';
import { afterAll, describe, expect, it } from 'vitest';
import { Module, type ModuleConfig } from '../module.js';
import { BuiltModules } from '../test/modules.js';
import { expectClose, stepFixture, stepIndex } from '../test/parity.js';
import type { CellBase, CellState } from './cell.js';
import './index.js';

// torch.nn.LSTMCell / GRUCell / RNNCell parity against fixtures/steps (float64 PyTorch on float32
// values): the state dict loads under torch's names, outputs within 1e-5, every gradient within 1e-4.

interface CellCase {
  name: string;
  file: string;
  config: ModuleConfig;
  state: boolean;
  parameters: string[];
}

const { cells } = stepIndex<{ cells: CellCase[] }>();
const built = new BuiltModules();
const worst = { forward: 0, gradient: 0 };
afterAll(() => console.info(`cells vs PyTorch: worst forward error ${worst.forward.toExponential(1)}, worst gradient error ${worst.gradient.toExponential(1)}`));

describe('cells: PyTorch parity (fixtures/steps)', () => {
  it('covers the three families, with and without bias and state', () => {
    expect(new Set(cells.map((c) => c.config.type))).toEqual(new Set(['LSTMCell', 'GRUCell', 'RNNCell']));
    expect(new Set(cells.map((c) => c.config.bias))).toEqual(new Set([true, false]));
    expect(new Set(cells.map((c) => c.state))).toEqual(new Set([true, false]));
  });

  for (const c of cells) {
    it(c.name, () => {
      const cell = built.make<CellBase<CellState>>(c.config);
      scope(() => {
        const { dict, get } = stepFixture(c.file);
        expect(cell.namedParameters().map(([n]) => n)).toEqual(c.parameters);
        cell.loadStateDict(Object.fromEntries(c.parameters.map((n) => [n, get(`param.${n}`)])));
        const x = get('input.x').setRequiresGrad(true);
        const h0 = c.state ? get('input.h0').setRequiresGrad(true) : null;
        const c0 = 'input.c0' in dict ? get('input.c0').setRequiresGrad(true) : null;
        const r = cell.forward(x, c.state ? { h: h0, ...(c0 === null ? {} : { c: c0 }) } : undefined);
        const fwd = [expectClose('h', r.h, get('out.h'), 1e-5)];
        let loss = r.h.mul(get('loss.Rh')).sum();
        if ('out.c' in dict) {
          fwd.push(expectClose('c', r.c, get('out.c'), 1e-5));
          loss = loss.add(r.c!.mul(get('loss.Rc')).sum());
        } else {
          expect(r.c).toBeUndefined();
        }
        loss.backward();
        const grads: Array<[string, Tensor | null]> = [['x', x.grad], ...(h0 ? [['h0', h0.grad] as [string, Tensor | null]] : []), ...(c0 ? [['c0', c0.grad] as [string, Tensor | null]] : [])];
        for (const [n, p] of cell.namedParameters()) grads.push([n, p.grad]);
        const back = grads.map(([n, g]) => expectClose(`∂L/∂${n}`, g, get(`grad.${n}`), 1e-4));
        worst.forward = Math.max(worst.forward, ...fwd);
        worst.gradient = Math.max(worst.gradient, ...back);
      });
    });
  }
});
