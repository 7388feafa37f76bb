// The README's data flow, end to end with a real autograd model: a bigram table W (logits of the
// next character are row W[id]) trained on LmBatcher windows with Adam, then sampled with generate.
import { crossEntropy, Generator, index, manualSeed, optim, ready, reshape, scope, tensor, zeros } from '@eddy/autograd';
import { expect, test } from 'vitest';
import { LmBatcher, splitCorpus } from './index.js';
import { CharTokenizer, createSampler, generate, tokenizerFromConfig, type StepFunction } from './index.js';

test('tokenize, split, batch, train, save the tokenizer, sample', async () => {
  await ready();
  manualSeed(0);
  const text = 'abcd'.repeat(300);
  const tok = CharTokenizer.fromCorpus(text);
  const { train, val } = splitCorpus(tok.encode(text), 0.1);
  expect(val.length).toBe(120);
  const batcher = new LmBatcher(train, { batchSize: 4, seqLen: 16, seed: 123 });

  const V = tok.vocab.size;
  const w = zeros([V, V], { requiresGrad: true });
  const adam = new optim.Adam([w], { lr: 0.1 });
  const losses: number[] = [];
  for (let i = 0; i < 60; i++) {
    const win = batcher.next();
    losses.push(
      scope(() => {
        const x = tensor(win.inputs, [win.steps, win.batchSize], { dtype: 'int32' });
        const y = tensor(win.targets, [win.steps * win.batchSize], { dtype: 'int32' });
        const logits = reshape(index(w, x), [win.steps * win.batchSize, V]); // [T·B, V]
        const loss = crossEntropy(logits, y);
        adam.zeroGrad();
        loss.backward();
        adam.step();
        return loss.item();
      }),
    );
  }
  expect(losses[0]).toBeCloseTo(Math.log(V), 4);
  expect(losses[59]).toBeLessThan(0.05);

  // The CLI's vocab.json / config round trip, then streaming generation from a prime.
  const saved = tokenizerFromConfig(JSON.parse(JSON.stringify(tok.toConfig())));
  const table = w.toFloat32Array();
  const step: StepFunction<null> = (id, state) => ({ logits: table.slice(id * V, (id + 1) * V), state });
  const out = saved.streamDecoder();
  let sample = '';
  for (const id of generate({ prime: saved.encode('ab'), steps: 10, step, initialState: null, sampler: createSampler({ topK: 1 }), rng: new Generator(123) })) {
    sample += out.push(id);
  }
  expect(sample + out.flush()).toBe('cdabcdabcd');
  w.dispose();
});
