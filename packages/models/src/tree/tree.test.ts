import {
  EddyError, add, backward, concat, crossEntropy, gradcheck, index, linear, manualSeed, matmul, mul, optim, randn, reshape, scope, sigmoid,
  slice, split, stack, tanh, tensor, type Tensor,
} from '@eddy/autograd';
import { levelSchedule, parseTree, parseTrees, Vocab, type LevelSchedule, type Tree } from '@eddy/text';
import { describe, expect, it } from 'vitest';
import { Module } from '../module.js';
import { BinaryTreeLSTM, gatherNodes, RecursiveNN, RNTN, type TreeModel } from './index.js';

// Level batching against the same trees run node by node (an independent reference on autograd
// primitives, one node at a time, in the test), gradcheck of each level step, a toy compositional
// task learned to 100 %, options, errors and configs.

const vocab = new Vocab(['the', 'movie', 'was', 'not', 'good', 'bad', 'at', 'all']);
const TEXT = [
  '(3 (2 (2 the) (2 movie)) (3 (2 was) (3 good)))',
  '(1 (2 not) (3 good))',
  '(4 good)',
  '(0 (1 (2 (2 the) (2 movie)) (1 (2 was) (1 (2 not) (3 good)))) (2 (2 at) (2 all)))',
  '(2 (2 bad) (2 bad))',
].join('\n');
const trees = parseTrees(TEXT);

type Kind = 'rnn' | 'rntn' | 'lstm';
function build(kind: Kind, extra: Record<string, unknown> = {}): TreeModel {
  manualSeed(7);
  if (kind === 'rnn') return new RecursiveNN({ vocabSize: vocab.size, hiddenSize: 4, numClasses: 5, ...extra });
  if (kind === 'rntn') return new RNTN({ vocabSize: vocab.size, hiddenSize: 3, numClasses: 5, ...extra });
  return new BinaryTreeLSTM({ vocabSize: vocab.size, embeddingSize: 5, hiddenSize: 4, numClasses: 5, ...extra });
}

function param(model: Module, name: string): Tensor {
  return model.stateDict()[name];
}

/** One node at a time, children before parents, written from the papers' equations. */
function referenceNode(kind: Kind, model: TreeModel, word: Tensor | null, kids: Tensor[][]): Tensor[] {
  const p = (n: string) => param(model, n);
  if (word !== null) {
    const x = index(p('embedding.weight'), word);
    if (kind !== 'lstm') return [tanh(x)];
    const g = linear(x, p('leaf.weight'), p('leaf.bias'));
    const H = model.hiddenSize;
    const c = mul(sigmoid(slice(g, 1, 0, H)), tanh(slice(g, 1, 2 * H, 3 * H)));
    return [mul(sigmoid(slice(g, 1, H, 2 * H)), tanh(c)), c];
  }
  const [[hl, cl], [hr, cr]] = kids;
  const x = concat([hl, hr], 1);
  if (kind === 'rnn') return [tanh(linear(x, p('W.weight'), p('W.bias')))];
  if (kind === 'rntn') {
    const d = model.hiddenSize;
    const V = p('V');
    const terms: Tensor[] = [];
    for (let k = 0; k < d; k++) {
      const Vk = reshape(slice(V, 2, k, k + 1), [2 * d, 2 * d]);
      terms.push(reshape(matmul(matmul(x, Vk), reshape(x, [2 * d, 1])), [1]));
    }
    return [tanh(add(linear(x, p('W.weight'), p('W.bias')), reshape(stack(terms, 1), [1, d])))];
  }
  const H = model.hiddenSize;
  const [i, fl, fr, o, u] = split(linear(x, p('W.weight'), p('W.bias')), H, 1).map((g, k) => (k === 4 ? tanh(g) : sigmoid(g)));
  const c = add(add(mul(i, u), mul(fl, cl)), mul(fr, cr));
  return [mul(o, tanh(c)), c];
}

