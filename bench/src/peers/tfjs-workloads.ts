import type * as TF from '@tensorflow/tfjs-core';
import { workloadDraw, type LmConfig, type SamplerConfig } from '@eddy/models/workloads';
import { workloadWindows } from '../workloads/windows.js';

type Tf = typeof TF;
type T2 = TF.Tensor2D;

/**
 * The canonical workloads on TensorFlow.js's wasm backend, hand-written from tfjs-core ops (the
 * tf.layers peer is tfjs-layers-workloads.ts; this one is the stronger baseline beside it): the
 * models as a tf.layers user's LSTM/GRU cells compute them — tf.variable weights, a per-step cell
 * loop of tf.matMul / sigmoid / tanh, softmax cross-entropy, gradients by tf.variableGrads,
 * global-norm clipping, tf.train.adam. The input projection is hoisted out of the time loop (one
 * matMul over all T·B rows), which is at least as fast as tf.layers' per-step form. Weights are
 * stored [in, G·H] so the forward products need no transpose (XNNPACK's fast path).
 */
export interface TfjsTrainer {
  step(): number;
  dispose(): void;
}

function uniform(tf: Tf, shape: number[], bound: number, seed: number): TF.Variable {
  return tf.variable(tf.randomUniform(shape, -bound, bound, 'float32', seed));
}

/**
 * Clips `grads` to global norm `maxNorm` (tfjs-core has no clipByGlobalNorm; PyTorch's
 * clip_grad_norm_ formula) and applies them with `opt`, inside the caller's tidy.
 */
export function applyClipped(tf: Tf, opt: TF.Optimizer, grads: TF.NamedTensorMap, maxNorm: number): void {
  const names = Object.keys(grads);
  const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]))))).dataSync()[0];
  const coef = maxNorm / (norm + 1e-6);
  const clipped: TF.NamedTensorMap = {};
  for (const n of names) clipped[n] = coef < 1 ? tf.mul(grads[n], coef) : grads[n];
  opt.applyGradients(clipped as never); // typed as a variable map; gradients are plain tensors
}

export function tfjsLmTrainer(tf: Tf, { cell, V, H, layers, B, T, seed = 1234 }: LmConfig): TfjsTrainer {
  const G = cell === 'lstm' ? 4 : 3;
  const k = 1 / Math.sqrt(H);
  let s = seed;
  const embedding = uniform(tf, [V, H], 1, s++);
  const stack = Array.from({ length: layers }, () => ({
    wIh: uniform(tf, [H, G * H], k, s++), wHh: uniform(tf, [H, G * H], k, s++),
    bIh: uniform(tf, [G * H], k, s++), bHh: uniform(tf, [G * H], k, s++),
  }));
  const wOut = uniform(tf, [H, V], k, s++);
  const bOut = uniform(tf, [V], k, s++);
  const vars = [embedding, ...stack.flatMap((l) => [l.wIh, l.wHh, l.bIh, l.bHh]), wOut, bOut];
  const opt = tf.train.adam(2e-3);
  const batches = workloadWindows(V, B, T);
  const { x, y } = batches;
  let h: T2[] = stack.map(() => tf.zeros([B, H]));
  let c: T2[] = stack.map(() => tf.zeros([B, H]));

  function layer(l: number, input: T2, carried: { h: T2[]; c: T2[] }): T2 {
    const w = stack[l];
    // [T·B, G·H] input projection for every step at once, plus both biases.
    const gx = tf.add(tf.matMul(input, w.wIh), w.bIh);
    const steps = tf.split(gx, T, 0) as T2[];
    let hPrev = h[l];
    let cPrev = c[l];
    const outputs: T2[] = [];
    for (let t = 0; t < T; t++) {
      const gh = tf.add(tf.matMul(hPrev, w.wHh), w.bHh);
      if (cell === 'lstm') {
        const [i, f, g, o] = tf.split(tf.add(steps[t], gh), 4, 1) as T2[];
        cPrev = tf.add(tf.mul(tf.sigmoid(f), cPrev), tf.mul(tf.sigmoid(i), tf.tanh(g)));
        hPrev = tf.mul(tf.sigmoid(o), tf.tanh(cPrev));
      } else {
        // PyTorch's GRU: the reset gate applies after the hidden product.
        const [xr, xz, xn] = tf.split(steps[t], 3, 1) as T2[];
        const [hr, hz, hn] = tf.split(gh, 3, 1) as T2[];
        const r = tf.sigmoid(tf.add(xr, hr));
        const z = tf.sigmoid(tf.add(xz, hz));
        const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
        hPrev = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, hPrev));
      }
      outputs.push(hPrev);
    }
    // Kept: variableGrads runs the forward pass in its own tidy.
    carried.h[l] = tf.keep(hPrev);
    carried.c[l] = tf.keep(cPrev);
    return tf.concat(outputs, 0);
  }

  return {
    step() {
      batches.next();
      const loss = tf.tidy(() => {
        // tf.gather's gradient (UnsortedSegmentSum) has no wasm kernel: embed by one-hot matMul.
        const xs = tf.cast(tf.oneHot(tf.tensor1d(x, 'int32'), V), 'float32') as T2;
        const labels = tf.oneHot(tf.tensor1d(y, 'int32'), V);
        const carried = { h: [...h], c: [...c] };
        const { value, grads } = tf.variableGrads(() => {
          let input = tf.matMul(xs, embedding) as T2;
          for (let l = 0; l < layers; l++) input = layer(l, input, carried);
          const logits = tf.add(tf.matMul(input, wOut), bOut);
          return tf.losses.softmaxCrossEntropy(labels, logits) as TF.Scalar;
        }, vars);
        applyClipped(tf, opt, grads, 5);
        // Carry the state into the next window (tfjs tensors hold no graph: detached as they are).
        for (const t of [...h, ...c]) if (!carried.h.includes(t) && !carried.c.includes(t)) t.dispose();
        h = carried.h;
        c = carried.c;
        return value.dataSync()[0];
      });
      return loss;
    },
    dispose() {
      for (const t of [...vars, ...h, ...c]) t.dispose();
      opt.dispose();
    },
  };
}

