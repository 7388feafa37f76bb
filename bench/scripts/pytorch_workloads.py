#!/usr/bin/python3
"""The canonical workloads W1-W4 in PyTorch, one thread, printing one JSON line per workload.

Run by `npm run bench -- workloads` with Debian's /usr/bin/python3 (python3-torch 1.13); the peer
label (which BLAS the process was started with) comes from --peer. The models are the same as
bench/src/workloads/rnn-lm.ts: nn.Embedding(V, H) -> nn.LSTM / nn.GRU (L layers) -> nn.Linear(H, V),
F.cross_entropy over all T*B steps, clip_grad_norm_(5), Adam(2e-3), hidden state carried detached.
W4: a 2x512 LSTM at batch 1, one step (embedding -> 2 cells -> linear -> softmax -> multinomial)
under no_grad, the state carried.

    /usr/bin/python3 bench/scripts/pytorch_workloads.py --peer pytorch-openblas [--quick] [--only W1,W4]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

TEXT = 'The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs! '


def corpus(V, length=1 << 16):
    return torch.tensor([ord(TEXT[i % len(TEXT)]) % V for i in range(length)], dtype=torch.long)


class Lm(nn.Module):
    def __init__(self, cell, V, H, layers):
        super().__init__()
        self.embedding = nn.Embedding(V, H)
        self.rnn = (nn.LSTM if cell == 'lstm' else nn.GRU)(H, H, num_layers=layers)
        self.out = nn.Linear(H, V)

    def forward(self, x, state):
        out, state = self.rnn(self.embedding(x), state)
        return self.out(out), state


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def train(cell, V, H, layers, B, T, warmup, steps, budget_s):
    torch.manual_seed(1234)
    model = Lm(cell, V, H, layers)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    text = corpus(V)
    # The windows of Eddy's LmBatcher (dropLast): B contiguous streams of S ids, window j at j·T.
    S = len(text) // B
    W = (S - 1) // T
    zeros = torch.zeros(layers, B, H)
    state = (zeros, zeros.clone()) if cell == 'lstm' else zeros
    j = 0
    times = []
    phases = {'forward': [], 'backward': [], 'clip': [], 'optimizer': []}
    started = time.perf_counter()
    i = 0
    while True:
        at = torch.arange(B).unsqueeze(0) * S + j * T + torch.arange(T).unsqueeze(1)
        x, y = text[at], text[at + 1]
        j = (j + 1) % W
        t0 = time.perf_counter()
        logits, next_state = model(x, state)
        loss = F.cross_entropy(logits.reshape(T * B, V), y.reshape(T * B))
        t1 = time.perf_counter()
        opt.zero_grad()
        loss.backward()
        t2 = time.perf_counter()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        t3 = time.perf_counter()
        opt.step()
        t4 = time.perf_counter()
        state = detach(next_state)
        loss.item()
        t5 = time.perf_counter()
        i += 1
        if i > warmup:
            times.append(t5 - t0)
            for name, dt in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                phases[name].append(dt)
        if len(times) >= steps or (len(times) >= 2 and time.perf_counter() - started > budget_s):
            break
    ms = statistics.median(times) * 1e3
    return ms, {k: round(statistics.median(v) * 1e3, 2) for k, v in phases.items()}, len(times)


def sample(V, H, layers, warmup, steps):
    torch.manual_seed(1234)
    embedding = nn.Embedding(V, H)
    rnn = nn.LSTM(H, H, num_layers=layers)
    out = nn.Linear(H, V)
    h = (torch.zeros(layers, 1, H), torch.zeros(layers, 1, H))
    char = torch.zeros(1, 1, dtype=torch.long)
    times = []
    with torch.no_grad():
        for i in range(warmup + steps):
            t0 = time.perf_counter()
            y, h = rnn(embedding(char), h)
            probs = F.softmax(out(y[0]), dim=-1)
            char = torch.multinomial(probs, 1)
            char.item()
            if i >= warmup:
                times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def blas_library():
    """The BLAS shared object this process actually mapped (what LD_LIBRARY_PATH selected)."""
    try:
        with open('/proc/self/maps') as f:
            libs = sorted({line.split()[-1] for line in f if 'blas' in line and '/' in line})
        return ', '.join(libs)
    except OSError:
        return 'unknown'


def gemm_gflops(n=512):
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(2):
        a @ b
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t0)
    return 2 * n ** 3 / statistics.median(times) / 1e9


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--peer', default='pytorch')
    parser.add_argument('--quick', action='store_true')
    parser.add_argument('--only', default='W1,W2,W3,W4')
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    only = set(args.only.split(','))
    gflops = gemm_gflops()
    slow = gflops < 15  # the reference BLAS: a W3 step takes seconds
    print(json.dumps({
        'bench': 'workload-peer', 'peer': args.peer, 'torch': torch.__version__, 'threads': torch.get_num_threads(),
        'blas': blas_library(), 'gemm512Gflops': round(gflops, 1),
        'OPENBLAS_CORETYPE': os.environ.get('OPENBLAS_CORETYPE'), 'OPENBLAS_NUM_THREADS': os.environ.get('OPENBLAS_NUM_THREADS'),
    }), flush=True)
    V, B, T = 65, 32, 64
    workloads = [('W1', 'lstm', 256, 1), ('W2', 'gru', 256, 1), ('W3', 'lstm', 512, 2)]
    for name, cell, H, layers in workloads:
        if name not in only:
            continue
        warmup = 1 if (slow or args.quick) else 3
        steps = 3 if (slow or args.quick) else 10
        budget = 20 if slow else 10
        ms, phases, n = train(cell, V, H, layers, B, T, warmup, steps, budget)
        print(json.dumps({
            'bench': 'workload', 'workload': name, 'peer': args.peer, 'threads': args.threads, 'tokensPerSec': round(T * B / (ms / 1e3)),
            'stepMs': round(ms, 2), 'steps': n, **{k + 'Ms': v for k, v in phases.items()},
        }), flush=True)
    if 'W4' in only:
        us = sample(V, 512, 2, 50, 200 if args.quick else 1000)
        print(json.dumps({'bench': 'workload', 'workload': 'W4', 'peer': args.peer, 'threads': args.threads, 'usPerChar': round(us, 1)}), flush=True)


if __name__ == '__main__':
    sys.exit(main())
