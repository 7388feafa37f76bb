import { FAST_OPTION, THREADS_OPTION } from '../../threads.js';
import { withCommonOptions, type CommandSpec } from '../../options.js';

/** Steps run when neither --steps, --epochs nor --time bounds the run. */
export const DEFAULT_STEPS = 1000;

/**
 * Default `--vocab-size` of a word model: Penn Treebank's 10 000 (Mikolov's, the vocabulary of
 * PyTorch's word_language_model). On tiny-shakespeare it covers 92 % of the running words;
 * keeping every word (25 674 ids) made the weights 2.4× larger (27 MB, not 11) and each step about
 * 3× slower (5.7 s, not 1.9, at the default sizes on a shared 2-core machine).
 */
export const DEFAULT_WORD_VOCAB = 10_000;

/** Default `--vocab-size` of a BPE model: 260 specials and bytes and up to 740 merges. */
export const DEFAULT_BPE_VOCAB = 1000;

/*
 * The defaults are chosen to learn fast in a one-minute run (`eddy train --time 60`, the README's
 * first command) on one core of a 2-vCPU machine: a 1×128 LSTM with Adam at lr 0.01 on windows of
 * 32 steps × 32 streams takes ≈ 1 800 steps in 60 s and reaches a validation loss of ≈ 1.66 nats
 * per character on the built-in corpus, where about 60 % of the sampled words are words of the
 * corpus (bench/scripts/demo-words.mjs). A larger model or a longer window learns less in that
 * minute (fewer updates: 1×256 1.69, 2×128 at lr 0.002 with char-rnn's 50×50 windows 2.9);
 * for hours of training, char-rnn's settings are in the README. Evaluating every 500 steps keeps
 * the held-out passes to a few percent of the minute.
 */
export const DEFAULTS = { hidden: 128, layers: 1, seqLen: 32, batch: 32, lr: 0.01, evalEvery: 500 } as const;

/** Options fixed by the checkpoint: giving one with --resume is an error (they would change the run). */
export const FIXED_ON_RESUME = [
  'model', 'hidden', 'layers', 'dropout', 'tokenizer', 'vocab-size', 'seq-len', 'bptt', 'batch',
  'optimizer', 'lr', 'lr-decay', 'clip', 'val-fraction', 'seed', 'fast',
] as const;

export const TRAIN_SPEC: CommandSpec = withCommonOptions({
  name: 'train',
  short: 'Train a character, word or BPE language model on a text file.',
  summary:
    'Train a character, word or BPE language model (embedding → LSTM/GRU/RNN stack → linear readout) with truncated\n' +
    'BPTT, evaluating on a held-out tail of the corpus and writing a checkpoint directory (config.json, model.safetensors,\n' +
    'vocab.json, train-state/, best/). Ctrl-C writes a checkpoint and stops; --resume DIR continues exactly. A checkpoint\n' +
    'already in --out is never replaced unless --overwrite says so. The defaults (1×128 LSTM, Adam lr 0.01, windows of\n' +
    '32 steps × 32 streams) learn fast in a one-minute run (--time 60: val loss ≈ 1.66 on the built-in corpus, most\n' +
    'sampled words real); for long runs on your own text, char-rnn\'s settings: --hidden 128 --layers 2 --seq-len 50\n' +
    '--batch 50 --optimizer rmsprop --lr 2e-3.',
  positionals: [{ name: 'corpus', help: 'a UTF-8 text file (default: the built-in corpus, Eddy\'s own TypeScript sources)', required: false }],
  options: [
    { name: 'model', type: 'choice', choices: ['lstm', 'gru', 'rnn'], default: 'lstm', help: 'recurrent cell' },
    { name: 'hidden', type: 'int', min: 1, max: 8192, default: DEFAULTS.hidden, help: 'hidden size H (also the embedding size)' },
    { name: 'layers', type: 'int', min: 1, max: 16, default: DEFAULTS.layers, help: 'stacked recurrent layers' },
    { name: 'dropout', type: 'number', min: 0, max: 1, maxOpen: true, default: 0, help: 'dropout on the embedding, between layers and before the readout' },
    { name: 'tokenizer', type: 'choice', choices: ['char', 'word', 'bpe'], default: 'char', help: 'characters, words (\\S+), or byte-level BPE' },
    {
      name: 'vocab-size', type: 'int', min: 5, valueName: 'N',
      help: `vocabulary size, the 4 specials included: word keeps the N−4 most frequent words, the rest become <unk> (default ${DEFAULT_WORD_VOCAB}, PTB's size); ` +
        `bpe learns 256 bytes + merges, N ≥ 260 (default ${DEFAULT_BPE_VOCAB}); char keeps every character`,
    },
    { name: 'seq-len', type: 'int', min: 1, max: 100000, default: DEFAULTS.seqLen, valueName: 'K1', help: 'steps per window, k1 (the state carries across windows)' },
    { name: 'bptt', type: 'int', min: 1, valueName: 'K2', help: 'steps of each window that gradients flow through, k2 ≤ k1 (default k1)' },
    { name: 'batch', type: 'int', min: 1, max: 100000, default: DEFAULTS.batch, help: 'parallel streams B' },
    { name: 'steps', type: 'int', min: 1, help: `total optimizer steps of the run (default ${DEFAULT_STEPS} unless --epochs or --time is given)` },
    { name: 'epochs', type: 'number', minOpen: true, min: 0, help: 'total passes over the training split instead of --steps' },
    { name: 'time', type: 'number', minOpen: true, min: 0, valueName: 'SECONDS', help: 'stop after this much wall time (with --steps/--epochs: whichever comes first)' },
    { name: 'optimizer', type: 'choice', choices: ['adam', 'rmsprop', 'sgd'], default: 'adam', help: 'optimizer' },
    { name: 'lr', type: 'number', min: 0, minOpen: true, default: DEFAULTS.lr, help: 'learning rate' },
    { name: 'lr-decay', type: 'number', min: 0, minOpen: true, max: 1, default: 1, help: 'multiply the learning rate by this after every epoch' },
    { name: 'clip', type: 'number', min: 0, default: 5, help: 'clip the global gradient norm to this (0: no clipping)' },
    { name: 'val-fraction', type: 'number', min: 0, max: 1, maxOpen: true, default: 0.05, help: 'fraction of the corpus (its tail) held out for validation' },
    { name: 'eval-every', type: 'int', min: 1, default: DEFAULTS.evalEvery, help: 'evaluate on the held-out split and write a checkpoint every N steps' },
    { name: 'seed', type: 'int', min: 0, default: 123, help: 'seed of every random draw (init, dropout)' },
    FAST_OPTION,
    THREADS_OPTION,
    { name: 'out', type: 'string', valueName: 'DIR', help: 'checkpoint directory (default run, or the --resume directory)' },
    { name: 'resume', type: 'string', valueName: 'DIR', help: 'continue the run saved in DIR exactly (options are read from it)' },
    { name: 'overwrite', type: 'flag', help: 'replace the checkpoint already in --out (without it, eddy refuses to)' },
  ],
  examples: [
    'eddy train --time 60 --out run              # the built-in corpus for one minute',
    'eddy train input.txt --hidden 256 --layers 2 --optimizer rmsprop --lr 2e-3 --out shakespeare',
    'eddy train --resume shakespeare --steps 5000  # continue to step 5000',
  ],
});
