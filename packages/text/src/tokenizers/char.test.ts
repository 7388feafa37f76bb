import { Generator } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { randomString } from '../test-utils.js';
import { BOS, EOS, PAD, UNK } from '../vocab.js';
import { CharTokenizer } from './char.js';
import { tokenizerFromConfig } from './from-config.js';

describe('CharTokenizer', () => {
  test('one id per code point, astral characters included', () => {
    const tok = CharTokenizer.fromCorpus('a🌍a');
    expect(tok.vocab.symbols().slice(4)).toEqual(['a', '🌍']);
    expect([...tok.encode('🌍a🌍')]).toEqual([5, 4, 5]);
  });

  test('round trip on random Unicode when every character was seen', () => {
    const rng = new Generator(1);
    for (let trial = 0; trial < 50; trial++) {
      const s = randomString(rng, 40);
      const tok = CharTokenizer.fromCorpus(s);
      expect(tok.decode(tok.encode(s))).toBe(s);
    }
  });

  test('lone surrogates are code points of their own and round-trip', () => {
    const s = 'a\uD800b\uDC00';
    const tok = CharTokenizer.fromCorpus(s);
    expect(tok.encode(s).length).toBe(4);
    expect(tok.decode(tok.encode(s))).toBe(s);
  });

  test('unseen and rare characters become <unk> and decode as U+FFFD', () => {
    const tok = CharTokenizer.fromCorpus('aab', { minCount: 2 });
    expect([...tok.encode('abc')]).toEqual([4, UNK, UNK]);
    expect(tok.decode(tok.encode('abc'))).toBe('a\uFFFD\uFFFD');
  });

  test('decode drops <pad>, <bos> and <eos>; out-of-range ids throw', () => {
    const tok = CharTokenizer.fromCorpus('ab');
    expect(tok.decode([BOS, 4, PAD, 5, EOS])).toBe('ab');
    expect(() => tok.decode([6])).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });

  test('config round trip through JSON', () => {
    const tok = CharTokenizer.fromCorpus('hello, world');
    const back = tokenizerFromConfig(JSON.parse(JSON.stringify(tok.toConfig())));
    expect(back).toBeInstanceOf(CharTokenizer);
    expect([...back.encode('low')]).toEqual([...tok.encode('low')]);
  });

  test('a config whose symbols are not single characters is rejected', () => {
    const config = CharTokenizer.fromCorpus('ab').toConfig();
    config.vocab.symbols[4] = 'ab';
    expect(() => tokenizerFromConfig(config)).toThrow(/symbol 4 must be one code point/);
    expect(() => tokenizerFromConfig({ type: 'lstm' })).toThrow(/type must be "char", "word" or "bpe", got "lstm"/);
  });

  test('stream decoding equals whole decoding', () => {
    const tok = CharTokenizer.fromCorpus('abc');
    const ids = tok.encode('cabbage');
    const d = tok.streamDecoder();
    expect([...ids].map((id) => d.push(id)).join('') + d.flush()).toBe(tok.decode(ids));
  });
});
