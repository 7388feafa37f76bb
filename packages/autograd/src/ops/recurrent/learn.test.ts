import { expect, test } from 'vitest';
import { add, crossEntropy, init, lstmSequence, manualSeed, matmul, optim, scope, tensor, zeros, type Tensor } from '../../index.js';

// End to end: an LSTM and a linear readout learn to predict the next character of a repeated
// string, trained with Adam through the fused sequence Function inside scope(). Every sequence
// starts at a character that occurs once in the period ('h' or ' '), so the next character is
// always determined by what came before and the loss can go to 0: it must fall below 0.1. A
// bigram model cannot: after 'l' comes 'l', 'o' or 'd' and after 'o' ' ' or 'r', so the state
// must carry the character before too.

const TEXT = 'hello world ';
const VOCAB = [...new Set(TEXT)];
const V = VOCAB.length;

function train(seed: number): number[] {
  manualSeed(seed);
  const [T, H] = [24, 24];
  const starts = [0, TEXT.indexOf(' ')];
  const B = starts.length;
  const text = TEXT.repeat(4);
  // Time-major one-hot inputs [T, B, V] and next-character targets [T·B] (row t·B + b).
  const x = new Float32Array(T * B * V);
  const y = new Int32Array(T * B);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      x[(t * B + b) * V + VOCAB.indexOf(text[starts[b] + t])] = 1;
      y[t * B + b] = VOCAB.indexOf(text[starts[b] + t + 1]);
    }
  }
  const input = tensor(x, [T, B, V]);
  const targets = tensor(y, [T * B], { dtype: 'int32' });

  // PyTorch's default recurrent initialisation: U(−1/√H, 1/√H) for every weight and bias.
  const k = 1 / Math.sqrt(H);
  const p = (shape: number[]): Tensor => init.uniform(zeros(shape, { requiresGrad: true }), -k, k);
  const w = { wIh: p([4 * H, V]), wHh: p([4 * H, H]), bIh: p([4 * H]), bHh: p([4 * H]) };
  const wOut = p([H, V]), bOut = p([V]);
  const params = [w.wIh, w.wHh, w.bIh, w.bHh, wOut, bOut];
  const opt = new optim.Adam(params, { lr: 0.02 });

  const losses: number[] = [];
  for (let step = 0; step < 60; step++) {
    losses.push(
      scope(() => {
        opt.zeroGrad();
        const { output } = lstmSequence(input, w);
        const logits = add(matmul(output.reshape([T * B, H]), wOut), bOut);
        const loss = crossEntropy(logits, targets);
        loss.backward();
        opt.step();
        return loss.item();
      }),
    );
  }
  for (const t of [...params, input, targets]) t.dispose();
  return losses;
}

test('an LSTM learns the next character of a repeated string (Adam, seeded, deterministic)', () => {
  const losses = train(42);
  expect(losses[0]).toBeGreaterThan(Math.log(V) * 0.8); // starts near chance, −log(1/V)
  expect(losses[losses.length - 1]).toBeLessThan(0.1);
  // The same seed gives the same run, bit for bit.
  expect(train(42)).toEqual(losses);
});
