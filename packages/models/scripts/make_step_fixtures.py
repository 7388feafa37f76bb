#!/usr/bin/python3
"""PyTorch parity fixtures for @eddy/models' step-wise modules: LSTMCell, GRUCell, RNNCell and the
attention modules (Bahdanau; Luong dot, general, concat).

Run with the interpreter Debian's python3-torch installs into:

    /usr/bin/python3 packages/models/scripts/make_step_fixtures.py

Writes fixtures/steps/<case>.safetensors and fixtures/steps/index.json. Each file holds the inputs,
every parameter by PyTorch's name (torch.nn.LSTMCell / GRUCell / RNNCell; the attention modules as
PyTorch's seq2seq and chatbot tutorials define them), the outputs, the loss weights and the
gradients of
    cells:     L = sum(h * Rh) [+ sum(c * Rc)]
    attention: L = sum(context * Rc) + sum(weights * Rw)
w.r.t. the inputs and every parameter. As make_fixtures.py: float64 on float32-representable
values, deterministic (torch.manual_seed), no network. Padding keys (s >= lengths[b]) hold random
values, not zeros, so a fixture also checks that they are ignored.
"""
import json
import os
import sys

import numpy as np
import torch

from safetensors_io import write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), 'fixtures', 'steps')

B, I, H, HK, S = 3, 5, 4, 6, 5
LENGTHS = [5, 2, 4]


def f32(t):
    return t.detach().float().numpy()


def rand(*shape):
    """float32-representable values in float64, with gradients."""
    return torch.randn(*shape).float().double().requires_grad_(True)