export interface TfjsSampler {
  step(): number;
  dispose(): void;
}

/** W4 on tfjs-core: embedding → L LSTM cells → linear → softmax → draw, batch 1, state carried. */
export function tfjsLstmSampler(tf: Tf, { V, H, layers, seed = 1234 }: SamplerConfig): TfjsSampler {
  const k = 1 / Math.sqrt(H);
  let s = seed;
  const embedding = uniform(tf, [V, H], 1, s++);
  const stack = Array.from({ length: layers }, () => ({
    wIh: uniform(tf, [H, 4 * H], k, s++), wHh: uniform(tf, [H, 4 * H], k, s++),
    b: uniform(tf, [4 * H], k, s++),
  }));
  const wOut = uniform(tf, [H, V], k, s++);
  const bOut = uniform(tf, [V], k, s++);
  let h: T2[] = stack.map(() => tf.zeros([1, H]));
  let c: T2[] = stack.map(() => tf.zeros([1, H]));
  let char = 0;
  const draw = workloadDraw(seed);
  return {
    step() {
      const probs = tf.tidy(() => {
        let input = tf.gather(embedding, tf.tensor1d([char], 'int32')) as T2;
        const nh: T2[] = [];
        const nc: T2[] = [];
        stack.forEach((w, l) => {
          const z = tf.add(tf.add(tf.matMul(input, w.wIh), tf.matMul(h[l], w.wHh)), w.b);
          const [i, f, g, o] = tf.split(z, 4, 1) as T2[];
          const cNext: T2 = tf.add(tf.mul(tf.sigmoid(f), c[l]), tf.mul(tf.sigmoid(i), tf.tanh(g)));
          const hNext: T2 = tf.mul(tf.sigmoid(o), tf.tanh(cNext));
          nh.push(tf.keep(hNext));
          nc.push(tf.keep(cNext));
          input = hNext;
        });
        for (const t of [...h, ...c]) t.dispose();
        h = nh;
        c = nc;
        return tf.softmax(tf.add(tf.matMul(input, wOut), bOut)).dataSync() as Float32Array;
      });
      char = draw(probs);
      return char;
    },
    dispose() {
      for (const t of [embedding, wOut, bOut, ...stack.flatMap((l) => Object.values(l)), ...h, ...c]) t.dispose();
    },
  };
}
