import {
  EddyError, add, backward, concat, crossEntropy, gradcheck, index, linear, manualSeed, matmul, mul, optim, randn, reshape, scope, sigmoid,
  slice, tanh, tensor, type Tensor,
} from '@eddy/autograd';
import { childListSchedule, levelSchedule, parseTree, parseTrees, Vocab, type Tree } from '@eddy/text';
import { describe, expect, it } from 'vitest';
import { Module } from '../module.js';
import { BinaryTreeLSTM, ChildSumTreeLSTM } from './index.js';

// The Child-Sum Tree-LSTM level-batched against the same n-ary trees run node by node (a reference
// written from the paper's equations on autograd primitives), gradcheck of one level, a toy task
// learned to 100 %, options and configs.

const vocab = new Vocab(['the', 'movie', 'was', 'not', 'good', 'bad', 'at', 'all']);
// Inner nodes with 1, 2, 3 and 4 children, a one-leaf tree, depths up to 4.
const TEXT = [
  '(3 (2 the) (2 movie) (3 (2 was) (3 good)))',
  '(1 (2 not) (1 (3 good)))',
  '(4 good)',
  '(0 (1 (2 the) (2 movie) (1 (2 was) (2 not) (3 good))) (2 (2 (2 at)) (2 all)))',
  '(2 (2 bad) (2 bad) (2 at) (2 (2 all)))',
].join('\n');
const trees = parseTrees(TEXT);

function build(extra: Record<string, unknown> = {}): ChildSumTreeLSTM {
  manualSeed(7);
  return new ChildSumTreeLSTM({ vocabSize: vocab.size, embeddingSize: 5, hiddenSize: 4, numClasses: 5, ...extra });
}

/** One node from the equations: leaves from their word (no children), inner nodes from their children (x = 0). */
function referenceNode(model: ChildSumTreeLSTM, word: Tensor | null, kids: Tensor[][]): Tensor[] {
  const p = (n: string) => model.stateDict()[n];
  const H = model.hiddenSize;
  let pre: Tensor;
  if (word !== null) {
    pre = linear(index(p('embedding.weight'), word), p('W.weight'), p('W.bias'));
  } else {
    let hSum = kids[0][0];
    for (const [hk] of kids.slice(1)) hSum = add(hSum, hk);
    pre = linear(hSum, p('U.weight'), p('W.bias'));
  }
  const i = sigmoid(slice(pre, 1, 0, H)), o = sigmoid(slice(pre, 1, H, 2 * H)), u = tanh(slice(pre, 1, 2 * H, 3 * H));
  let c = mul(i, u);
  for (const [hk, ck] of kids) c = add(c, mul(sigmoid(linear(hk, p('Uf.weight'), p('Uf.bias'))), ck));
  return [mul(o, tanh(c)), c];
}

function reference(model: ChildSumTreeLSTM, batch: readonly Tree[]): { h: Tensor[][]; loss: Tensor } {
  const hs: Tensor[][] = [];
  const losses: Tensor[] = [];
  for (const t of batch) {
    const states: Tensor[][] = new Array(t.size);
    for (let j = t.size - 1; j >= 0; j--) {
      const kids = Array.from(t.children.subarray(t.childStart[j], t.childStart[j + 1]), (c) => states[c]);
      const word = kids.length === 0 ? tensor(Int32Array.of(vocab.id(t.words[j])), [1], { dtype: 'int32' }) : null;
      states[j] = referenceNode(model, word, kids);
      if (t.labels[j] >= 0) {
        const logits = linear(states[j][0], model.stateDict()['classifier.weight'], model.stateDict()['classifier.bias']);
        losses.push(reshape(crossEntropy(logits, tensor(Int32Array.of(t.labels[j]), [1], { dtype: 'int32' })), [1]));
      }
    }
    hs.push(states.map((s) => s[0]));
  }
  const total = reshape(concat(losses, 0), [1, losses.length]);
  return { h: hs, loss: mul(reshape(matmul(total, tensor(new Float32Array(losses.length).fill(1), [losses.length, 1])), [1]), 1 / losses.length) };
}

