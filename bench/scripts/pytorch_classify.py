#!/usr/bin/python3
"""PyTorch side of the `classify` benchmark suite (bench/src/suites/classify.ts).

The issue's baseline: a BiLSTM sentence classifier (embedding 100, hidden 100 per direction, max
pooling over the valid steps, dropout 0.5, Adam lr 1e-3, batches of 32), trained on the SST-2
training sentences for a wall-time budget; after every epoch it is validated on dev, and the
model with the best dev accuracy is measured on test. Words are split on whitespace; every word of
the training file gets an id (the test's unseen words read as <unk>). One thread.

Usage: pytorch_classify.py DATA_DIR SECONDS SEED  → one JSON object on stdout.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read(path):
    labels, texts = [], []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            label, text = line.split(' ', 1)
            labels.append(int(label))
            texts.append(text.split())
    return labels, texts


class BiLSTM(nn.Module):
    def __init__(self, vocab, dim=100, hidden=100, classes=2, dropout=0.5):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim, padding_idx=0)
        self.rnn = nn.LSTM(dim, hidden, bidirectional=True)
        self.drop = nn.Dropout(dropout)
        self.classifier = nn.Linear(2 * hidden, classes)

    def forward(self, ids, lengths):
        x = self.embedding(ids)  # [T, B, E]
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
        out, _ = self.rnn(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, padding_value=float('-inf'))
        pooled = out.max(dim=0).values
        return self.classifier(self.drop(pooled))


def batches(ids, labels, size, shuffle, gen):
    order = torch.randperm(len(ids), generator=gen).tolist() if shuffle else list(range(len(ids)))
    for s in range(0, len(order), size):
        members = order[s:s + size]
        lengths = torch.tensor([len(ids[i]) for i in members])
        T = int(lengths.max())
        x = torch.zeros(T, len(members), dtype=torch.long)
        for b, i in enumerate(members):
            x[:len(ids[i]), b] = torch.tensor(ids[i])
        yield x, lengths, torch.tensor([labels[i] for i in members])


def accuracy(model, ids, labels):
    model.eval()
    right = 0
    with torch.no_grad():
        for x, lengths, y in batches(ids, labels, 256, False, None):
            right += int((model(x, lengths).argmax(1) == y).sum())
    model.train()
    return right / len(ids)


def main():
    data, seconds, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    # An optional 4th argument: the training file (default the sentences, stsa.binary.train).
    train_file = sys.argv[4] if len(sys.argv) > 4 else f"{data}/stsa.binary.train"
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    train_y, train_x = read(train_file)
    dev_y, dev_x = read(f'{data}/stsa.binary.dev')
    test_y, test_x = read(f'{data}/stsa.binary.test')
    vocab = {'<pad>': 0, '<unk>': 1}
    for words in train_x:
        for w in words:
            vocab.setdefault(w, len(vocab))
    encode = lambda xs: [[vocab.get(w, 1) for w in words] for words in xs]
    train_ids, dev_ids, test_ids = encode(train_x), encode(dev_x), encode(test_x)
    model = BiLSTM(len(vocab))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    best_dev, best_state, epochs, train_time = -1.0, None, 0, 0.0
    started = time.perf_counter()
    out_of_time = False
    while not out_of_time:
        t0 = time.perf_counter()
        for x, lengths, y in batches(train_ids, train_y, 32, True, gen):
            if time.perf_counter() - started >= seconds:
                out_of_time = True
                break
            loss = F.cross_entropy(model(x, lengths), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        if not out_of_time:
            epochs += 1
            train_time += time.perf_counter() - t0
        dev = accuracy(model, dev_ids, dev_y)
        print(f'pytorch epoch {epochs}{"+" if out_of_time else ""} dev {dev:.4f}', file=sys.stderr, flush=True)
        if dev > best_dev:
            best_dev, best_state = dev, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    print(json.dumps({
        'peer': 'pytorch', 'torch': torch.__version__, 'seed': seed, 'seconds': time.perf_counter() - started,
        'epochs': epochs, 'secondsPerEpoch': train_time / epochs if epochs else None,
        'bestDevAccuracy': best_dev, 'testAccuracy': accuracy(model, test_ids, test_y),
    }))


if __name__ == '__main__':
    main()
