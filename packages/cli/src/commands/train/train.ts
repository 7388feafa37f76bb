import { getRngState, manualSeed, optim, ready, setRngState } from '@eddy/autograd';
import { LanguageModel, windowTraining, type CellKind, type LmState } from '@eddy/models';
import { LmBatcher, splitCorpus, type Tokenizer } from '@eddy/text';
import {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, optimizerFromFiles, optimizerToFiles, readCheckpoint, writeCheckpoint,
  type CheckpointConfig, type TrainingOptions, type TrainState,
} from '../../checkpoint/checkpoint.js';
import { readBuiltinCorpus, readCorpusFile, type Corpus } from '../../corpus.js';
import { CliError, UsageError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { commonTrainingOptions } from './common-options.js';
import { driveTraining, fastCore, startNote, type Destination, type TrainingPlan } from './driver.js';
import { refuseFixed } from './epoch-run.js';
import { makeOptimizer } from './optimizer.js';
import { DEFAULT_STEPS, FIXED_ON_RESUME } from './spec.js';
import { buildTokenizer } from './tokenizer.js';
import { threadCount, withTrainingCore } from '../../threads.js';


function trainingOptions(args: ParsedArgs, corpus: Corpus): TrainingOptions {
  const seqLen = args.number('seq-len');
  const bptt = args.optionalNumber('bptt') ?? seqLen;
  if (bptt > seqLen) throw new UsageError(`--bptt (k2 = ${bptt}) must not exceed --seq-len (k1 = ${seqLen}); lower --bptt or raise --seq-len.`);
  return {
    ...commonTrainingOptions(args, { steps: DEFAULT_STEPS }),
    corpus: { path: corpus.path, label: corpus.label, sha256: corpus.sha256 },
    seqLen,
    bptt,
    valFraction: args.number('val-fraction'),
    evalEvery: args.number('eval-every'),
  };
}

/** Batch size for validation: as many streams as fit windows of k1 + 1 ids, at most B, at least 1. */
function validationBatch(tokens: number, o: TrainingOptions): number {
  return Math.max(1, Math.min(o.batch, Math.floor(tokens / (o.seqLen + 1))));
}

/** Splits the encoded corpus and checks both parts are big enough for the options, in one sentence. */
function splitChecked(ids: Int32Array, o: TrainingOptions, label: string): { train: Int32Array; val: Int32Array } {
  const unit = o.tokenizer === 'char' ? 'characters' : 'tokens';
  const need = o.batch * (o.seqLen + 1);
  const heldOut = Math.round(o.valFraction * ids.length);
  if (ids.length - heldOut < need) {
    throw new CliError(
      `${label} is too small: it has ${ids.length} ${unit}${heldOut > 0 ? ` (${ids.length - heldOut} after holding out --val-fraction ${o.valFraction})` : ''} but --batch ${o.batch} × (--seq-len ${o.seqLen} + 1) needs at least ${need} for training; use more text, or a smaller --batch or --seq-len.`,
    );
  }
  if (o.valFraction > 0 && heldOut < 2) {
    throw new CliError(`${label} is too small for a validation split: --val-fraction ${o.valFraction} holds out ${heldOut} ${unit}; raise --val-fraction, use more text, or set --val-fraction 0.`);
  }
  return splitCorpus(ids, o.valFraction);
}

/** Everything a run needs, fresh or resumed. */
interface Run {
  options: TrainingOptions;
  corpus: Corpus;
  tokenizer: Tokenizer;
  model: LanguageModel;
  opt: optim.Optimizer;
  batcher: LmBatcher;
  train: Int32Array;
  val: Int32Array;
  state: LmState | null;
  step: number;
  tokensSeen: number;
  elapsedBefore: number;
  trainLoss: number | null;
  valLoss: number | null;
  bestValLoss: number | null;
  bestStep: number | null;
}

function freshRun(args: ParsedArgs): Run {
  const corpusPath = args.positionals[0];
  const corpus = corpusPath === undefined ? readBuiltinCorpus() : readCorpusFile(corpusPath);
  const options = trainingOptions(args, corpus);
  manualSeed(options.seed);
  const tokenizer = buildTokenizer(options, corpus.text);
  const { train, val } = splitChecked(tokenizer.encode(corpus.text), options, corpus.label);
  const model = new LanguageModel({
    cell: args.string('model') as CellKind,
    vocabSize: tokenizer.vocab.size,
    hiddenSize: args.number('hidden'),
    numLayers: args.number('layers'),
    dropout: args.number('dropout'),
  });
  const opt = makeOptimizer(options.optimizer, model.parameters(), options.lr);
  const batcher = new LmBatcher(train, { batchSize: options.batch, seqLen: options.seqLen, bptt: options.bptt, seed: options.seed });
  return {
    options, corpus, tokenizer, model, opt, batcher, train, val, state: null,
    step: 0, tokensSeen: 0, elapsedBefore: 0, trainLoss: null, valLoss: null, bestValLoss: null, bestStep: null,
  };
}

function resumedRun(args: ParsedArgs, dir: string): Run {
  refuseFixed(args, FIXED_ON_RESUME);
  if (args.positionals.length > 0) throw new UsageError(`--resume reads the corpus named in ${dir}/config.json; drop the corpus argument '${args.positionals[0]}'.`);
  const ck = readCheckpoint(dir, { trainState: true });
  const saved = ck.config.training;
  const ts = ck.trainState!;
  const corpus = saved.corpus.path === null ? readBuiltinCorpus() : readCorpusFile(saved.corpus.path);
  if (corpus.sha256 !== saved.corpus.sha256) {
    ck.model.dispose();
    throw new CliError(`${corpus.label} has changed since ${dir} was written (its sha256 differs); resuming needs the same text, so restore it or start a new run.`);
  }
  if (args.has('steps') && args.has('epochs')) throw new UsageError('--steps and --epochs both bound the run; give one of them.');
  const bounds = args.has('steps') || args.has('epochs') || args.has('time');
  const options: TrainingOptions = {
    ...saved,
    steps: bounds ? (args.optionalNumber('steps') ?? null) : saved.steps,
    epochs: bounds ? (args.optionalNumber('epochs') ?? null) : saved.epochs,
    time: bounds ? (args.optionalNumber('time') ?? null) : saved.time,
    evalEvery: args.has('eval-every') ? args.number('eval-every') : saved.evalEvery,
  };
  const { train, val } = splitChecked(ck.tokenizer.encode(corpus.text), options, corpus.label);
  const model = ck.model;
  const opt = makeOptimizer(options.optimizer, model.parameters(), options.lr);
  const tensors = ck.trainTensors!;
  const batcher = new LmBatcher(train, { batchSize: options.batch, seqLen: options.seqLen, bptt: options.bptt, seed: options.seed });
  let state: LmState | null = null;
  try {
    opt.loadStateDict(optimizerFromFiles(ts.optimizer, tensors));
    batcher.setState(ts.batcher);
    setRngState(ts.rng);
    if (ts.hasHidden) {
      const hidden = Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith('hidden.')).map(([k, v]) => [k.slice('hidden.'.length), v]));
      if (Object.keys(hidden).length === 0) throw new Error('the carried hidden state is missing');
      state = model.stateFromDict(hidden, options.batch);
    }
  } catch (e) {
    model.dispose();
    throw new CliError(`${dir}/train-state is corrupt (${e instanceof Error ? e.message.replace(/\.$/, '') : e}); resume from a complete checkpoint or restart training.`);
  }
  const p = ck.config.progress;
  return {
    options, corpus, tokenizer: ck.tokenizer, model, opt, batcher, train, val, state,
    step: ts.step, tokensSeen: ts.tokensSeen, elapsedBefore: ts.elapsedSeconds,
    trainLoss: p.trainLoss, valLoss: p.valLoss, bestValLoss: p.bestValLoss, bestStep: p.bestStep,
  };
}

