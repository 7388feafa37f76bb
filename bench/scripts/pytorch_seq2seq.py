#!/usr/bin/python3
"""PyTorch side of the `seq2seq` benchmark suite (bench/src/suites/seq2seq.ts).

The same model as `eddy seq2seq train`'s defaults (packages/models/src/seq2seq): a shared
vocabulary read from the Eddy run's vocab.json (char: one id per character; word: one per
whitespace-separated word; unknown ones read as <unk>), embedding E = H (padding row 0), a
one-layer LSTM encoder over the valid steps (packed), the encoder's final (h, c) as the decoder's
initial state (Eddy's bridge without --bidirectional), an LSTMCell decoder fed [E y_{t-1}; h~_{t-1}]
(input feeding, h~_0 = 0), Luong's general score e_s = h_t . attn(k_s) masked past each length,
h~_t = tanh(W_c [h_t; c_t]) without bias, an output Linear(H -> V); mean cross-entropy over the
valid target tokens (y1..yn EOS from BOS y1..yn), Adam, global-norm clipping, batches bucketed by
source length in a shuffled order (as text's parallelBatches).

Training runs for SECONDS of wall time, validation included, as `eddy seq2seq train --time`:
after every epoch (and when the time is up) the validation loss is measured and up to 2000
validation sources are decoded greedily (Eddy measures BLEU on them); the model with the lowest
validation loss is measured on the test file. Decoding is greedy (beam 1) and beam K over the B.K
rows of a batch, to EOS or the cap ceil(2 . source length) + 5, as Eddy's translate.

Usage: pytorch_seq2seq.py --train F --valid F --test F --vocab vocab.json --seconds N --seed S
       --out DIR [--hidden 128] [--batch 32] [--lr 0.002] [--lr-decay 0.9] [--clip 5] [--beam 5] [--speed-sentences 1000]
Decoding speed is timed on the first --speed-sentences test sources. Writes DIR/greedy.txt (one hypothesis per test line; the suite scores exact match and BLEU with
Eddy's scorer) and prints one JSON object on stdout. One thread (OMP_NUM_THREADS from the suite).
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from pytorch_workloads import blas_library, gemm_gflops

PAD, UNK, BOS, EOS = 0, 1, 2, 3
MAX_BLEU_SENTENCES = 2000
CAP_SLACK = 5


class Tokenizer:
    """Eddy's char or word tokenizer, from the symbols of its vocab.json."""

    def __init__(self, path):
        with open(path, encoding='utf-8') as f:
            config = json.load(f)
        self.kind = config['type']
        if self.kind not in ('char', 'word'):
            raise SystemExit(f'pytorch_seq2seq: tokenizer {self.kind} is not supported (char or word)')
        self.symbols = config['vocab']['symbols']
        self.ids = {s: i for i, s in enumerate(self.symbols)}

    def encode(self, text):
        pieces = list(text) if self.kind == 'char' else text.split()
        return [self.ids.get(p, UNK) for p in pieces]

    def decode(self, ids):
        return ('' if self.kind == 'char' else ' ').join(self.symbols[i] for i in ids)


def read_pairs(path, tok):
    pairs = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line.strip():
                continue
            source, target = line.split('\t')[:2]
            pairs.append((tok.encode(source), tok.encode(target), target))
    return pairs