def round_parameters(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(p.float().double())


CELLS = [
    ('lstm_cell', {'type': 'LSTMCell', 'bias': True}, True),
    ('lstm_cell_nobias_nostate', {'type': 'LSTMCell', 'bias': False}, False),
    ('gru_cell', {'type': 'GRUCell', 'bias': True}, True),
    ('gru_cell_nostate', {'type': 'GRUCell', 'bias': True}, False),
    ('rnn_cell_tanh', {'type': 'RNNCell', 'bias': True, 'nonlinearity': 'tanh'}, True),
    ('rnn_cell_relu_nobias', {'type': 'RNNCell', 'bias': False, 'nonlinearity': 'relu'}, True),
]


def make_cell(name, config, with_state):
    kind = config['type']
    args = dict(input_size=I, hidden_size=H, bias=config['bias'])
    if kind == 'RNNCell':
        module = torch.nn.RNNCell(nonlinearity=config['nonlinearity'], **args)
    else:
        module = getattr(torch.nn, kind)(**args)
    module = module.double()
    round_parameters(module)
    x = rand(B, I)
    h0 = rand(B, H) if with_state else None
    c0 = rand(B, H) if with_state and kind == 'LSTMCell' else None
    if kind == 'LSTMCell':
        h, c = module(x, None if h0 is None else (h0, c0))
    else:
        h, c = module(x, h0), None
    Rh = torch.randn(h.shape).float().double()
    loss = (h * Rh).sum()
    tensors = {'input.x': f32(x), 'loss.Rh': f32(Rh), 'out.h': f32(h)}
    if c is not None:
        Rc = torch.randn(c.shape).float().double()
        loss = loss + (c * Rc).sum()
        tensors.update({'loss.Rc': f32(Rc), 'out.c': f32(c)})
    loss.backward()
    tensors['grad.x'] = f32(x.grad)
    for key, t in (('h0', h0), ('c0', c0)):
        if t is not None:
            tensors['input.' + key] = f32(t)
            tensors['grad.' + key] = f32(t.grad)
    names = []
    for pname, p in module.named_parameters():
        names.append(pname)
        tensors['param.' + pname] = f32(p)
        tensors['grad.' + pname] = f32(p.grad)
    config = {**config, 'inputSize': I, 'hiddenSize': H}
    return tensors, {'name': name, 'file': name + '.safetensors', 'config': config, 'state': with_state, 'parameters': names}


class BahdanauAttention(torch.nn.Module):
    """PyTorch's seq2seq tutorial (NLP From Scratch: Translation), keys time-major [S, B, Hk]."""

    def __init__(self, hidden_size, key_size):
        super().__init__()
        self.Wa = torch.nn.Linear(hidden_size, hidden_size)
        self.Ua = torch.nn.Linear(key_size, hidden_size)
        self.Va = torch.nn.Linear(hidden_size, 1)

    def energies(self, query, keys):
        return self.Va(torch.tanh(self.Wa(query).unsqueeze(0) + self.Ua(keys))).squeeze(2)


class LuongAttention(torch.nn.Module):
    """PyTorch's chatbot tutorial's Attn (dot, general, concat), keys time-major [S, B, Hk]."""

    def __init__(self, method, hidden_size, key_size):
        super().__init__()
        self.method = method
        if method == 'general':
            self.attn = torch.nn.Linear(key_size, hidden_size)
        elif method == 'concat':
            self.attn = torch.nn.Linear(hidden_size + key_size, hidden_size)
            self.v = torch.nn.Parameter(torch.empty(hidden_size).uniform_(-hidden_size ** -0.5, hidden_size ** -0.5))

    def energies(self, query, keys):
        if self.method == 'dot':
            return torch.sum(query * keys, dim=2)
        if self.method == 'general':
            return torch.sum(query * self.attn(keys), dim=2)
        expanded = query.expand(keys.size(0), -1, -1)
        return torch.sum(self.v * self.attn(torch.cat((expanded, keys), 2)).tanh(), dim=2)


def attend(module, query, keys, lengths):
    """weights [B, S] (softmax over s < lengths[b]) and context [B, Hk]."""
    e = module.energies(query, keys).t()  # [B, S]
    if lengths is not None:
        pad = torch.arange(keys.size(0)).unsqueeze(0) >= torch.tensor(lengths).unsqueeze(1)
        e = e.masked_fill(pad, float('-inf'))
    weights = torch.softmax(e, dim=1)
    context = torch.einsum('bs,sbk->bk', weights, keys)
    return context, weights


ATTENTION = [
    (f'{kind}{"_len" if lengths else ""}', kind, lengths)
    for kind in ('bahdanau', 'luong_dot', 'luong_general', 'luong_concat')
    for lengths in (LENGTHS, None)
]


def make_attention(name, kind, lengths):
    key_size = H if kind == 'luong_dot' else HK
    if kind == 'bahdanau':
        module = BahdanauAttention(H, key_size)
        config = {'type': 'BahdanauAttention', 'hiddenSize': H, 'keySize': key_size}
    else:
        score = kind.split('_')[1]
        module = LuongAttention(score, H, key_size)
        config = {'type': 'LuongAttention', 'score': score, 'hiddenSize': H, 'keySize': key_size}
    module = module.double()
    round_parameters(module)
    query = rand(B, H)
    keys = rand(S, B, key_size)
    context, weights = attend(module, query, keys, lengths)
    Rc = torch.randn(context.shape).float().double()
    Rw = torch.randn(weights.shape).float().double()
    ((context * Rc).sum() + (weights * Rw).sum()).backward()
    tensors = {'input.query': f32(query), 'input.keys': f32(keys), 'loss.Rc': f32(Rc), 'loss.Rw': f32(Rw),
               'out.context': f32(context), 'out.weights': f32(weights),
               'grad.query': f32(query.grad), 'grad.keys': f32(keys.grad)}
    if lengths is not None:
        tensors['input.lengths'] = np.array(lengths, dtype=np.int32)
    names = []
    for pname, p in module.named_parameters():
        names.append(pname)
        tensors['param.' + pname] = f32(p)
        tensors['grad.' + pname] = f32(p.grad)
    return tensors, {'name': name, 'file': name + '.safetensors', 'config': config, 'lengths': lengths, 'parameters': names}


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    cells, attention = [], []
    seed = 100
    for name, config, with_state in CELLS:
        torch.manual_seed(seed)
        seed += 1
        tensors, entry = make_cell(name, config, with_state)
        write_safetensors(os.path.join(OUT, name + '.safetensors'), tensors, {'format': 'pt', 'case': name})
        cells.append(entry)
    for name, kind, lengths in ATTENTION:
        torch.manual_seed(seed)
        seed += 1
        tensors, entry = make_attention(name, kind, lengths)
        write_safetensors(os.path.join(OUT, name + '.safetensors'), tensors, {'format': 'pt', 'case': name})
        attention.append(entry)
    index = {'generator': 'packages/models/scripts/make_step_fixtures.py', 'torch': torch.__version__,
             'loss': {'cells': 'sum(h * Rh) + sum(c * Rc)', 'attention': 'sum(context * Rc) + sum(weights * Rw)'},
             'cells': cells, 'attention': attention}
    with open(os.path.join(OUT, 'index.json'), 'w') as f:
        json.dump(index, f, indent=1)
        f.write('\n')
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f'wrote {len(cells)} cell and {len(attention)} attention cases: {total / 1024:.0f} KiB in {OUT}')


if __name__ == '__main__':
    sys.exit(main())
