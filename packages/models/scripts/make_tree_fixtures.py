#!/usr/bin/python3
"""PyTorch goldens for @eddy/models' tree models: RecursiveNN, RNTN, BinaryTreeLSTM, ChildSumTreeLSTM.

Run with the interpreter Debian's python3-torch installs into (CI machines have no torch: the
test src/tree/parity.test.ts reads the committed fixtures only):

    /usr/bin/python3 packages/models/scripts/make_tree_fixtures.py

Writes fixtures/trees/<model>.safetensors and fixtures/trees/index.json. For each model: a fixed
minibatch of bracketed trees (binary ones for RecursiveNN, RNTN and BinaryTreeLSTM, with a
single-leaf tree, an unlabelled inner node and an unknown word; n-ary ones with unary chains for
ChildSumTreeLSTM), the model's config, every parameter under Eddy's (PyTorch-style) name, and the
results of one level-batched forward and backward with per-node cross-entropy (mean over the
labelled nodes): the hidden state and the logits of every node, the loss, and the gradient of the
loss with respect to every parameter. Nodes are listed tree after tree, each tree's nodes in the
parser's preorder numbering (node 0 the root).

The models are written here from the papers' equations, independently of Eddy, and run level by
level as Eddy does: the nodes of all trees grouped by height, each level one batched product
(a [M, ·] matrix of gathered children times the weights). Deterministic (torch.manual_seed); the
reference runs in float64 on float32-representable values, so the fixtures hold the exact answer
rounded once.
"""
import json
import os
import re

import numpy as np
import torch

from safetensors_io import write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), 'fixtures', 'trees')

# Eddy's Vocab puts these first; the words listed in index.json get ids 4, 5, … and any other word
# is <unk> (id 1).
SPECIALS = ['<pad>', '<unk>', '<bos>', '<eos>']
WORDS = ['the', 'movie', 'was', 'not', 'good', 'bad', 'at', 'all']
NUM_CLASSES = 5

# Binary trees: a single-leaf tree, an unlabelled inner node ((…) with no label), an unknown word
# (zzz), depths 0 to 4.
BINARY = [
    '(3 (2 (2 the) (2 movie)) (3 (2 was) (3 good)))',
    '(1 (2 not) (3 good))',
    '(4 good)',
    '(0 (1 (2 (2 the) (2 movie)) (1 (2 was) (1 (2 not) (3 good)))) (2 (2 at) (2 all)))',
    '(2 ((2 bad) (2 zzz)) (2 bad))',
]
# n-ary trees with 1 to 4 children and unary chains, for the child-sum model.
NARY = [
    '(3 (2 the) (2 movie) (3 (2 was) (3 good)))',
    '(1 (2 not) (1 (3 good)))',
    '(4 good)',
    '(0 (1 (2 the) (2 movie) (1 (2 was) (2 not) (3 good))) (2 (2 (2 (2 at))) (2 all)))',
    '(2 (2 bad) (2 zzz) (2 at) ((2 all)))',
]


def parse(text):
    """Bracketed tree -> (parent, label, word) per node in preorder (label -1 when absent)."""
    tokens = re.findall(r'\(|\)|[^\s()]+', text)
    parent, label, word, stack = [], [], [], []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t == '(':
            parent.append(stack[-1] if stack else -1)
            label.append(-1)
            word.append('')
            stack.append(len(parent) - 1)
            node = stack[-1]
            nxt = tokens[i + 1]
            if nxt not in '()':
                if tokens[i + 2] == ')':
                    word[node] = nxt  # (word)
                    i += 2
                    continue
                label[node] = int(nxt)
                i += 2
                if tokens[i] not in '()':
                    word[node] = tokens[i]
                    i += 1
                continue
            i += 1
        elif t == ')':
            stack.pop()
            i += 1
        else:
            raise ValueError(f'unexpected {t!r} in {text!r}')
    children = [[] for _ in parent]
    for j, p in enumerate(parent):
        if p >= 0:
            children[p].append(j)
    return {'label': label, 'word': word, 'children': children}


def word_id(w):
    return len(SPECIALS) + WORDS.index(w) if w in WORDS else SPECIALS.index('<unk>')


