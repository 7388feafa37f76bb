#!/usr/bin/python3
"""PyTorch side of the `lm` benchmark suite (bench/src/suites/language-models.ts).

The Node side tokenizes and splits the corpus, writes the train and validation ids as raw
little-endian int32 files, and passes one JSON configuration as the only argument. This script
trains the same model on the same ids with the same batching layout (B contiguous streams,
truncated BPTT windows of seqLen, hidden state carried across windows and detached, zeros at the
start of every epoch), evaluates on the whole validation split, and prints one JSON object on
stdout. Run with Debian's interpreter (python3-torch 1.13): /usr/bin/python3.

Configuration keys: task, trainIds, valIds, vocabSize, input ('onehot' | 'embedding'),
embeddingDim, hidden, layers, seqLen, batch, steps, optimizer ({type: 'rmsprop', lr, alpha, eps}
| {type: 'sgd', lr}), clip ({kind: 'value' | 'norm', max}), lossScale ('time': the gradient of
the per-step batch-mean losses summed over time, as char-rnn and Zaremba's Lua code), initRange,
forgetBias, seed, threads.
"""
import ctypes
import ctypes.util
import json
import os
import re
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def blas_info():
    """Which BLAS torch's CPU matmuls reach here, and OpenBLAS's own view of the machine."""
    info = {'torchBlas': 'unknown', 'openblasConfig': None, 'openblasCore': None}
    try:
        m = re.search(r'BLAS_INFO=([^,\s]+)', torch.__config__.show())
        if m:
            info['torchBlas'] = m.group(1)
    except Exception:  # noqa: BLE001 - diagnostics only
        pass
    # torch is linked against libblas.so.3 (Debian's alternatives); if that is OpenBLAS, the
    # process has libopenblas loaded and its symbols answer.
    for name in ('libopenblas.so.0', 'libblas.so.3'):
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            info['openblasConfig'] = lib.openblas_get_config().decode()
            info['openblasCore'] = lib.openblas_get_corename().decode()
            info['openblasThreads'] = lib.openblas_get_num_threads()
            break
        except (OSError, AttributeError):
            continue
    return info


class LanguageModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        V, H = cfg['vocabSize'], cfg['hidden']
        self.onehot = cfg['input'] == 'onehot'
        self.V = V
        if self.onehot:
            inp = V
            self.embedding = None
        else:
            inp = cfg['embeddingDim']
            self.embedding = nn.Embedding(V, inp)
        self.lstm = nn.LSTM(inp, H, num_layers=cfg['layers'])
        self.decoder = nn.Linear(H, V)
        r = cfg['initRange']
        with torch.no_grad():
            for p in self.parameters():
                p.uniform_(-r, r)
            if cfg['forgetBias']:
                # char-rnn sets the forget-gate bias of its input-to-hidden Linear to 1;
                # in PyTorch's layout (i|f|g|o) that is bias_ih_l{k}[H:2H].
                for k in range(cfg['layers']):
                    getattr(self.lstm, f'bias_ih_l{k}')[H:2 * H].fill_(cfg['forgetBias'])

    def forward(self, x, state):
        if self.onehot:
            inp = F.one_hot(x.long(), self.V).float()
        else:
            inp = self.embedding(x.long())
        out, state = self.lstm(inp, state)
        T, B, H = out.shape
        return self.decoder(out.reshape(T * B, H)), state


def windows(ids, B, T):
    """LmBatcher's layout: B contiguous streams of L = N // B ids, windows of T steps."""
    L = len(ids) // B
    data = torch.from_numpy(ids[:B * L].astype(np.int64).reshape(B, L).T.copy())  # [L, B]
    for start in range(0, L - 1, T):
        steps = min(T, L - 1 - start)
        yield data[start:start + steps], data[start + 1:start + steps + 1]


def evaluate(model, ids, cfg):
    model.eval()
    total, count = 0.0, 0
    state = None
    with torch.no_grad():
        for x, y in windows(ids, cfg['batch'], cfg['seqLen']):
            logits, state = model(x, state)
            total += F.cross_entropy(logits, y.reshape(-1), reduction='sum').item()
            count += y.numel()
    model.train()
    return total / count, count


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg.get('threads', 1))
    torch.manual_seed(cfg['seed'])
    train = np.fromfile(cfg['trainIds'], dtype='<i4')
    val = np.fromfile(cfg['valIds'], dtype='<i4')
    model = LanguageModel(cfg)
    params = list(model.parameters())
    o = cfg['optimizer']
    if o['type'] == 'rmsprop':
        opt = torch.optim.RMSprop(params, lr=o['lr'], alpha=o['alpha'], eps=o['eps'])
    else:
        opt = torch.optim.SGD(params, lr=o['lr'])
    clip = cfg['clip']
    B, T = cfg['batch'], cfg['seqLen']

    phases = {'batching': 0.0, 'forward': 0.0, 'backward': 0.0, 'clip': 0.0, 'optimizer': 0.0}
    losses = []
    step = 0
    started = time.perf_counter()
    state = None
    while step < cfg['steps']:
        it = windows(train, B, T)
        state = None  # zeros at the start of every epoch
        while step < cfg['steps']:
            t0 = time.perf_counter()
            try:
                x, y = next(it)
            except StopIteration:
                break
            t1 = time.perf_counter()
            if state is not None:
                state = tuple(s.detach() for s in state)
            logits, state = model(x, state)
            loss = F.cross_entropy(logits, y.reshape(-1))
            t2 = time.perf_counter()
            opt.zero_grad(set_to_none=False)
            # Σ over time of the batch-mean loss (char-rnn, Zaremba): the mean times T.
            (loss * (x.shape[0] if cfg['lossScale'] == 'time' else 1)).backward()
            t3 = time.perf_counter()
            if clip['kind'] == 'value':
                torch.nn.utils.clip_grad_value_(params, clip['max'])
            else:
                torch.nn.utils.clip_grad_norm_(params, clip['max'])
            t4 = time.perf_counter()
            opt.step()
            t5 = time.perf_counter()
            phases['batching'] += t1 - t0
            phases['forward'] += t2 - t1
            phases['backward'] += t3 - t2
            phases['clip'] += t4 - t3
            phases['optimizer'] += t5 - t4
            losses.append(loss.item())
            step += 1
            if cfg.get('progressEvery') and step % cfg['progressEvery'] == 0:
                print(f'pytorch {cfg["task"]}: step {step}/{cfg["steps"]} loss {losses[-1]:.4f}', file=sys.stderr, flush=True)
    train_seconds = time.perf_counter() - started
    e0 = time.perf_counter()
    val_loss, val_tokens = evaluate(model, val, cfg)
    eval_seconds = time.perf_counter() - e0
    print(json.dumps({
        'peer': 'pytorch',
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        **blas_info(),
        'env': {k: os.environ.get(k) for k in ('OPENBLAS_CORETYPE', 'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS')},
        'steps': step,
        'trainSeconds': train_seconds,
        'evalSeconds': eval_seconds,
        'firstLoss': losses[0] if losses else None,
        'lastTrainLoss': float(np.mean(losses[-10:])) if losses else None,
        'valLoss': val_loss,
        'valTokens': val_tokens,
        'phasesSeconds': phases,
        'parameters': sum(p.numel() for p in params),
    }))


if __name__ == '__main__':
    main()
