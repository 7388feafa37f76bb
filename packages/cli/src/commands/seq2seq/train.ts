import { manualSeed, type optim } from '@eddy/autograd';
import { Seq2Seq, type AttentionKind } from '@eddy/models';
import { parallelBatches, type ParallelExample, type Tokenizer } from '@eddy/text';
import { CliError, UsageError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { commonTrainingOptions } from '../train/common-options.js';
import { runSentenceTraining, startNote, type Destination, type TrainingPlan } from '../train/driver.js';
import { epochBatches, epochPlan } from '../train/epoch-batches.js';
import { heldOutPositions } from '../train/held-out.js';
import { makeOptimizer } from '../train/optimizer.js';
import { fileRef, openResumed, readRunFiles, rereadFile, restoreTrainState, resumeBounds, trainingFilePath, type FileRef } from '../train/epoch-run.js';
import { runConfig, saveRun } from '../train/save-run.js';
import { buildTokenizer } from '../train/tokenizer.js';
import { readSeq2Seq, type Seq2SeqBatcherState, type Seq2SeqConfig, type Seq2SeqTrainingOptions } from './checkpoint.js';
import { encodePairs, readParallelFile, type ParallelFile } from './data.js';
import { meanLoss, seq2seqMeasures } from './measures.js';
import { DEFAULT_EPOCHS, FIXED_ON_RESUME } from './spec.js';

/** Everything a run needs, fresh or resumed. */
interface Run {
  options: Seq2SeqTrainingOptions;
  tokenizer: Tokenizer;
  model: Seq2Seq;
  opt: optim.Optimizer;
  train: ParallelExample[];
  valid: ParallelExample[];
  /** The target texts of `valid`, as written (BLEU compares decoded outputs with them). */
  validTargets: string[];
  position: Seq2SeqBatcherState;
  step: number;
  tokensSeen: number;
  elapsedBefore: number;
  trainLoss: number | null;
  valLoss: number | null;
  valBleu: number | null;
  bestValLoss: number | null;
  bestStep: number | null;
}

/** Most validation pairs decoded for BLEU at each evaluation (the loss uses them all). */
const MAX_BLEU_SENTENCES = 2000;

/** The pairs both a fresh and a resumed run train and validate on, from the files of `o`. */
function readExamples(o: Seq2SeqTrainingOptions, trainFile: ParallelFile, validFile: ParallelFile | null, tokenizer: Tokenizer) {
  const { train, held } = heldOutPositions(trainFile.pairs.length, validFile !== null, o.valFraction, o.seed);
  if (train.length === 0) throw new CliError(`the training file ${o.train.path} has no pairs left after holding out --val-fraction ${o.valFraction}; lower it or give --valid.`);
  const validPairs = validFile !== null ? validFile.pairs : held.map((i) => trainFile.pairs[i]);
  return {
    train: encodePairs(tokenizer, train.map((i) => trainFile.pairs[i]), o.maxLength),
    valid: encodePairs(tokenizer, validPairs, o.maxLength),
    validTargets: validPairs.map((p) => p.target),
  };
}

function freshRun(args: ParsedArgs): Run {
  const path = trainingFilePath(args, 'eddy seq2seq train', 'PAIRS', 'a file of source<TAB>target lines');
  const { trainFile, validFile } = readRunFiles(path, args.optionalString('valid') ?? null, readParallelFile);
  const options: Seq2SeqTrainingOptions = {
    ...commonTrainingOptions(args, { epochs: DEFAULT_EPOCHS }),
    train: fileRef(trainFile.corpus),
    valid: validFile === null ? null : fileRef(validFile.corpus),
    valFraction: args.number('val-fraction'),
    teacherForcing: args.number('teacher-forcing'),
    maxLength: args.number('max-length'),
  };
  const attention = args.string('attention') as AttentionKind;
  if (attention === 'luong-dot' && args.flag('bidirectional')) {
    throw new UsageError("--attention luong-dot scores the decoder state against encoder states of the same width, which --bidirectional doubles; use luong-general, luong-concat or bahdanau with it.");
  }
  manualSeed(options.seed);
  // One vocabulary for both sides, trained on every source and target of the training file; a
  // char vocabulary gets them end to end (a separator would be a character no pair holds).
  const separator = options.tokenizer === 'char' ? '' : '\n';
  const tokenizer = buildTokenizer(options, trainFile.pairs.flatMap((p) => [p.source, p.target]).join(separator));
  const examples = readExamples(options, trainFile, validFile, tokenizer);
  const V = tokenizer.vocab.size;
  const model = new Seq2Seq({
    sourceVocabSize: V, targetVocabSize: V, cell: args.string('cell') as 'lstm' | 'gru', hiddenSize: args.number('hidden'), layers: args.number('layers'),
    bidirectional: args.flag('bidirectional'), dropout: args.number('dropout'), attention, reverseSource: args.flag('reverse-source'),
  });
  const opt = makeOptimizer(options.optimizer, model.parameters(), options.lr);
  return {
    options, tokenizer, model, opt, ...examples, position: { epoch: 0, batch: 0 },
    step: 0, tokensSeen: 0, elapsedBefore: 0, trainLoss: null, valLoss: null, valBleu: null, bestValLoss: null, bestStep: null,
  };
}

function resumedRun(args: ParsedArgs, dir: string): Run {
  const ck = readSeq2Seq(dir, { trainState: true });
  const model = ck.model;
  return openResumed(model, () => {
    const saved = ck.config.training;
    const options = resumeBounds(args, dir, FIXED_ON_RESUME, saved);
    const reread = (f: FileRef, what: string, verb: string): ParallelFile => rereadFile(f, what, dir, (path) => readParallelFile(path, what, verb));
    const { trainFile, validFile } = readRunFiles(saved.train, saved.valid, reread);
    const examples = readExamples(options, trainFile, validFile, ck.tokenizer);
    const opt = makeOptimizer(options.optimizer, model.parameters(), options.lr);
    restoreTrainState(ck, opt, Math.ceil(examples.train.length / options.batch));
    const ts = ck.trainState!;
    const p = ck.config.progress;
    return {
      options, tokenizer: ck.tokenizer, model, opt, ...examples, position: { ...ts.batcher },
      step: ts.step, tokensSeen: ts.tokensSeen, elapsedBefore: ts.elapsedSeconds,
      trainLoss: p.trainLoss, valLoss: p.valLoss, valBleu: p.valBleu, bestValLoss: p.bestValLoss, bestStep: p.bestStep,
    };
  });
}

function configOf(run: Run): Seq2SeqConfig {
  return runConfig(run, {
    step: run.step, epoch: run.position.epoch, trainLoss: run.trainLoss, valLoss: run.valLoss, valBleu: run.valBleu,
    bestValLoss: run.bestValLoss, bestStep: run.bestStep,
  });
}

/** `eddy seq2seq train`: returns the exit code (0, or 130 after Ctrl-C). */
export function runSeq2SeqTrain(args: ParsedArgs, io: Io, signal: AbortSignal = new AbortController().signal): Promise<number> {
  return runSentenceTraining(args, io, signal, { name: 'eddy seq2seq train', defaultOut: 'seq2seq', fresh: freshRun, resumed: resumedRun, plan: seq2seqPlan });
}

/** `eddy seq2seq train`'s part of the training driver: shuffled batches of pairs, validated by loss (and BLEU, reported). */
function seq2seqPlan(run: Run, where: Destination): TrainingPlan {
  const { out, outDir } = where;
  const o = run.options;
  const data = epochBatches(run, run.train.length, o.batch, (epoch) => parallelBatches(run.train, { batchSize: o.batch, seed: o.seed + epoch }));
  const { stepsPerEpoch, totalSteps } = data;
  const m = run.model.options;
  const bleuCount = Math.min(run.valid.length, MAX_BLEU_SENTENCES);
  run.model.train();
  return {
    ...epochPlan(run, data),
    start: startNote(
      where, run, totalSteps,
      `${o.tokenizer} seq2seq, ${m.bidirectional ? 'bidirectional ' : ''}${m.cell.toUpperCase()} ` +
        `${m.layers}×${m.hiddenSize}, attention ${m.attention}${m.reverseSource ? ', reversed source' : ''} (${run.model.numParameters()} parameters, shared vocabulary ${run.tokenizer.vocab.size}) ` +
        `on ${o.train.path}: ${run.train.length} training and ${run.valid.length} validation pairs, ${stepsPerEpoch} steps per epoch`,
      {
        model: run.model.toConfig(), parameters: run.model.numParameters(),
        vocabSize: run.tokenizer.vocab.size, trainPairs: run.train.length, validPairs: run.valid.length, stepsPerEpoch, options: o,
      },
    ),
    // Validation after every epoch: every epoch has the same number of batches.
    evalEvery: stepsPerEpoch,
    bestValLoss: run.bestValLoss,
    loss: () => run.model.loss(data.next(), { teacherForcing: o.teacherForcing }),
    evaluate: run.valid.length > 0
      ? () => {
          // BLEU of greedy translations of (at most MAX_BLEU_SENTENCES of) the validation pairs;
          // the loss, which picks best/, over all of them.
          const measured = seq2seqMeasures(run.model, run.tokenizer, run.valid.slice(0, bleuCount), run.validTargets.slice(0, bleuCount), { beam: 1, batchSize: Math.max(o.batch, 64) });
          run.valBleu = measured.bleu;
          const loss = bleuCount === run.valid.length ? measured.loss : meanLoss(run.model, run.valid, Math.max(o.batch, 64));
          run.model.train();
          return loss;
        }
      : undefined,
    checkpoint: (c, elapsed, bestFrom) => {
      if (c.valLoss !== null) {
        run.valLoss = c.valLoss;
        if (c.improved) [run.bestValLoss, run.bestStep] = [c.valLoss, c.step];
      }
      saveRun(outDir, out, { ...run, config: configOf(run), batcher: { ...run.position } }, c.improved, elapsed, bestFrom);
    },
    epoch: () => run.position.epoch,
    valLoss: () => run.valLoss,
    reportEval: (e, reporter) => {
      const epoch = e.step / stepsPerEpoch;
      reporter.note(
        'eval',
        `epoch ${Number.isInteger(epoch) ? epoch : epoch.toFixed(2)} (step ${e.step})  validation loss ${e.valLoss.toFixed(4)}  BLEU ${run.valBleu!.toFixed(2)}` +
          (e.improved ? '  (best)' : `  (best loss ${e.bestValLoss.toFixed(4)})`),
        { step: e.step, epoch, valLoss: e.valLoss, valBleu: run.valBleu, bestValLoss: e.bestValLoss, improved: e.improved },
      );
    },
    finish: (result, seconds) => {
      const epoch = run.step / stepsPerEpoch;
      const val = run.bestValLoss === null ? '' : `, best validation loss ${run.bestValLoss.toFixed(4)} at step ${run.bestStep} (kept in ${out}/best)`;
      return {
        summary: {
          step: run.step, epoch, trainLoss: run.trainLoss, valLoss: run.valLoss, valBleu: run.valBleu, bestValLoss: run.bestValLoss,
          bestStep: run.bestStep, dir: out, seconds, secondsPerEpoch: result.stepsRun > 0 ? (result.seconds / result.stepsRun) * stepsPerEpoch : null,
        },
        message: `trained to step ${run.step} (epoch ${epoch.toFixed(2)}) in ${seconds.toFixed(1)}s: loss ${run.trainLoss?.toFixed(4) ?? '–'}${val} — try: eddy seq2seq eval ${out} PAIRS.tsv`,
      };
    },
  };
}
