#!/usr/bin/python3
"""Continue training an Eddy language model in PyTorch (DistributedDataParallel), then back to Eddy.

    /usr/bin/python3 continue_in_pytorch.py CHECKPOINT CORPUS --out OUT [--steps 200] [--world-size 2]

CHECKPOINT is a directory written by `eddy train` (config.json, model.safetensors, vocab.json,
train-state/). Its weights load, with their own names, into the RNNModel of PyTorch's
`word_language_model` example (encoder Embedding, rnn LSTM | GRU | RNN, decoder Linear, tie_weights
off), written out below. WORLD_SIZE processes on this machine (gloo backend, one CPU thread each)
then train it with DistributedDataParallel on CORPUS, tokenized with the checkpoint's own vocabulary
(char tokenizers, and word tokenizers with the default pattern), with the checkpoint's optimizer,
learning rate, gradient clipping, batch size per process and window length. The optimizer's state
(Adam's moments) comes from train-state/ and goes back to it, so `eddy train --resume OUT` continues
with it. OUT is a new checkpoint directory that `eddy sample`, `eddy eval` and `eddy train --resume`
read: the same config.json (progress updated) and vocab.json, the new model.safetensors, and a
train-state whose data position and random state are those of CHECKPOINT (Eddy's batcher resumes
where Eddy stopped; the text PyTorch trained on is not replayed).

Run it with the interpreter Debian's python3-torch installs into (/usr/bin/python3; the first
python3 on PATH may be another one without torch). Needs torch and numpy only.

With RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set (PyTorch's env:// contract, e.g. one process per
core on several machines) it joins that group instead of spawning one; rank 0 writes OUT.

Each process reads its own B contiguous streams of the corpus (W·B streams in all, as the example's
batchify), and DDP averages the gradients, so a step sees W·B windows at the checkpoint's learning rate.
"""
import argparse
import json
import math
import os
import re
import shutil
import socket
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

CHECKPOINT_FORMAT = 'eddy-checkpoint'
# The checkpoint versions this script reads and writes (packages/cli/src/checkpoint/checkpoint.ts).
READABLE_VERSIONS = (1, 2)
WRITTEN_VERSION = 2
UNK = 1  # every Eddy vocabulary has <pad> <unk> <bos> <eos> at ids 0-3

# JavaScript's \s (WhiteSpace and LineTerminator), which Eddy's word tokenizer matches with the 'u'
# flag; Python's \s differs (it has \x1c-\x1f and \x85, not \ufeff), so the class is spelt out.
JS_WHITESPACE = '\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff'
WORD_PATTERNS = {r'\S+': '[^' + JS_WHITESPACE + ']+'}


class ScriptError(Exception):
    """A sentence for the user (printed without a traceback)."""


# ---------------------------------------------------------------------------------------------
# The model: PyTorch's word_language_model RNNModel (examples/word_language_model/model.py)
# ---------------------------------------------------------------------------------------------

class RNNModel(nn.Module):
    """Container module with an encoder, a recurrent module, and a decoder (the example's, with
    Eddy's embedding width E and its one-hot option: a fixed V×V identity encoder, char-rnn)."""

    def __init__(self, cell, ntoken, ninp, nhid, nlayers, dropout=0.0, one_hot=False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if cell == 'lstm':
            self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout if nlayers > 1 else 0.0)
        elif cell == 'gru':
            self.rnn = nn.GRU(ninp, nhid, nlayers, dropout=dropout if nlayers > 1 else 0.0)
        else:
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity='tanh', dropout=dropout if nlayers > 1 else 0.0)
        self.decoder = nn.Linear(nhid, ntoken)
        if one_hot:
            self.encoder.weight.requires_grad_(False)
        self.cell, self.nhid, self.nlayers = cell, nhid, nlayers

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden


def repackage_hidden(h):
    """Wraps hidden states in new Tensors, to detach them from their history (truncated BPTT)."""
    if h is None:
        return None
    return h.detach() if isinstance(h, torch.Tensor) else tuple(repackage_hidden(v) for v in h)


# ---------------------------------------------------------------------------------------------
# Reading an Eddy checkpoint
# ---------------------------------------------------------------------------------------------

def read_json(path):
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except FileNotFoundError:
        raise ScriptError(f'{path} is missing, so {os.path.dirname(path)} is not a complete Eddy checkpoint; give the --out directory of a finished eddy train run.')
    except ValueError as e:
        raise ScriptError(f'{path} is not valid JSON ({e}).')