function configOf(run: Run): CheckpointConfig {
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: run.model.toConfig(),
    tokenizer: run.tokenizer.type,
    training: run.options,
    progress: {
      step: run.step,
      epoch: run.batcher.getState().epoch,
      trainLoss: run.trainLoss,
      valLoss: run.valLoss,
      bestValLoss: run.bestValLoss,
      bestStep: run.bestStep,
    },
  };
}

function save(run: Run, dir: string, out: string, best: boolean, elapsed: number, bestFrom: string): void {
  const optimizer = optimizerToFiles(run.opt.stateDict());
  const hidden = run.model.stateToDict(run.state);
  const trainState: TrainState = {
    version: CHECKPOINT_VERSION,
    step: run.step,
    tokensSeen: run.tokensSeen,
    elapsedSeconds: elapsed,
    rng: getRngState(),
    batcher: run.batcher.getState(),
    optimizer: optimizer.json,
    hasHidden: run.state !== null,
  };
  const trainTensors: Record<string, { data: Float32Array; shape: number[] }> = { ...optimizer.tensors };
  for (const [name, t] of Object.entries(hidden)) {
    trainTensors[`hidden.${name}`] = { data: t.toFloat32Array(), shape: [...t.shape] };
    t.dispose();
  }
  try {
    writeCheckpoint(dir, { config: configOf(run), model: run.model, tokenizer: run.tokenizer, trainState, trainTensors }, best, bestFrom);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    throw new CliError(`writing the checkpoint to ${out} failed (${code}); the previous checkpoint there is intact — free some space or choose another --out, then --resume it.`);
  }
}

