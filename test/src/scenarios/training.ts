import type * as Autograd from '@eddy/autograd';

/** Embedding width, hidden units, time steps and batch of the training scenario. */
export interface TrainingSizes {
  E: number;
  H: number;
  T: number;
  B: number;
}

export const TINY: TrainingSizes = { E: 8, H: 16, T: 12, B: 3 };

/**
 * Large enough that a threaded core splits its GEMMs (the input projection is 256×512×64, the
 * readout's gradients 256×13×128 and up: above the 64³ split threshold).
 */
export const SPLITTING: TrainingSizes = { E: 64, H: 128, T: 16, B: 16 };

/**
 * A seeded training run of a tiny character LSTM (embedding, one fused LSTM layer, linear readout,
 * cross-entropy, Adam, global-norm clipping), written against the autograd namespace it is given so
 * the same code runs in Node and, bundled, in Chromium. Returns the loss of every step.
 */
export function seededTrainingLosses(ag: typeof Autograd, steps = 20, seed = 2024, sizes: TrainingSizes = TINY): number[] {
  const text = 'to be or not to be that is the question ';
  const symbols = [...new Set(text)];
  const ids = Int32Array.from(text, (ch) => symbols.indexOf(ch));
  const V = symbols.length, { E, H, T, B } = sizes;
  ag.manualSeed(seed);
  return ag.scope(() => {
    const param = (shape: number[], bound: number) => {
      const t = ag.zeros(shape);
      ag.init.uniform(t, -bound, bound);
      t.requiresGrad = true;
      return t;
    };
    const k = 1 / Math.sqrt(H);
    const embedding = param([V, E], 1);
    const weights = { wIh: param([4 * H, E], k), wHh: param([4 * H, H], k), bIh: param([4 * H], k), bHh: param([4 * H], k) };
    const wOut = param([H, V], k);
    const bOut = param([V], k);
    const parameters = [embedding, ...Object.values(weights), wOut, bOut];
    const opt = new ag.optim.Adam(parameters, { lr: 1e-2 });
    const losses: number[] = [];
    for (let step = 0; step < steps; step++) {
      ag.scope(() => {
        const window = (shift: number) =>
          Int32Array.from({ length: T * B }, (_, i) => ids[(Math.floor(i / B) + (i % B) * 13 + step * T + shift) % ids.length]);
        const x = ag.tensor(window(0), [T * B], { dtype: 'int32' });
        const y = ag.tensor(window(1), [T * B], { dtype: 'int32' });
        const emb = ag.reshape(ag.index(embedding, x), [T, B, E]);
        const { output } = ag.lstmSequence(emb, weights);
        const logits = ag.add(ag.matmul(ag.reshape(output, [T * B, H]), wOut), bOut);
        const loss = ag.crossEntropy(logits, y);
        opt.zeroGrad();
        loss.backward();
        ag.optim.clipGradNorm(parameters, 1);
        opt.step();
        losses.push(loss.item());
      });
    }
    return losses;
  });
}
