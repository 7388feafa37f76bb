import { describe, expect, test } from 'vitest';
import { BpeTokenizer } from './tokenizers/bpe.js';
import { tokenizerFromConfig } from './tokenizers/from-config.js';
import { WORD_PATTERNS, WordTokenizer } from './tokenizers/word.js';
import { MAX_SYMBOL_LENGTH, SPECIAL_TOKENS, Vocab } from './vocab.js';

// Vocabularies and tokenizer configs as a hostile user would write them (issue 16). Every case
// failed before its fix: a generic TypeError/RangeError, a heap abort, seconds of hashing, a regex
// that backtracks for minutes, or a silently replaced field.

const formatError = (message: RegExp) => expect.objectContaining({ name: 'EddyError', code: 'E_FORMAT', message: expect.stringMatching(message) });
/** The 256 byte symbols of every BPE vocabulary (ids 4–259). */
const BYTES = BpeTokenizer.train('', { vocabSize: 260 }).vocab.symbols().slice(4);
const vocabJson = (symbols: unknown[]) => ({ format: 'eddy-vocab', version: 1, symbols: [...SPECIAL_TOKENS, ...symbols] });
const wordConfig = (fields: Record<string, unknown> = {}) => ({
  type: 'word', version: 1, vocab: vocabJson(['a']), pattern: '\\S+', lowercase: false, separator: ' ', newlineAsEos: false, ...fields,
});

describe('hostile vocabularies and tokenizer configs', () => {
  test('a crafted constructor.name is described, never converted (no TypeError)', () => {
    const crafted = JSON.parse('{"constructor":{"name":{"toString":1}}}');
    expect(() => tokenizerFromConfig({ type: crafted })).toThrow(formatError(/type must be .* got Object/));
    expect(() => Vocab.fromJSON({ format: crafted })).toThrow(formatError(/format must be "eddy-vocab", got Object/));
    expect(() => tokenizerFromConfig(wordConfig({ separator: crafted }))).toThrow(formatError(/separator must be a string/));
  });

  test('arrays nested 3 000 deep are described without recursing (no stack overflow)', () => {
    const deep = JSON.parse('['.repeat(3000) + ']'.repeat(3000));
    expect(() => Vocab.fromJSON({ format: 'eddy-vocab', version: 1, symbols: deep })).toThrow(formatError(/symbols must be an array/));
    expect(() => tokenizerFromConfig({ type: 'bpe', version: 1, vocab: vocabJson([...BYTES, 'xy']), merges: [deep] })).toThrow(formatError(/merge 0 must be two ids/));
  });

  test('BPE: the merge count is compared with the stored vocabulary before any merge is built', () => {
    // Before: 100 000 merges of 256-byte tokens were built first (a 12 MB file of them exhausted the heap).
    const merges: [number, number][] = [[4, 4]];
    for (let i = 1; i < 100_000; i++) merges.push([260 + Math.min(i - 1, 6), 260 + Math.min(i - 1, 6)]);
    expect(() => tokenizerFromConfig({ type: 'bpe', version: 1, vocab: vocabJson(BYTES), merges })).toThrow(formatError(/vocab has 260 symbols but the 100000 merges make 100260/));
  });

  test('BPE: a merge that spells another symbol than the stored one is refused at that merge', () => {
    const tok = BpeTokenizer.train('abab abab', { vocabSize: 262 });
    const config = JSON.parse(JSON.stringify(tok.toConfig()));
    config.vocab.symbols[261] = 'zz';
    expect(() => tokenizerFromConfig(config)).toThrow(formatError(/vocab symbol 261 is "zz" but merge 1 spells/));
  });

  test(`symbols longer than MAX_SYMBOL_LENGTH (${MAX_SYMBOL_LENGTH}) are refused (V8 hashes long strings by length alone)`, () => {
    const long = Array.from({ length: 200 }, (_, i) => String(i).padEnd(16_384, 'x'));
    expect(() => Vocab.fromJSON(vocabJson(long))).toThrow(formatError(/symbol 4 must be a string of at most 4096 units/));
    expect(() => new Vocab(['x'.repeat(MAX_SYMBOL_LENGTH + 1)])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    // Training never makes a vocabulary it could not load back: over-long words become <unk>.
    const tok = WordTokenizer.fromCorpus(`a ${'y'.repeat(MAX_SYMBOL_LENGTH + 1)}`);
    expect(tok.vocab.symbols().slice(4)).toEqual(['a']);
  });

  test('a word pattern from a file must be one of WORD_PATTERNS unless the loader trusts it', () => {
    const evil = '(\\w+\\s?)+$'; // backtracks for minutes on a short prime
    expect(() => tokenizerFromConfig(wordConfig({ pattern: evil }))).toThrow(formatError(/pattern "\(\\\\w\+\\\\s\?\)\+\$" is not one of WORD_PATTERNS/));
    expect(() => WordTokenizer.fromConfig(wordConfig({ pattern: evil }))).toThrow(formatError(/not one of WORD_PATTERNS/));
    expect((tokenizerFromConfig(wordConfig({ pattern: evil }), { trustPattern: true }) as WordTokenizer).pattern).toBe(evil);
    for (const pattern of Object.values(WORD_PATTERNS)) expect((tokenizerFromConfig(wordConfig({ pattern })) as WordTokenizer).pattern).toBe(pattern);
    // Existing checkpoints store the default pattern's source (packages/cli/fixtures/v1/v1-word).
    expect([...tokenizerFromConfig(wordConfig({ pattern: '\\S+' })).encode('a b')]).toEqual([4, 1]);
    expect(() => tokenizerFromConfig(wordConfig(), { trustPattern: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });

  test('null fields are errors, not defaults', () => {
    for (const key of ['pattern', 'lowercase', 'separator', 'newlineAsEos']) {
      expect(() => tokenizerFromConfig(wordConfig({ [key]: null }))).toThrow(formatError(new RegExp(`${key} must be .*, got null`)));
    }
    expect(() => new WordTokenizer(new Vocab([]), { separator: null as unknown as string })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
    expect(() => new WordTokenizer(new Vocab([]), { pattern: null as unknown as string })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });

  test('patterns that can match the empty string are refused, lookaheads included', () => {
    for (const pattern of ['(?=a)', '\\b', 'a??', '(?:)']) {
      expect(() => new WordTokenizer(new Vocab([]), { pattern })).toThrow(expect.objectContaining({ code: 'E_ARGUMENT', message: expect.stringMatching(/can match the empty string/) }));
    }
  });
});
