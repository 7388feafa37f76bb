#!/usr/bin/python3
"""PyTorch parity fixtures for @eddy/models' Seq2Seq: the loss of one padded batch and its gradient
w.r.t. every parameter, for an LSTM encoder-decoder with a bidirectional encoder (1 layer), the
bridge (Linear 2H -> H + tanh for h and c), Luong input feeding and the combine layer
h~ = tanh(W_c [h; context]), with Luong 'general' and with Bahdanau attention.

Run with the interpreter Debian's python3-torch installs into:

    /usr/bin/python3 packages/models/scripts/make_seq2seq_fixtures.py

Writes fixtures/seq2seq/<case>.safetensors and fixtures/seq2seq/index.json. The model is written
here with torch.nn's modules (packed sequences for the encoder, LSTMCell for the decoder, the
attention modules of make_step_fixtures.py), in float64 on float32-representable values, and
every parameter is stored under Eddy's name ('param.<name>', 'grad.<name>'). Padding ids in the
batch are 0 (the embeddings' padding_idx); the loss is the mean cross-entropy over the valid target
tokens (predicting y1 ... yn EOS from BOS y1 ... yn).
"""
import json
import os

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from make_step_fixtures import BahdanauAttention, LuongAttention, attend, f32
from safetensors_io import write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), 'fixtures', 'seq2seq')

SOURCE_VOCAB, TARGET_VOCAB, E, H = 9, 8, 3, 4
PAD, BOS, EOS = 0, 2, 3
PAIRS = [([4, 5, 6, 7], [4, 5, 6]), ([8, 4], [7]), ([5, 6, 8], [6, 4, 4, 5])]


class Seq2Seq(torch.nn.Module):
    def __init__(self, attention):
        super().__init__()
        self.enc_embedding = torch.nn.Embedding(SOURCE_VOCAB, E, padding_idx=PAD)
        self.enc_rnn = torch.nn.LSTM(E, H, bidirectional=True)
        self.bridge_h = torch.nn.Linear(2 * H, H)
        self.bridge_c = torch.nn.Linear(2 * H, H)
        self.dec_embedding = torch.nn.Embedding(TARGET_VOCAB, E, padding_idx=PAD)
        self.cell = torch.nn.LSTMCell(E + H, H)
        self.attention = BahdanauAttention(H, 2 * H) if attention == 'bahdanau' else LuongAttention('general', H, 2 * H)
        self.combine = torch.nn.Linear(3 * H, H, bias=False)
        self.output = torch.nn.Linear(H, TARGET_VOCAB)

    def eddy_names(self):
        """(Eddy's name, parameter) for every parameter."""
        names = {'enc_embedding': 'encoder.embedding', 'enc_rnn': 'encoder.rnn', 'bridge_h': 'bridge.h_l0', 'bridge_c': 'bridge.c_l0',
                 'dec_embedding': 'decoder.embedding', 'cell': 'decoder.cells.0', 'attention': 'decoder.attention',
                 'combine': 'decoder.combine', 'output': 'decoder.output'}
        for name, p in self.named_parameters():
            head, rest = name.split('.', 1)
            yield names[head] + '.' + rest, p

    def loss(self, source, lengths, target, target_lengths):
        S, B = source.shape
        packed = pack_padded_sequence(self.enc_embedding(source), lengths, enforce_sorted=False)
        out, (h, c) = self.enc_rnn(packed)
        keys, _ = pad_packed_sequence(out, total_length=S)  # [S, B, 2H], zero past each length
        h = torch.tanh(self.bridge_h(torch.cat([h[0], h[1]], 1)))
        c = torch.tanh(self.bridge_c(torch.cat([c[0], c[1]], 1)))
        feed = torch.zeros(B, H, dtype=torch.float64)
        logits = []
        for t in range(target.shape[0] - 1):
            x = torch.cat([self.dec_embedding(target[t]), feed], 1)
            h, c = self.cell(x, (h, c))
            context, _ = attend(self.attention, h, keys, lengths)
            feed = torch.tanh(self.combine(torch.cat([h, context], 1)))
            logits.append(self.output(feed))
        logits = torch.stack(logits)  # [T - 1, B, V]
        targets = target[1:].clone()
        for b, n in enumerate(target_lengths):
            targets[n - 1:, b] = -100
        return torch.nn.functional.cross_entropy(logits.reshape(-1, TARGET_VOCAB), targets.reshape(-1), ignore_index=-100)


def batch():
    B = len(PAIRS)
    lengths = [len(s) for s, _ in PAIRS]
    target_lengths = [len(t) + 2 for _, t in PAIRS]
    source = torch.full((max(lengths), B), PAD, dtype=torch.long)
    target = torch.full((max(target_lengths), B), PAD, dtype=torch.long)
    for b, (s, t) in enumerate(PAIRS):
        source[:len(s), b] = torch.tensor(s)
        target[:len(t) + 2, b] = torch.tensor([BOS] + t + [EOS])
    return source, lengths, target, target_lengths


def make(name, attention):
    model = Seq2Seq(attention).double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.float().double())
    source, lengths, target, target_lengths = batch()
    loss = model.loss(source, lengths, target, target_lengths)
    loss.backward()
    tensors, names = {}, []
    for eddy, p in model.eddy_names():
        names.append(eddy)
        tensors['param.' + eddy] = f32(p)
        tensors['grad.' + eddy] = f32(p.grad)
    config = {'type': 'EddySeq2Seq', 'sourceVocabSize': SOURCE_VOCAB, 'targetVocabSize': TARGET_VOCAB, 'embeddingSize': E, 'hiddenSize': H,
              'bidirectional': True, 'attention': 'bahdanau' if attention == 'bahdanau' else 'luong-general', 'inputFeeding': True}
    return tensors, {'name': name, 'file': name + '.safetensors', 'config': config, 'pairs': PAIRS, 'loss': loss.item(), 'parameters': names}


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for seed, (name, attention) in enumerate((('lstm_bi_luong_general', 'general'), ('lstm_bi_bahdanau', 'bahdanau'))):
        torch.manual_seed(300 + seed)
        tensors, entry = make(name, attention)
        write_safetensors(os.path.join(OUT, name + '.safetensors'), tensors, {'format': 'pt', 'case': name})
        cases.append(entry)
    index = {'generator': 'packages/models/scripts/make_seq2seq_fixtures.py', 'torch': torch.__version__, 'cases': cases}
    with open(os.path.join(OUT, 'index.json'), 'w') as f:
        json.dump(index, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
