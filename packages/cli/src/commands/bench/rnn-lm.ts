import {
  add, crossEntropy, detach, gruSequence, index, init, keep, lstmCell, lstmSequence, manualSeed, matmul, noGrad, optim,
  projectedEmbedding, reshape, scope, softmax, tensor, zeros, type Tensor,
} from '@eddy/autograd';
import { projectionPays } from '@eddy/autograd/internal';

/**
 * The models of the canonical workloads W1–W4 (their shapes are in ./workloads.ts), written
 * directly on @eddy/autograd, as a user would: an embedding (V → H) feeding the first layer
 * through `projectedEmbedding` (E·W_ihᵀ for the V rows, then a gather: the same function as
 * `index` then projecting all T·B rows, with V = 65 ≪ T·B = 2048 rows of work fewer), one fused
 * `lstmSequence` / `gruSequence` per layer, a `matmul + add` readout,
 * fused `crossEntropy` over all T·B steps, `optim.clipGradNorm` (global norm 5) and `optim.Adam`
 * (lr 2e-3); every step inside `scope`, the hidden state carried across truncated-BPTT windows with
 * `keep(detach(…))`. Same shapes and operations as the tfjs-wasm and PyTorch peers.
 */
export interface LmConfig {
  cell: 'lstm' | 'gru';
  V: number;
  H: number;
  layers: number;
  B: number;
  T: number;
  seed?: number;
}

/** Milliseconds spent in each phase of one training step. */
export interface StepPhases {
  forward: number;
  backward: number;
  clip: number;
  optimizer: number;
  /** Leaving the scope (freeing the step's tensors, cutting the tape) and carrying the state. */
  other: number;
  total: number;
}

export interface LmTrainer {
  /** One training step; returns the loss and the time of each phase. */
  step(): { loss: number; phases: StepPhases };
  parameters: Tensor[];
  dispose(): void;
}

/** The workloads' deterministic corpus: a repeated paragraph mapped into [0, V) (the peers train on it too). */
export function workloadCorpus(V: number, length = 1 << 16): Int32Array {
  const text = 'The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs! ';
  return Int32Array.from({ length }, (_, i) => text.charCodeAt(i % text.length) % V);
}

/** The inputs and targets of one window, time-major (`[t·B + b]`); `next()` fills them with the next window. */
export interface WorkloadBatches {
  x: Int32Array;
  y: Int32Array;
  next(): void;
}

/**
 * The workloads' batches, shared by Eddy and its peers so that all train on the same windows:
 * `workloadCorpus(V)` as B contiguous streams (as LM batching does), T steps a window.
 */
export function workloadBatches(V: number, B: number, T: number): WorkloadBatches {
  const text = workloadCorpus(V);
  const stride = Math.floor(text.length / B);
  const x = new Int32Array(T * B);
  const y = new Int32Array(T * B);
  let position = 0;
  return {
    x,
    y,
    next() {
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const at = (b * stride + position + t) % (text.length - 1);
          x[t * B + b] = text[at];
          y[t * B + b] = text[at + 1];
        }
      }
      position = (position + T) % stride;
    },
  };
}

function param(shape: number[], bound: number): Tensor {
  const t = zeros(shape);
  init.uniform(t, -bound, bound);
  t.requiresGrad = true;
  return t;
}

