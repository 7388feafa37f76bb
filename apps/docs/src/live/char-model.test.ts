import { describe, expect, it } from 'vitest';
import { CharModel } from './char-model.js';
import { SONNETS } from './texts.js';

describe('CharModel (the live pages\' character model)', () => {
  it('learns the sonnets within 60 steps, resumes where it stopped, and samples from their characters', async () => {
    const model = new CharModel(SONNETS, { seed: 1 });
    const losses: number[] = [];
    const onEvent = (e: { type: string; loss?: number }) => e.type === 'step' && losses.push(e.loss!);
    expect(await model.train({ steps: 30, onEvent })).toBe(30);
    expect(await model.train({ steps: 30, onEvent })).toBe(60);
    expect(losses).toHaveLength(60);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(losses[0]).toBeGreaterThan(Math.log(model.tokenizer.vocab.size) - 0.5); // starts near uniform
    expect(mean(losses.slice(-10))).toBeLessThan(losses[0] - 0.8);
    const sample = model.sample(200, 0.8);
    expect([...sample]).toHaveLength(200);
    expect([...sample].every((ch) => SONNETS.includes(ch))).toBe(true);
    model.dispose();
  });

  it('stops between steps when its signal aborts', async () => {
    const model = new CharModel(SONNETS, { hiddenSize: 16 });
    const controller = new AbortController();
    const step = await model.train({ signal: controller.signal, onEvent: (e) => e.type === 'step' && e.step === 3 && controller.abort() });
    expect(step).toBe(3);
    model.dispose();
  });
});
