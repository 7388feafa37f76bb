import { detach, init, keep, manualSeed, mul, optim, scope, tensor } from '@eddy/autograd';
import { disposeState, LanguageModel, type LmState } from '@eddy/models';
import { LmBatcher } from '@eddy/text';
import type { LmConfig } from './config.js';

/** What one run reports (the PyTorch script prints the same keys). */
export interface LmRunResult {
  peer: string;
  steps: number;
  trainSeconds: number;
  evalSeconds: number;
  firstLoss: number | null;
  lastTrainLoss: number | null;
  valLoss: number;
  valTokens: number;
  /** Wall time per phase of the training steps, seconds. */
  phasesSeconds: Record<string, number>;
  parameters: number;
}

/**
 * The configuration's language model: the library's `LanguageModel` (one-hot input for char-rnn,
 * an embedding for Zaremba), every parameter redrawn from U(±r) as both Lua originals do, and the
 * forget-gate slice of bias_ih set to `forgetBias`.
 */
function buildModel(cfg: LmConfig): LanguageModel {
  manualSeed(cfg.seed);
  const model = new LanguageModel({
    vocabSize: cfg.vocabSize, hiddenSize: cfg.hidden, numLayers: cfg.layers,
    ...(cfg.input === 'onehot' ? { oneHot: true } : { embeddingSize: cfg.embeddingDim }),
  });
  for (const p of model.parameters()) if (p.requiresGrad) init.uniform(p, -cfg.initRange, cfg.initRange);
  if (cfg.forgetBias !== 0) {
    const H = cfg.hidden;
    for (const [name, p] of model.rnn.namedParameters()) {
      if (!name.startsWith('bias_ih_l')) continue;
      const values = p.toFloat32Array();
      values.fill(cfg.forgetBias, H, 2 * H); // i|f|g|o: f is the second block
      scope(() => void p.copyFrom(tensor(values, p.shape)));
    }
  }
  return model;
}

/** Trains for cfg.steps windows and evaluates on the whole validation split. */
export function runEddy(cfg: LmConfig, train: Int32Array, val: Int32Array, progress: (line: string) => void): LmRunResult {
  const model = buildModel(cfg);
  const params = model.parameters().filter((p) => p.requiresGrad);
  const opt = cfg.optimizer.type === 'rmsprop'
    ? new optim.RMSprop(params, { lr: cfg.optimizer.lr, alpha: cfg.optimizer.alpha, eps: cfg.optimizer.eps })
    : new optim.SGD(params, { lr: cfg.optimizer.lr });
  const batcher = new LmBatcher(train, { batchSize: cfg.batch, seqLen: cfg.seqLen });
  const phases = { batching: 0, forward: 0, backward: 0, clip: 0, optimizer: 0, other: 0 };
  const losses: number[] = [];
  let state: LmState | null = null;
  const started = performance.now();
  for (let step = 1; step <= cfg.steps; step++) {
    const t0 = performance.now();
    const w = batcher.next();
    if (w.reset && step > 1) {
      disposeState(state);
      state = null;
    }
    let t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0;
    const loss = scope(() => {
      t1 = performance.now();
      const out = model.windowLoss(w, state);
      const loss = out.loss;
      t2 = performance.now();
      opt.zeroGrad();
      // Σ over time of the batch-mean loss, as char-rnn and Zaremba's Lua code differentiate.
      (cfg.lossScale === 'time' ? mul(loss, w.steps) : loss).backward();
      t3 = performance.now();
      if (cfg.clip.kind === 'value') optim.clipGradValue(params, cfg.clip.max);
      else optim.clipGradNorm(params, cfg.clip.max);
      t4 = performance.now();
      opt.step();
      t5 = performance.now();
      const next: LmState = { h: keep(detach(out.state.h)), c: out.state.c === null ? null : keep(detach(out.state.c)) };
      disposeState(state);
      state = next;
      return loss.item();
    });
    const t6 = performance.now();
    phases.batching += t1 - t0;
    phases.forward += t2 - t1;
    phases.backward += t3 - t2;
    phases.clip += t4 - t3;
    phases.optimizer += t5 - t4;
    phases.other += t6 - t5;
    losses.push(loss);
    if (cfg.progressEvery > 0 && step % cfg.progressEvery === 0) progress(`eddy ${cfg.task}: step ${step}/${cfg.steps} loss ${loss.toFixed(4)}`);
  }
  const trainSeconds = (performance.now() - started) / 1000;
  disposeState(state);
  const e0 = performance.now();
  const { loss: valLoss, tokens: valTokens } = evaluate(model, cfg, val);
  const evalSeconds = (performance.now() - e0) / 1000;
  const tail = losses.slice(-10);
  const result: LmRunResult = {
    peer: 'eddy',
    steps: cfg.steps,
    trainSeconds,
    evalSeconds,
    firstLoss: losses[0] ?? null,
    lastTrainLoss: tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : null,
    valLoss,
    valTokens,
    phasesSeconds: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, v / 1000])),
    parameters: params.reduce((n, p) => n + p.size, 0),
  };
  model.dispose();
  return result;
}

/** Mean cross-entropy (nats per token) over every target of the split, batched as in training. */
function evaluate(model: LanguageModel, cfg: LmConfig, ids: Int32Array): { loss: number; tokens: number } {
  const { nats, tokens } = model.evaluate(new LmBatcher(ids, { batchSize: cfg.batch, seqLen: cfg.seqLen }).epochWindows());
  return { loss: nats / tokens, tokens };
}
