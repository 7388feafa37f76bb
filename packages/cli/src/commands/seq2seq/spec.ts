import { withCommonOptions, type CommandSpec } from '../../options.js';
import { inputOption } from '../../input-lines.js';
import { checkpointDirArgument } from '../../trained-model-options.js';
import { runOptions } from '../train/run-options.js';
import { DEFAULT_BPE_VOCAB, DEFAULT_WORD_VOCAB } from '../train/spec.js';

/** Epochs run when neither --steps, --epochs nor --time bounds the run. */
export const DEFAULT_EPOCHS = 20;

/*
 * Defaults that learn small tasks in seconds (the CLI tests: reversing letters, 3-digit addition)
 * and are the usual starting point of OpenNMT-style RNN models: a character vocabulary, a 1×128
 * LSTM encoder and decoder with Luong's general attention and input feeding, Adam 2e-3 multiplied by
 * 0.9 after every epoch, clipping at 5, full teacher forcing. The decay is what takes 3-digit addition
 * from 97.6–98.5 % to 99.4 % exact match in ten minutes (bench/README.md): at a constant rate the
 * lowest validation loss and the best exact match part ways in the last epochs.
 */
export const DEFAULTS = {
  attention: 'luong-general', cell: 'lstm', hidden: 128, layers: 1, dropout: 0, teacherForcing: 1, batch: 32, lr: 2e-3, lrDecay: 0.9,
  clip: 5, valFraction: 0.1, seed: 123, maxLength: 200,
} as const;

/** Options fixed by the checkpoint: giving one with --resume is an error (they would change the run). */
export const FIXED_ON_RESUME = [
  'valid', 'attention', 'cell', 'hidden', 'layers', 'bidirectional', 'reverse-source', 'dropout', 'teacher-forcing', 'tokenizer', 'vocab-size',
  'max-length', 'batch', 'optimizer', 'lr', 'lr-decay', 'clip', 'val-fraction', 'seed', 'fast',
] as const;

const ATTENTIONS = ['bahdanau', 'luong-dot', 'luong-general', 'luong-concat', 'none'];

export const SEQ2SEQ_TRAIN_SPEC: CommandSpec = withCommonOptions({
  name: 'seq2seq train',
  short: 'Train an encoder–decoder with attention on sentence pairs.',
  summary:
    'Train a sequence-to-sequence model (embedding → LSTM/GRU encoder → bridge → decoder with attention and input\n' +
    'feeding → softmax) on a file of sentence pairs, one source<TAB>target pair per line (extra columns ignored).\n' +
    'Sources and targets share one vocabulary. After every epoch the validation loss and BLEU (greedy decoding,\n' +
    'sacreBLEU\'s 13a tokenization) are measured on --valid FILE (or a held-out --val-fraction of PAIRS); the model\n' +
    'with the lowest validation loss is kept in DIR/best/. Ctrl-C writes a checkpoint and stops; --resume DIR\n' +
    'continues exactly; a checkpoint already in --out is never replaced unless --overwrite says so.',
  positionals: [{ name: 'pairs', help: 'a UTF-8 file of source<TAB>target lines to train on', required: false }],
  options: [
    { name: 'valid', type: 'string', valueName: 'FILE', help: 'pairs to validate on after every epoch (default: hold out --val-fraction of PAIRS)' },
    { name: 'attention', type: 'choice', choices: ATTENTIONS, default: DEFAULTS.attention, help: 'attention score (Bahdanau additive, Luong dot/general/concat) or none' },
    { name: 'cell', type: 'choice', choices: ['lstm', 'gru'], default: DEFAULTS.cell, help: 'recurrent cell of the encoder and the decoder' },
    { name: 'hidden', type: 'int', min: 1, max: 8192, default: DEFAULTS.hidden, help: 'hidden size H (and embedding size) of the encoder and the decoder' },
    { name: 'layers', type: 'int', min: 1, max: 16, default: DEFAULTS.layers, help: 'stacked layers of the encoder and of the decoder' },
    { name: 'bidirectional', type: 'flag', help: 'a bidirectional encoder (its final states are bridged to the decoder)' },
    { name: 'reverse-source', type: 'flag', help: 'read each source last token first (Sutskever et al. 2014)' },
    { name: 'dropout', type: 'number', min: 0, max: 1, maxOpen: true, default: DEFAULTS.dropout, help: 'dropout on embeddings, between layers and on the attentional vector' },
    { name: 'teacher-forcing', type: 'number', min: 0, max: 1, default: DEFAULTS.teacherForcing, valueName: 'R', help: 'feed the reference token with probability R, else the model\'s own (scheduled sampling)' },
    { name: 'tokenizer', type: 'choice', choices: ['char', 'word', 'bpe'], default: 'char', help: 'characters, words (\\S+), or byte-level BPE; one vocabulary for both sides' },
    {
      name: 'vocab-size', type: 'int', min: 5, valueName: 'N',
      help: `vocabulary size, the 4 specials included: word keeps the N−4 most frequent words (default ${DEFAULT_WORD_VOCAB}); bpe N ≥ 260 (default ${DEFAULT_BPE_VOCAB}); char keeps every character`,
    },
    { name: 'max-length', type: 'int', min: 1, max: 100000, default: DEFAULTS.maxLength, valueName: 'N', help: 'keep the first N tokens of a longer source or target' },
    ...runOptions({ unit: 'pairs', file: 'PAIRS', out: 'seq2seq', epochs: DEFAULT_EPOCHS, seedDraws: 'init, dropout, shuffling, scheduled sampling', ...DEFAULTS }),
  ],
  examples: [
    'eddy seq2seq train fra-eng.tsv --tokenizer word --valid dev.tsv --time 600 --out fra-eng',
    'eddy seq2seq train addition.tsv --attention bahdanau --bidirectional --epochs 30 --out adder',
    'eddy seq2seq train --resume fra-eng --epochs 40   # continue to epoch 40',
  ],
});