def read_checkpoint(directory):
    """config, vocab config, state dict (numpy), and the train-state (json, tensors) or None."""
    if not os.path.isdir(directory):
        raise ScriptError(f'the checkpoint directory {directory} does not exist; train one first with eddy train --out {directory}.')
    config = read_json(os.path.join(directory, 'config.json'))
    if not isinstance(config, dict) or config.get('format') != CHECKPOINT_FORMAT:
        raise ScriptError(f'{directory} is not an Eddy checkpoint (its config.json has no "format": "{CHECKPOINT_FORMAT}").')
    if config.get('version') not in READABLE_VERSIONS:
        raise ScriptError(f'{directory} is checkpoint format version {config.get("version")!r}; this script reads versions {READABLE_VERSIONS}.')
    model = config.get('model', {})
    if model.get('type') != 'EddyLanguageModel':
        raise ScriptError(f'{directory} holds a {model.get("type")!r}, not an EddyLanguageModel; only language models continue in PyTorch.')
    vocab = read_json(os.path.join(directory, 'vocab.json'))
    weights, _ = read_safetensors(os.path.join(directory, 'model.safetensors'))
    train_state = None
    state_path = os.path.join(directory, 'train-state', 'state.json')
    if config['version'] == WRITTEN_VERSION and os.path.exists(state_path):
        tensors, _ = read_safetensors(os.path.join(directory, 'train-state', 'tensors.safetensors'))
        train_state = (read_json(state_path), tensors)
    return config, vocab, weights, train_state


def tokenizer_encoder(vocab_config):
    """A function text -> ids that gives the ids Eddy's tokenizer gives (packages/text)."""
    kind = vocab_config.get('type')
    symbols = vocab_config['vocab']['symbols']
    ids = {s: i for i, s in enumerate(symbols)}
    if kind == 'char':
        # One token per code point, as JavaScript's for-of over a string; unseen ones are <unk>.
        return lambda text: [ids.get(ch, UNK) for ch in text]
    if kind == 'word':
        pattern = WORD_PATTERNS.get(vocab_config['pattern'])
        if pattern is None:
            raise ScriptError(f'the word tokenizer pattern {vocab_config["pattern"]!r} has no Python twin here (known: {", ".join(WORD_PATTERNS)}); add one to WORD_PATTERNS.')
        regex = re.compile(pattern)

        def encode(text):
            source = text.lower() if vocab_config['lowercase'] else text
            lines = source.split('\n') if vocab_config['newlineAsEos'] else [source]
            out = []
            for i, line in enumerate(lines):
                out.extend(ids.get(m.group(0), UNK) for m in regex.finditer(line))
                if i < len(lines) - 1:
                    out.append(ids['<eos>'])
            return out
        return encode
    raise ScriptError(f'a {kind!r} tokenizer is not supported by this script (char and word are); encode the corpus with Eddy and extend tokenizer_encoder.')


def build_model(model_config):
    c = model_config
    return RNNModel(c['cell'], c['vocabSize'], c.get('embeddingSize') or c['hiddenSize'], c['hiddenSize'],
                    c['numLayers'], c['dropout'], c.get('oneHot', False))


def make_optimizer(kind, params, group):
    """The checkpoint's optimizer with its hyper-parameters (PyTorch's names in Eddy's state dict)."""
    classes = {'adam': torch.optim.Adam, 'rmsprop': torch.optim.RMSprop, 'sgd': torch.optim.SGD}
    if kind not in classes:
        raise ScriptError(f'optimizer {kind!r} is not one of {", ".join(classes)}.')
    known = {'adam': ('lr', 'betas', 'eps', 'weight_decay', 'amsgrad'),
             'rmsprop': ('lr', 'alpha', 'eps', 'weight_decay', 'momentum', 'centered'),
             'sgd': ('lr', 'momentum', 'dampening', 'weight_decay', 'nesterov')}[kind]
    return classes[kind](params, **{k: (tuple(v) if isinstance(v, list) else v) for k, v in group.items() if k in known})


def load_optimizer_state(opt, params, optimizer_json, tensors):
    """Eddy's optimizer.state.<i>.<buffer> (PyTorch's buffer names) into torch's per-parameter state."""
    for key, entry in optimizer_json['state'].items():
        i = int(key)
        prefix = f'optimizer.state.{i}.'
        state = {name[len(prefix):]: torch.from_numpy(a.copy()).view_as(params[i]) for name, a in tensors.items() if name.startswith(prefix)}
        # Adam and RMSprop keep the step as a tensor in torch 1.13+; SGD keeps none.
        if not isinstance(opt, torch.optim.SGD):
            state['step'] = torch.tensor(float(entry['step']))
        opt.state[params[i]] = state


