#!/usr/bin/python3
"""PyTorch side of the `tree` benchmark suite (bench/src/suites/tree.ts).

A level-batched constituency Tree-LSTM (Tai et al. 2015, N-ary with N = 2) of the same size and
training as `eddy tree train --model tree-lstm`: word vectors (random, U(-0.05, 0.05) as Tai) with
dropout, leaves h = σ(o)⊙tanh(c), c = σ(i)⊙tanh(u) from Linear(E, 3H); an inner node from its
children [h_l; h_r] through Linear(2H, 5H) into i, f_l, f_r, o, u with
c = σ(i)⊙tanh(u) + σ(f_l)⊙c_l + σ(f_r)⊙c_r; one softmax classifier Linear(H, C) on dropout(h) shared by
every node; mean cross-entropy over the labelled nodes. AdaGrad with two parameter groups:
composition and classifier (lr, L2) and word vectors (embedding lr, no L2). The nodes of a batch run
by height: all leaves at once, then every node whose children are done — a few large operations
per level, as Eddy does. After every epoch the root accuracy on dev; the best model measured on test.
One thread.

Usage: pytorch_tree.py DATA_DIR SEED [--epochs N] [--binary] [--dim D] [--hidden H] [--batch B]
       [--lr] [--embedding-lr] [--l2] [--dropout] [--limit N]   → one JSON object on stdout.
"""
import argparse
import json
import re
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

TOKEN = re.compile(r'\(|\)|[^\s()]+')


def parse(line):
    """A bracketed tree → (labels, words, children) in preorder; unary chains merged (upper label kept)."""
    labels, words, children, stack = [], [], [], []
    tokens = TOKEN.findall(line)
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t == '(':
            node = len(labels)
            labels.append(int(tokens[i + 1]))
            words.append(None)
            children.append([])
            if stack:
                children[stack[-1]].append(node)
            stack.append(node)
            i += 2
        elif t == ')':
            stack.pop()
            i += 1
        else:
            words[stack[-1]] = t
            i += 1
    # Merge unary chains: a node with one child takes that child's children and word.
    for n in range(len(labels)):
        while len(children[n]) == 1:
            c = children[n][0]
            children[n], words[n] = children[c], words[c]
    return labels, words, children


def binarize(tree):
    """n-ary nodes → right-branching binary ones (new nodes unlabelled, -1), as eddy's binarize('right')."""
    labels, words, children = (list(x) for x in tree)
    for n in range(len(labels)):
        while len(children[n]) > 2:
            rest = children[n][1:]
            new = len(labels)
            labels.append(-1)
            words.append(None)
            children.append(rest)
            children[n] = [children[n][0], new]
    return labels, words, children


def read(path, binary, limit):
    trees = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                trees.append(binarize(parse(line)))
    if limit:
        trees = trees[:limit]
    if binary:
        out = []
        for labels, words, children in trees:
            if labels[0] == 2:
                continue
            out.append(([-1 if y in (-1, 2) else (0 if y < 2 else 1) for y in labels], words, children))
        trees = out
    return trees


class TreeLSTM(nn.Module):
    def __init__(self, vocab, dim, hidden, classes, dropout):
        super().__init__()
        self.hidden = hidden
        self.embedding = nn.Embedding(vocab, dim)
        nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
        self.leaf = nn.Linear(dim, 3 * hidden)
        self.W = nn.Linear(2 * hidden, 5 * hidden)
        self.classifier = nn.Linear(hidden, classes)
        self.drop = nn.Dropout(dropout)

    def forward(self, plan):
        """plan: leaf word ids, then per level (left, right) indices into the concatenation of earlier levels."""
        H = self.hidden
        i, o, u = self.leaf(self.drop(self.embedding(plan['words']))).split(H, 1)
        c = torch.sigmoid(i) * torch.tanh(u)
        hs, cs = [torch.sigmoid(o) * torch.tanh(c)], [c]
        for left, right in plan['levels']:
            h_all, c_all = torch.cat(hs), torch.cat(cs)
            i, fl, fr, o, u = self.W(torch.cat([h_all[left], h_all[right]], 1)).split(H, 1)
            c = torch.sigmoid(i) * torch.tanh(u) + torch.sigmoid(fl) * c_all[left] + torch.sigmoid(fr) * c_all[right]
            hs.append(torch.sigmoid(o) * torch.tanh(c))
            cs.append(c)
        return self.classifier(self.drop(torch.cat(hs)))


