#!/usr/bin/python3
"""PyTorch parity fixtures for @eddy/models' RNN, LSTM and GRU, and the safetensors round trip.

Run from anywhere with the interpreter Debian's python3-torch installs into (the first python3 on
PATH may be another one without torch):

    /usr/bin/python3 packages/models/scripts/make_fixtures.py            # fixtures + interop check
    /usr/bin/python3 packages/models/scripts/make_fixtures.py --no-interop

1. Writes fixtures/parity/<case>.safetensors and fixtures/parity/index.json: for each case the
   input, initial state, lengths, the loss weights R, every parameter by PyTorch's name, the
   outputs, the final states, and the gradients of
       L = sum(output * R) + sum(h * Rh) [+ sum(c * Rc)]
   w.r.t. the input, the initial states and every parameter. Deterministic (torch.manual_seed);
   no network. The reference runs in float64 on float32-representable values, so the fixtures hold
   the exact answer rounded once, not PyTorch's float32 rounding.
2. Interop (skipped with --no-interop): runs the 'safetensors interop' tests of
   src/recurrent/parity.test.ts (npx vitest, so node is needed) with EDDY_WRITE_INTEROP=1, which
   writes fixtures/eddy-written/*.safetensors (state dicts saved by Eddy, with the inputs and
   Eddy's outputs beside them), loads each state dict into torch.nn.LSTM / GRU with
   load_state_dict(strict=True) and checks torch's outputs match Eddy's. The other direction
   (files written here, read by Eddy) is every parity fixture plus fixtures/pytorch-written/.

safetensors files are read and written by safetensors_io.py beside this file (Debian has no
python3-safetensors).
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from safetensors_io import read_safetensors, write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)
FIXTURES = os.path.join(PACKAGE, 'fixtures')


def torch_module(config):
    """The torch.nn module for an Eddy config (camelCase keys, as Eddy's toConfig writes them)."""
    kind = config['type']
    common = dict(input_size=config['inputSize'], hidden_size=config['hiddenSize'], num_layers=config['numLayers'],
                  bias=config['bias'], batch_first=config['batchFirst'], dropout=config['dropout'],
                  bidirectional=config['bidirectional'])
    if kind == 'RNN':
        return torch.nn.RNN(nonlinearity=config['nonlinearity'], **common)
    if kind == 'LSTM':
        return torch.nn.LSTM(proj_size=config['projSize'], **common)
    if kind == 'GRU':
        return torch.nn.GRU(**common)
    raise ValueError(kind)


def run(module, x, h0, c0, lengths, batch_first):
    """Forward as Eddy defines it: padded output over all T steps (zeros past each length)."""
    state = None
    if h0 is not None:
        state = (h0, c0) if isinstance(module, torch.nn.LSTM) else h0
    if lengths is None:
        out, hn = module(x, state)
    else:
        T = x.shape[1] if batch_first else x.shape[0]
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
        out, hn = module(packed, state)
        # total_length keeps T rows even when max(lengths) < T (PyTorch pads to max(lengths) otherwise).
        out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=T)
    h, c = hn if isinstance(hn, tuple) else (hn, None)
    return out, h, c


KINDS = [
    ('rnn_tanh', {'type': 'RNN', 'nonlinearity': 'tanh'}),
    ('rnn_relu', {'type': 'RNN', 'nonlinearity': 'relu'}),
    ('lstm', {'type': 'LSTM', 'projSize': 0}),
    ('lstm_proj', {'type': 'LSTM', 'projSize': 2}),
    ('gru', {'type': 'GRU'}),
]

# Layers × directions × batchFirst × lengths × initial state × bias, chosen so that each appears
# both ways across the five variants (lengths [2, 5, 3] unsorted; [3, 1, 4] has max < T).
VARIANTS = [
    ('l1_uni', dict(numLayers=1, bidirectional=False, batchFirst=False, bias=True), None, True),
    ('l2_bi_bf_len', dict(numLayers=2, bidirectional=True, batchFirst=True, bias=True), [2, 5, 3], True),
    ('l3_bi_len_nostate', dict(numLayers=3, bidirectional=True, batchFirst=False, bias=True), [2, 5, 3], False),
    ('l2_uni_bf_len_nobias', dict(numLayers=2, bidirectional=False, batchFirst=True, bias=False), [3, 1, 4], True),
    ('l1_bi_bf', dict(numLayers=1, bidirectional=True, batchFirst=True, bias=True), None, True),
]