# ---------------------------------------------------------------------------------------------
# Data: the example's batchify and get_batch
# ---------------------------------------------------------------------------------------------

def batchify(ids, streams):
    """[n] -> [n // streams, streams]: column j is the j-th contiguous stretch of the text."""
    n = len(ids) // streams
    return torch.tensor(ids[:n * streams], dtype=torch.long).view(streams, n).t().contiguous()


def mean_loss(model, data, seq_len):
    """Mean cross-entropy (nats per token) over `data` [n, B], state carried across windows."""
    model.eval()
    nats, count, hidden = 0.0, 0, None
    with torch.no_grad():
        for i in range(0, data.size(0) - 1, seq_len):
            n = min(seq_len, data.size(0) - 1 - i)
            output, hidden = model(data[i:i + n], hidden)
            nats += F.nll_loss(output, data[i + 1:i + 1 + n].reshape(-1), reduction='sum').item()
            count += n * data.size(1)
    model.train()
    return nats / count


# ---------------------------------------------------------------------------------------------
# One process of the DDP group
# ---------------------------------------------------------------------------------------------

def worker(rank, job):
    torch.set_num_threads(1)  # one core per process
    dist.init_process_group('gloo', init_method=job['init_method'], rank=rank, world_size=job['world_size'])
    if rank == 0:
        print(f'{job["world_size"]} processes joined ({job["init_method"]})', flush=True)
    try:
        train(rank, job)
    except ScriptError as e:
        # One sentence, not the traceback torch.multiprocessing would print; main() sees the exit code.
        print(f'continue_in_pytorch: {e}', file=sys.stderr, flush=True)
        sys.exit(1)
    finally:
        dist.destroy_process_group()


def train(rank, job):
    config, weights, train_state = job['config'], job['weights'], job['train_state']
    training = config['training']
    torch.manual_seed(job['seed'] + rank)  # dropout differs per process; the weights come from the checkpoint
    model = build_model(config['model'])
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in weights.items()}, strict=True)
    params = list(model.parameters())  # Eddy's parameter order: encoder, rnn (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, …), decoder
    ddp = DistributedDataParallel(model)

    group = dict(train_state[0]['optimizer']['param_groups'][0]) if train_state else {}
    group['lr'] = job['lr']
    opt = make_optimizer(training['optimizer'], params, group)
    if train_state:
        load_optimizer_state(opt, params, train_state[0]['optimizer'], train_state[1])

    B, W = job['batch'], job['world_size']
    data = batchify(job['train_ids'], W * B)[:, rank * B:(rank + 1) * B]
    seq_len, bptt, clip = training['seqLen'], training['bptt'], job['clip']
    val = batchify(job['val_ids'], job['val_batch']) if rank == 0 and job['val_ids'] else None
    val_before = mean_loss(model, val, seq_len) if val is not None else None

    hidden, i, losses = None, 0, []
    started = time.time()
    for step in range(1, job['steps'] + 1):
        if i + 2 > data.size(0):  # the end of the text: start the streams again, from zeros as Eddy does
            i, hidden = 0, None
        n = min(seq_len, data.size(0) - 1 - i)
        inputs, targets = data[i:i + n], data[i + 1:i + 1 + n]
        hidden = repackage_hidden(hidden)
        d = n - bptt  # Eddy's k2 < k1: the first steps of a window run without gradients
        if d > 0:
            with torch.no_grad():
                _, hidden = model(inputs[:d], hidden)
            inputs, targets = inputs[d:], targets[d:]
        output, hidden = ddp(inputs, hidden)
        loss = F.nll_loss(output, targets.reshape(-1))
        opt.zero_grad()
        loss.backward()  # DDP all-reduces (averages) the gradients here
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        i += n
        mean = loss.detach().clone()
        dist.all_reduce(mean)
        losses.append(mean.item() / W)
        if rank == 0 and (step % job['log_every'] == 0 or step == job['steps']):
            print(f'step {step}/{job["steps"]}  loss {losses[-1]:.4f}  ({W} processes, {time.time() - started:.1f}s)', flush=True)

    if rank != 0:
        return
    for name, p in model.state_dict().items():
        if not torch.isfinite(p).all():
            raise ScriptError(f'{name} holds non-finite values after training; nothing was written — lower --lr (now {job["lr"]}) and run again.')
    val_after = mean_loss(model, val, seq_len) if val is not None else None
    if losses[-1] > 2 * losses[0]:
        print(f'warning: the training loss rose from {losses[0]:.4f} to {losses[-1]:.4f}; the checkpoint is written, but a lower --lr (now {job["lr"]:g}) or --clip would likely train better.', file=sys.stderr, flush=True)
    write_output(job, model, opt, params, losses, val_after, time.time() - started)
    summary = {'steps': job['steps'], 'worldSize': W, 'firstLoss': losses[0], 'lastLoss': losses[-1],
               'valLossBefore': val_before, 'valLossAfter': val_after, 'seconds': round(time.time() - started, 3)}
    print('summary ' + json.dumps(summary), flush=True)