class Seq2Seq(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        H = hidden
        self.encoder_embedding = nn.Embedding(vocab, H, padding_idx=PAD)
        self.encoder_rnn = nn.LSTM(H, H)
        self.decoder_embedding = nn.Embedding(vocab, H, padding_idx=PAD)
        self.cell = nn.LSTMCell(2 * H, H)  # [E y; h~] (input feeding)
        self.attn = nn.Linear(H, H)  # Luong general: e_s = h . attn(k_s)
        self.combine = nn.Linear(2 * H, H, bias=False)
        self.output = nn.Linear(H, vocab)
        self.H = H

    def encode(self, source, lengths):
        """source [S, B] -> keys [S, B, H] (zero past each length), attn(keys) [B, S, H], mask [B, S], (h, c)."""
        x = self.encoder_embedding(source)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
        out, (h, c) = self.encoder_rnn(packed)
        keys, _ = nn.utils.rnn.pad_packed_sequence(out, total_length=source.shape[0])
        keys = keys.transpose(0, 1)  # [B, S, H]
        mask = torch.arange(source.shape[0])[None, :] >= lengths[:, None]
        return keys, self.attn(keys), mask, (h[0], c[0])

    def step(self, y, state, feed, keys, projected, mask):
        h, c = self.cell(torch.cat([self.decoder_embedding(y), feed], 1), state)
        scores = torch.bmm(projected, h.unsqueeze(2)).squeeze(2).masked_fill(mask, float('-inf'))
        weights = torch.softmax(scores, 1)
        context = torch.bmm(weights.unsqueeze(1), keys).squeeze(1)
        attentional = torch.tanh(self.combine(torch.cat([h, context], 1)))
        return (h, c), attentional, self.output(attentional)

    def loss(self, source, lengths, target):
        """Mean cross-entropy over the valid tokens of target [T, B] (BOS y1..yn EOS, PAD after); also their count."""
        keys, projected, mask, state = self.encode(source, lengths)
        feed = torch.zeros(source.shape[1], self.H)
        logits = []
        for t in range(target.shape[0] - 1):
            state, feed, out = self.step(target[t], state, feed, keys, projected, mask)
            logits.append(out)
        gold = target[1:]
        loss = F.cross_entropy(torch.stack(logits).reshape(-1, logits[0].shape[1]), gold.reshape(-1), ignore_index=PAD)
        return loss, int((gold != PAD).sum())


def pad(seqs, bos_eos=False):
    seqs = [[BOS] + s + [EOS] for s in seqs] if bos_eos else seqs
    T = max(len(s) for s in seqs)
    x = torch.zeros(T, len(seqs), dtype=torch.long)
    for b, s in enumerate(seqs):
        x[:len(s), b] = torch.tensor(s, dtype=torch.long)
    return x


def batches(pairs, size, rng):
    """Batches of pairs of similar source length, in a shuffled order (bucketing as text's parallelBatches)."""
    if rng is None:
        order = list(range(len(pairs)))
    else:
        keys = [(len(p[0]), rng.random()) for p in pairs]
        order = sorted(range(len(pairs)), key=lambda i: keys[i])
    chunks = [order[s:s + size] for s in range(0, len(order), size)]
    if rng is not None:
        rng.shuffle(chunks)
    for members in chunks:
        yield pad([pairs[i][0] for i in members]), torch.tensor([len(pairs[i][0]) for i in members]), pad([pairs[i][1] for i in members], True)


def mean_loss(model, pairs, size):
    total, tokens = 0.0, 0
    with torch.no_grad():
        for source, lengths, target in batches(pairs, size, None):
            loss, n = model.loss(source, lengths, target)
            total += float(loss) * n
            tokens += n
    return total / tokens


def decode(model, sources, beam, size):
    """The best output ids of each source (beam 1 = greedy), `size` sources together."""
    results = []
    with torch.no_grad():
        for s in range(0, len(sources), size):
            chunk = sources[s:s + size]
            results.extend(greedy(model, chunk) if beam == 1 else beam_search(model, chunk, beam))
    return results


def greedy(model, chunk):
    lengths = torch.tensor([len(x) for x in chunk])
    keys, projected, mask, state = model.encode(pad(chunk), lengths)
    B = len(chunk)
    caps = [math.ceil(2 * len(x)) + CAP_SLACK for x in chunk]
    y = torch.full((B,), BOS, dtype=torch.long)
    feed = torch.zeros(B, model.H)
    out = [[] for _ in range(B)]
    done = [False] * B
    t = 0
    while not all(done):
        state, feed, logits = model.step(y, state, feed, keys, projected, mask)
        y = logits.argmax(1)
        for b, token in enumerate(y.tolist()):
            if done[b]:
                continue
            if token == EOS:
                done[b] = True
            else:
                out[b].append(token)
                done[b] = t + 1 >= caps[b]
        t += 1
    return out


def beam_search(model, chunk, K):
    """As Eddy's beamSearch: B.K rows; each step a source's 2K best extensions fill its K slots (EOS ones finish) until K are finished or the cap."""
    B = len(chunk)
    lengths = torch.tensor([len(x) for x in chunk])
    keys, projected, mask, (h, c) = model.encode(pad(chunk), lengths)
    rows = torch.arange(B).repeat_interleave(K)
    keys, projected, mask, state = keys[rows], projected[rows], mask[rows], (h[rows], c[rows])
    caps = [math.ceil(2 * len(x)) + CAP_SLACK for x in chunk]
    feed = torch.zeros(B * K, model.H)
    score = torch.full((B, K), float('-inf'))
    score[:, 0] = 0
    prefixes = [[] for _ in range(B * K)]
    finished = [[] for _ in range(B)]
    done = [False] * B
    y = torch.full((B * K,), BOS, dtype=torch.long)
    t = 0
    while not all(done):
        state, feed, logits = model.step(y, state, feed, keys, projected, mask)
        V = logits.shape[1]
        total = (score.unsqueeze(2) + torch.log_softmax(logits, 1).view(B, K, V)).view(B, K * V)
        best, where = total.topk(2 * K, 1)
        parents = list(range(B * K))
        next_y = [EOS] * (B * K)
        next_score = torch.full((B, K), float('-inf'))
        next_prefixes = [[] for _ in range(B * K)]
        for b in range(B):
            if done[b]:
                continue
            slot = 0
            for value, index in zip(best[b].tolist(), where[b].tolist()):
                if value == float('-inf'):
                    break
                row, token = b * K + index // V, index % V
                if token == EOS:
                    finished[b].append((value, prefixes[row]))
                    if len(finished[b]) == K:
                        break
                else:
                    r = b * K + slot
                    parents[r], next_y[r], next_score[b, slot] = row, token, value
                    next_prefixes[r] = prefixes[row] + [token]
                    slot += 1
                    if slot == K:
                        break
            if len(finished[b]) == K or t + 1 >= caps[b]:
                if len(finished[b]) < K:
                    finished[b].extend((float(next_score[b, s]), next_prefixes[b * K + s]) for s in range(slot))
                next_score[b] = float('-inf')
                done[b] = True
        index = torch.tensor(parents)
        state, feed = (state[0][index], state[1][index]), feed[index]
        y, score, prefixes = torch.tensor(next_y), next_score, next_prefixes
        t += 1
    return [max(f, key=lambda x: x[0])[1] for f in finished]


def token_accuracy(outputs, references):
    """text's tokenAccuracy: position-wise over the reference tokens."""
    right = sum(sum(1 for a, b in zip(h, r) if a == b) for h, r in zip(outputs, references))
    return right / sum(len(r) for r in references)


def sentences_per_second(model, sources, beam, size):
    started = time.perf_counter()
    decode(model, sources, beam, size)
    return len(sources) / (time.perf_counter() - started)


def main():
    p = argparse.ArgumentParser()
    for name in ('train', 'valid', 'test', 'vocab', 'out'):
        p.add_argument(f'--{name}', required=True)
    p.add_argument('--seconds', type=float, required=True)
    p.add_argument('--seed', type=int, default=123)
    p.add_argument('--hidden', type=int, default=128)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--lr', type=float, default=2e-3)
    p.add_argument('--lr-decay', type=float, default=0.9, help='multiply the rate by this after every epoch (eddy seq2seq train\'s default)')
    p.add_argument('--clip', type=float, default=5.0)
    p.add_argument('--beam', type=int, default=5)
    p.add_argument('--speed-sentences', type=int, default=1000)
    a = p.parse_args()
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '1')))
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    tok = Tokenizer(a.vocab)
    train, valid, test = (read_pairs(f, tok) for f in (a.train, a.valid, a.test))
    model = Seq2Seq(len(tok.symbols), a.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)

    best_loss, best_state, steps, tokens, train_seconds = math.inf, None, 0, 0, 0.0

    def evaluate():
        nonlocal best_loss, best_state
        model.eval()
        loss = mean_loss(model, valid, max(a.batch, 64))
        decode(model, [x[0] for x in valid[:MAX_BLEU_SENTENCES]], 1, max(a.batch, 64))  # as Eddy's validation BLEU
        model.train()
        if loss < best_loss:
            best_loss, best_state = loss, {k: v.clone() for k, v in model.state_dict().items()}
        return loss

    started = time.perf_counter()
    out_of_time = False
    epoch = 0
    while not out_of_time:
        for source, lengths, target in batches(train, a.batch, rng):
            if time.perf_counter() - started >= a.seconds:
                out_of_time = True
                break
            t0 = time.perf_counter()
            loss, n = model.loss(source, lengths, target)
            opt.zero_grad()
            loss.backward()
            if a.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), a.clip)
            opt.step()
            train_seconds += time.perf_counter() - t0
            steps += 1
            tokens += n
        if not out_of_time:
            epoch += 1
            for group in opt.param_groups:
                group['lr'] = a.lr * a.lr_decay ** epoch
        val = evaluate()
        print(f'pytorch epoch {epoch}{"+" if out_of_time else ""} train loss {float(loss):.4f} validation loss {val:.4f}', file=sys.stderr, flush=True)
    seconds = time.perf_counter() - started
    steps_per_epoch = math.ceil(len(train) / a.batch)

    model.load_state_dict(best_state)
    model.eval()
    sources = [x[0] for x in test]
    outputs = decode(model, sources, 1, a.batch)
    with open(os.path.join(a.out, 'greedy.txt'), 'w', encoding='utf-8') as f:
        f.writelines(tok.decode(o).replace('\n', ' ') + '\n' for o in outputs)
    print(json.dumps({
        'peer': 'pytorch', 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'seed': a.seed,
        'seconds': seconds, 'steps': steps, 'epochs': steps / steps_per_epoch, 'bestValLoss': best_loss,
        'trainTokensPerSecond': tokens / train_seconds,
        'tokenAccuracy': token_accuracy(outputs, [x[1] for x in test]),
        'greedySentencesPerSecond': sentences_per_second(model, sources[:a.speed_sentences], 1, a.batch),
        'beamSentencesPerSecond': sentences_per_second(model, sources[:a.speed_sentences], a.beam, a.batch),
        'parameters': sum(p.numel() for p in model.parameters()),
        'blas': blas_library(), 'gemm512Gflops': round(gemm_gflops(), 1),
    }))


if __name__ == '__main__':
    main()