def schedule(trees):
    """Nodes of all trees (tree after tree, preorder) grouped by height: [(leaves)], [level 1], …"""
    nodes = []  # (tree, node)
    height = {}
    for t, tree in enumerate(trees):
        for j in reversed(range(len(tree['word']))):
            kids = tree['children'][j]
            height[(t, j)] = 0 if not kids else 1 + max(height[(t, c)] for c in kids)
        nodes += [(t, j) for j in range(len(tree['word']))]
    top = max(height.values())
    return nodes, [[n for n in nodes if height[n] == h] for h in range(top + 1)]


def f32(shape, scale, gen):
    """Random float32-representable values, held in float64 with requires_grad."""
    x = (torch.randn(*shape, generator=gen, dtype=torch.float32) * scale).double()
    return x.requires_grad_(True)


def run_model(name, trees, params, leaf, compose):
    """Level-batched forward; per-node cross-entropy; backward. Returns the tensors to store."""
    nodes, levels = schedule(trees)
    h, c = {}, {}
    leaves = levels[0]
    ids = torch.tensor([word_id(trees[t]['word'][j]) for t, j in leaves])
    hl, cl = leaf(params['embedding.weight'][ids])
    for r, n in enumerate(leaves):
        h[n] = hl[r]
        c[n] = None if cl is None else cl[r]
    for level in levels[1:]:
        kids = [[(t, k) for k in trees[t]['children'][j]] for t, j in level]
        hl, cl = compose(kids, h, c)
        for r, n in enumerate(level):
            h[n] = hl[r]
            c[n] = None if cl is None else cl[r]
    H = torch.stack([h[n] for n in nodes])
    logits = H @ params['classifier.weight'].T + params['classifier.bias']
    labels = torch.tensor([trees[t]['label'][j] for t, j in nodes])
    loss = torch.nn.functional.cross_entropy(logits, labels, ignore_index=-1)
    loss.backward()
    out = {'out.h': H, 'out.logits': logits, 'out.loss': loss.reshape(1)}
    for p, v in params.items():
        out[f'param.{p}'] = v
        out[f'grad.{p}'] = v.grad
    return {k: v.detach().numpy().astype(np.float32) for k, v in out.items()}


def stack_pairs(kids, state):
    """[M, 2H]: each node's [left; right] child states, the level's one gathered matrix."""
    return torch.stack([torch.cat([state[kl], state[kr]]) for kl, kr in kids])


def recursive_nn(d, gen):
    V = len(SPECIALS) + len(WORDS)
    p = {'embedding.weight': f32((V, d), 1, gen), 'W.weight': f32((d, 2 * d), 0.5, gen), 'W.bias': f32((d,), 0.5, gen),
         'classifier.weight': f32((NUM_CLASSES, d), 0.5, gen), 'classifier.bias': f32((NUM_CLASSES,), 0.5, gen)}
    leaf = lambda x: (torch.tanh(x), None)
    compose = lambda kids, h, c: (torch.tanh(stack_pairs(kids, h) @ p['W.weight'].T + p['W.bias']), None)
    return p, leaf, compose


def rntn(d, gen):
    p, leaf, _ = recursive_nn(d, gen)
    # Eddy's state-dict order: the module's own V before its submodules' parameters.
    p = {'V': f32((2 * d, 2 * d, d), 0.3, gen), 'embedding.weight': p['embedding.weight'], 'W.weight': p['W.weight'],
         'W.bias': p['W.bias'], 'classifier.weight': p['classifier.weight'], 'classifier.bias': p['classifier.bias']}

    def compose(kids, h, c):
        x = stack_pairs(kids, h)
        tensor_term = torch.einsum('mi,mj,ijk->mk', x, x, p['V'])
        return torch.tanh(tensor_term + x @ p['W.weight'].T + p['W.bias']), None
    return p, leaf, compose