T, B, I, H = 5, 3, 3, 4


def make_case(name, config, lengths, with_state, seed):
    torch.manual_seed(seed)
    module = torch_module(config).double()
    D = 2 if config['bidirectional'] else 1
    L = config['numLayers']
    h_out = config.get('projSize') or H
    is_lstm = config['type'] == 'LSTM'
    # float32-representable values, computed in float64.
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(p.float().double())
    x_shape = (B, T, I) if config['batchFirst'] else (T, B, I)
    x = torch.randn(x_shape).float().double()
    if lengths is not None:
        # Padding rows are zero (they must be finite for Eddy; PyTorch never reads them).
        for b, n in enumerate(lengths):
            if config['batchFirst']:
                x[b, n:] = 0
            else:
                x[n:, b] = 0
    x.requires_grad_(True)
    h0 = torch.randn(L * D, B, h_out).float().double().requires_grad_(True) if with_state else None
    c0 = torch.randn(L * D, B, H).float().double().requires_grad_(True) if with_state and is_lstm else None

    out, h, c = run(module, x, h0, c0, lengths, config['batchFirst'])
    R = torch.randn(out.shape).float().double()
    Rh = torch.randn(h.shape).float().double()
    loss = (out * R).sum() + (h * Rh).sum()
    Rc = None
    if c is not None:
        Rc = torch.randn(c.shape).float().double()
        loss = loss + (c * Rc).sum()
    loss.backward()

    f32 = lambda t: t.detach().float().numpy()  # noqa: E731
    tensors = {'input.x': f32(x), 'loss.R': f32(R), 'loss.Rh': f32(Rh), 'out.output': f32(out), 'out.h': f32(h), 'grad.x': f32(x.grad)}
    if h0 is not None:
        tensors['input.h0'] = f32(h0)
        tensors['grad.h0'] = f32(h0.grad)
    if c0 is not None:
        tensors['input.c0'] = f32(c0)
        tensors['grad.c0'] = f32(c0.grad)
    if c is not None:
        tensors['out.c'] = f32(c)
        tensors['loss.Rc'] = f32(Rc)
    if lengths is not None:
        tensors['input.lengths'] = np.array(lengths, dtype=np.int32)
    names = []
    for pname, p in module.named_parameters():
        names.append(pname)
        tensors['param.' + pname] = f32(p)
        tensors['grad.' + pname] = f32(p.grad)
    return tensors, names


def make_parity():
    out_dir = os.path.join(FIXTURES, 'parity')
    os.makedirs(out_dir, exist_ok=True)
    cases = []
    seed = 0
    for kind, kind_config in KINDS:
        for variant, options, lengths, with_state in VARIANTS:
            config = {'type': kind_config['type'], 'inputSize': I, 'hiddenSize': H, 'dropout': 0, **options}
            config.update({k: v for k, v in kind_config.items() if k != 'type'})
            name = f'{kind}_{variant}'
            tensors, names = make_case(name, config, lengths, with_state, seed)
            seed += 1
            write_safetensors(os.path.join(out_dir, name + '.safetensors'), tensors, {'format': 'pt', 'case': name})
            cases.append({'name': name, 'file': name + '.safetensors', 'config': config, 'lengths': lengths,
                          'state': with_state, 'parameters': names})
    index = {'generator': 'packages/models/scripts/make_fixtures.py', 'torch': torch.__version__,
             'loss': 'sum(output * R) + sum(h * Rh) + sum(c * Rc)', 'cases': cases}
    with open(os.path.join(out_dir, 'index.json'), 'w') as f:
        json.dump(index, f, indent=1)
        f.write('\n')
    return len(cases)


