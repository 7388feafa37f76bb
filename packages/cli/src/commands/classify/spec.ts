import { withCommonOptions, type CommandSpec } from '../../options.js';
import { inputOption } from '../../input-lines.js';
import { checkpointDirArgument, forwardBatchOption } from '../../trained-model-options.js';
import { runOptions } from '../train/run-options.js';
import { DEFAULT_BPE_VOCAB, DEFAULT_WORD_VOCAB } from '../train/spec.js';

/** Epochs run when neither --steps, --epochs nor --time bounds the run. */
export const DEFAULT_EPOCHS = 10;

/*
 * The defaults: see DEFAULTS_NOTE below and bench/README.md ("classify") for the measurements they
 * come from (SST-2, sentence level, random initialisation, 5 minutes on one core).
 */
export const DEFAULTS = {
  cell: 'lstm', pooling: 'max', dim: 100, hidden: 100, layers: 1, dropout: 0.5, wordDropout: 0.1, batch: 32, lr: 2e-3, lrDecay: 0.9,
  clip: 5, valFraction: 0.1, seed: 123,
} as const;

/** Options fixed by the checkpoint: giving one with --resume is an error (they would change the run). */
export const FIXED_ON_RESUME = [
  'valid', 'format', 'cell', 'bidirectional', 'pooling', 'dim', 'hidden', 'layers', 'dropout', 'word-dropout', 'tokenizer', 'vocab-size',
  'embeddings', 'max-length', 'batch', 'optimizer', 'lr', 'lr-decay', 'clip', 'val-fraction', 'seed', 'fast',
] as const;

const FORMAT_HELP = "line format: label-first (the label, a tab or a space, the text: SST-2's) or tsv (label<TAB>text)";

export const CLASSIFY_TRAIN_SPEC: CommandSpec = withCommonOptions({
  name: 'classify train',
  short: 'Train a sequence classifier on labelled lines.',
  summary:
    'Train a sequence classifier (embedding → LSTM/GRU/RNN stack → pooling over the valid steps → dropout → linear)\n' +
    'on a file of labelled lines, one example per line (default: the label, a tab or a space, then the text). Validation\n' +
    'accuracy is measured after every epoch on --valid FILE (or on a held-out --val-fraction of FILE), and the model\n' +
    'with the best one is kept in DIR/best/. Ctrl-C writes a checkpoint and stops; --resume DIR continues exactly; a\n' +
    'checkpoint already in --out is never replaced unless --overwrite says so. The defaults (1×100 LSTM, max pooling,\n' +
    'dropout 0.5, word dropout 0.1, Adam 2e-3 decayed 0.9 per epoch, batches of 32) are measured on SST-2 in bench/README.md.',
  positionals: [{ name: 'file', help: 'a UTF-8 file of labelled lines to train on', required: false }],
  options: [
    { name: 'valid', type: 'string', valueName: 'FILE', help: 'labelled lines to validate on after every epoch (default: hold out --val-fraction of FILE)' },
    { name: 'format', type: 'choice', choices: ['label-first', 'tsv'], default: 'label-first', help: FORMAT_HELP },
    { name: 'cell', type: 'choice', choices: ['lstm', 'gru', 'rnn'], default: DEFAULTS.cell, help: 'recurrent cell' },
    { name: 'bidirectional', type: 'flag', help: 'run a second recurrent stack right to left and pool both' },
    { name: 'pooling', type: 'choice', choices: ['last', 'max', 'mean', 'attention'], default: DEFAULTS.pooling, help: 'how the outputs of every step become one vector' },
    { name: 'dim', type: 'int', min: 1, max: 4096, valueName: 'N', help: `embedding size (default ${DEFAULTS.dim}, or the size of the --embeddings vectors)` },
    { name: 'hidden', type: 'int', min: 1, max: 8192, default: DEFAULTS.hidden, help: 'hidden size H of each recurrent layer' },
    { name: 'layers', type: 'int', min: 1, max: 16, default: DEFAULTS.layers, help: 'stacked recurrent layers' },
    { name: 'dropout', type: 'number', min: 0, max: 1, maxOpen: true, default: DEFAULTS.dropout, help: 'dropout on the pooled vector (and between layers)' },
    { name: 'word-dropout', type: 'number', min: 0, max: 1, maxOpen: true, default: DEFAULTS.wordDropout, help: 'while training, read each word as <unk> with this probability' },
    { name: 'tokenizer', type: 'choice', choices: ['word', 'char', 'bpe'], default: 'word', help: 'words (\\S+), characters, or byte-level BPE' },
    {
      name: 'vocab-size', type: 'int', min: 5, valueName: 'N',
      help: `vocabulary size, the 4 specials included: word keeps the N−4 most frequent words of FILE (default ${DEFAULT_WORD_VOCAB}); bpe N ≥ 260 (default ${DEFAULT_BPE_VOCAB}); char keeps every character`,
    },
    { name: 'embeddings', type: 'string', valueName: 'FILE', help: 'start the embedding from word vectors in GloVe text format (word v1 v2 …; --tokenizer word)' },
    { name: 'max-length', type: 'int', min: 1, max: 100000, default: 400, valueName: 'N', help: 'keep the first N tokens of a longer example' },
    ...runOptions({ unit: 'examples', file: 'FILE', out: 'classifier', epochs: DEFAULT_EPOCHS, seedDraws: 'init, dropout, shuffling', ...DEFAULTS }),
  ],
  examples: [
    'eddy classify train train.txt --valid dev.txt --time 300 --out sst2',
    'eddy classify train reviews.tsv --format tsv --bidirectional --pooling attention --out reviews',
    'eddy classify train --resume sst2 --epochs 20   # continue to epoch 20',
  ],
});

