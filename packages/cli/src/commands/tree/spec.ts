import { withCommonOptions, type CommandSpec } from '../../options.js';
import { inputOption } from '../../input-lines.js';
import { checkpointDirArgument, forwardBatchOption } from '../../trained-model-options.js';
import { runOptions } from '../train/run-options.js';

/** Epochs run when neither --steps, --epochs nor --time bounds the run. */
export const DEFAULT_EPOCHS = 10;

/** The tree models `--model` names. */
export const TREE_MODELS = ['tree-lstm', 'child-sum-tree-lstm', 'rntn', 'rnn'] as const;
export type TreeModelKind = (typeof TREE_MODELS)[number];

/*
 * The defaults are Tai et al. (2015)'s for the constituency Tree-LSTM on SST: hidden 150, AdaGrad
 * 0.05 with L2 1e-4 on the composition and classifier, word vectors updated at 0.1 without L2,
 * dropout 0.5, batches of 25 trees. (Their vectors are 300-d GloVe; without --embeddings the random
 * vectors are --dim 100.) The RNTN and the recursive network have their own (RECURSIVE).
 */
export const DEFAULTS = {
  model: 'tree-lstm', dim: 100, hidden: 150, classes: 5, dropout: 0.5, batch: 25, optimizer: 'adagrad', lr: 0.05, embeddingLr: 0.1,
  l2: 1e-4, embeddingL2: 0, lrDecay: 1, clip: 0, seed: 123,
} as const;

/**
 * The recursive network's defaults (rnn; rntn with --optimizer adam or sgd): CoreNLP's d = 25, batch 27 and
 * AdaGrad 0.01 reset every epoch, with the loss averaged over the batch's nodes, L2 1e-3 on the
 * composition and the classifier and none on the word vectors, no dropout, the unknown word trained
 * (--unk-replace 0.25). On SST this trained the best recursive network measured (bench/README.md,
 * "Recursive networks on SST": 43.6 % fine root, 80.5 % of all nodes, 83.1 % binary root in 60 epochs,
 * mean of 5 seeds; 42.1 / 80.1 / 81.7 without the unknown word trained).
 */
export const RECURSIVE = { dim: 25, lr: 0.01, embeddingLr: 0.01, batch: 27, dropout: 0, l2: 1e-3, embeddingL2: 0, unkReplace: 0.25 } as const;

/**
 * The RNTN's defaults (rntn with AdaGrad, without --corenlp): CoreNLP's objective and AdaGrad, as
 * --corenlp, with the regularisation strengths of Socher's Matlab RNTN code (as ported to OptiML in
 * stanford-ppl/Forge): λ 0.1 on W (here with its bias, which that code leaves out), 0.15 on the tensor
 * V (in a group of its own), 1e-4 on the classifier's weights and on the word vectors a batch uses;
 * the unknown word trained by replacing rare training words (α 0.25, --unk-replace); validation and
 * best/ on the mean of the last 5 epochs' weights (--average-epochs); 30 epochs (the best dev model
 * came at epochs 13–30 over 12 seeds). On SST this trained the best RNTN measured (bench/README.md,
 * "Recursive networks on SST": 45.56 % fine root, 81.22 % of all nodes, 85.42 % binary root, mean of
 * 24 seeds, against 45.37 / 81.09 / 85.15 without the average, and 43.8 / 80.9 / 83.8 on seeds 123–130
 * without the unknown word trained either); at these strengths the recursive network does worse.
 */
export const RNTN_DEFAULTS = {
  dim: 25, lr: 0.01, embeddingLr: 0.01, batch: 27, dropout: 0, l2: 0.1, tensorL2: 0.15, embeddingL2: 1e-4, classifierL2: 1e-4, unkReplace: 0.25, epochs: 30,
  averageEpochs: 5,
} as const;

/**
 * `--corenlp`: CoreNLP's sentiment RNTN training (SentimentTraining, RNNTrainOptions). These values
 * replace the defaults of the flags not given; the loss is summed over a tree's nodes and averaged
 * over its batch's trees, AdaGrad's ε is 1e-3 and its accumulators reset every epoch, the classifier's
 * weights are regularised at 1e-4 and its bias not, the word vectors only where a batch uses them.
 */