def make_pytorch_written():
    """A plain state dict as PyTorch users save it (no prefixes), with inputs and outputs beside it."""
    out_dir = os.path.join(FIXTURES, 'pytorch-written')
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1234)
    for kind, module in [('lstm', torch.nn.LSTM(4, 6, num_layers=2, bidirectional=True, batch_first=True)),
                         ('gru', torch.nn.GRU(4, 6, num_layers=2, bidirectional=True, batch_first=True))]:
        x = torch.randn(2, 5, 4)
        with torch.no_grad():
            out, hn = module(x)
        h, c = hn if isinstance(hn, tuple) else (hn, None)
        config = {'type': kind.upper(), 'inputSize': 4, 'hiddenSize': 6, 'numLayers': 2, 'bias': True,
                  'batchFirst': True, 'dropout': 0, 'bidirectional': True}
        if kind == 'lstm':
            config['projSize'] = 0
        write_safetensors(os.path.join(out_dir, kind + '.safetensors'),
                          {k: v.detach().numpy() for k, v in module.state_dict().items()},
                          {'format': 'pt', 'config': json.dumps(config)})
        io = {'x': x.numpy(), 'output': out.numpy(), 'h': h.numpy()}
        if c is not None:
            io['c'] = c.numpy()
        write_safetensors(os.path.join(out_dir, kind + '.io.safetensors'), io)


def check_eddy_written():
    """Runs Eddy's interop test to write state dicts, then loads them into torch and compares."""
    in_dir = os.path.join(FIXTURES, 'eddy-written')
    # Never check a stale file: clear what an earlier run wrote.
    if os.path.isdir(in_dir):
        for f in os.listdir(in_dir):
            os.remove(os.path.join(in_dir, f))
    env = dict(os.environ, EDDY_WRITE_INTEROP='1')
    cmd = ['npx', 'vitest', 'run', 'src/recurrent/parity.test.ts', '-t', 'safetensors interop']
    print('running', ' '.join(cmd), 'with EDDY_WRITE_INTEROP=1 in', PACKAGE)
    subprocess.run(cmd, cwd=PACKAGE, env=env, check=True, stdout=subprocess.DEVNULL)
    files = sorted(f for f in os.listdir(in_dir) if f.endswith('.safetensors') and not f.endswith('.io.safetensors'))
    if not files:
        raise SystemExit('interop: Eddy wrote no state dict into ' + in_dir)
    worst = 0.0
    for f in files:
        state, metadata = read_safetensors(os.path.join(in_dir, f))
        config = json.loads(metadata['config'])
        module = torch_module(config)
        module.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()}, strict=True)
        io, _ = read_safetensors(os.path.join(in_dir, f.replace('.safetensors', '.io.safetensors')))
        t = {k: torch.from_numpy(v.copy()) for k, v in io.items()}
        lengths = t['lengths'].tolist() if 'lengths' in t else None
        with torch.no_grad():
            out, h, c = run(module, t['x'], t.get('h0'), t.get('c0'), lengths, config['batchFirst'])
        pairs = [('output', out), ('h', h)] + ([('c', c)] if c is not None else [])
        for key, got in pairs:
            err = (got - t[key]).abs().max().item()
            worst = max(worst, err)
            tol = 1e-5 + 1e-5 * t[key].abs().max().item()
            status = 'ok' if err <= tol else 'MISMATCH'
            print(f'interop {f} {key}: max |torch - eddy| = {err:.2e} ({status})')
            if err > tol:
                raise SystemExit(f'interop: {f} {key} differs by {err} > {tol}')
    print(f'interop: {len(files)} Eddy-written state dicts load into torch and give the same outputs (worst {worst:.2e})')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--no-interop', action='store_true', help='skip running Eddy (node) for the interop check')
    args = parser.parse_args()
    torch.set_num_threads(1)
    n = make_parity()
    make_pytorch_written()
    total = 0
    for root, _, files in os.walk(FIXTURES):
        if os.path.basename(root) != 'eddy-written':
            total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    print(f'wrote {n} parity cases and the PyTorch-written state dicts: {total / 1024:.0f} KiB in {FIXTURES}')
    if not args.no_interop:
        check_eddy_written()


if __name__ == '__main__':
    sys.exit(main())