export const CLASSIFY_PREDICT_SPEC: CommandSpec = withCommonOptions({
  name: 'classify predict',
  short: 'Label texts with a trained classifier.',
  summary:
    'Read one text per line (stdin, or --input FILE) and write, in the same order, one line per text:\n' +
    'label<TAB>probability (with --json: {"label":…,"probability":…,"probabilities":{label: p, …}}).\n' +
    'Uses DIR/best/ (the best validated model) when it exists, else DIR. An empty line is read as one unknown word.',
  positionals: [checkpointDirArgument('eddy classify train')],
  options: [inputOption('texts'), forwardBatchOption('texts')],
  examples: ['echo "a stirring , funny film" | eddy classify predict sst2', 'eddy classify predict sst2 --input reviews.txt --json'],
});

export const CLASSIFY_EVAL_SPEC: CommandSpec = withCommonOptions({
  name: 'classify eval',
  short: 'Measure a trained classifier on labelled lines.',
  summary:
    'Accuracy, macro-F1 and the confusion matrix of a classifier on a file of labelled lines (in the format it was\n' +
    'trained on, or --format). With --json: {"accuracy":…,"macroF1":…,"examples":…,"labels":[…],"confusion":[[…]]};\n' +
    'fractions in [0, 1], confusion rows are gold labels and columns predictions, both in the order of labels.\n' +
    'Uses DIR/best/ when it exists, else DIR. A label the classifier was not trained on is an error.',
  positionals: [
    checkpointDirArgument('eddy classify train'),
    { name: 'file', help: 'a UTF-8 file of labelled lines', required: true },
  ],
  options: [
    { name: 'format', type: 'choice', choices: ['label-first', 'tsv'], help: `${FORMAT_HELP} (default: the training file's)` },
    forwardBatchOption('examples'),
  ],
  examples: ['eddy classify eval sst2 stsa.binary.test', 'eddy classify eval sst2 test.txt --json'],
});

/** `eddy classify`: the family, listed in `eddy --help`; its subcommands have their own schemas. */
export const CLASSIFY_SPEC: CommandSpec = withCommonOptions({
  name: 'classify',
  short: 'Train, run and measure sequence classifiers (train, predict, eval).',
  summary: 'Sequence classification: one label per text (sentiment, topic, intent).',
  positionals: [{ name: 'subcommand', help: 'train, predict or eval', required: true }],
  options: [],
  examples: ['eddy classify train --help', 'eddy classify eval sst2 test.txt --json'],
});
