import {
  crossEntropy, getCore, getRngState, loadCore, manualSeed, noGrad, optim, ready, scope, setRngState, tensor, useCore, type Core, type Tensor,
} from '@eddy/autograd';
import { LmBatcher, splitCorpus, type Tokenizer } from '@eddy/text';
import {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, readCheckpoint, readTrainingOptions, writeCheckpoint,
  type CheckpointConfig, type TrainingOptions, type TrainState,
} from '../../checkpoint/checkpoint.js';
import { checkOutputDir } from '../../checkpoint/out-dir.js';
import { readBuiltinCorpus, readCorpusFile, type Corpus } from '../../corpus.js';
import { CliError, EXIT_INTERRUPTED, UsageError } from '../../errors.js';
import { disposeState, evaluateIds, idsTensor, LanguageModel, type CellKind, type LmState } from '../../model/language-model.js';
import type { ParsedArgs } from '../../options.js';
import { BarReporter, JsonReporter, LineReporter, type Io, type Reporter } from '../../progress.js';
import { DEFAULT_STEPS, FIXED_ON_RESUME } from './spec.js';
import { buildTokenizer, vocabSizeOption } from './tokenizer.js';

/** Set by the bin's SIGINT handler; the loop checks it between steps. */
export interface StopSignal {
  interrupted: boolean;
}

function trainingOptions(args: ParsedArgs, corpus: Corpus): TrainingOptions {
  const seqLen = args.number('seq-len');
  const bptt = args.optionalNumber('bptt') ?? seqLen;
  if (bptt > seqLen) throw new UsageError(`--bptt (k2 = ${bptt}) must not exceed --seq-len (k1 = ${seqLen}); lower --bptt or raise --seq-len.`);
  if (args.has('steps') && args.has('epochs')) throw new UsageError('--steps and --epochs both bound the run; give one of them.');
  const bounded = args.has('steps') || args.has('epochs') || args.has('time');
  return {
    corpus: { path: corpus.path, label: corpus.label, sha256: corpus.sha256 },
    tokenizer: args.string('tokenizer') as TrainingOptions['tokenizer'],
    vocabSize: vocabSizeOption(args),
    seqLen,
    bptt,
    batch: args.number('batch'),
    steps: args.optionalNumber('steps') ?? (bounded ? null : DEFAULT_STEPS),
    epochs: args.optionalNumber('epochs') ?? null,
    time: args.optionalNumber('time') ?? null,
    optimizer: args.string('optimizer') as TrainingOptions['optimizer'],
    lr: args.number('lr'),
    lrDecay: args.number('lr-decay'),
    clip: args.number('clip'),
    valFraction: args.number('val-fraction'),
    evalEvery: args.number('eval-every'),
    seed: args.number('seed'),
    fast: args.flag('fast'),
  };
}

/**
 * The core a run trains on: the deterministic plain-SIMD default, or with `--fast` the relaxed-SIMD
 * build (a resumed run uses what its checkpoint was trained on, so that it continues exactly).
 */
async function trainingCore(fast: boolean): Promise<Core> {
  if (!fast) return getCore();
  const core = await loadCore({ deterministic: false });
  if (core.variant !== 'relaxed') {
    throw new CliError(
      '--fast needs relaxed SIMD, which this JavaScript engine lacks (Node 20 has it behind --experimental-wasm-relaxed-simd, which the eddy command sets); run it through the eddy command or Node ≥ 22, or train without --fast.',
    );
  }
  return core;
}

