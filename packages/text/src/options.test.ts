import { Generator } from '@eddy/autograd';
import { describe, expect, it } from 'vitest';
import {
  BOS, BpeTokenizer, bucketBatches, CharTokenizer, createSampler, beamSearch, generate, generateAsync, LmBatcher, samplingDistribution,
  Vocab, WordTokenizer,
} from './index.js';

// Every public options object of @eddy/text refuses a key it does not know, with the closest known
// one suggested: `Vocab.fromCounts(counts, { minCout: 5 })` used to keep every symbol in silence.

const step = () => ({ logits: new Float32Array([0, 1, 2, 3, 4]), state: null });
const decode = { prime: [BOS], step, initialState: null };
const ids = Int32Array.from({ length: 64 }, (_, i) => i % 7);

const CASES: Array<[api: string, call: () => unknown, key: string, meant: string]> = [
  ['Vocab.fromCounts', () => Vocab.fromCounts(new Map([['a', 1]]), { minCout: 5 } as never), 'minCout', 'minCount'],
  ['CharTokenizer.fromCorpus', () => CharTokenizer.fromCorpus('abc', { min_count: 2 } as never), 'min_count', 'minCount'],
  ['WordTokenizer', () => new WordTokenizer(new Vocab([]), { lowerCase: true } as never), 'lowerCase', 'lowercase'],
  ['WordTokenizer.fromCorpus', () => WordTokenizer.fromCorpus('a b', { maxSzie: 2 } as never), 'maxSzie', 'maxSize'],
  ['BpeTokenizer.train', () => BpeTokenizer.train('abab', { vocabSize: 261, minFreq: 1 } as never), 'minFreq', 'minFrequency'],
  ['LmBatcher', () => new LmBatcher(ids, { batchSize: 2, seqLen: 4, droplast: true } as never), 'droplast', 'dropLast'],
  ['bucketBatches', () => bucketBatches([[1, 2]], { batchSize: 1, padID: 0 } as never), 'padID', 'padId'],
  ['samplingDistribution', () => samplingDistribution(new Float32Array([1, 2]), { temprature: 0.5 } as never), 'temprature', 'temperature'],
  ['createSampler', () => createSampler({ topk: 3 } as never), 'topk', 'topK'],
  ['generate', () => generate({ ...decode, steps: 2, rng: new Generator(1), stopat: 3 } as never), 'stopat', 'stopAt'],
  ['beamSearch', () => beamSearch({ ...decode, maxSteps: 2, beamSzie: 2 } as never), 'beamSzie', 'beamSize'],
];

describe("text's public options objects refuse unknown keys", () => {
  it.each(CASES)('%s { %s }', (api, call, key, meant) => {
    const message = `${api}: unknown option "${key}" (did you mean "${meant}"?)`;
    expect(call).toThrow(expect.objectContaining({ name: 'EddyError', code: 'E_ARGUMENT', message }));
  });

  it('generateAsync', async () => {
    const it = generateAsync({ ...decode, steps: 2, rng: new Generator(1), sampeler: createSampler() } as never);
    await expect(it.next()).rejects.toMatchObject({ code: 'E_ARGUMENT', message: 'generate: unknown option "sampeler" (did you mean "sampler"?)' });
  });

  it('accepts every documented key', () => {
    expect(() => new LmBatcher(ids, { batchSize: 2, seqLen: 4, bptt: 2, randomOffset: true, seed: 3, dropLast: true })).not.toThrow();
    expect(WordTokenizer.fromCorpus('a b a', { minCount: 2, maxSize: 5, lowercase: true, pattern: '\\w+', separator: ' ', newlineAsEos: false }).vocab.size).toBe(5);
  });
});
