import { manualSeed, optim, tensor } from '@eddy/autograd';
import { SequenceClassifier, type CellKind, type Pooling } from '@eddy/models';
import { accuracy, classificationBatches, type ClassificationExample, type Tokenizer } from '@eddy/text';
import { CliError, UsageError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { runSentenceTraining, startNote, type Destination, type TrainingPlan } from '../train/driver.js';
import { commonTrainingOptions } from '../train/common-options.js';
import { loadEmbeddings, vectorSize } from '../train/embeddings.js';
import { makeOptimizer } from '../train/optimizer.js';
import { runConfig, saveRun } from '../train/save-run.js';
import { epochBatches, epochPlan } from '../train/epoch-batches.js';
import {
  accuracyPlan, accuracyProgress, fileRef, openResumed, readRunFiles, rereadFile, restoreEpochRun, resumeBounds, trainingFilePath, type FileRef,
} from '../train/epoch-run.js';
import { heldOutPositions } from '../train/held-out.js';
import { buildTokenizer } from '../train/tokenizer.js';
import {
  readClassifier, type ClassifierConfig, type ClassifyBatcherState, type ClassifyTrainingOptions,
} from './checkpoint.js';
import { classIndices, encodeTexts, examplesOf, labelSet, readLabelledFile, type LabelledFile, type LineFormat } from './data.js';
import { predictBatches } from './predict.js';
import { DEFAULT_EPOCHS, DEFAULTS, FIXED_ON_RESUME } from './spec.js';

/** Everything a run needs, fresh or resumed. */
interface Run {
  options: ClassifyTrainingOptions;
  labels: string[];
  tokenizer: Tokenizer;
  model: SequenceClassifier;
  opt: optim.Optimizer;
  train: ClassificationExample[];
  valid: ClassificationExample[];
  position: ClassifyBatcherState;
  step: number;
  tokensSeen: number;
  elapsedBefore: number;
  trainLoss: number | null;
  valAccuracy: number | null;
  bestValAccuracy: number | null;
  bestStep: number | null;
}

/** The examples both a fresh and a resumed run train and validate on, from the files of `o`. */
function readExamples(o: ClassifyTrainingOptions, trainFile: LabelledFile, validFile: LabelledFile | null, tokenizer: Tokenizer, labels: string[]) {
  const { train, held } = heldOutPositions(trainFile.texts.length, validFile !== null, o.valFraction, o.seed);
  if (train.length === 0) throw new CliError(`the training file ${o.train.path} has no examples left after holding out --val-fraction ${o.valFraction}; lower it or give --valid.`);
  const pick = (xs: readonly string[], at: number[]): string[] => at.map((i) => xs[i]);
  const examples = (texts: string[], classes: Int32Array): ClassificationExample[] => examplesOf(encodeTexts(tokenizer, texts, o.maxLength), classes);
  const trainLabels = pick(trainFile.labels, train);
  const trainExamples = examples(pick(trainFile.texts, train), classIndices(trainLabels, labels, `the training file ${o.train.path}`));
  const validExamples = validFile !== null
    ? examples(validFile.texts, classIndices(validFile.labels, labels, `the validation file ${o.valid!.path}`))
    : examples(pick(trainFile.texts, held), classIndices(pick(trainFile.labels, held), labels, `the training file ${o.train.path}`));
  return { train: trainExamples, valid: validExamples };
}

function trainingOptions(args: ParsedArgs, trainFile: LabelledFile, validFile: LabelledFile | null): ClassifyTrainingOptions {
  const common = commonTrainingOptions(args, { epochs: DEFAULT_EPOCHS });
  if (args.has('embeddings') && common.tokenizer !== 'word') throw new UsageError(`--embeddings holds word vectors, so it needs --tokenizer word, got --tokenizer ${common.tokenizer}.`);
  return {
    ...common,
    train: fileRef(trainFile.corpus),
    valid: validFile === null ? null : fileRef(validFile.corpus),
    format: args.string('format') as LineFormat,
    valFraction: args.number('val-fraction'),
    embeddings: null,
    maxLength: args.number('max-length'),
  };
}

function freshRun(args: ParsedArgs): Run {
  const path = trainingFilePath(args, 'eddy classify train', 'FILE', 'a file of labelled lines');
  const format = args.string('format') as LineFormat;
  const { trainFile, validFile } = readRunFiles(path, args.optionalString('valid') ?? null, (p, what, verb) => readLabelledFile(p, what, verb, format));
  const options = trainingOptions(args, trainFile, validFile);
  const labels = labelSet(trainFile.labels);
  if (labels.length < 2) throw new CliError(`the training file ${path} has only the label ${JSON.stringify(labels[0])}; a classifier needs examples of at least two labels.`);
  manualSeed(options.seed);
  const tokenizer = buildTokenizer(options, trainFile.texts.join('\n'));
  const { train, valid } = readExamples(options, trainFile, validFile, tokenizer, labels);
  const embeddingsPath = args.optionalString('embeddings');
  const dim = args.optionalNumber('dim') ?? (embeddingsPath === undefined ? DEFAULTS.dim : vectorSize(embeddingsPath));
  const model = new SequenceClassifier({
    vocabSize: tokenizer.vocab.size,
    numClasses: labels.length,
    embeddingSize: dim,
    hiddenSize: args.number('hidden'),
    cell: args.string('cell') as CellKind,
    numLayers: args.number('layers'),
    bidirectional: args.flag('bidirectional'),
    pooling: args.string('pooling') as Pooling,
    dropout: args.number('dropout'),
    wordDropout: args.number('word-dropout'),
  });
  if (embeddingsPath !== undefined) options.embeddings = loadEmbeddings(embeddingsPath, model.embedding, tokenizer.vocab.symbols(), dim);
  const opt = makeOptimizer(options.optimizer, model.parameters(), options.lr);
  return {
    options, labels, tokenizer, model, opt, train, valid, position: { epoch: 0, batch: 0 },
    step: 0, tokensSeen: 0, elapsedBefore: 0, trainLoss: null, valAccuracy: null, bestValAccuracy: null, bestStep: null,
  };
}

function resumedRun(args: ParsedArgs, dir: string): Run {
  const ck = readClassifier(dir, { trainState: true });
  const model = ck.model;
  return openResumed(model, () => {
    const saved = ck.config.training;
    const options = resumeBounds(args, dir, FIXED_ON_RESUME, saved);
    const reread = (f: FileRef, what: string, verb: string): LabelledFile => rereadFile(f, what, dir, (path) => readLabelledFile(path, what, verb, saved.format));
    const { trainFile, validFile } = readRunFiles(saved.train, saved.valid, reread);
    const { train, valid } = readExamples(options, trainFile, validFile, ck.tokenizer, ck.config.labels);
    const opt = makeOptimizer(options.optimizer, model.parameters(), options.lr);
    return { options, labels: ck.config.labels, tokenizer: ck.tokenizer, model, opt, train, valid, ...restoreEpochRun(ck, opt, Math.ceil(train.length / options.batch)) };
  });
}

function save(run: Run, dir: string, out: string, best: boolean, elapsed: number, bestFrom: string): void {
  const config: ClassifierConfig = runConfig(run, accuracyProgress(run), { labels: run.labels });
  saveRun(dir, out, { ...run, config, batcher: { ...run.position } }, best, elapsed, bestFrom);
}

/** The fraction of `examples` the model labels right (evaluation mode, no dropout). */
export function validationAccuracy(model: SequenceClassifier, examples: readonly ClassificationExample[], batchSize: number): number {
  const gold = Int32Array.from(examples, (e) => e.label);
  const { labels } = predictBatches(model, examples.map((e) => e.ids), batchSize);
  return accuracy(gold, labels);
}

/** `eddy classify train`: returns the exit code (0, or 130 after Ctrl-C). */
export function runClassifyTrain(args: ParsedArgs, io: Io, signal: AbortSignal = new AbortController().signal): Promise<number> {
  return runSentenceTraining(args, io, signal, { name: 'eddy classify train', defaultOut: 'classifier', fresh: freshRun, resumed: resumedRun, plan: classifyPlan });
}

/** `eddy classify train`'s part of the training driver: shuffled batches of labelled texts, validated by accuracy. */
function classifyPlan(run: Run, where: Destination): TrainingPlan {
  const { out, outDir } = where;
  const o = run.options;
  const data = epochBatches(run, run.train.length, o.batch, (epoch) => classificationBatches(run.train, { batchSize: o.batch, seed: o.seed + epoch, maxLength: o.maxLength }));
  const { stepsPerEpoch, totalSteps } = data;
  const m = run.model.options;
  const embeddingNote = o.embeddings === null ? '' : `, embedding from ${o.embeddings.path} (${o.embeddings.found} words found, ${o.embeddings.missing} not)`;
  run.model.train();
  return {
    ...epochPlan(run, data),
    start: startNote(
      where, run, totalSteps,
      `${o.tokenizer} ${m.bidirectional ? 'bidirectional ' : ''}${m.cell.toUpperCase()} ` +
        `${m.numLayers}×${m.hiddenSize}, ${m.pooling} pooling (${run.model.numParameters()} parameters, vocabulary ${run.tokenizer.vocab.size}${embeddingNote}) ` +
        `on ${o.train.path}: ${run.train.length} training and ${run.valid.length} validation examples, labels ${run.labels.join(', ')}, ${stepsPerEpoch} steps per epoch`,
      {
        model: run.model.toConfig(), parameters: run.model.numParameters(), labels: run.labels,
        vocabSize: run.tokenizer.vocab.size, trainExamples: run.train.length, validExamples: run.valid.length, stepsPerEpoch, options: o,
      },
    ),
    loss: () => {
      const b = data.next();
      const ids = tensor(b.ids, [b.steps, b.batchSize], { dtype: 'int32' });
      return { loss: run.model.loss(ids, b.lengths, b.labels), tokens: b.lengths.reduce((s, n) => s + n, 0) };
    },
    evaluate: run.valid.length > 0
      ? () => {
          const acc = validationAccuracy(run.model, run.valid, Math.max(o.batch, 64));
          run.model.train();
          return 1 - acc;
        }
      : undefined,
    ...accuracyPlan(run, {
      stepsPerEpoch, out, what: 'validation accuracy', evalCommand: 'eddy classify eval',
      save: (best, elapsed, bestFrom) => save(run, outDir, out, best, elapsed, bestFrom),
    }),
  };
}
