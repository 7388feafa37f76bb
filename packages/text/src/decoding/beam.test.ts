import { describe, expect, test } from 'vitest';
import { BOS, EOS } from '../vocab.js';
import { beamSearch, lengthPenalty } from './beam.js';
import { generate, type StepFunction } from './generate.js';
import { greedy } from './samplers.js';
import { Generator } from '@eddy/autograd';

const A = 4;
const B = 5;
const V = 6;

/** A hand-made model given by next-id probabilities per context (the ids so far after the prime). */
function tableModel(table: Record<string, Partial<Record<number, number>>>): StepFunction<number[]> {
  return (id, state) => {
    const context = id === BOS ? [] : [...state, id];
    const probs = table[context.join(',')] ?? { [EOS]: 1 };
    const logits = new Float32Array(V).fill(-Infinity);
    for (const [k, p] of Object.entries(probs)) logits[Number(k)] = Math.log(p as number);
    return { logits, state: context };
  };
}

describe('beamSearch', () => {
  // Greedy takes A (0.6) but every continuation after A is weak; B then <eos> has 0.4·0.9 = 0.36.
  const step = tableModel({
    '': { [A]: 0.6, [B]: 0.4 },
    [`${A}`]: { [A]: 0.34, [B]: 0.33, [EOS]: 0.33 },
    [`${B}`]: { [EOS]: 0.9, [A]: 0.05, [B]: 0.05 },
  });
  const base = { prime: [BOS], step, initialState: [] as number[], maxSteps: 5, lengthPenalty: 0 };

  test('finds the most probable sequence where greedy does not', () => {
    const { maxSteps: _, lengthPenalty: __, ...decode } = base;
    const greedyIds = [...generate({ ...decode, steps: 2, sampler: (l) => greedy(l), rng: new Generator(0) })];
    expect(greedyIds[0]).toBe(A);
    const [best] = beamSearch({ ...base, beamSize: 2 });
    expect(best.ids).toEqual([B, EOS]);
    expect(best.finished).toBe(true);
    expect(best.logProb).toBeCloseTo(Math.log(0.4 * 0.9), 6);
    expect(best.score).toBeCloseTo(best.logProb, 12); // α = 0
  });

  test('beam size 1 is greedy', () => {
    const [only] = beamSearch({ ...base, beamSize: 1 });
    expect(only.ids[0]).toBe(A);
  });

  test('results come best first with GNMT scores', () => {
    const results = beamSearch({ ...base, beamSize: 3, lengthPenalty: 0.6 });
    expect(results.length).toBe(3);
    for (const h of results) expect(h.score).toBeCloseTo(h.logProb / ((5 + h.ids.length) / 6) ** 0.6, 12);
    for (let i = 1; i < results.length; i++) expect(results[i - 1].score).toBeGreaterThanOrEqual(results[i].score);
    expect(lengthPenalty(1, 0.6)).toBe(1);
    expect(lengthPenalty(7, 1)).toBe(2);
  });

  test('the length penalty lets a longer, slightly less probable output win', () => {
    // Short: <eos> at once, log p = log 0.45. Long: A A A <eos>, p = 0.55 · 0.8³ ≈ 0.28.
    const lengthy = tableModel({
      '': { [EOS]: 0.45, [A]: 0.55 },
      [`${A}`]: { [A]: 0.8, [EOS]: 0.2 },
      [`${A},${A}`]: { [A]: 0.8, [EOS]: 0.2 },
      [`${A},${A},${A}`]: { [EOS]: 0.8, [A]: 0.2 },
    });
    const opts = { prime: [BOS], step: lengthy, initialState: [] as number[], maxSteps: 6, beamSize: 2 };
    expect(beamSearch({ ...opts, lengthPenalty: 0 })[0].ids).toEqual([EOS]);
    expect(beamSearch({ ...opts, lengthPenalty: 2 })[0].ids).toEqual([A, A, A, EOS]);
  });

  test('unfinished hypotheses are returned when maxSteps runs out', () => {
    const loop = tableModel({ '': { [A]: 1 } });
    const forever: StepFunction<number[]> = (id, state) => ({ logits: Float32Array.from([-9, -9, -9, -9, 0, -1]), state: [...state, id] });
    const results = beamSearch({ prime: [BOS], step: forever, initialState: [], maxSteps: 3, beamSize: 2, lengthPenalty: 0 });
    expect(results[0]).toMatchObject({ ids: [A, A, A], finished: false });
    expect(loop).toBeTypeOf('function');
  });
});