/** Per-node hidden states (by tree) and the mean cross-entropy over labelled nodes, node by node. */
function reference(kind: Kind, model: TreeModel, batch: readonly Tree[]): { h: Tensor[][]; loss: Tensor } {
  const hs: Tensor[][] = [];
  const losses: Tensor[] = [];
  for (const t of batch) {
    const states: Tensor[][] = new Array(t.size);
    for (let j = t.size - 1; j >= 0; j--) {
      const kids = Array.from(t.children.subarray(t.childStart[j], t.childStart[j + 1]), (c) => states[c]);
      const word = t.words[j] === '' ? null : tensor(Int32Array.of(vocab.id(t.words[j])), [1], { dtype: 'int32' });
      states[j] = referenceNode(kind, model, word, kids);
      if (t.labels[j] >= 0) {
        const logits = linear(states[j][0], param(model, 'classifier.weight'), param(model, 'classifier.bias'));
        losses.push(reshape(crossEntropy(logits, tensor(Int32Array.of(t.labels[j]), [1], { dtype: 'int32' })), [1]));
      }
    }
    hs.push(states.map((s) => s[0]));
  }
  const total = concat(losses, 0);
  return { h: hs, loss: mul(reshape(matmul(reshape(total, [1, losses.length]), tensor(new Float32Array(losses.length).fill(1), [losses.length, 1])), [1]), 1 / losses.length) };
}

