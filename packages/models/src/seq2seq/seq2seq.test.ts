import { EddyError, Generator, getCore, getRngState, gradcheck, manualSeed, scope } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { Module } from '../module.js';
import { loadSafetensors, saveSafetensors } from '../safetensors.js';
import { BuiltModules } from '../test/modules.js';
import { BOS, EOS, makeBatch, randomSequences } from '../test/seq2seq.js';
import { reverseValid } from './encoder.js';
import { Seq2Seq, type Seq2SeqOptions, type Translation } from './seq2seq.js';

// The model's contract: gradients (every score, feeding on/off, uni/bi, LSTM/GRU, conditioning),
// masks (a padded batch equals its pairs one by one), the searches (greedy = beam 1, beam ≥
// greedy, n-best), config and weights round trips, strict options. Learning checks are in
// learning.test.ts, PyTorch parity in parity.test.ts.

const built = new BuiltModules();
const V = 9;

function model(options: Partial<Seq2SeqOptions> = {}, seed = 3): Seq2Seq {
  manualSeed(seed);
  const m = new Seq2Seq({ sourceVocabSize: V, targetVocabSize: V, hiddenSize: 4, embeddingSize: 3, ...options });
  built.push(m);
  return m;
}

const PAIRS = [
  [[4, 5, 6], [7, 8]],
  [[8], [4, 4, 5, 6]],
  [[5, 7], [6]],
] as const;

const GRAD_CASES: Array<[string, Partial<Seq2SeqOptions>]> = [
  ['lstm, luong-general, feeding', { attention: 'luong-general' }],
  ['lstm bi, bahdanau, feeding', { attention: 'bahdanau', bidirectional: true }],
  ['gru, luong-dot, no feeding', { cell: 'gru', attention: 'luong-dot', inputFeeding: false }],
  ['gru bi, luong-concat, feeding, 2 layers', { cell: 'gru', attention: 'luong-concat', bidirectional: true, layers: 2 }],
  ['lstm, no attention, 2 layers, reversed', { attention: 'none', layers: 2, reverseSource: true }],
  ['lstm bi, luong-general, no feeding, conditioned (both)', { bidirectional: true, inputFeeding: false, conditionSize: 2, conditionAs: 'both' }],
  ['gru, bahdanau, conditioned (input)', { cell: 'gru', attention: 'bahdanau', conditionSize: 2, conditionAs: 'input' }],
];

describe('Seq2Seq: gradients', () => {
  test.each(GRAD_CASES)('%s: gradcheck of the loss w.r.t. every parameter', (_, options) => {
    manualSeed(3);
    const m = new Seq2Seq({ sourceVocabSize: 7, targetVocabSize: 6, hiddenSize: 3, embeddingSize: 2, ...options });
    built.push(m);
    const condition = options.conditionSize ? Float32Array.from({ length: 2 * options.conditionSize }, (_, i) => Math.sin(i + 1)) : undefined;
    const batch = makeBatch([[[4, 6], [5]], [[6], [4, 5]]], { condition });
    scope(() => {
      const r = gradcheck(() => m.loss(batch).loss, m.parameters());
      expect(r.mismatches).toEqual([]);
      expect(r.ok).toBe(true);
    });
  });
});

describe('Seq2Seq: padding never changes a result', () => {
  const CASES: Array<[string, Partial<Seq2SeqOptions>]> = [
    ['lstm bi, luong-general', { bidirectional: true }],
    ['gru, bahdanau, reversed', { cell: 'gru', attention: 'bahdanau', reverseSource: true }],
    ['lstm, no attention, 2 layers', { attention: 'none', layers: 2 }],
    ['lstm, luong-concat, conditioned', { attention: 'luong-concat', conditionSize: 2, conditionAs: 'both' }],
  ];
  test.each(CASES)('%s: each pair\'s loss and translations equal its own, whatever the padding holds', (_, options) => {
    const m = model(options);
    const C = options.conditionSize ?? 0;
    const conditions = Float32Array.from({ length: PAIRS.length * C }, (_, i) => Math.cos(i));
    const pairs = PAIRS.map(([s, t]) => [s, t] as const);
    scope(() => {
      const batch = makeBatch(pairs, { condition: C ? conditions : undefined, padding: 5 });
      const { loss, tokens } = m.loss(batch);
      let total = 0;
      let count = 0;
      pairs.forEach((pair, b) => {
        const one = m.loss(makeBatch([pair], { condition: C ? conditions.slice(b * C, (b + 1) * C) : undefined }));
        total += one.loss.item() * one.tokens;
        count += one.tokens;
      });
      expect(tokens).toBe(count);
      expect(loss.item()).toBeCloseTo(total / count, 5);
    });
    const sources = pairs.map(([s]) => Int32Array.from(s));
    for (const beam of [1, 3]) {
      const together = m.translate(sources, { beam, nBest: beam, conditions: C ? conditions : undefined });
      const alone = m.translate(sources, { beam, nBest: beam, conditions: C ? conditions : undefined, batchSize: 1 });
      expect(plain(together)).toEqual(plain(alone));
    }
  });
});