def binary_tree_lstm(e, hs, gen):
    V = len(SPECIALS) + len(WORDS)
    p = {'embedding.weight': f32((V, e), 1, gen), 'leaf.weight': f32((3 * hs, e), 0.5, gen), 'leaf.bias': f32((3 * hs,), 0.5, gen),
         'W.weight': f32((5 * hs, 2 * hs), 0.5, gen), 'W.bias': f32((5 * hs,), 0.5, gen),
         'classifier.weight': f32((NUM_CLASSES, hs), 0.5, gen), 'classifier.bias': f32((NUM_CLASSES,), 0.5, gen)}

    def leaf(x):
        i, o, u = (x @ p['leaf.weight'].T + p['leaf.bias']).split(hs, 1)
        c = torch.sigmoid(i) * torch.tanh(u)
        return torch.sigmoid(o) * torch.tanh(c), c

    def compose(kids, h, c):
        i, fl, fr, o, u = (stack_pairs(kids, h) @ p['W.weight'].T + p['W.bias']).split(hs, 1)
        cl, cr = stack_pairs(kids, c).split(hs, 1)
        cell = torch.sigmoid(i) * torch.tanh(u) + torch.sigmoid(fl) * cl + torch.sigmoid(fr) * cr
        return torch.sigmoid(o) * torch.tanh(cell), cell
    return p, leaf, compose


def child_sum_tree_lstm(e, hs, gen):
    V = len(SPECIALS) + len(WORDS)
    p = {'embedding.weight': f32((V, e), 1, gen), 'W.weight': f32((3 * hs, e), 0.5, gen), 'W.bias': f32((3 * hs,), 0.5, gen),
         'U.weight': f32((3 * hs, hs), 0.5, gen), 'Uf.weight': f32((hs, hs), 0.5, gen), 'Uf.bias': f32((hs,), 0.5, gen),
         'classifier.weight': f32((NUM_CLASSES, hs), 0.5, gen), 'classifier.bias': f32((NUM_CLASSES,), 0.5, gen)}

    def cell(pre, kept):
        i, o, u = pre.split(hs, 1)
        cc = torch.sigmoid(i) * torch.tanh(u) + kept
        return torch.sigmoid(o) * torch.tanh(cc), cc

    def leaf(x):
        pre = x @ p['W.weight'].T + p['W.bias']
        return cell(pre, torch.zeros_like(pre[:, :hs]))

    def compose(kids, h, c):
        # Words sit at the leaves only: x = 0 at inner nodes, so W x drops out and W's bias stays.
        flat = [k for ks in kids for k in ks]
        hk = torch.stack([h[k] for k in flat])
        ck = torch.stack([c[k] for k in flat])
        f = torch.sigmoid(hk @ p['Uf.weight'].T + p['Uf.bias'])
        seg = torch.tensor([r for r, ks in enumerate(kids) for _ in ks])
        h_sum = torch.zeros(len(kids), hs, dtype=hk.dtype).index_add(0, seg, hk)
        kept = torch.zeros(len(kids), hs, dtype=hk.dtype).index_add(0, seg, f * ck)
        return cell(h_sum @ p['U.weight'].T + p['W.bias'], kept)
    return p, leaf, compose


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    gen = torch.Generator().manual_seed(13)
    V = len(SPECIALS) + len(WORDS)
    cases = [
        ('recursive_nn', 'EddyRecursiveNN', {'hiddenSize': 4}, BINARY, recursive_nn(4, gen)),
        ('rntn', 'EddyRNTN', {'hiddenSize': 3}, BINARY, rntn(3, gen)),
        ('binary_tree_lstm', 'EddyBinaryTreeLSTM', {'embeddingSize': 5, 'hiddenSize': 4}, BINARY, binary_tree_lstm(5, 4, gen)),
        ('child_sum_tree_lstm', 'EddyChildSumTreeLSTM', {'embeddingSize': 5, 'hiddenSize': 4}, NARY, child_sum_tree_lstm(5, 4, gen)),
    ]
    index = {'words': WORDS, 'models': []}
    for name, kind, sizes, texts, (params, leaf, compose) in cases:
        trees = [parse(t) for t in texts]
        tensors = run_model(name, trees, params, leaf, compose)
        file = f'{name}.safetensors'
        write_safetensors(os.path.join(FIXTURES, file), tensors, {'generator': 'packages/models/scripts/make_tree_fixtures.py'})
        index['models'].append({
            'name': name, 'file': file, 'trees': texts, 'parameters': list(params),
            'config': {'type': kind, 'vocabSize': V, 'numClasses': NUM_CLASSES, 'dropout': 0, **sizes},
        })
        print(f'{name}: loss {tensors["out.loss"][0]:.6f}, {len(tensors["out.h"])} nodes')
    with open(os.path.join(FIXTURES, 'index.json'), 'w') as f:
        json.dump(index, f, indent=2)
        f.write('\n')


if __name__ == '__main__':
    torch.set_default_dtype(torch.float64)
    main()