/** `eddy train`: returns the exit code (0, or 130 after Ctrl-C). */
export async function runTrain(args: ParsedArgs, io: Io, signal: AbortSignal = new AbortController().signal): Promise<number> {
  await ready();
  return withTrainingCore({ fast: fastCore(args, 'eddy train'), threads: threadCount(args) }, () =>
    driveTraining(args, io, signal, {
      name: 'eddy train',
      defaultOut: 'run',
      open: (dir) => (dir === undefined ? freshRun(args) : resumedRun(args, dir)),
      plan: trainPlan,
    }),
  );
}

/** `eddy train`'s part of the training driver: truncated BPTT windows over one corpus, validated by loss. */
function trainPlan(run: Run, where: Destination): TrainingPlan {
  const { out, outDir } = where;
  const o = run.options;
  const windowsPerEpoch = run.batcher.windowsInEpoch;
  const totalSteps = o.steps ?? (o.epochs !== null ? Math.ceil(o.epochs * windowsPerEpoch) : null);
  const valBatch = validationBatch(run.val.length, o);
  let epoch = run.batcher.getState().epoch;
  // Truncated BPTT: each window starts from the state the last one ended in (zeros at an epoch's start).
  const windows = windowTraining(run.model, () => {
    const w = run.batcher.next();
    epoch = w.epoch;
    run.opt.lr = o.lr * o.lrDecay ** w.epoch;
    return w;
  }, run.state);
  return {
    reportEvery: Math.max(1, Math.round(o.evalEvery / 10)),
    start: startNote(
      where, run, totalSteps,
      `${o.tokenizer} ${run.model.options.cell.toUpperCase()} ` +
        `${run.model.options.numLayers}×${run.model.options.hiddenSize} (${run.model.numParameters()} parameters, vocabulary ${run.tokenizer.vocab.size}) ` +
        `on ${run.corpus.label}: ${run.train.length} training and ${run.val.length} validation tokens, ${windowsPerEpoch} windows per epoch`,
      {
        model: run.model.toConfig(), parameters: run.model.numParameters(),
        vocabSize: run.tokenizer.vocab.size, trainTokens: run.train.length, valTokens: run.val.length, windowsPerEpoch, options: o,
      },
    ),
    optimizer: run.opt,
    totalSteps,
    seconds: o.time,
    evalEvery: o.evalEvery,
    bestValLoss: run.bestValLoss,
    lr: o.lr,
    clip: o.clip,
    loss: windows.loss,
    afterStep: () => {
      windows.afterStep();
      run.state = windows.state;
    },
    evaluate: run.val.length >= 2
      ? () => {
          const { nats, tokens } = run.model.evaluate(new LmBatcher(run.val, { batchSize: valBatch, seqLen: o.seqLen }).epochWindows());
          return nats / tokens;
        }
      : undefined,
    checkpoint: (c, elapsed, bestFrom) => {
      if (c.valLoss !== null) {
        run.valLoss = c.valLoss;
        if (c.improved) [run.bestValLoss, run.bestStep] = [c.valLoss, c.step];
      }
      // Before any evaluation (a Ctrl-C, --val-fraction 0), best/ is this model: writeCheckpoint.
      save(run, outDir, out, c.improved, elapsed, bestFrom);
    },
    epoch: () => epoch,
    valLoss: () => run.valLoss,
    finish: (result, seconds) => {
      const val = run.valLoss === null ? '' : `, val loss ${run.valLoss.toFixed(4)} (best ${run.bestValLoss!.toFixed(4)} at step ${run.bestStep})`;
      return {
        summary: {
          step: run.step, trainLoss: run.trainLoss, valLoss: run.valLoss, bestValLoss: run.bestValLoss, bestStep: run.bestStep,
          dir: out, seconds, tokensPerSecond: seconds > 0 ? result.tokens / seconds : 0,
        },
        message: `trained to step ${run.step} in ${seconds.toFixed(1)}s: loss ${run.trainLoss?.toFixed(4) ?? '–'}${val}; checkpoint in ${out} — try: eddy sample ${out}`,
      };
    },
    dispose: () => {
      windows.dispose();
      run.model.dispose();
    },
  };
}