/** Translations as plain numbers (for toEqual), scores to 5 decimals. */
function plain(lists: Translation[][]): unknown {
  return lists.map((list) => list.map((t) => ({ tokens: Array.from(t.tokens), score: t.score.toFixed(5), attention: t.attention.map((a) => Array.from(a, (x) => x.toFixed(5))) })));
}

describe('Seq2Seq: decoding', () => {
  const sources = randomSequences(12, 5, 1, 6, 17);

  test.each([
    ['lstm, luong-general', {}],
    ['gru bi, bahdanau', { cell: 'gru', bidirectional: true, attention: 'bahdanau' }],
    ['lstm, no attention', { attention: 'none' }],
  ] as Array<[string, Partial<Seq2SeqOptions>]>)('%s: greedy equals beam 1 exactly (tokens and scores), penalties included', (_, options) => {
    const m = model({ hiddenSize: 8, ...options }, 5);
    for (const penalties of [{}, { lengthPenalty: 0.7, coveragePenalty: 0.3 }]) {
      const greedy = m.translate(sources, penalties);
      const beam = m.translate(sources, { ...penalties, beam: 1 });
      expect(greedy).toEqual(beam);
    }
  });

  test('beam search scores at least what greedy scores, and its n-best lists are sorted and distinct', () => {
    const m = model({ hiddenSize: 8 }, 6);
    const greedy = m.translate(sources);
    const beam = m.translate(sources, { beam: 4, nBest: 4 });
    beam.forEach((list, i) => {
      expect(list.length).toBeGreaterThanOrEqual(1);
      expect(list.length).toBeLessThanOrEqual(4);
      expect(list[0].score).toBeGreaterThanOrEqual(greedy[i][0].score - 1e-9);
      for (let k = 1; k < list.length; k++) expect(list[k].score).toBeLessThanOrEqual(list[k - 1].score);
      expect(new Set(list.map((t) => t.tokens.join())).size).toBe(list.length);
    });
  });

  test('attention: one row per output token (EOS included), over the source\'s own positions, summing to 1', () => {
    const m = model({ hiddenSize: 8, reverseSource: true }, 7);
    const out = m.translate(sources, { beam: 2, nBest: 2, maxLength: 4 });
    out.forEach((list, i) => {
      for (const t of list) {
        expect([t.tokens.length, t.tokens.length + 1]).toContain(t.attention.length);
        expect(t.tokens.length).toBeLessThanOrEqual(4);
        for (const row of t.attention) {
          expect(row.length).toBe(sources[i].length);
          expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        }
      }
    });
    expect(model({ attention: 'none' }).translate(sources.slice(0, 2)).every(([t]) => t.attention.length === 0)).toBe(true);
  });

  test('caps: maxLength and maxLengthRatio bound the outputs', () => {
    const m = model({ hiddenSize: 8 }, 8);
    for (const [options, cap] of [[{ maxLength: 2 }, () => 2], [{ maxLengthRatio: 0.5 }, (n: number) => Math.ceil(0.5 * n) + 5], [{}, (n: number) => 2 * n + 5]] as const) {
      m.translate(sources, options).forEach(([t], i) => expect(t.tokens.length).toBeLessThanOrEqual(cap(sources[i].length)));
    }
  });

  test('sampling is seeded, temperature 0 is greedy, and n samples come best first', () => {
    const m = model({ hiddenSize: 8 }, 9);
    const draw = (seed: number, extra = {}) => m.translate(sources, { nBest: 3, sample: { generator: new Generator(seed), topK: 4, topP: 0.9, ...extra } });
    expect(draw(1)).toEqual(draw(1));
    expect(plain(draw(1))).not.toEqual(plain(draw(2)));
    for (const list of draw(3)) for (let k = 1; k < list.length; k++) expect(list[k].score).toBeLessThanOrEqual(list[k - 1].score);
    const cold = m.translate(sources, { sample: { generator: new Generator(4), temperature: 0 } });
    expect(cold).toEqual(m.translate(sources));
  });
});

