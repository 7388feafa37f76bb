import { describe, expect, test } from 'vitest';
import { EOS, UNK } from '../vocab.js';
import { tokenizerFromConfig } from './from-config.js';
import { WordTokenizer } from './word.js';

describe('WordTokenizer', () => {
  test('words by frequency; unseen and rare words are <unk>', () => {
    const tok = WordTokenizer.fromCorpus('the cat the dog the cat', { minCount: 2 });
    expect(tok.vocab.symbols().slice(4)).toEqual(['the', 'cat']);
    expect([...tok.encode('the  bird\tcat')]).toEqual([4, UNK, 5]);
  });

  test('PTB style: newlines become <eos> and a literal <unk> is the <unk> token', () => {
    const corpus = ' a b <unk> \n b c \n';
    const tok = WordTokenizer.fromCorpus(corpus, { newlineAsEos: true });
    const ids = tok.encode(corpus);
    expect([...ids].filter((id) => id === EOS).length).toBe(2);
    expect(ids[2]).toBe(UNK);
    expect(tok.decode(ids)).toBe('a b <unk>\nb c\n');
    expect(tok.vocab.has('<unk>')).toBe(true);
    expect(tok.vocab.size).toBe(7); // specials + a b c
  });

  test('custom pattern, lower-casing and separator', () => {
    const tok = WordTokenizer.fromCorpus('Hello, World! hello.', { pattern: '\\p{L}+|[^\\s\\p{L}]', lowercase: true, separator: '|' });
    expect(tok.vocab.symbols().slice(4)).toEqual(['hello', '!', ',', '.', 'world']);
    expect(tok.decode(tok.encode('HELLO, world'))).toBe('hello|,|world');
  });

  test('decoding is not byte-exact: spacing and case are normalised', () => {
    const tok = WordTokenizer.fromCorpus('a b', { lowercase: true });
    expect(tok.decode(tok.encode('A   b'))).toBe('a b');
  });

  test('config round trip keeps every option', () => {
    const tok = WordTokenizer.fromCorpus('x y\nz', { pattern: '\\w+', lowercase: true, separator: '_', newlineAsEos: true });
    const back = tokenizerFromConfig(JSON.parse(JSON.stringify(tok.toConfig())));
    expect(back.toConfig()).toEqual(tok.toConfig());
    expect(back.decode(back.encode('X y\nz'))).toBe('x_y\nz');
    const { separator: _, ...missing } = tok.toConfig();
    expect(() => tokenizerFromConfig(missing)).toThrow(/config is missing "separator"/);
  });

  test('bad patterns and options are typed errors', () => {
    const vocab = WordTokenizer.fromCorpus('a').vocab;
    expect(() => new WordTokenizer(vocab, { pattern: '(' })).toThrow(/pattern "\(" is not a valid regular expression/);
    expect(() => new WordTokenizer(vocab, { pattern: 'a*' })).toThrow(/can match the empty string/);
    expect(() => new WordTokenizer(vocab, { lowercase: 'yes' as unknown as boolean })).toThrow(/lowercase must be true or false, got "yes"/);
  });
});
