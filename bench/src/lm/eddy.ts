import {
  crossEntropy, detach, init, keep, manualSeed, mul, noGrad, optim, reshape, scope, tensor, zeros, type Tensor,
} from '@eddy/autograd';
import { Embedding, Linear, LSTM } from '@eddy/models';
import { LmBatcher, type LmWindow } from '@eddy/text';
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

type State = { h: Tensor; c: Tensor };

/**
 * The language model of the configuration on Eddy: (one-hot | Embedding) → LSTM → Linear, from
 * @eddy/models, every step inside `scope`, the state carried across windows with keep(detach()).
 */
class EddyLm {
  readonly embedding: Embedding | null;
  readonly lstm: LSTM;
  readonly decoder: Linear;
  readonly parameters: Tensor[];
  /** The V×V identity that one-hot input is (a constant, not a parameter). */
  readonly identity: Tensor;

  constructor(readonly cfg: LmConfig) {
    manualSeed(cfg.seed);
    const inputSize = cfg.input === 'onehot' ? cfg.vocabSize : cfg.embeddingDim;
    this.embedding = cfg.input === 'embedding' ? new Embedding({ numEmbeddings: cfg.vocabSize, embeddingDim: cfg.embeddingDim }) : null;
    this.lstm = new LSTM({ inputSize, hiddenSize: cfg.hidden, numLayers: cfg.layers });
    this.decoder = new Linear({ inFeatures: cfg.hidden, outFeatures: cfg.vocabSize });
    const V = cfg.vocabSize;
    this.identity = tensor(Float32Array.from({ length: V * V }, (_, i) => (i % (V + 1) === 0 ? 1 : 0)), [V, V]);
    this.parameters = [...(this.embedding?.parameters() ?? []), ...this.lstm.parameters(), ...this.decoder.parameters()];
    // Both Lua originals draw every parameter from U(±r) (char-rnn 0.08, Zaremba 0.1).
    for (const p of this.parameters) init.uniform(p, -cfg.initRange, cfg.initRange);
    if (cfg.forgetBias !== 0) {
      const H = cfg.hidden;
      for (const [name, p] of this.lstm.namedParameters()) {
        if (!name.startsWith('bias_ih_l')) continue;
        const values = p.toFloat32Array();
        values.fill(cfg.forgetBias, H, 2 * H); // i|f|g|o: f is the second block
        scope(() => void p.copyFrom(tensor(values, p.shape)));
      }
    }
  }

  /** The ids of a window, int32 [T, B]. */
  input(w: LmWindow): Tensor {
    return tensor(w.inputs, [w.steps, w.batchSize], { dtype: 'int32' });
  }

  /**
   * One-hot input is the identity table: the LSTM reads it as an embedding, so x·W_ihᵀ is W_ih's
   * column for each id (the models' `embedding` option projects the V rows once), the same
   * function as multiplying the one-hot matrix; an Embedding's table is read the same way.
   */
  logits(x: Tensor, state: State): { logits: Tensor; state: State } {
    const out = this.lstm.forward(x, state, { embedding: this.embedding?.weight ?? this.identity });
    const [T, B, H] = out.output.shape;
    return { logits: this.decoder.forward(reshape(out.output, [T * B, H])), state: { h: out.h, c: out.c } };
  }

  zeroState(): State {
    const shape = [this.cfg.layers, this.cfg.batch, this.cfg.hidden];
    return { h: zeros(shape), c: zeros(shape) };
  }

  dispose(): void {
    this.embedding?.dispose();
    this.identity.dispose();
    this.lstm.dispose();
    this.decoder.dispose();
  }
}

function disposeState(s: State): void {
  s.h.dispose();
  s.c.dispose();
}

/** Trains for cfg.steps windows and evaluates on the whole validation split. */
export function runEddy(cfg: LmConfig, train: Int32Array, val: Int32Array, progress: (line: string) => void): LmRunResult {
  const model = new EddyLm(cfg);
  const params = model.parameters;
  const opt = cfg.optimizer.type === 'rmsprop'
    ? new optim.RMSprop(params, { lr: cfg.optimizer.lr, alpha: cfg.optimizer.alpha, eps: cfg.optimizer.eps })
    : new optim.SGD(params, { lr: cfg.optimizer.lr });
  const batcher = new LmBatcher(train, { batchSize: cfg.batch, seqLen: cfg.seqLen });
  const phases = { batching: 0, forward: 0, backward: 0, clip: 0, optimizer: 0, other: 0 };
  const losses: number[] = [];
  let state = model.zeroState();
  const started = performance.now();
  for (let step = 1; step <= cfg.steps; step++) {
    const t0 = performance.now();
    const w = batcher.next();
    if (w.reset && step > 1) {
      disposeState(state);
      state = model.zeroState();
    }
    let t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0;
    const loss = scope(() => {
      const x = model.input(w);
      const y = tensor(w.targets, [w.steps * w.batchSize], { dtype: 'int32' });
      t1 = performance.now();
      const out = model.logits(x, state);
      const loss = crossEntropy(out.logits, y);
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
      const next = { h: keep(detach(out.state.h)), c: keep(detach(out.state.c)) };
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
  const { loss: valLoss, tokens: valTokens } = evaluate(model, val);
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
function evaluate(model: EddyLm, ids: Int32Array): { loss: number; tokens: number } {
  const batcher = new LmBatcher(ids, { batchSize: model.cfg.batch, seqLen: model.cfg.seqLen });
  let state = model.zeroState();
  let total = 0;
  let tokens = 0;
  noGrad(() => {
    for (const w of batcher.epochWindows()) {
      total += scope(() => {
        const out = model.logits(model.input(w), state);
        const y = tensor(w.targets, [w.steps * w.batchSize], { dtype: 'int32' });
        const next = { h: keep(out.state.h), c: keep(out.state.c) };
        disposeState(state);
        state = next;
        return crossEntropy(out.logits, y, { reduction: 'sum' }).item();
      });
      tokens += w.steps * w.batchSize;
    }
  });
  disposeState(state);
  return { loss: total / tokens, tokens };
}