def schedule(trees, vocab):
    """Global ids by height (leaves first), children as indices, gold labels and roots in that order."""
    nodes = []  # (height, tree, node)
    heights = []
    for t, (labels, words, children) in enumerate(trees):
        h = [0] * len(labels)
        for n in reversed(range(len(labels))):
            h[n] = 0 if not children[n] else 1 + max(h[c] for c in children[n])
        heights.append(h)
        nodes.extend((h[n], t, n) for n in range(len(labels)))
    nodes.sort()
    gid = {(t, n): g for g, (_, t, n) in enumerate(nodes)}
    max_h = nodes[-1][0]
    words = [vocab.get(trees[t][1][n], 1) for h, t, n in nodes if h == 0]
    levels = []
    for height in range(1, max_h + 1):
        members = [(t, n) for h, t, n in nodes if h == height]
        levels.append((torch.tensor([gid[(t, trees[t][2][n][0])] for t, n in members]), torch.tensor([gid[(t, trees[t][2][n][1])] for t, n in members])))
    labels = torch.tensor([trees[t][0][n] for _, t, n in nodes])
    roots = torch.tensor([gid[(t, 0)] for t in range(len(trees))])
    return {'words': torch.tensor(words), 'levels': levels, 'labels': labels, 'roots': roots}


def metrics(model, trees, vocab, classes):
    model.eval()
    right = {'root': 0, 'all': 0, 'broot': 0, 'ball': 0}
    count = {'root': 0, 'all': 0, 'broot': 0, 'ball': 0}
    with torch.no_grad():
        for s in range(0, len(trees), 256):
            plan = schedule(trees[s:s + 256], vocab)
            logits = model(plan)
            pred = logits.argmax(1)
            polar = torch.tensor([0, 1, 3, 4])
            bpred = polar[logits[:, polar].argmax(1)] > 2 if classes == 5 else None
            is_root = torch.zeros(len(pred), dtype=torch.bool)
            is_root[plan['roots']] = True
            for g in range(len(pred)):
                y = int(plan['labels'][g])
                if y < 0:
                    continue
                ok = int(pred[g]) == y
                count['all'] += 1
                right['all'] += ok
                if is_root[g]:
                    count['root'] += 1
                    right['root'] += ok
                if classes == 5 and y != 2:
                    bok = bool(bpred[g]) == (y > 2)
                    count['ball'] += 1
                    right['ball'] += bok
                    if is_root[g]:
                        count['broot'] += 1
                        right['broot'] += bok
    model.train()
    frac = lambda k: right[k] / count[k] if count[k] else None
    if classes == 2:
        return {'rootAccuracy': frac('root'), 'allAccuracy': frac('all'), 'binaryRootAccuracy': frac('root'), 'binaryAllAccuracy': frac('all')}
    return {'rootAccuracy': frac('root'), 'allAccuracy': frac('all'), 'binaryRootAccuracy': frac('broot'), 'binaryAllAccuracy': frac('ball')}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('data')
    p.add_argument('seed', type=int)
    p.add_argument('--epochs', type=float, default=10)
    p.add_argument('--binary', action='store_true')
    p.add_argument('--dim', type=int, default=100)
    p.add_argument('--hidden', type=int, default=150)
    p.add_argument('--batch', type=int, default=25)
    p.add_argument('--lr', type=float, default=0.05)
    p.add_argument('--embedding-lr', type=float, default=0.1)
    p.add_argument('--l2', type=float, default=1e-4)
    p.add_argument('--dropout', type=float, default=0.5)
    p.add_argument('--limit', type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    train, dev, test = (read(f'{a.data}/{s}.txt', a.binary, a.limit) for s in ('train', 'dev', 'test'))
    vocab = {'<pad>': 0, '<unk>': 1}
    for _, words, _ in train:
        for w in words:
            if w is not None:
                vocab.setdefault(w, len(vocab))
    classes = 2 if a.binary else 5
    model = TreeLSTM(len(vocab), a.dim, a.hidden, classes, a.dropout)
    words = [model.embedding.weight]
    rest = [q for q in model.parameters() if q is not model.embedding.weight]
    opt = torch.optim.Adagrad([{'params': rest, 'weight_decay': a.l2}, {'params': words, 'lr': a.embedding_lr}], lr=a.lr)
    steps_per_epoch = (len(train) + a.batch - 1) // a.batch
    total = int(a.epochs * steps_per_epoch + 0.999999)
    best_dev, best_state, step, train_time = -1.0, None, 0, 0.0
    started = time.perf_counter()
    while step < total:
        t0 = time.perf_counter()
        order = torch.randperm(len(train), generator=gen).tolist()
        for s in range(0, len(order), a.batch):
            if step >= total:
                break
            plan = schedule([train[i] for i in order[s:s + a.batch]], vocab)
            loss = F.cross_entropy(model(plan), plan['labels'], ignore_index=-1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        train_time += time.perf_counter() - t0
        dev_root = metrics(model, dev, vocab, classes)['rootAccuracy']
        print(f'pytorch epoch {step / steps_per_epoch:.2f} dev root {dev_root:.4f}', file=sys.stderr, flush=True)
        if dev_root > best_dev:
            best_dev, best_state = dev_root, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    print(json.dumps({
        'peer': 'pytorch', 'torch': torch.__version__, 'seed': a.seed, 'seconds': time.perf_counter() - started,
        'epochs': step / steps_per_epoch, 'secondsPerEpoch': train_time / (step / steps_per_epoch),
        'bestDevRootAccuracy': best_dev, 'test': metrics(model, test, vocab, classes), 'trainTrees': len(train),
    }))


if __name__ == '__main__':
    main()