function grads(model: Module): Record<string, Float32Array> {
  return Object.fromEntries(model.namedParameters().map(([n, t]) => [n, t.grad!.toFloat32Array()]));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('ChildSumTreeLSTM', () => {
  it('level batching equals the n-ary trees run node by node: states, loss and every gradient', () => {
    scope(() => {
      const model = build();
      const batch = childListSchedule(trees, vocab);
      // The batch has nodes with 1, 2, 3 and 4 children.
      const counts = new Set(batch.levels.flatMap((lv) => Array.from(lv.nodes, (_, r) => lv.childStart[r + 1] - lv.childStart[r])));
      expect([...counts].sort()).toEqual([1, 2, 3, 4]);
      const { h } = model.forward(batch);
      const loss = model.loss(batch);
      backward(loss);
      const batched = grads(model);
      model.zeroGrad();
      const ref = reference(model, trees);
      backward(ref.loss);
      const nodeByNode = grads(model);
      expect(Math.abs(loss.item() - ref.loss.item())).toBeLessThan(1e-5);
      const H = model.hiddenSize;
      const hv = h.toFloat32Array();
      for (let g = 0; g < batch.numNodes; g++) {
        expect(maxAbsDiff(hv.subarray(g * H, (g + 1) * H), ref.h[batch.tree[g]][batch.node[g]].toFloat32Array())).toBeLessThan(1e-5);
      }
      expect(Object.keys(batched)).toEqual(Object.keys(nodeByNode));
      for (const name of Object.keys(batched)) {
        expect(Math.max(...batched[name].map(Math.abs)), name).toBeGreaterThan(0);
        expect(maxAbsDiff(batched[name], nodeByNode[name]), name).toBeLessThan(1e-5);
      }
    });
  });

  it('gradcheck of one level (children and composition parameters)', () => {
    scope(() => {
      const model = build();
      manualSeed(3);
      const H = model.hiddenSize;
      const childStart = Int32Array.of(0, 1, 3, 6);
      const hK = randn([6, H]).mul(0.5).setRequiresGrad(true);
      const cK = randn([6, H]).setRequiresGrad(true);
      const params = model.namedParameters().filter(([n]) => n === 'W.bias' || n.startsWith('U')).map(([, t]) => t);
      expect(params.length).toBe(4);
      const result = gradcheck(() => concat(model.compose([hK, cK], childStart), 1), [hK, cK, ...params]);
      expect(result.mismatches).toEqual([]);
      expect(result.ok).toBe(true);
    });
  });

  it('has the documented parameters, round-trips its config and refuses unknown options', () => {
    const model = build({ dropout: 0.25 });
    const shapes = Object.fromEntries(model.namedParameters().map(([n, t]) => [n, t.shape]));
    expect(shapes).toEqual({
      'embedding.weight': [vocab.size, 5], 'W.weight': [12, 5], 'W.bias': [12], 'U.weight': [12, 4], 'Uf.weight': [4, 4], 'Uf.bias': [4],
      'classifier.weight': [5, 4], 'classifier.bias': [5],
    });
    const config = model.toConfig();
    expect(config.type).toBe('EddyChildSumTreeLSTM');
    const again = Module.fromConfig(config);
    expect(again).toBeInstanceOf(ChildSumTreeLSTM);
    expect(again.toConfig()).toEqual(config);
    expect(Object.keys(again.stateDict())).toEqual(Object.keys(model.stateDict()));
    expect(() => build({ hiddenSzie: 3 })).toThrow(/hiddenSzie/);
    expect(() => build({ embeddingSize: 0 })).toThrow(EddyError);
  });

  it('refuses a binary schedule, and binary models refuse child lists', () => {
    const binary = levelSchedule(parseTrees('(1 (2 not) (3 good))'), vocab);
    const lists = childListSchedule(trees, vocab);
    expect(() => build().forward(binary)).toThrow(/must list its nodes' children \(childListSchedule/);
    manualSeed(1);
    const lstm = new BinaryTreeLSTM({ vocabSize: vocab.size, embeddingSize: 3, hiddenSize: 2, numClasses: 5 });
    expect(() => lstm.forward(lists as never)).toThrow(/must have a left and a right child/);
  });
});

/** Negation with n-ary nodes: good = 1, bad = 0, (not X) and (not really X) flip X; every phrase is labelled. */
function negationTrees(): Tree[] {
  const out: string[] = [];
  for (const base of ['good', 'bad']) {
    for (const filler of ['', '(really) ']) {
      let label = base === 'good' ? 1 : 0;
      let text = `(${label} ${base})`;
      for (let n = 0; n < 4; n++) {
        label = 1 - label;
        text = `(${label} (not) ${n % 2 === 1 ? filler : ''}${text})`;
        out.push(text);
      }
    }
  }
  return out.map((t) => parseTree(t));
}

it('ChildSumTreeLSTM learns negation to 100 percent of the nodes', () => {
  const words = new Vocab(['not', 'really', 'good', 'bad']);
  const batch = childListSchedule(negationTrees(), words);
  manualSeed(1);
  const model = new ChildSumTreeLSTM({ vocabSize: words.size, embeddingSize: 8, hiddenSize: 8, numClasses: 2 });
  const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
  let accuracy = 0;
  for (let step = 0; step < 300 && accuracy < 1; step++) {
    scope(() => {
      opt.zeroGrad();
      backward(model.loss(batch));
      opt.step();
    });
    const pred = model.predict(batch);
    let right = 0, total = 0;
    batch.labels.forEach((y, g) => {
      if (y >= 0) (total++, (right += pred[g] === y ? 1 : 0));
    });
    accuracy = right / total;
  }
  expect(accuracy).toBe(1);
});
