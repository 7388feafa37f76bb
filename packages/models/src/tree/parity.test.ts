import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backward, index, scope, tensor, type Tensor } from '@eddy/autograd';
import { childListSchedule, levelSchedule, parseTrees, Vocab } from '@eddy/text';
import { afterAll, describe, expect, it } from 'vitest';
import { Module, type ModuleConfig } from '../module.js';
import { loadSafetensors } from '../safetensors.js';
import { expectClose } from '../test/parity.js';
import type { TreeModel } from './tree-model.js';
import './index.js';

// The four tree models against PyTorch goldens (fixtures/trees, written by
// scripts/make_tree_fixtures.py from the papers' equations, level-batched, in float64): the state
// dict loads under the documented names, then one level-batched forward (every node's h and
// logits), the per-node cross-entropy and every parameter's gradient agree within 1e-5.

const TREES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'trees');
interface TreeCase {
  name: string;
  file: string;
  trees: string[];
  parameters: string[];
  config: ModuleConfig;
}
const { words, models } = JSON.parse(readFileSync(join(TREES, 'index.json'), 'utf8')) as { words: string[]; models: TreeCase[] };
const vocab = new Vocab(words);
const worst = { forward: 0, gradient: 0 };
afterAll(() => console.info(`tree models vs PyTorch: worst forward error ${worst.forward.toExponential(1)}, worst gradient error ${worst.gradient.toExponential(1)}`));

/** Rows of `x` [N, ·] (global node order) reordered to the fixture's order: tree after tree, preorder. */
function byTree(x: Tensor, order: Int32Array): Tensor {
  return index(x, tensor(order, [order.length], { dtype: 'int32' }));
}

describe('tree models: PyTorch parity (fixtures/trees)', () => {
  it('covers the four models', () => {
    expect(models.map((m) => m.config.type)).toEqual(['EddyRecursiveNN', 'EddyRNTN', 'EddyBinaryTreeLSTM', 'EddyChildSumTreeLSTM']);
  });

  for (const c of models) {
    it(`${c.name}: outputs, loss and every gradient`, () => {
      scope(() => {
        const model = Module.fromConfig(c.config) as TreeModel;
        const dict = loadSafetensors(readFileSync(join(TREES, c.file)));
        expect(model.namedParameters().map(([n]) => n)).toEqual(c.parameters);
        model.loadStateDict(Object.fromEntries(c.parameters.map((n) => [n, dict[`param.${n}`]])));
        const trees = parseTrees(c.trees.join('\n'));
        const batch = (c.config.type === 'EddyChildSumTreeLSTM' ? childListSchedule : levelSchedule)(trees, vocab);
        // The fixture lists nodes tree after tree in preorder; global id of each such node:
        const offsets = trees.map((_, t) => trees.slice(0, t).reduce((s, u) => s + u.size, 0));
        const order = new Int32Array(batch.numNodes);
        for (let g = 0; g < batch.numNodes; g++) order[offsets[batch.tree[g]] + batch.node[g]] = g;
        const { h, logits } = model.forward(batch);
        const loss = model.loss(batch);
        worst.forward = Math.max(
          worst.forward,
          expectClose('h', byTree(h, order), dict['out.h'], 1e-5),
          expectClose('logits', byTree(logits, order), dict['out.logits'], 1e-5),
          expectClose('loss', loss.reshape([1]), dict['out.loss'], 1e-5),
        );
        backward(loss);
        for (const [n, p] of model.namedParameters()) {
          worst.gradient = Math.max(worst.gradient, expectClose(`grad of ${n}`, p.grad, dict[`grad.${n}`], 1e-5));
        }
      });
    });
  }
});