test('translate and loss (in a scope) leave no memory behind', () => {
  const m = model({ hiddenSize: 6, bidirectional: true, conditionSize: 2 });
  const sources = randomSequences(6, 5, 1, 5, 4);
  const conditions = new Float32Array(12).fill(0.5);
  const batch = makeBatch(PAIRS.map(([s, t]) => [s, t] as const), { condition: new Float32Array(6).fill(0.1) });
  const run = () => {
    m.translate(sources, { conditions });
    m.translate(sources, { conditions, beam: 3, nBest: 2 });
    m.translate(sources, { conditions, sample: { generator: new Generator(1) } });
    scope(() => m.loss(batch, { teacherForcing: 0.5 }).loss.backward());
  };
  run();
  const before = getCore().arena.used;
  run();
  expect(getCore().arena.used).toBe(before);
});

describe('Seq2Seq: loss options', () => {
  test('scheduled sampling draws from the given generator: same seed, same loss; ratio 1 is teacher forcing', () => {
    const m = model({ hiddenSize: 6 });
    const batch = makeBatch(PAIRS.map(([s, t]) => [s, t] as const));
    const loss = (options: object) => scope(() => m.loss(batch, options).loss.item());
    const forced = loss({});
    expect(loss({ teacherForcing: 1, generator: new Generator(1) })).toBe(forced);
    expect(loss({ teacherForcing: 0.3, generator: new Generator(5) })).toBe(loss({ teacherForcing: 0.3, generator: new Generator(5) }));
    expect(loss({ teacherForcing: 0, generator: new Generator(5) })).not.toBe(forced);
  });

  test('dropout is active in training mode only', () => {
    const m = model({ hiddenSize: 6, dropout: 0.5 });
    const batch = makeBatch(PAIRS.map(([s, t]) => [s, t] as const));
    const loss = () => scope(() => m.loss(batch).loss.item());
    expect(loss()).not.toBe(loss());
    m.eval();
    expect(loss()).toBe(loss());
  });
});

describe('Seq2Seq: config and weights', () => {
  test('toConfig/fromConfig (through JSON) and the state dict (through safetensors) give identical translations', () => {
    const m = model({ hiddenSize: 6, bidirectional: true, attention: 'bahdanau', layers: 2, cell: 'gru', reverseSource: true }, 12);
    const config = JSON.parse(JSON.stringify(m.toConfig()));
    expect(config.type).toBe('EddySeq2Seq');
    manualSeed(99);
    const copy = Module.fromConfig(config) as Seq2Seq;
    built.push(copy);
    const sources = randomSequences(5, 5, 1, 5, 3);
    expect(plain(copy.translate(sources))).not.toEqual(plain(m.translate(sources)));
    scope(() => copy.loadStateDict(loadSafetensors(saveSafetensors(m.stateDict()))));
    expect(copy.translate(sources, { beam: 3, nBest: 2 })).toEqual(m.translate(sources, { beam: 3, nBest: 2 }));
  });

  test('fromConfig with init false draws nothing (zero weights, the RNG unmoved) and loads to the same model', () => {
    const m = model({ hiddenSize: 6, attention: 'luong-concat', conditionSize: 2, conditionAs: 'both' }, 13);
    manualSeed(5);
    const before = getRngState();
    const copy = Module.fromConfig(JSON.parse(JSON.stringify(m.toConfig())), { init: false }) as Seq2Seq;
    built.push(copy);
    expect(getRngState()).toEqual(before);
    for (const [name, p] of copy.namedParameters()) expect(p.toFloat32Array().every((v) => v === 0), name).toBe(true);
    scope(() => copy.loadStateDict(loadSafetensors(saveSafetensors(m.stateDict()))));
    const sources = randomSequences(4, 5, 1, 5, 3);
    const conditions = Float32Array.from({ length: 8 }, (_, i) => i / 8);
    expect(copy.translate(sources, { beam: 2, conditions })).toEqual(m.translate(sources, { beam: 2, conditions }));
    expect(() => Module.fromConfig(m.toConfig(), { inti: false } as never)).toThrow(/inti/);
  });

  test('parameter names follow PyTorch/OpenNMT', () => {
    const names = model({ bidirectional: true, attention: 'bahdanau', conditionSize: 2, conditionAs: 'input' }).namedParameters().map(([n]) => n);
    for (const n of ['encoder.embedding.weight', 'encoder.rnn.weight_ih_l0', 'encoder.rnn.weight_hh_l0_reverse', 'bridge.h_l0.weight', 'bridge.c_l0.bias',
      'decoder.embedding.weight', 'decoder.cells.0.weight_ih', 'decoder.cells.0.bias_hh', 'decoder.attention.Wa.weight', 'decoder.attention.Ua.weight',
      'decoder.attention.Va.bias', 'decoder.combine.weight', 'decoder.output.weight', 'decoder.output.bias']) {
      expect(names).toContain(n);
    }
    expect(model({ conditionSize: 2 }).namedParameters().map(([n]) => n)).toContain('bridge.condition.weight');
  });
});

