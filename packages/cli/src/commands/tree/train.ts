import { Generator, manualSeed, optim } from '@eddy/autograd';
import { BinaryTreeLSTM, ChildSumTreeLSTM, RecursiveNN, RNTN, type TreeModel } from '@eddy/models';
import { leafWordCounts, leafWords, NO_LABEL, SPECIAL_TOKENS, UNK, unkReplacement, WordTokenizer, type Tree, type Tokenizer, type WordIds } from '@eddy/text';
import { CliError, reason, UsageError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { commonTrainingOptions } from '../train/common-options.js';
import { runSentenceTraining, startNote, type Destination, type TrainingPlan } from '../train/driver.js';
import { epochBatches, epochPlan } from '../train/epoch-batches.js';
import { loadEmbeddings, vectorSize } from '../train/embeddings.js';
import { makeOptimizer } from '../train/optimizer.js';
import { runConfig, saveRun } from '../train/save-run.js';
import { WeightAverage } from '../train/weight-average.js';
import {
  accuracyPlan, accuracyProgress, fileRef, openResumed, readRunFiles, rereadFile, restoreEpochRun, resumeBounds, shuffledIndices, trainingFilePath,
  type EpochRun, type FileRef,
} from '../train/epoch-run.js';
import { readTreeModel, type TreeConfig, type TreeTrainingOptions } from './checkpoint.js';
import { modelTrees, readTreeFile, treeBatch, type TreeFile } from './data.js';
import { treeMetrics } from './eval.js';
import { CORENLP, DEFAULT_EPOCHS, DEFAULTS, FIXED_ON_RESUME, RECURSIVE, RNTN_DEFAULTS, type TreeModelKind } from './spec.js';

/** Everything a run needs, fresh or resumed. */
interface Run extends EpochRun {
  options: TreeTrainingOptions;
  tokenizer: Tokenizer;
  model: TreeModel;
  opt: optim.Optimizer;
  train: Tree[];
  valid: Tree[];
  /** --average-epochs K > 0: the mean of the last K epochs' weights, which validation and best/ use. */
  average: WeightAverage<TreeModel> | null;
}

/** The trees a run trains or validates on, as its model reads them; a file left with none is an error. */
function runTrees(file: TreeFile, o: TreeTrainingOptions, what: string): Tree[] {
  const { trees } = modelTrees(file, o.model, o.binary);
  if (trees.length === 0) throw new CliError(`${what} ${file.corpus.path} has no tree whose root is positive or negative, so --binary has nothing to ${what === 'the training file' ? 'train' : 'validate'} on.`);
  return trees;
}

/**
 * Word vectors and composition in separate parameter groups: the words with their own learning
 * rate and L2 (--embedding-lr, --embedding-l2), the composition and the classifier with --lr, --l2.
 * weightDecay λ is the penalty (λ/2)‖θ‖² in the loss (CoreNLP's regularisers; see optim.Adagrad).
 * Under CoreNLP's objective (--corenlp, or the RNTN's default): its groups and AdaGrad, the classifier's
 * weights at their own λ, its bias not regularised, the words decayed only where a batch looks them
 * up, ε = 1e-3. With a tensor L2 (--tensor-l2, or the RNTN's default), the RNTN's tensor V leaves the
 * composition's group for a last group of its own at that λ.
 */
function treeOptimizer(model: TreeModel, o: TreeTrainingOptions): optim.Optimizer {
  const words = model.embedding.weight;
  const { weight, bias } = model.classifier;
  const tensorL2 = o.tensorL2 ?? null;
  const tensor = tensorL2 !== null && model instanceof RNTN ? model.V : null;
  const tensorGroup = tensor === null || tensorL2 === null ? [] : [{ params: [tensor], weightDecay: tensorL2 }];
  if (o.corenlp) {
    const composition = model.parameters().filter((p) => p !== words && p !== weight && p !== bias && p !== tensor);
    return new optim.Adagrad([
      { params: composition, weightDecay: o.l2 },
      { params: [weight], weightDecay: o.classifierL2 ?? CORENLP.classifierL2 },
      { params: [bias!], weightDecay: 0 },
      { params: [words], lr: o.embeddingLr, weightDecay: o.embeddingL2 },
      ...tensorGroup,
    ], { lr: o.lr, eps: CORENLP.eps, lazyWeightDecay: true });
  }
  const rest = model.parameters().filter((p) => p !== words && p !== tensor);
  return makeOptimizer(o.optimizer, [{ params: rest, weightDecay: o.l2 }, { params: [words], lr: o.embeddingLr, weightDecay: o.embeddingL2 }, ...tensorGroup], o.lr);
}

function buildModel(kind: TreeModelKind, vocabSize: number, numClasses: number, dim: number, hidden: number, dropout: number): TreeModel {
  const base = { vocabSize, numClasses, dropout };
  if (kind === 'tree-lstm') return new BinaryTreeLSTM({ ...base, embeddingSize: dim, hiddenSize: hidden });
  if (kind === 'child-sum-tree-lstm') return new ChildSumTreeLSTM({ ...base, embeddingSize: dim, hiddenSize: hidden });
  if (kind === 'rntn') return new RNTN({ ...base, hiddenSize: dim });
  return new RecursiveNN({ ...base, hiddenSize: dim });
}

/** The flags of a fresh run that contradict each other, checked before any file is read. */
function checkFlags(args: ParsedArgs): void {
  const model = args.string('model');
  const classes = args.number('classes');
  const optimizer = args.string('optimizer');
  if (args.flag('binary') && classes !== 5) throw new UsageError(`--binary maps SST's five labels to two, so it needs --classes 5, got --classes ${classes}.`);
  if (args.flag('adagrad-reset') && optimizer !== 'adagrad') throw new UsageError(`--adagrad-reset resets AdaGrad's accumulators, so it needs --optimizer adagrad, got --optimizer ${optimizer}.`);
  if (args.has('hidden') && (model === 'rntn' || model === 'rnn')) throw new UsageError(`--model ${model} has one size for words and nodes: give --dim, not --hidden.`);
  if (args.flag('corenlp') && model !== 'rntn' && model !== 'rnn') throw new UsageError(`--corenlp is CoreNLP's recipe for its RNTN and recursive network, so it needs --model rntn or rnn, got --model ${model}.`);
  if (args.has('tensor-l2') && model !== 'rntn') throw new UsageError(`--tensor-l2 regularises the RNTN's tensor V, so it needs --model rntn, got --model ${model}.`);
  if (args.has('classifier-l2') && !usesCoreNLPObjective(args)) {
    throw new UsageError('--classifier-l2 sets the classifier\'s own L2 of CoreNLP\'s objective (--corenlp, or --model rntn with adagrad); otherwise the classifier takes --l2.');
  }
  if (args.flag('corenlp') && optimizer !== 'adagrad') throw new UsageError(`--corenlp trains with CoreNLP's AdaGrad, so it needs --optimizer adagrad, got --optimizer ${optimizer}.`);
}

/** The number flags whose defaults depend on the recipe. */
type RecipeFlag = 'dim' | 'batch' | 'lr' | 'embedding-lr' | 'l2' | 'embedding-l2' | 'dropout';

/** rntn and rnn: the models whose defaults are RECURSIVE's, RNTN_DEFAULTS' or CoreNLP's rather than the Tree-LSTMs'. */
function isRecursive(model: string): boolean {
  return model === 'rntn' || model === 'rnn';
}

/** The RNTN trained with AdaGrad and without --corenlp: RNTN_DEFAULTS' recipe. */
function isRNTNDefault(args: ParsedArgs): boolean {
  return args.string('model') === 'rntn' && args.string('optimizer') === 'adagrad' && !args.flag('corenlp');
}

/** The values of the flags not given: CoreNLP's with --corenlp, RNTN_DEFAULTS' or RECURSIVE's for rntn and rnn, else the options' own defaults (null). */
function recipeOf(args: ParsedArgs): Record<RecipeFlag, number> | null {
  const r = args.flag('corenlp') ? CORENLP : isRNTNDefault(args) ? RNTN_DEFAULTS : isRecursive(args.string('model')) ? RECURSIVE : null;
  if (r === null) return null;
  return { dim: r.dim, batch: r.batch, lr: r.lr, 'embedding-lr': r.embeddingLr, l2: r.l2, 'embedding-l2': r.embeddingL2, dropout: r.dropout };
}

/** A number flag's value: as given, else the recipe's (recipeOf), else the option's default. */
function recipeNumber(args: ParsedArgs, flag: RecipeFlag): number {
  const recipe = recipeOf(args);
  return recipe !== null && !args.has(flag) ? recipe[flag] : args.number(flag);
}

/** --unk-replace's default: the RNTN's and the recursive network's recipes train the unknown word, CoreNLP's and the Tree-LSTMs' do not. */
function defaultUnkReplace(args: ParsedArgs): number {
  if (!isRecursive(args.string('model')) || args.flag('corenlp')) return 0;
  return isRNTNDefault(args) ? RNTN_DEFAULTS.unkReplace : RECURSIVE.unkReplace;
}

/** CoreNLP's objective and AdaGrad: with --corenlp, and the RNTN's default. */
function usesCoreNLPObjective(args: ParsedArgs): boolean {
  return args.flag('corenlp') || isRNTNDefault(args);
}

function trainingOptions(args: ParsedArgs, trainFile: TreeFile, validFile: TreeFile | null): TreeTrainingOptions {
  return {
    ...commonTrainingOptions(args, { epochs: isRNTNDefault(args) ? RNTN_DEFAULTS.epochs : DEFAULT_EPOCHS, words: true }),
    batch: recipeNumber(args, 'batch'),
    lr: recipeNumber(args, 'lr'),
    train: fileRef(trainFile.corpus),
    valid: validFile === null ? null : fileRef(validFile.corpus),
    model: args.string('model') as TreeModelKind,
    classes: args.number('classes'),
    binary: args.flag('binary'),
    rootOnly: args.flag('root-only'),
    dropout: recipeNumber(args, 'dropout'),
    embeddingLr: recipeNumber(args, 'embedding-lr'),
    l2: recipeNumber(args, 'l2'),
    embeddingL2: recipeNumber(args, 'embedding-l2'),
    tensorL2: args.optionalNumber('tensor-l2') ?? (isRNTNDefault(args) ? RNTN_DEFAULTS.tensorL2 : null),
    adagradReset: args.flag('adagrad-reset') || args.flag('corenlp') || (isRecursive(args.string('model')) && args.string('optimizer') === 'adagrad'),
    corenlp: usesCoreNLPObjective(args),
    unkReplace: args.optionalNumber('unk-replace') ?? defaultUnkReplace(args),
    averageEpochs: args.optionalNumber('average-epochs') ?? (isRNTNDefault(args) ? RNTN_DEFAULTS.averageEpochs : 0),
    ...(usesCoreNLPObjective(args) ? { classifierL2: args.optionalNumber('classifier-l2') ?? (isRNTNDefault(args) ? RNTN_DEFAULTS : CORENLP).classifierL2 } : {}),
    embeddings: null,
  };
}

/** The word vocabulary: every leaf word of the training trees, or the vocabSize − 4 most frequent. */
function buildWords(trees: readonly Tree[], vocabSize: number | null): Tokenizer {
  const text = trees.map((t) => leafWords(t).join(' ')).join('\n');
  return WordTokenizer.fromCorpus(text, vocabSize === null ? {} : { maxSize: vocabSize - SPECIAL_TOKENS.length });
}

function freshRun(args: ParsedArgs): Run {
  const path = trainingFilePath(args, 'eddy tree train', 'FILE', 'a file of bracketed trees');
  checkFlags(args);
  const classes = args.number('classes');
  const { trainFile, validFile } = readRunFiles(path, args.optionalString('valid') ?? null, (p, what, verb) => readTreeFile(p, what, verb, classes));
  const options = trainingOptions(args, trainFile, validFile);
  const train = runTrees(trainFile, options, 'the training file');
  const valid = validFile === null ? [] : runTrees(validFile, options, 'the validation file');
  if (!train.some((t) => t.labels.some((y) => y >= 0))) throw new CliError(`the training file ${path} has no labelled node to learn from; give trees with a label at their nodes, e.g. (3 (2 It) (4 great)).`);
  const unlabelledRoot = trainFile.trees.findIndex((t) => t.labels[0] === NO_LABEL);
  if (options.rootOnly && unlabelledRoot >= 0) {
    throw new CliError(`the training file ${path} has a tree without a root label on line ${trainFile.lines[unlabelledRoot]}, but --root-only learns from root labels; label every root, or drop --root-only.`);
  }
  manualSeed(options.seed);
  const tokenizer = buildWords(train, options.vocabSize);
  const embeddingsPath = args.optionalString('embeddings');
  const dim = args.optionalNumber('dim') ?? (embeddingsPath !== undefined ? vectorSize(embeddingsPath) : (recipeOf(args)?.dim ?? DEFAULTS.dim));
  const model = buildModel(options.model, tokenizer.vocab.size, options.binary ? 2 : classes, dim, args.optionalNumber('hidden') ?? DEFAULTS.hidden, options.dropout);
  if (embeddingsPath !== undefined) options.embeddings = loadEmbeddings(embeddingsPath, model.embedding, tokenizer.vocab.symbols(), dim);
  const average = (options.averageEpochs ?? 0) > 0 ? new WeightAverage(model, options.averageEpochs!) : null;
  return {
    options, tokenizer, model, opt: treeOptimizer(model, options), train, valid, average, position: { epoch: 0, batch: 0 },
    step: 0, tokensSeen: 0, elapsedBefore: 0, trainLoss: null, valAccuracy: null, bestValAccuracy: null, bestStep: null,
  };
}

function resumedRun(args: ParsedArgs, dir: string): Run {
  const ck = readTreeModel(dir, { trainState: true });
  const model = ck.model;
  return openResumed(model, () => {
    const saved = ck.config.training;
    const options = resumeBounds(args, dir, FIXED_ON_RESUME, saved);
    const reread = (f: FileRef, what: string, verb: string): Tree[] => runTrees(rereadFile(f, what, dir, (path) => readTreeFile(path, what, verb, saved.classes)), options, what);
    const { trainFile: train, validFile } = readRunFiles(saved.train, saved.valid, reread);
    const valid = validFile ?? [];
    const opt = treeOptimizer(model, options);
    const progress = restoreEpochRun(ck, opt, Math.ceil(train.length / options.batch));
    return { options, tokenizer: ck.tokenizer, model, opt, train, valid, average: restoredAverage(ck.dir, model, options, ck.trainTensors!), ...progress };
  });
}

/** The weight average of a resumed run (null without --average-epochs), its snapshots as the checkpoint left them. */
function restoredAverage(dir: string, model: TreeModel, o: TreeTrainingOptions, buffers: Record<string, Float32Array>): WeightAverage<TreeModel> | null {
  const K = o.averageEpochs ?? 0;
  if (K === 0) return null;
  const average = new WeightAverage(model, K);
  try {
    average.restore(buffers);
  } catch (e) {
    average.dispose();
    throw new CliError(`${dir}/train-state is corrupt (${reason(e)}); resume from a complete checkpoint or restart training.`);
  }
  return average;
}

/** The batches of epoch `epoch`: the training trees (as indices) in that epoch's seeded order, `batch` at a time. */
function treeBatches(n: number, batch: number, seed: number, epoch: number): number[][] {
  const order = shuffledIndices(n, seed + epoch);
  return Array.from({ length: Math.ceil(n / batch) }, (_, b) => order.slice(b * batch, (b + 1) * batch));
}

/**
 * The word ids of training step `step` (from 0): the vocabulary, with unknown-word replacement at α
 * = `unkReplace` (text's unkReplacement) drawn from a stream of its own per step, so that a resumed run
 * replaces the same words. The stream's seed, seed · 1 000 003 + step + 7, differs for every step of a
 * run under a million steps.
 */
function trainingWordIds(words: WordIds, counts: ReadonlyMap<string, number>, o: TreeTrainingOptions, step: number): WordIds {
  const alpha = o.unkReplace ?? 0;
  if (alpha === 0) return words;
  const stream = BigInt.asUintN(64, BigInt(o.seed) * 1_000_003n + BigInt(step) + 7n);
  return unkReplacement(words, counts, alpha, UNK, new Generator(stream));
}

/** `eddy tree train`: returns the exit code (0, or 130 after Ctrl-C). */
export function runTreeTrain(args: ParsedArgs, io: Io, signal: AbortSignal = new AbortController().signal): Promise<number> {
  return runSentenceTraining(args, io, signal, { name: 'eddy tree train', defaultOut: 'tree-model', fresh: freshRun, resumed: resumedRun, plan: treePlan });
}

/** `eddy tree train`'s part of the training driver: shuffled batches of trees, validated by root accuracy. */
function treePlan(run: Run, where: Destination): TrainingPlan {
  const { out, outDir } = where;
  const o = run.options;
  // AdaGrad's accumulators reset as each epoch after the first begins (CoreNLP's RNTN training).
  const data = epochBatches(run, run.train.length, o.batch, (epoch) => treeBatches(run.train.length, o.batch, o.seed, epoch), () => {
    if (o.adagradReset) (run.opt as optim.Adagrad).resetAccumulators();
  });
  const { stepsPerEpoch, totalSteps } = data;
  const words = run.tokenizer.vocab;
  const counts = leafWordCounts(run.train);
  const m = run.model;
  const average = run.average;
  const validated = average?.model ?? m;
  const averageNote = average === null ? '' : `, validating the mean of the last ${average.window} epochs' weights`;
  const embeddingNote = o.embeddings === null ? '' : `, word vectors from ${o.embeddings.path} (${o.embeddings.found} words found, ${o.embeddings.missing} not)`;
  const sizes = o.model === 'rntn' || o.model === 'rnn' ? `d ${m.hiddenSize}` : `words ${m.embedding.embeddingDim}, hidden ${m.hiddenSize}`;
  m.train();
  const plan = epochPlan(run, data);
  return {
    ...plan,
    // At the end of each epoch its weights join the average.
    afterStep: () => {
      plan.afterStep!();
      if (average !== null && run.position.batch === stepsPerEpoch) average.add();
    },
    dispose: () => {
      average?.dispose();
      plan.dispose();
    },
    start: startNote(
      where, run, totalSteps,
      `${o.model}${o.binary ? ' (binary)' : ''}, ${sizes} ` +
        `(${m.numParameters()} parameters, vocabulary ${words.size}${embeddingNote}) on ${o.train.path}: ${run.train.length} training and ` +
        `${run.valid.length} validation trees, ${m.numClasses} classes, ${stepsPerEpoch} steps per epoch${averageNote}`,
      {
        model: m.toConfig(), parameters: m.numParameters(), vocabSize: words.size,
        trainTrees: run.train.length, validTrees: run.valid.length, stepsPerEpoch, options: o,
      },
    ),
    loss: () => {
      const trees = data.next().map((i) => run.train[i]);
      const batch = treeBatch(trees, trainingWordIds(words, counts, o, run.step), o.model);
      return { loss: m.loss(batch, { rootOnly: o.rootOnly, perTree: o.corenlp === true }), tokens: batch.leaves.nodes.length };
    },
    evaluate: run.valid.length > 0
      ? () => 1 - treeMetrics(validated, run.valid, words, o.model, Math.max(o.batch, 64)).rootAccuracy!
      : undefined,
    ...accuracyPlan(run, {
      stepsPerEpoch, out, what: average === null ? 'validation root accuracy' : 'validation root accuracy (averaged weights)', evalCommand: 'eddy tree eval',
      save: (best, elapsed, bestFrom) => {
        const config: TreeConfig = runConfig(run, accuracyProgress(run));
        const averaged = average === null ? {} : { bestModel: average.model, extraTensors: average.toFiles() };
        saveRun(outDir, out, { ...run, ...averaged, config, batcher: { ...run.position } }, best, elapsed, bestFrom);
      },
    }),
  };
}