# ---------------------------------------------------------------------------------------------
# Writing the checkpoint Eddy reads
# ---------------------------------------------------------------------------------------------

def dump_json(path, value):
    with open(path, 'w', encoding='utf-8') as f:
        f.write(json.dumps(value, indent=2, ensure_ascii=False) + '\n')


def write_output(job, model, opt, params, losses, val_loss, seconds):
    """OUT, written beside it and renamed into place, so a crash leaves no half checkpoint."""
    config = json.loads(json.dumps(job['config']))
    steps, W, B, seq_len = job['steps'], job['world_size'], job['batch'], config['training']['seqLen']
    progress = config['progress']
    progress.update(step=progress['step'] + steps, trainLoss=losses[-1], valLoss=val_loss,
                    # best/ is not written: Eddy makes the next model it saves the best (bestStep null).
                    bestValLoss=None, bestStep=None)
    tmp = f'{job["out"]}.tmp-{os.getpid()}'
    os.makedirs(os.path.join(tmp, 'train-state'))
    dump_json(os.path.join(tmp, 'config.json'), config)
    shutil.copyfile(os.path.join(job['checkpoint'], 'vocab.json'), os.path.join(tmp, 'vocab.json'))
    write_safetensors(os.path.join(tmp, 'model.safetensors'),
                      {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}, {'format': 'pt'})
    if job['train_state']:
        state_json = json.loads(json.dumps(job['train_state'][0]))
        eddy_state, buffers = state_json['optimizer']['state'], {}
        for i, p in enumerate(params):
            s = opt.state.get(p)
            if not s:
                continue
            before = eddy_state.get(str(i), {}).get('step', 0)
            eddy_state[str(i)] = {'step': int(before) + steps}
            for name, value in s.items():
                if isinstance(value, torch.Tensor) and name != 'step':
                    buffers[f'optimizer.state.{i}.{name}'] = value.detach().numpy().astype(np.float32).reshape(-1)
        state_json['optimizer']['param_groups'][0]['lr'] = job['lr']
        # The carried hidden state is dropped (Eddy starts the next window from zeros), and the
        # batcher position and RNG stay those of the checkpoint.
        state_json.update(step=progress['step'], tokensSeen=state_json['tokensSeen'] + steps * W * B * seq_len,
                          elapsedSeconds=round(state_json['elapsedSeconds'] + seconds, 3), hasHidden=False)
        dump_json(os.path.join(tmp, 'train-state', 'state.json'), state_json)
        write_safetensors(os.path.join(tmp, 'train-state', 'tensors.safetensors'), buffers, {'format': 'pt'})
    os.rename(tmp, job['out'])


# ---------------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def js_round(x):
    """JavaScript's Math.round (half up), which Eddy's splitCorpus uses; Python's round is half-even."""
    return math.floor(x + 0.5)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description='Continue training an Eddy language-model checkpoint in PyTorch with DistributedDataParallel '
                    '(gloo, WORLD_SIZE processes on this machine) and write a checkpoint Eddy samples from.',
        epilog='Example: /usr/bin/python3 continue_in_pytorch.py run corpus.txt --steps 500 --out run-torch && eddy sample run-torch')
    parser.add_argument('checkpoint', help='a checkpoint directory written by eddy train')
    parser.add_argument('corpus', help='the UTF-8 text to train on (usually the one eddy trained on)')
    parser.add_argument('--out', required=True, help='the checkpoint directory to write (must not exist)')
    parser.add_argument('--steps', type=int, default=200, help='optimizer steps (default 200)')
    parser.add_argument('--world-size', type=int, default=2, help='processes in the DDP group (default 2)')
    parser.add_argument('--seed', type=int, default=None, help="seed for dropout (default: the checkpoint's)")
    parser.add_argument('--lr', type=float, default=None, help="learning rate (default: the checkpoint's, decayed to its epoch)")
    parser.add_argument('--clip', type=float, default=None, help="gradient-norm clipping, 0 for none (default: the checkpoint's)")
    parser.add_argument('--batch', type=int, default=None, help="streams per process (default: the checkpoint's --batch)")
    parser.add_argument('--log-every', type=int, default=50, help='print the loss every N steps (default 50)')
    args = parser.parse_args(argv)
    for name in ('steps', 'world_size', 'batch', 'log_every'):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f'--{name.replace("_", "-")} must be a positive integer, got {value}')
    if args.lr is not None and not args.lr > 0:
        parser.error(f'--lr must be positive, got {args.lr}')
    if args.clip is not None and not args.clip >= 0:
        parser.error(f'--clip must be 0 or more, got {args.clip}')
    return args