function grads(model: Module): Record<string, Float32Array> {
  return Object.fromEntries(model.namedParameters().map(([n, t]) => [n, t.grad!.toFloat32Array()]));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe.each(['rnn', 'rntn', 'lstm'] as const)('%s', (kind) => {
  it('level batching equals the trees run node by node: states, loss and every gradient', () => {
    scope(() => {
      const model = build(kind);
      const batch = levelSchedule(trees, vocab);
      const { h } = model.forward(batch);
      const loss = model.loss(batch);
      backward(loss);
      const batched = grads(model);
      model.zeroGrad();
      const ref = reference(kind, model, trees);
      backward(ref.loss);
      const nodeByNode = grads(model);
      expect(Math.abs(loss.item() - ref.loss.item())).toBeLessThan(1e-5);
      const H = model.hiddenSize;
      const hv = h.toFloat32Array();
      for (let g = 0; g < batch.numNodes; g++) {
        const want = ref.h[batch.tree[g]][batch.node[g]].toFloat32Array();
        expect(maxAbsDiff(hv.subarray(g * H, (g + 1) * H), want)).toBeLessThan(1e-5);
      }
      expect(Object.keys(batched)).toEqual(Object.keys(nodeByNode));
      for (const name of Object.keys(batched)) {
        expect(maxAbsDiff(batched[name], nodeByNode[name]), name).toBeLessThan(1e-5);
      }
      // Root-only supervision reads the roots' labels only.
      const rootLoss = model.loss(batch, { rootOnly: true }).item();
      const logits = model.forward(batch).logits;
      const roots = index(logits, tensor(batch.roots, [batch.roots.length], { dtype: 'int32' }));
      const want = crossEntropy(roots, tensor(Int32Array.from(batch.roots, (g) => batch.labels[g]), [batch.roots.length], { dtype: 'int32' })).item();
      expect(Math.abs(rootLoss - want)).toBeLessThan(1e-6);
    });
  });

  it('leaves run once per distinct word, or once per leaf under word dropout: same states, loss and gradients', () => {
    scope(() => {
      const batch = levelSchedule(trees, vocab);
      const run = (dropout: number) => {
        const model = build(kind, { dropout });
        const { h } = model.forward(batch);
        backward(model.loss(batch));
        return { h: h.toFloat32Array(), grads: grads(model) };
      };
      // A dropout this small keeps every element (scaled by 1 / (1 − 1e−7)) but makes the runner embed every leaf apart.
      const shared = run(0), apart = run(1e-7);
      expect(maxAbsDiff(shared.h, apart.h)).toBeLessThan(1e-5);
      for (const name of Object.keys(shared.grads)) expect(maxAbsDiff(shared.grads[name], apart.grads[name]), name).toBeLessThan(1e-5);
    });
  });

  it('a batch of single-leaf trees (no levels, a repeated word) equals the node-by-node reference', () => {
    scope(() => {
      const model = build(kind);
      const leaves = parseTrees('(4 good)\n(0 bad)\n(4 good)');
      const batch = levelSchedule(leaves, vocab);
      expect(batch.levels).toHaveLength(0);
      const loss = model.loss(batch);
      const h = model.forward(batch).h.toFloat32Array();
      const ref = reference(kind, model, leaves);
      expect(Math.abs(loss.item() - ref.loss.item())).toBeLessThan(1e-6);
      leaves.forEach((_, t) => expect(maxAbsDiff(h.subarray(t * model.hiddenSize, (t + 1) * model.hiddenSize), ref.h[t][0].toFloat32Array())).toBeLessThan(1e-6));
    });
  });

  it('gradcheck of one level step (children and composition parameters)', () => {
    scope(() => {
      const model = build(kind);
      manualSeed(3);
      const H = model.hiddenSize;
      const children = [randn([3, 2 * H]).mul(0.5).setRequiresGrad(true)];
      if (kind === 'lstm') children.push(randn([3, 2 * H]).setRequiresGrad(true));
      const params = model.namedParameters().filter(([n]) => n.startsWith('W.') || n === 'V').map(([, t]) => t);
      const result = gradcheck(() => {
        const out = model.compose(children);
        return out.length === 1 ? out[0] : concat(out, 1);
      }, [...children, ...params]);
      expect(result.mismatches).toEqual([]);
      expect(result.ok).toBe(true);
    });
  });

  it('round-trips its config and refuses unknown options', () => {
    const model = build(kind, { dropout: 0.25 });
    const again = Module.fromConfig(model.toConfig());
    expect(again.toConfig()).toEqual(model.toConfig());
    expect(Object.keys(again.stateDict())).toEqual(Object.keys(model.stateDict()));
    expect(() => build(kind, { hiddenSzie: 3 })).toThrow(/hiddenSzie/);
    expect(() => build(kind, { dropout: 1 })).toThrow(EddyError);
  });
});

it('parameter names and shapes are the documented ones', () => {
  const shapes = (m: Module) => Object.fromEntries(m.namedParameters().map(([n, t]) => [n, t.shape]));
  expect(shapes(build('rntn'))).toEqual({
    'embedding.weight': [vocab.size, 3], 'W.weight': [3, 6], 'W.bias': [3], V: [6, 6, 3], 'classifier.weight': [5, 3], 'classifier.bias': [5],
  });
  expect(shapes(build('lstm'))).toEqual({
    'embedding.weight': [vocab.size, 5], 'leaf.weight': [12, 5], 'leaf.bias': [12], 'W.weight': [20, 8], 'W.bias': [20],
    'classifier.weight': [5, 4], 'classifier.bias': [5],
  });
});

it('gatherNodes reads rows of the per-level outputs and scatter-adds its gradient back (repeated ids add up)', () => {
  scope(() => {
    const a = tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]).setRequiresGrad(true);
    const b = tensor(Float32Array.from([7, 8]), [1, 2]).setRequiresGrad(true);
    const where = { level: Int32Array.from([0, 0, 0, 1]), row: Int32Array.from([0, 1, 2, 0]) };
    const out = gatherNodes([a, b], where, Int32Array.from([3, 1, 1, 0]), 2);
    expect(out.shape).toEqual([2, 4]);
    expect(Array.from(out.toFloat32Array())).toEqual([7, 8, 3, 4, 3, 4, 1, 2]);
    backward(mul(out, tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [2, 4])).sum());
    expect(Array.from(a.grad!.toFloat32Array())).toEqual([7, 8, 3 + 5, 4 + 6, 0, 0]);
    expect(Array.from(b.grad!.toFloat32Array())).toEqual([1, 2]);
  });
});