export const CORENLP = {
  dim: 25, lr: 0.01, embeddingLr: 0.01, batch: 27, dropout: 0, l2: 1e-3, embeddingL2: 1e-4, classifierL2: 1e-4, eps: 1e-3,
} as const;

/** Options fixed by the checkpoint: giving one with --resume is an error (they would change the run). */
export const FIXED_ON_RESUME = [
  'valid', 'model', 'dim', 'hidden', 'classes', 'binary', 'vocab-size', 'embeddings', 'root-only', 'dropout', 'batch', 'optimizer', 'lr',
  'embedding-lr', 'l2', 'embedding-l2', 'tensor-l2', 'adagrad-reset', 'corenlp', 'classifier-l2', 'unk-replace', 'average-epochs', 'lr-decay', 'clip', 'seed', 'fast',
] as const;

const TREES_HELP = 'one bracketed tree per line, an integer label at every node: (3 (2 It) (4 (2 \'s) (3 great))) — SST\'s train.txt';

export const TREE_TRAIN_SPEC: CommandSpec = withCommonOptions({
  name: 'tree train',
  short: 'Train a recursive network (Tree-LSTM, RNTN, RNN) on labelled trees.',
  summary:
    'Train a recursive network over parse trees with a label at every node (the Stanford Sentiment Treebank): word\n' +
    'vectors at the leaves, the model\'s composition at every inner node, one softmax classifier shared by all nodes,\n' +
    'cross-entropy at every labelled node (--root-only: at the roots). Trees are batched by level: every node of a\n' +
    'minibatch whose children are done is computed together. Binary models (tree-lstm, rntn, rnn) binarise n-ary nodes\n' +
    'right-branching and merge unary chains; child-sum-tree-lstm reads the trees as they are. Root accuracy on --valid\n' +
    'FILE is measured after every epoch and the best model kept in DIR/best/ (with --average-epochs K: of the mean of the\n' +
    'last K epochs\' weights). Ctrl-C writes a checkpoint and stops; --resume DIR continues exactly. --binary trains Tai\n' +
    'et al.\'s binary model: sentences whose root is neutral (2) are dropped, labels 0–1 become 0 (negative) and 3–4 become\n' +
    '1 (positive), neutral inner nodes are not supervised.',
  positionals: [{ name: 'file', help: TREES_HELP, required: false }],
  options: [
    { name: 'valid', type: 'string', valueName: 'FILE', help: 'trees to validate on after every epoch (root accuracy; without it no model is validated)' },
    {
      name: 'model', type: 'choice', choices: [...TREE_MODELS], default: DEFAULTS.model, help:
        'composition: binary Tree-LSTM, child-sum Tree-LSTM, RNTN, or Socher\'s recursive network. The defaults below are the ' +
        `Tree-LSTMs'; rnn defaults to --dim ${RECURSIVE.dim} --batch ${RECURSIVE.batch} --lr ${RECURSIVE.lr} --embedding-lr ${RECURSIVE.embeddingLr} ` +
        `--l2 ${RECURSIVE.l2} --embedding-l2 ${RECURSIVE.embeddingL2} --dropout ${RECURSIVE.dropout} --unk-replace ${RECURSIVE.unkReplace} and --adagrad-reset (with adagrad); rntn with adagrad ` +
        `to --corenlp's objective with --l2 ${RNTN_DEFAULTS.l2} --tensor-l2 ${RNTN_DEFAULTS.tensorL2} --classifier-l2 ${RNTN_DEFAULTS.classifierL2} ` +
        `--embedding-l2 ${RNTN_DEFAULTS.embeddingL2} (Socher's strengths), --unk-replace ${RNTN_DEFAULTS.unkReplace}, --average-epochs ${RNTN_DEFAULTS.averageEpochs} ` +
        'and the same sizes and rates; rntn with adam or sgd to rnn\'s',
    },
    { name: 'dim', type: 'int', min: 1, max: 4096, valueName: 'N', help: `word vector size (default ${DEFAULTS.dim}, or the size of the --embeddings vectors; rntn and rnn: also the node size)` },
    { name: 'hidden', type: 'int', min: 1, max: 8192, valueName: 'N', help: `hidden size of the Tree-LSTMs (default ${DEFAULTS.hidden}; rntn and rnn use --dim)` },
    { name: 'classes', type: 'int', min: 2, max: 1000, default: DEFAULTS.classes, valueName: 'N', help: 'labels are 0 … N−1 (SST: 5)' },
    { name: 'binary', type: 'flag', help: 'train the binary model on SST\'s five labels (needs --classes 5): neutral sentences dropped, 0–1 negative, 3–4 positive' },
    { name: 'root-only', type: 'flag', help: 'supervise the roots only (sentence labels), not every node' },
    { name: 'vocab-size', type: 'int', min: 5, valueName: 'N', help: 'keep the N−4 most frequent words of FILE (default: every word)' },
    {
      name: 'unk-replace', type: 'number', min: 0, valueName: 'α', help:
        'train the unknown word: a training word seen c times is read as <unk> with probability α/(α+c), so words unseen in ' +
        `training get a trained vector, not a random one (default ${RECURSIVE.unkReplace} for rntn and rnn without --corenlp, else 0: off)`,
    },
    {
      name: 'average-epochs', type: 'int', min: 0, max: 100, valueName: 'K', help:
        'validate, and keep in DIR/best/, the mean of the weights at the ends of the last K epochs (training goes on from the ' +
        `last weights; default ${RNTN_DEFAULTS.averageEpochs} for rntn with adagrad without --corenlp, else 0: off)`,
    },
    { name: 'embeddings', type: 'string', valueName: 'FILE', help: 'start the word vectors from a GloVe text file (word v1 v2 … per line)' },
    { name: 'dropout', type: 'number', min: 0, max: 1, maxOpen: true, default: DEFAULTS.dropout, help: 'dropout on the word vectors and on the classifier\'s input' },
    ...runOptions({
      unit: 'trees', file: 'FILE', out: 'tree-model', epochs: DEFAULT_EPOCHS, epochsOtherwise: `${RNTN_DEFAULTS.epochs} for rntn with adagrad without --corenlp`, seedDraws: 'init, dropout, shuffling', ...DEFAULTS, optimizers: ['adagrad', 'adam', 'sgd'],
      groups: {
        lrOf: 'the composition and the classifier',
        options: [
          { name: 'embedding-lr', type: 'number', min: 0, default: DEFAULTS.embeddingLr, help: 'learning rate of the word vectors (0: keep them fixed)' },
          { name: 'l2', type: 'number', min: 0, default: DEFAULTS.l2, help: 'L2 penalty (λ/2)‖θ‖² on the composition and the classifier' },
          { name: 'embedding-l2', type: 'number', min: 0, default: DEFAULTS.embeddingL2, help: 'L2 penalty on the word vectors' },
          {
            name: 'tensor-l2', type: 'number', min: 0,
            help: `L2 penalty on the RNTN's tensor V, in a parameter group of its own (default ${RNTN_DEFAULTS.tensorL2} for rntn with adagrad; with --corenlp or another optimizer V takes --l2, in its group)`,
          },
          {
            name: 'classifier-l2', type: 'number', min: 0,
            help: `L2 penalty on the classifier's weights under CoreNLP's objective (--corenlp, or rntn with adagrad; default ${CORENLP.classifierL2}; its bias has none)`,
          },
          { name: 'adagrad-reset', type: 'flag', help: 'reset AdaGrad\'s accumulators at the start of every epoch (CoreNLP\'s RNTN training; on by default for rntn and rnn)' },
          {
            name: 'corenlp', type: 'flag',
            help: 'CoreNLP\'s RNTN training (rntn, rnn): the loss summed over each tree\'s nodes and averaged over trees; AdaGrad with ε 1e-3, ' +
              'reset every epoch; L2 on the classifier\'s weights 1e-4, none on its bias, on the word vectors only where a batch uses ' +
              'them; unless given, --dim 25 --batch 27 --lr 0.01 --embedding-lr 0.01 --l2 1e-3 --embedding-l2 1e-4 --dropout 0 (rntn\'s default is ' +
              'this objective with stronger L2)',
          },
        ],
      },
    }),
  ],
  examples: [
    'eddy tree train sst/train.txt --valid sst/dev.txt --out sst-lstm',
    'eddy tree train sst/train.txt --valid sst/dev.txt --binary --out sst-binary',
    'eddy tree train sst/train.txt --valid sst/dev.txt --model rntn --out rntn   # 30 epochs, ≈ 4 min on one core',
    'eddy tree train sst/train.txt --valid sst/dev.txt --model rntn --corenlp --epochs 400 --out rntn-corenlp',
    'eddy tree train --resume sst-lstm --epochs 20   # continue to epoch 20',
  ],
});