def main(argv=None):
    args = parse_args(argv)
    out = os.path.normpath(args.out)
    if os.path.lexists(out):
        raise ScriptError(f'{out} already exists; choose a new --out (this script never replaces a checkpoint).')
    checkpoint = os.path.normpath(args.checkpoint)
    config, vocab, weights, train_state = read_checkpoint(checkpoint)
    training = config['training']
    try:
        with open(args.corpus, encoding='utf-8') as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise ScriptError(f'the corpus {args.corpus} cannot be read as UTF-8 text ({e}).')
    ids = tokenizer_encoder(vocab)(text)
    n_val = js_round(training['valFraction'] * len(ids))
    train_ids, val_ids = ids[:len(ids) - n_val], ids[len(ids) - n_val:]
    batch = args.batch or training['batch']
    # With RANK and WORLD_SIZE set (torchrun, or by hand on each machine: PyTorch's env:// contract, with
    # MASTER_ADDR and MASTER_PORT) this is one process of that group; otherwise it spawns the group here.
    launched = 'RANK' in os.environ and 'WORLD_SIZE' in os.environ
    world_size = int(os.environ['WORLD_SIZE']) if launched else args.world_size
    need = world_size * batch * (training['seqLen'] + 1)
    if len(train_ids) < need:
        raise ScriptError(f'{args.corpus} has {len(train_ids)} training tokens but {world_size} processes × --batch {batch} × (seq-len {training["seqLen"]} + 1) needs {need}; use more text or a smaller --batch or --world-size.')
    unknown = sum(1 for t in ids if t == UNK)
    if unknown:
        print(f'warning: {unknown} of the {len(ids)} tokens of {args.corpus} are not in the vocabulary of {checkpoint} and were read as <unk>.', file=sys.stderr)
    lr = args.lr or training['lr'] * training['lrDecay'] ** config['progress']['epoch']
    job = {
        'checkpoint': checkpoint, 'out': out, 'config': config, 'weights': weights, 'train_state': train_state,
        'train_ids': train_ids, 'val_ids': val_ids if len(val_ids) >= 2 else [],
        'val_batch': max(1, min(batch, len(val_ids) // (training['seqLen'] + 1))),
        'steps': args.steps, 'world_size': world_size, 'batch': batch, 'lr': lr,
        'clip': training['clip'] if args.clip is None else args.clip,
        'seed': training['seed'] if args.seed is None else args.seed, 'log_every': args.log_every,
        'init_method': 'env://' if launched else f'tcp://127.0.0.1:{free_port()}',
    }
    rank = int(os.environ['RANK']) if launched else 0
    if rank == 0:
        print(f'{checkpoint}: {config["model"]["cell"].upper()} {config["model"]["numLayers"]}×{config["model"]["hiddenSize"]}, '
              f'vocabulary {config["model"]["vocabSize"]}, step {config["progress"]["step"]}; {len(train_ids)} training and '
              f'{len(job["val_ids"])} validation tokens; {world_size} processes × batch {batch}, lr {lr:g}', flush=True)
    if launched:
        worker(rank, job)
    else:
        try:
            mp.spawn(worker, args=(job,), nprocs=world_size, join=True)
        except mp.ProcessExitedException as e:
            raise ScriptError(f'training process {e.error_index} stopped (exit code {e.exit_code}); nothing was written to {out}.')
    if rank != 0:
        return 0
    print(f'wrote {out}; try: eddy sample {out}', flush=True)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except ScriptError as e:
        print(f'continue_in_pytorch: {e}', file=sys.stderr)
        sys.exit(1)