it('checks the batch and the labels', () => {
  const model = build('rnn');
  const batch = levelSchedule(trees, vocab);
  const err = (f: () => unknown, re: RegExp) => {
    expect(f).toThrow(re);
    try {
      f();
    } catch (e) {
      expect((e as EddyError).code).toBe('E_ARGUMENT');
    }
  };
  err(() => model.forward({} as LevelSchedule), /batch must be a level schedule/);
  const swapped = { ...batch, levels: [...batch.levels].reverse() };
  err(() => model.forward(swapped), /is not computed before it/);
  err(() => model.loss({ ...batch, labels: batch.labels.map(() => 7) }), /label of node 0 must be in \[0, 5\)/);
  err(() => model.loss({ ...batch, labels: batch.labels.map(() => -1) }), /no node of the batch has a label/);
  err(() => model.loss(batch, { rootonly: true } as never), /rootonly/);
});

/** Negation over sentiment: good = 1, bad = 0, and (not X) flips X; every phrase is labelled. */
function negationTrees(): Tree[] {
  const out: string[] = [];
  for (const base of ['good', 'bad']) {
    let text = `(${base === 'good' ? 1 : 0} ${base})`;
    let label = base === 'good' ? 1 : 0;
    for (let n = 0; n < 4; n++) {
      label = 1 - label;
      text = `(${label} (not) ${text})`;
      out.push(text);
    }
  }
  return out.map((t) => parseTree(t));
}

it.each(['rnn', 'rntn', 'lstm'] as const)('%s learns negation to 100 percent of the nodes', (kind) => {
  const toy = negationTrees();
  const words = new Vocab(['not', 'good', 'bad']);
  const batch = levelSchedule(toy, words);
  manualSeed(1);
  const model =
    kind === 'lstm'
      ? new BinaryTreeLSTM({ vocabSize: words.size, embeddingSize: 8, hiddenSize: 8, numClasses: 2 })
      : new (kind === 'rnn' ? RecursiveNN : RNTN)({ vocabSize: words.size, hiddenSize: 8, numClasses: 2 });
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

it('perTree sums the node losses of each tree and averages over the trees', () => {
  scope(() => {
    const model = build('rnn');
    const batch = levelSchedule(trees, vocab);
    const labelled = batch.labels.filter((y) => y >= 0).length;
    const mean = model.loss(batch).item();
    const perTree = model.loss(batch, { perTree: true }).item();
    expect(perTree).toBeCloseTo((mean * labelled) / trees.length, 5);
    const roots = model.loss(batch, { rootOnly: true }).item();
    expect(model.loss(batch, { rootOnly: true, perTree: true }).item()).toBeCloseTo(roots, 6);
  });
});

it("RNTN starts from CoreNLP's values: W = [I I] + small noise, zero bias, classifier bias in [0, 1), word vectors N(0, 0.1²)", () => {
  const d = 25;
  manualSeed(3);
  const model = new RNTN({ vocabSize: 2000, hiddenSize: d, numClasses: 5 });
  const sd = model.stateDict();
  const w = sd['W.weight'].toFloat32Array(), r = 1 / (2 * Math.sqrt(d));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < 2 * d; j++) {
      const identity = j === i || j === d + i ? 1 : 0;
      expect(Math.abs(w[i * 2 * d + j] - identity)).toBeLessThanOrEqual(r);
    }
  }
  expect(sd['W.bias'].toFloat32Array().every((v) => v === 0)).toBe(true);
  const cb = sd['classifier.bias'].toFloat32Array();
  expect(cb.every((v) => v >= 0 && v < 1)).toBe(true);
  expect(sd['classifier.weight'].toFloat32Array().every((v) => Math.abs(v) <= 1 / Math.sqrt(d))).toBe(true);
  const e = sd['embedding.weight'].toFloat32Array();
  const std = Math.sqrt(e.reduce((s, v) => s + v * v, 0) / e.length);
  expect(std).toBeGreaterThan(0.095);
  expect(std).toBeLessThan(0.105);
});