export const TREE_PREDICT_SPEC: CommandSpec = withCommonOptions({
  name: 'tree predict',
  short: 'Label every node of trees (or sentences) with a trained tree model.',
  summary:
    'Read one item per line (stdin, or --input FILE): a bracketed tree (its labels are ignored) or a sentence of\n' +
    'whitespace-separated tokens, which is made a right-branching binary tree: a b c d → (a (b (c d))), as CoreNLP\n' +
    'binarises new text. Print, in the same order, each tree in bracket notation with the predicted label at every\n' +
    'node (with --json: {"tree":…,"label":…}, label the root\'s). A binary model (--binary) prints 0 for negative,\n' +
    '1 for positive. Binary models print n-ary input binarised. Uses DIR/best/ when it exists, else DIR.',
  positionals: [checkpointDirArgument('eddy tree train')],
  options: [inputOption('trees or sentences'), forwardBatchOption('trees')],
  examples: ['echo "a stirring , funny film" | eddy tree predict sst-lstm', 'eddy tree predict sst-lstm --input test.txt --json'],
});

export const TREE_EVAL_SPEC: CommandSpec = withCommonOptions({
  name: 'tree eval',
  short: 'Measure a trained tree model on labelled trees.',
  summary:
    'Root and all-node accuracy of a tree model on a file of labelled trees, and the binary figures by SST\'s\n' +
    'convention. With --json: {"rootAccuracy":…,"allAccuracy":…,"binaryRootAccuracy":…,"binaryAllAccuracy":…,\n' +
    '"trees":…,"nodes":…}, accuracies fractions in [0, 1]. Binary figures of a five-class model: over the nodes whose\n' +
    'gold label is not neutral (2), a node is predicted positive when the argmax over the classes 0, 1, 3, 4 is 3 or\n' +
    '4 (null for other numbers of classes). A --binary model is evaluated as it was trained: trees with a neutral root\n' +
    'are left out, and every figure is over the non-neutral nodes (trees and nodes count what was evaluated).\n' +
    'Uses DIR/best/ when it exists, else DIR.',
  positionals: [
    checkpointDirArgument('eddy tree train'),
    { name: 'file', help: TREES_HELP, required: true },
  ],
  options: [forwardBatchOption('trees')],
  examples: ['eddy tree eval sst-lstm sst/test.txt', 'eddy tree eval sst-lstm sst/test.txt --json'],
});

/** `eddy tree`: the family, listed in `eddy --help`; its subcommands have their own schemas. */
export const TREE_SPEC: CommandSpec = withCommonOptions({
  name: 'tree',
  short: 'Train, run and measure tree networks (train, predict, eval).',
  summary: 'Recursive networks over trees: a label at every phrase (sentiment treebanks).',
  positionals: [{ name: 'subcommand', help: 'train, predict or eval', required: true }],
  options: [],
  examples: ['eddy tree train --help', 'eddy tree eval sst-lstm test.txt --json'],
});