describe('Seq2Seq: strict options and clear errors', () => {
  const base = { sourceVocabSize: V, targetVocabSize: V, hiddenSize: 4 };
  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(EddyError);
      return `${(e as EddyError).code}: ${(e as Error).message}`;
    }
    return 'no error';
  };

  test('the constructor refuses unknown keys and contradictory options', () => {
    expect(code(() => new Seq2Seq({ ...base, hidenSize: 4 } as Seq2SeqOptions))).toMatch(/E_ARGUMENT.*hidenSize.*hiddenSize/);
    expect(code(() => new Seq2Seq(undefined as unknown as Seq2SeqOptions))).toMatch(/E_ARGUMENT.*required/);
    expect(code(() => new Seq2Seq({ ...base, attention: 'luong' as 'none' }))).toMatch(/E_ARGUMENT.*attention must be one of/);
    expect(code(() => new Seq2Seq({ ...base, attention: 'none', inputFeeding: true }))).toMatch(/E_ARGUMENT.*inputFeeding.*needs attention/);
    expect(code(() => new Seq2Seq({ ...base, attention: 'luong-dot', bidirectional: true }))).toMatch(/E_ARGUMENT.*luong-dot.*2H/);
    expect(code(() => new Seq2Seq({ ...base, conditionAs: 'input' }))).toMatch(/E_ARGUMENT.*conditionAs needs conditionSize/);
    expect(code(() => new Seq2Seq({ ...base, eosId: V }))).toMatch(/E_ARGUMENT.*eosId/);
  });

  test('loss and translate check their arguments', () => {
    const m = model();
    const batch = makeBatch(PAIRS.map(([s, t]) => [s, t] as const));
    expect(code(() => m.loss(batch, { teacherForcing: 1.5 }))).toMatch(/E_ARGUMENT.*teacherForcing must be a number in \[0, 1\]/);
    expect(code(() => m.loss(batch, { teacherFocring: 1 } as object))).toMatch(/E_ARGUMENT.*teacherFocring/);
    expect(code(() => m.loss({ ...batch, source: batch.source.map(() => V) }))).toMatch(/E_ARGUMENT.*batch.source\[0\] must be an id in \[0, 9\), got 9/);
    expect(code(() => m.loss({ ...batch, targetLengths: Int32Array.of(1, 2, 3) }))).toMatch(/E_ARGUMENT.*batch.targetLengths\[0\] must be in \[2/);
    expect(code(() => m.loss({ ...batch, condition: new Float32Array(3) }))).toMatch(/E_ARGUMENT.*conditionSize 0/);
    const src = [Int32Array.of(4, 5)];
    expect(code(() => m.translate(src, { beem: 2 } as object))).toMatch(/E_ARGUMENT.*beem.*beam/);
    expect(code(() => m.translate(src, { beam: 2, nBest: 3 }))).toMatch(/E_ARGUMENT.*nBest must be an integer in \[1, 2\]/);
    expect(code(() => m.translate([new Int32Array(0)]))).toMatch(/E_ARGUMENT.*sources\[0\] is empty/);
    expect(code(() => m.translate(src, { maxLengthRatio: 0 }))).toMatch(/E_ARGUMENT.*maxLengthRatio must be a finite number > 0, got 0/);
    expect(code(() => m.translate(src, { lengthPenalty: -1 }))).toMatch(/E_ARGUMENT.*lengthPenalty/);
    expect(code(() => m.translate([Int32Array.of(4, 99)]))).toMatch(/E_ARGUMENT.*sources\[0\]\[1\] must be an id/);
    expect(code(() => m.translate(src, { sample: { temperature: 1 } as never }))).toMatch(/E_ARGUMENT.*sample.generator must be a Generator/);
    expect(code(() => m.translate(src, { sample: { generator: new Generator(1) }, beam: 2 }))).toMatch(/E_ARGUMENT.*takes no beam/);
    expect(code(() => model({ conditionSize: 2 }).translate(src))).toMatch(/E_ARGUMENT.*conditions must be a Float32Array of N·conditionSize = 1·2/);
  });
});

test('reverseValid reverses each column\'s valid ids only', () => {
  // S = 3, B = 2: columns [4 5 6] and [7 8 pad].
  expect(Array.from(reverseValid(Int32Array.of(4, 7, 5, 8, 6, 0), Int32Array.of(3, 2), 2))).toEqual([6, 8, 5, 7, 4, 0]);
  expect([BOS, EOS]).toEqual([2, 3]);
});
