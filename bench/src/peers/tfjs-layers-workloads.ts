import type * as TF from '@tensorflow/tfjs-core';
import type * as TFL from '@tensorflow/tfjs-layers';
import { workloadDraw, type LmConfig, type SamplerConfig } from '@eddy/models/workloads';
import { workloadWindows } from '../workloads/windows.js';
import { applyClipped, type TfjsSampler, type TfjsTrainer } from './tfjs-workloads.js';

type Tf = typeof TF;
type Tfl = typeof TFL;

/**
 * The canonical workloads as a TensorFlow.js user writes them with tf.layers (the peer issue 4
 * names), on the same wasm backend as `tfjs-workloads.ts`: a `tf.sequential` of `layers.dense`
 * (no bias) on one-hot input as the embedding — `layers.embedding`'s gather has no gradient kernel
 * on wasm (UnsortedSegmentSum) — then stateful `layers.lstm` / `layers.gru` with `returnSequences`
 * and the logistic sigmoid as recurrent activation (tf.layers defaults to hardSigmoid; its GRU has
 * only the reset-before form: `resetAfter` throws), and `layers.dense(V)`; softmax cross-entropy over all steps,
 * gradients by `tf.variableGrads` over the model's trainable weights, global-norm clipping 5 and
 * `tf.train.adam(2e-3)`, as the other peers. Stateful layers carry the hidden state across windows.
 */
export async function loadTfjsLayers(): Promise<Tfl> {
  return await import('@tensorflow/tfjs-layers');
}

/** Ids of a time-major window (row t·B + b) as one-hot [B, T, V], batch-major as tf.layers wants. */
function oneHotBatchMajor(tf: Tf, ids: Int32Array, B: number, T: number, V: number): TF.Tensor3D {
  const bt = new Int32Array(B * T);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) bt[b * T + t] = ids[t * B + b];
  return tf.cast(tf.oneHot(tf.tensor2d(bt, [B, T], 'int32'), V), 'float32') as TF.Tensor3D;
}

export function tfjsLayersLmTrainer(tf: Tf, tfl: Tfl, { cell, V, H, layers, B, T, seed = 1234 }: LmConfig): TfjsTrainer {
  const k = 1 / Math.sqrt(H);
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: H, useBias: false, batchInputShape: [B, T, V], kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed }) }));
  for (let l = 0; l < layers; l++) {
    const common = {
      units: H, returnSequences: true, stateful: true, recurrentActivation: 'sigmoid' as const,
      kernelInitializer: tfl.initializers.randomUniform({ minval: -k, maxval: k, seed: seed + 2 * l + 1 }),
      recurrentInitializer: tfl.initializers.randomUniform({ minval: -k, maxval: k, seed: seed + 2 * l + 2 }),
    };
    model.add(cell === 'lstm' ? tfl.layers.lstm(common) : tfl.layers.gru(common));
  }
  model.add(tfl.layers.dense({ units: V }));
  const vars = model.trainableWeights.map((w) => w.read() as TF.Variable);
  const opt = tf.train.adam(2e-3);
  const batches = workloadWindows(V, B, T);
  return {
    step() {
      batches.next();
      return tf.tidy(() => {
        const xs = oneHotBatchMajor(tf, batches.x, B, T, V);
        const labels = oneHotBatchMajor(tf, batches.y, B, T, V);
        const { value, grads } = tf.variableGrads(() => {
          const logits = model.apply(xs, { training: true }) as TF.Tensor3D;
          return tf.losses.softmaxCrossEntropy(labels, logits) as TF.Scalar;
        }, vars);
        applyClipped(tf, opt, grads, 5);
        return value.dataSync()[0];
      });
    },
    dispose() {
      model.dispose();
      opt.dispose();
    },
  };
}

/** W4 with tf.layers: stateful dense → LSTM ×L → dense → softmax at batch 1, one `predict` per character. */
export function tfjsLayersLstmSampler(tf: Tf, tfl: Tfl, { V, H, layers, seed = 1234 }: SamplerConfig): TfjsSampler {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: H, useBias: false, batchInputShape: [1, 1, V] }));
  const k = 1 / Math.sqrt(H);
  for (let l = 0; l < layers; l++) {
    model.add(tfl.layers.lstm({
      units: H, returnSequences: true, stateful: true, recurrentActivation: 'sigmoid',
      recurrentInitializer: tfl.initializers.randomUniform({ minval: -k, maxval: k, seed: seed + l }),
    }));
  }
  model.add(tfl.layers.dense({ units: V, activation: 'softmax' }));
  let char = 0;
  const draw = workloadDraw(seed);
  return {
    step() {
      const probs = tf.tidy(() => {
        const x = tf.cast(tf.oneHot(tf.tensor2d([char], [1, 1], 'int32'), V), 'float32');
        return (model.predict(x) as TF.Tensor).dataSync() as Float32Array;
      });
      char = draw(probs);
      return char;
    },
    dispose() {
      model.dispose();
    },
  };
}
