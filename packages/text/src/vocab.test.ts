import { describe, expect, test } from 'vitest';
import { BOS, EOS, PAD, SPECIAL_TOKENS, UNK, Vocab } from './vocab.js';

describe('Vocab', () => {
  test('specials take ids 0-3 and corpus symbols follow', () => {
    const v = new Vocab(['a', 'b']);
    expect([PAD, UNK, BOS, EOS].map((i) => v.symbol(i))).toEqual([...SPECIAL_TOKENS]);
    expect(v.id('a')).toBe(4);
    expect(v.id('b')).toBe(5);
    expect(v.size).toBe(6);
  });

  test('an unseen symbol is <unk>, never an error', () => {
    const v = new Vocab(['a']);
    expect(v.id('zzz')).toBe(UNK);
    expect(v.id('')).toBe(UNK);
    expect(v.has('zzz')).toBe(false);
  });

  test('ids outside the vocabulary throw E_ARGUMENT', () => {
    const v = new Vocab(['a']);
    for (const id of [-1, 5, 1.5, NaN]) expect(() => v.symbol(id)).toThrow(expect.objectContaining({ code: 'E_ARGUMENT' }));
  });

  test('fromCounts orders by count, then code point, and honours minCount and maxSize', () => {
    const counts = new Map([['c', 2], ['b', 5], ['a', 2], ['d', 1], ['<unk>', 9]]);
    expect(Vocab.fromCounts(counts).symbols().slice(4)).toEqual(['b', 'a', 'c', 'd']);
    expect(Vocab.fromCounts(counts, { minCount: 2 }).symbols().slice(4)).toEqual(['b', 'a', 'c']);
    expect(Vocab.fromCounts(counts, { maxSize: 2 }).symbols().slice(4)).toEqual(['b', 'a']);
  });

  test('JSON round trip', () => {
    const v = new Vocab(['x', 'é', '🌍', '']);
    const back = Vocab.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(back.symbols()).toEqual(v.symbols());
    expect(back.id('🌍')).toBe(6);
  });

  test('duplicate symbols are rejected', () => {
    expect(() => new Vocab(['a', 'a'])).toThrow(/repeats id 4/);
    expect(() => new Vocab(['<eos>'])).toThrow(/repeats id 3/);
    const json = { format: 'eddy-vocab', version: 1, symbols: [...SPECIAL_TOKENS, 'a', 'b', 'a'] };
    expect(() => Vocab.fromJSON(json)).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(/symbol "a" at id 6 repeats id 4/) }));
  });

  test('malformed files throw typed errors naming the problem', () => {
    const good = { format: 'eddy-vocab', version: 1, symbols: [...SPECIAL_TOKENS, 'a'] };
    const cases: [unknown, RegExp][] = [
      [null, /must be an object, got null/],
      [[], /must be an object/],
      [{ ...good, format: 'other' }, /format must be "eddy-vocab"/],
      [{ ...good, version: 2 }, /version must be 1, got 2/],
      [{ ...good, symbols: 'abc' }, /symbols must be an array/],
      [{ ...good, symbols: ['<pad>', '<unk>'] }, /symbols must be an array/],
      [{ ...good, symbols: ['<unk>', '<pad>', '<bos>', '<eos>'] }, /id 0 must be the special token "<pad>"/],
      [{ ...good, symbols: [...SPECIAL_TOKENS, 7] }, /symbol 4 must be a string/],
      [{ ...good, symbols: [...SPECIAL_TOKENS, 'x'.repeat(70000)] }, /symbol 4 must be a string of at most/],
    ];
    for (const [json, message] of cases) {
      expect(() => Vocab.fromJSON(json)).toThrow(expect.objectContaining({ name: 'EddyError', code: 'E_FORMAT', message: expect.stringMatching(message) }));
    }
  });
});
