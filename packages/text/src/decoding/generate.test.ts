import { Generator } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { BOS } from '../vocab.js';
import { generate, generateAsync, type StepFunction } from './generate.js';
import { createSampler, greedy } from './samplers.js';

/** A bigram "model": the state is every id consumed so far; logits favour (last id + 1) mod V. */
const V = 8;
const step: StepFunction<number[]> = (id, state) => {
  const logits = new Float32Array(V);
  logits[(id + 1) % V] = 2;
  return { logits, state: [...state, id] };
};

describe('generate', () => {
  test('primes the state with the prefix, then feeds each sampled id back', () => {
    const seen: number[][] = [];
    const spy: StepFunction<number[]> = (id, state) => {
      seen.push(state);
      return step(id, state);
    };
    const out = [...generate({ prime: [2, 5], steps: 4, step: spy, initialState: [], sampler: (l) => greedy(l), rng: new Generator(0) })];
    expect(out).toEqual([6, 7, 0, 1]);
    // Two prime steps, then one per generated id except the last (never fed: nothing asks for more).
    expect(seen).toEqual([[], [2], [2, 5], [2, 5, 6], [2, 5, 6, 7]]);
  });

  test('deterministic given the seed; stops after stopAt', () => {
    const opts = (seed: number) => ({ prime: [BOS], steps: 30, step, initialState: [] as number[], sampler: createSampler({ temperature: 2 }), rng: new Generator(seed) });
    expect([...generate(opts(1))]).toEqual([...generate(opts(1))]);
    expect([...generate(opts(1))]).not.toEqual([...generate(opts(2))]);
    const stopped = [...generate({ ...opts(1), sampler: (l: Float32Array) => greedy(l), stopAt: 5 })];
    expect(stopped).toEqual([3, 4, 5]);
  });

  test('primeAll replaces stepping through the prime', () => {
    const calls: string[] = [];
    const primeAll = (ids: Int32Array, state: number[]) => {
      calls.push(`primeAll ${[...ids]}`);
      return step(ids[ids.length - 1], [...state, ...ids.subarray(0, -1)]);
    };
    const out = [...generate({ prime: [1, 2, 3], steps: 2, step, primeAll, initialState: [], sampler: (l) => greedy(l), rng: new Generator(0) })];
    expect(calls).toEqual(['primeAll 1,2,3']);
    expect(out).toEqual([4, 5]);
  });

  test('generateAsync streams the same ids', async () => {
    const opts = () => ({ prime: [0], steps: 20, step, initialState: [] as number[], rng: new Generator(4) });
    const got: number[] = [];
    for await (const id of generateAsync(opts())) got.push(id);
    expect(got).toEqual([...generate(opts())]);
  });

  test('bad arguments throw when generate is called', () => {
    const base = { prime: [0], steps: 3, step, initialState: [] as number[], rng: new Generator(0) };
    expect(() => generate({ ...base, prime: [] })).toThrow(/prime must hold at least one id/);
    expect(() => generate({ ...base, steps: -1 })).toThrow(/steps must be an integer >= 0, got -1/);
    expect(() => generate({ ...base, rng: undefined as never })).toThrow(/rng must be an autograd Generator/);
  });
});