function makeOptimizer(kind: TrainingOptions['optimizer'], params: Tensor[], lr: number): optim.Optimizer {
  if (kind === 'adam') return new optim.Adam(params, { lr });
  if (kind === 'rmsprop') return new optim.RMSprop(params, { lr });
  return new optim.SGD(params, { lr });
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

function stateTensors(state: LmState | null): Record<string, { data: Float32Array; shape: number[] }> {
  if (state === null) return {};
  const out: Record<string, { data: Float32Array; shape: number[] }> = { 'hidden.h': { data: state.h.toFloat32Array(), shape: [...state.h.shape] } };
  if (state.c) out['hidden.c'] = { data: state.c.toFloat32Array(), shape: [...state.c.shape] };
  return out;
}

function optimizerTensors(opt: optim.Optimizer): { layout: TrainState['optimizer']; tensors: Record<string, { data: Float32Array; shape: number[] }> } {
  const dict = opt.stateDict();
  const tensors: Record<string, { data: Float32Array; shape: number[] }> = {};
  const state = dict.state.map((s, i) => {
    if (s === null) return null;
    for (const [name, data] of Object.entries(s.buffers)) tensors[`optimizer.${i}.${name}`] = { data, shape: [data.length] };
    return { step: s.step, buffers: Object.keys(s.buffers) };
  });
  return { layout: { type: dict.type, hyper: dict.hyper as Record<string, unknown>, state }, tensors };
}

function restoreOptimizer(opt: optim.Optimizer, layout: TrainState['optimizer'], tensors: Record<string, Float32Array>, dir: string): void {
  const corrupt = (why: string): CliError => new CliError(`${dir}/train-state is corrupt (${why}); resume from a complete checkpoint or restart training.`);
  if (!Array.isArray(layout.state)) throw corrupt('the optimizer state is not a list');
  const state = layout.state.map((s, i) => {
    if (s === null) return null;
    const buffers: Record<string, Float32Array> = {};
    for (const name of s.buffers) {
      const data = tensors[`optimizer.${i}.${name}`];
      if (data === undefined) throw corrupt(`optimizer buffer ${i}.${name} is missing`);
      buffers[name] = data;
    }
    return { step: s.step, buffers };
  });
  try {
    opt.loadStateDict({ type: layout.type, hyper: layout.hyper as optim.OptimizerStateDict['hyper'], state });
  } catch (e) {
    throw corrupt(e instanceof Error ? e.message.replace(/\.$/, '') : String(e));
  }
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
  for (const name of FIXED_ON_RESUME) {
    if (args.has(name)) throw new UsageError(`--${name} cannot change when resuming (the checkpoint fixes it); drop --${name}, or start a new run without --resume.`);
  }
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
  restoreOptimizer(opt, ts.optimizer, tensors, dir);
  const batcher = new LmBatcher(train, { batchSize: options.batch, seqLen: options.seqLen, bptt: options.bptt, seed: options.seed });
  try {
    batcher.setState(ts.batcher);
    setRngState(ts.rng);
  } catch (e) {
    model.dispose();
    throw new CliError(`${dir}/train-state/state.json is corrupt (${e instanceof Error ? e.message.replace(/\.$/, '') : e}); resume from a complete checkpoint or restart training.`);
  }
  let state: LmState | null = null;
  if (ts.hasHidden) {
    const h = tensors['hidden.h'];
    const c = tensors['hidden.c'];
    const L = model.options.numLayers;
    const H = model.options.hiddenSize;
    if (h === undefined || h.length !== L * options.batch * H) throw new CliError(`${dir}/train-state is corrupt (the carried hidden state is missing or has the wrong size); restart training.`);
    state = { h: tensor(h, [L, options.batch, H]), c: c === undefined ? null : tensor(c, [L, options.batch, H]) };
  }
  const p = ck.config.progress;
  return {
    options, corpus, tokenizer: ck.tokenizer, model, opt, batcher, train, val, state,
    step: ts.step, tokensSeen: ts.tokensSeen, elapsedBefore: ts.elapsedSeconds,
    trainLoss: p.trainLoss, valLoss: p.valLoss, bestValLoss: p.bestValLoss, bestStep: p.bestStep,
  };
}

/**
 * One truncated-BPTT step on window `w` (text's contract): steps [0, d) run without gradients,
 * the state is detached, steps [d, T) run with gradients and the loss is the mean cross-entropy
 * over their targets; then clip and update. Returns the loss and the state to carry (made outside
 * any scope, as constants), or the non-finite loss with the state untouched.
 */
function trainStep(run: Run, w: ReturnType<LmBatcher['next']>): { loss: number; state: LmState | null } {
  const { model, opt, options } = run;
  const B = w.batchSize;
  const d = w.detachAt;
  return scope(() => {
    let state = run.state;
    if (d > 0) state = noGrad(() => model.forward(idsTensor(w.inputs.subarray(0, d * B), d, B), state).state);
    const x = idsTensor(w.inputs.subarray(d * B), w.steps - d, B);
    const y = tensor(w.targets.subarray(d * B), [(w.steps - d) * B], { dtype: 'int32' });
    const out = model.forward(x, state);
    const lossTensor = crossEntropy(out.logits, y);
    const loss = lossTensor.item();
    if (!Number.isFinite(loss)) return { loss, state: null };
    opt.zeroGrad();
    lossTensor.backward();
    if (options.clip > 0) optim.clipGradNorm(model.parameters(), options.clip);
    opt.step();
    return { loss, state: out.state };
  });
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

function save(run: Run, out: string, best: boolean, elapsed: number, bestFrom: string): void {
  const { layout, tensors } = optimizerTensors(run.opt);
  const trainState: TrainState = {
    version: CHECKPOINT_VERSION,
    step: run.step,
    tokensSeen: run.tokensSeen,
    elapsedSeconds: elapsed,
    rng: getRngState(),
    batcher: run.batcher.getState(),
    optimizer: layout,
    hasHidden: run.state !== null,
  };
  try {
    writeCheckpoint(out, { config: configOf(run), model: run.model, tokenizer: run.tokenizer, trainState, trainTensors: { ...tensors, ...stateTensors(run.state) } }, best, bestFrom);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    throw new CliError(`writing the checkpoint to ${out} failed (${code}); the previous checkpoint there is intact — free some space or choose another --out, then --resume it.`);
  }
}

/** Yields to the event loop so a pending SIGINT handler can run (the loop is otherwise synchronous). */
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** `eddy train`: returns the exit code (0, or 130 after Ctrl-C). */
export async function runTrain(args: ParsedArgs, io: Io, signal: StopSignal = { interrupted: false }): Promise<number> {
  await ready();
  const resumeDir = args.optionalString('resume');
  // --fast is fixed by a checkpoint (resumedRun refuses it): a resumed run reads it from there.
  const fast = resumeDir === undefined || args.has('fast') ? args.flag('fast') : readTrainingOptions(resumeDir).fast === true;
  const core = await trainingCore(fast);
  const previous = getCore();
  useCore(core);
  try {
    return await trainOn(args, io, signal, resumeDir, core);
  } finally {
    useCore(previous);
  }
}

async function trainOn(args: ParsedArgs, io: Io, signal: StopSignal, resumeDir: string | undefined, core: Core): Promise<number> {
  const out = args.optionalString('out') ?? resumeDir ?? 'run';
  const json = args.flag('json');
  const outOptions = { resumeDir, overwrite: args.flag('overwrite') };
  if (resumeDir === undefined) checkOutputDir(out, outOptions);
  const run = resumeDir === undefined ? freshRun(args) : resumedRun(args, resumeDir);
  if (resumeDir !== undefined) checkOutputDir(out, outOptions);
  const o = run.options;
  const every = Math.max(1, Math.round(o.evalEvery / 10));
  const reporter: Reporter = json ? new JsonReporter(io, every) : io.stderr.isTTY ? new BarReporter(io) : new LineReporter(io, every);

  const windowsPerEpoch = run.batcher.windowsInEpoch;
  const totalSteps = o.steps ?? (o.epochs !== null ? Math.ceil(o.epochs * windowsPerEpoch) : null);
  const valBatch = validationBatch(run.val.length, o);
  reporter.note(
    'start',
    `${resumeDir === undefined ? 'training' : `resuming ${resumeDir} at step ${run.step}:`} ${o.tokenizer} ${run.model.options.cell.toUpperCase()} ` +
      `${run.model.options.numLayers}×${run.model.options.hiddenSize} (${run.model.numParameters()} parameters, vocabulary ${run.tokenizer.vocab.size}) ` +
      `on ${run.corpus.label}: ${run.train.length} training and ${run.val.length} validation tokens, ${windowsPerEpoch} windows per epoch${core.variant === 'relaxed' ? ', on the relaxed-SIMD core (--fast)' : ''}`,
    {
      resumedFrom: resumeDir ?? null, step: run.step, totalSteps, model: run.model.toConfig(), parameters: run.model.numParameters(),
      vocabSize: run.tokenizer.vocab.size, trainTokens: run.train.length, valTokens: run.val.length, windowsPerEpoch, options: o,
      core: core.variant,
    },
  );

  const started = Date.now();
  const elapsed = (): number => run.elapsedBefore + (Date.now() - started) / 1000;
  let lastYield = Date.now();
  let stepsThisRun = 0;
  let tokensThisRun = 0;
  let lastSavedStep: number | null = resumeDir !== undefined && out === resumeDir ? run.step : null;
  // best/ comes from the checkpoint resumed until this run has written its own (writeCheckpoint).
  const bestFrom = (): string => (lastSavedStep === null && resumeDir !== undefined ? resumeDir : out);
  let stopReason: 'done' | 'time' | 'interrupted' = 'done';

  // The weights that gave a non-finite loss are not saved: the checkpoint on disk stays the last good one.
  const nonFinite = (what: string, value: number, step: number): CliError => {
    const kept = lastSavedStep === null ? 'no checkpoint had been written yet' : `the last good checkpoint (step ${lastSavedStep}) is kept in ${out}`;
    return new CliError(`training stopped at step ${step} because ${what} became ${value}; ${kept} — lower --lr (now ${o.lr}) or set --clip, then train again.`);
  };

  // Evaluates on the held-out split (when there is one) and writes the checkpoint, `best/` too
  // when the validation loss improved.
  const checkpoint = (reason: string): void => {
    let improved = false;
    if (run.val.length >= 2) {
      const { nats, tokens } = evaluateIds(run.model, run.val, valBatch, o.seqLen);
      run.valLoss = nats / tokens;
      if (!Number.isFinite(run.valLoss)) throw nonFinite('the validation loss', run.valLoss, run.step);
      improved = run.bestValLoss === null || run.valLoss < run.bestValLoss;
      if (improved) [run.bestValLoss, run.bestStep] = [run.valLoss, run.step];
      reporter.eval({ step: run.step, valLoss: run.valLoss, bestValLoss: run.bestValLoss!, improved });
    }
    save(run, out, improved, elapsed(), bestFrom());
    lastSavedStep = run.step;
    reporter.checkpoint({ step: run.step, dir: out, reason });
  };

  try {
    while (totalSteps === null || run.step < totalSteps) {
      if (o.time !== null && (Date.now() - started) / 1000 >= o.time) {
        stopReason = 'time';
        break;
      }
      if (Date.now() - lastYield > 50) {
        await tick();
        lastYield = Date.now();
      }
      if (signal.interrupted) {
        stopReason = 'interrupted';
        break;
      }
      const w = run.batcher.next();
      if (w.reset) {
        disposeState(run.state);
        run.state = null;
      }
      run.opt.lr = o.lr * o.lrDecay ** w.epoch;
      const { loss, state } = trainStep(run, w);
      if (!Number.isFinite(loss)) throw nonFinite('the loss', loss, run.step + 1);
      disposeState(run.state);
      run.state = state;
      run.step++;
      run.trainLoss = loss;
      stepsThisRun++;
      tokensThisRun += w.steps * w.batchSize;
      run.tokensSeen += w.steps * w.batchSize;
      const seconds = (Date.now() - started) / 1000;
      const perStep = seconds / stepsThisRun;
      const left = [totalSteps === null ? Infinity : (totalSteps - run.step) * perStep, o.time === null ? Infinity : o.time - seconds];
      const eta = Math.min(...left);
      reporter.step({
        step: run.step, totalSteps, epoch: w.epoch, loss, lr: run.opt.lr,
        tokensPerSecond: seconds > 0 ? tokensThisRun / seconds : 0, elapsedSeconds: elapsed(),
        etaSeconds: Number.isFinite(eta) ? Math.max(0, eta) : null, valLoss: run.valLoss,
      });
      if (run.step % o.evalEvery === 0) checkpoint('eval');
    }
    if (lastSavedStep !== run.step) {
      if (stopReason === 'interrupted') {
        // Ctrl-C: save where we are; the validation pass could take long, so skip it (before any
        // evaluation, best/ is this model: writeCheckpoint).
        save(run, out, false, elapsed(), bestFrom());
        lastSavedStep = run.step;
        reporter.checkpoint({ step: run.step, dir: out, reason: 'interrupt' });
      } else {
        checkpoint('end');
      }
    }
  } finally {
    reporter.close();
  }

  const seconds = (Date.now() - started) / 1000;
  const summary = {
    step: run.step, trainLoss: run.trainLoss, valLoss: run.valLoss, bestValLoss: run.bestValLoss, bestStep: run.bestStep,
    dir: out, seconds, tokensPerSecond: seconds > 0 ? tokensThisRun / seconds : 0, stopped: stopReason,
  };
  disposeState(run.state);
  run.model.dispose();
  if (json) io.stdout.write(JSON.stringify({ event: 'done', ...summary }) + '\n');
  else if (stopReason === 'interrupted') {
    io.stderr.write(`interrupted at step ${run.step}; checkpoint written to ${out} — continue with: eddy train --resume ${out}\n`);
  } else {
    const val = run.valLoss === null ? '' : `, val loss ${run.valLoss.toFixed(4)} (best ${run.bestValLoss!.toFixed(4)} at step ${run.bestStep})`;
    io.stdout.write(`trained to step ${run.step} in ${seconds.toFixed(1)}s: loss ${run.trainLoss?.toFixed(4) ?? '–'}${val}; checkpoint in ${out} — try: eddy sample ${out}\n`);
  }
  return stopReason === 'interrupted' ? EXIT_INTERRUPTED : 0;
}