/** W1–W3: an embedding → `layers` fused LSTM/GRU layers → linear readout language model, trained a window per `step()`. */
export function rnnLmTrainer({ cell, V, H, layers, B, T, seed = 1234 }: LmConfig): LmTrainer {
  manualSeed(seed);
  const G = cell === 'lstm' ? 4 : 3;
  const k = 1 / Math.sqrt(H);
  const embedding = param([V, H], 1);
  const stack = Array.from({ length: layers }, () => ({
    wIh: param([G * H, H], k), wHh: param([G * H, H], k), bIh: param([G * H], k), bHh: param([G * H], k),
  }));
  const wOut = param([H, V], k);
  const bOut = param([V], k);
  const parameters = [embedding, ...stack.flatMap((l) => [l.wIh, l.wHh, l.bIh, l.bHh]), wOut, bOut];
  const opt = new optim.Adam(parameters, { lr: 2e-3 });
  const batches = workloadBatches(V, B, T);
  const { x, y } = batches;
  let h = stack.map(() => zeros([B, H]));
  let c = stack.map(() => zeros([B, H]));

  return {
    parameters,
    step() {
      batches.next();
      const t0 = performance.now();
      let t1 = 0, t2 = 0, t3 = 0, t4 = 0;
      const loss = scope(() => {
        const ys = tensor(y, [T * B], { dtype: 'int32' });
        const tokens = tensor(x, [T, B], { dtype: 'int32' });
        const projected = projectionPays(V, T * B);
        let input = projected ? projectedEmbedding(embedding, stack[0].wIh, tokens) : index(embedding, tokens);
        const nextH: Tensor[] = [];
        const nextC: Tensor[] = [];
        for (let l = 0; l < layers; l++) {
          const weights = l === 0 && projected ? { ...stack[l], wIh: null } : stack[l];
          if (cell === 'lstm') {
            const out = lstmSequence(input, { ...weights, h0: h[l], c0: c[l] });
            input = out.output;
            nextH.push(out.h);
            nextC.push(out.c);
          } else {
            const out = gruSequence(input, { ...weights, h0: h[l] });
            input = out.output;
            nextH.push(out.h);
          }
        }
        const logits = add(matmul(reshape(input, [T * B, H]), wOut), bOut);
        const loss = crossEntropy(logits, ys);
        t1 = performance.now();
        opt.zeroGrad();
        loss.backward();
        t2 = performance.now();
        optim.clipGradNorm(parameters, 5);
        t3 = performance.now();
        opt.step();
        t4 = performance.now();
        // Carry the state into the next window without its graph.
        const carriedH = nextH.map((t) => keep(detach(t)));
        const carriedC = nextC.map((t) => keep(detach(t)));
        for (const t of [...h, ...c]) t.dispose();
        h = carriedH;
        c = cell === 'lstm' ? carriedC : [];
        return loss.item();
      });
      const t5 = performance.now();
      return {
        loss,
        phases: { forward: t1 - t0, backward: t2 - t1, clip: t3 - t2, optimizer: t4 - t3, other: t5 - t4, total: t5 - t0 },
      };
    },
    dispose() {
      for (const t of [...parameters, ...h, ...c]) t.dispose();
    },
  };
}

export interface Sampler {
  /** Samples one character: embedding → L LSTM cells → linear → softmax → draw; carries (h, c). */
  step(): number;
  dispose(): void;
}

/**
 * W4's draw, shared with the peers so that all sample the same way: a 32-bit LCG seeded with `seed`
 * gives u in [0, 1), and the drawn index is the first whose cumulative probability exceeds u.
 */
export function workloadDraw(seed: number): (probs: ArrayLike<number>) => number {
  let rng = seed >>> 0;
  return (probs) => {
    rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
    let u = rng / 2 ** 32;
    for (let i = 0; i < probs.length; i++) {
      u -= probs[i];
      if (u < 0) return i;
    }
    // Rounding can leave u ≥ 0 after the last term.
    return probs.length - 1;
  };
}

/** The shape of W4's sampler: vocabulary V, `layers` LSTM layers of H units. */
export interface SamplerConfig {
  V: number;
  H: number;
  layers: number;
  seed?: number;
}

/** W4: character-by-character sampling from an L×H LSTM at batch 1, the state carried across steps. */
export function lstmSampler({ V, H, layers, seed = 1234 }: SamplerConfig): Sampler {
  manualSeed(seed);
  const k = 1 / Math.sqrt(H);
  const embedding = param([V, H], 1);
  const stack = Array.from({ length: layers }, () => ({
    wIh: param([4 * H, H], k), wHh: param([4 * H, H], k), bIh: param([4 * H], k), bHh: param([4 * H], k),
  }));
  const wOut = param([H, V], k);
  const bOut = param([V], k);
  let h = stack.map(() => zeros([1, H]));
  let c = stack.map(() => zeros([1, H]));
  let char = 0;
  const draw = workloadDraw(seed);
  return {
    step() {
      char = scope(() =>
        noGrad(() => {
          let input = index(embedding, tensor([char], [1], { dtype: 'int32' }));
          const next = stack.map((w, l) => {
            const s = lstmCell(input, { h: h[l], c: c[l] }, w);
            input = s.h;
            return s;
          });
          const probs = softmax(add(matmul(input, wOut), bOut)).toFloat32Array();
          for (const t of [...h, ...c]) t.dispose();
          h = next.map((s) => keep(s.h));
          c = next.map((s) => keep(s.c));
          return draw(probs);
        }),
      );
      return char;
    },
    dispose() {
      for (const t of [embedding, wOut, bOut, ...stack.flatMap((l) => Object.values(l)), ...h, ...c]) t.dispose();
    },
  };
}