const DECODING = [
  { name: 'beam', type: 'int', min: 1, max: 1000, valueName: 'K', help: 'beam size (1: greedy; default 1, or --n-best)' },
  { name: 'length-penalty', type: 'number', min: 0, default: 0, valueName: 'A', help: 'GNMT length penalty α: scores divided by ((5 + |Y|)/6)^α' },
  { name: 'coverage-penalty', type: 'number', min: 0, default: 0, valueName: 'B', help: 'GNMT coverage penalty β: β·Σ log min(attention received, 1) added to the score' },
  { name: 'max-length', type: 'int', min: 1, max: 100000, valueName: 'N', help: 'the most output tokens (default 2 × the source length + 5)' },
  { name: 'batch', type: 'int', min: 1, max: 100000, default: 32, help: 'sources decoded together' },
] as const;

export const SEQ2SEQ_TRANSLATE_SPEC: CommandSpec = withCommonOptions({
  name: 'seq2seq translate',
  short: 'Translate lines with a trained seq2seq model.',
  summary:
    'Read one source per line (stdin, or --input FILE) and write, in the same order, one output line per input line.\n' +
    'With --n-best N: N lines per input, index<TAB>rank<TAB>score<TAB>text (index and rank from 0, score the log-probability\n' +
    'after penalties). With --json: one object per input, {"index":…,"outputs":[{"text":…,"score":…,"attention":[[…]]}]},\n' +
    'attention one row per output token (EOS included) over the source tokens. --attention-map FILE.svg draws those\n' +
    'weights as heatmaps (source tokens × output tokens, one per input). Uses DIR/best/ when it exists, else DIR.',
  positionals: [checkpointDirArgument('eddy seq2seq train')],
  options: [
    ...DECODING,
    { name: 'n-best', type: 'int', min: 1, max: 1000, valueName: 'N', help: 'outputs per input (needs --beam ≥ N)' },
    { name: 'attention-map', type: 'string', valueName: 'FILE.svg', help: 'write the attention of each best output as an SVG heatmap' },
    inputOption('sources'),
  ],
  examples: ['echo "je suis froid" | eddy seq2seq translate fra-eng --beam 5', 'eddy seq2seq translate adder --input sums.txt --n-best 3 --attention-map att.svg'],
});

export const SEQ2SEQ_EVAL_SPEC: CommandSpec = withCommonOptions({
  name: 'seq2seq eval',
  short: 'Measure a trained seq2seq model on sentence pairs.',
  summary:
    'Translate the sources of a file of source<TAB>target pairs and compare with the targets: exact match (the output\n' +
    'equals the target after trimming) and token accuracy (position-wise, over the target tokens) as fractions in\n' +
    '[0, 1], corpus BLEU on sacreBLEU\'s 0–100 scale (13a tokenization), and the teacher-forced loss per token.\n' +
    'With --json: {"exactMatch":…,"bleu":…,"tokenAccuracy":…,"loss":…,"sentences":…}. Uses DIR/best/ when it exists.',
  positionals: [
    checkpointDirArgument('eddy seq2seq train'),
    { name: 'pairs', help: 'a UTF-8 file of source<TAB>target lines', required: true },
  ],
  options: [...DECODING],
  examples: ['eddy seq2seq eval fra-eng test.tsv --beam 5', 'eddy seq2seq eval adder held-out.tsv --json'],
});

/** `eddy seq2seq`: the family, listed in `eddy --help`; its subcommands have their own schemas. */
export const SEQ2SEQ_SPEC: CommandSpec = withCommonOptions({
  name: 'seq2seq',
  short: 'Train, run and measure seq2seq models (train, translate, eval).',
  summary: 'Sequence to sequence: an output sequence for each input sequence (translation, normalisation, arithmetic).',
  positionals: [{ name: 'subcommand', help: 'train, translate or eval', required: true }],
  options: [],
  examples: ['eddy seq2seq train --help', 'eddy seq2seq eval fra-eng test.tsv --json'],
});
