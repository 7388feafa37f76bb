import {
  add, crossEntropy, detach, getCore, index, init, keep, lstmSequence, manualSeed, matmul, optim, reshape, scope, tensor,
  zeros, type Tensor,
} from '@eddy/autograd';

/**
 * A small character LSTM language model written directly on autograd (embedding → one fused LSTM
 * layer → linear readout → cross-entropy, Adam, global-norm clipping, hidden state carried across
 * truncated-BPTT windows): the training step the soak test repeats, and the one the browser test
 * runs in Node and in Chromium.
 */
export interface CharLm {
  step(): number;
  parameters: Tensor[];
}

export function charLm({ V = 32, E = 16, H = 64, T = 16, B = 8, seed = 1234 } = {}): CharLm {
  manualSeed(seed);
  const param = (shape: number[], bound: number) => {
    const t = zeros(shape);
    init.uniform(t, -bound, bound);
    t.requiresGrad = true;
    return t;
  };
  const k = 1 / Math.sqrt(H);
  const embedding = param([V, E], 1);
  const wIh = param([4 * H, E], k);
  const wHh = param([4 * H, H], k);
  const bIh = param([4 * H], k);
  const bHh = param([4 * H], k);
  const wOut = param([H, V], k);
  const bOut = param([V], k);
  const parameters = [embedding, wIh, wHh, bIh, bHh, wOut, bOut];
  const opt = new optim.Adam(parameters, { lr: 2e-3 });
  // A deterministic corpus with some structure but not memorisable in 10⁴ steps: a pangram whose
  // characters are replaced by a pseudo-random symbol one time in four, so the loss stays well above
  // zero and the gradients keep realistic sizes for the whole soak.
  const text = 'the quick brown fox jumps over the lazy dog. ';
  let lcg = 12345;
  const corpus = Int32Array.from({ length: 1 << 16 }, (_, i) => {
    lcg = (Math.imul(lcg, 1103515245) + 12345) >>> 0;
    return (lcg >>> 30) === 0 ? (lcg >>> 8) % V : text.charCodeAt(i % text.length) % V;
  });
  let position = 0;
  let h = zeros([B, H]);
  let c = zeros([B, H]);

  function window(offset: number): Int32Array {
    const out = new Int32Array(T * B);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) out[t * B + b] = corpus[(b * 509 + position + t + offset) % corpus.length];
    }
    return out;
  }

  return {
    parameters,
    step() {
      const loss = scope(() => {
        const x = tensor(window(0), [T * B], { dtype: 'int32' });
        const y = tensor(window(1), [T * B], { dtype: 'int32' });
        const emb = reshape(index(embedding, x), [T, B, E]);
        const out = lstmSequence(emb, { wIh, wHh, bIh, bHh, h0: h, c0: c });
        const logits = add(matmul(reshape(out.output, [T * B, H]), wOut), bOut);
        const loss = crossEntropy(logits, y);
        opt.zeroGrad();
        loss.backward();
        optim.clipGradNorm(parameters, 5);
        opt.step();
        // Carry the state into the next window without its graph.
        const next = { h: keep(detach(out.h)), c: keep(detach(out.c)) };
        h.dispose();
        c.dispose();
        h = next.h;
        c = next.c;
        return loss.item();
      });
      position = (position + T) % corpus.length;
      return loss;
    },
  };
}

/** Arena figures of the active core, for the soak report. */
export function arenaFigures() {
  const { arena } = getCore();
  return { used: arena.used, highWater: arena.highWater, reserved: arena.reserved };
}
