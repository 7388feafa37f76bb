import { EddyError } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { MAX_VECTOR_DIM, parseWordVectors } from './word-vectors.js';

const glove = ['the 0.418 0.24968 -0.41242', ', 0.013441 0.23682 -0.16899', 'good -3.5e-1 1E2 +.5', 'the 9 9 9', ''].join('\n');

function error(f: () => unknown): { code: string; message: string } {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(EddyError); return { code: (e as EddyError).code, message: (e as Error).message }; }
  throw new Error('did not throw');
}

describe('parseWordVectors (GloVe text format)', () => {
  test('reads words and vectors; the first of a repeated word wins', () => {
    const { dim, vectors } = parseWordVectors(glove);
    expect(dim).toBe(3);
    expect([...vectors.keys()]).toEqual(['the', ',', 'good']);
    expect(vectors.get('the')).toEqual(Float32Array.of(0.418, 0.24968, -0.41242));
    expect(vectors.get('good')).toEqual(Float32Array.of(-0.35, 100, 0.5));
  });

  test("maxWords stops early; dim is checked; word2vec's header line and \\r\\n are accepted", () => {
    expect([...parseWordVectors(glove, { maxWords: 2 }).vectors.keys()]).toEqual(['the', ',']);
    expect(parseWordVectors('2 3\r\na 1 2 3\r\nb 4 5 6\r\n', { dim: 3 }).vectors.get('b')).toEqual(Float32Array.of(4, 5, 6));
    expect(error(() => parseWordVectors(glove, { dim: 4 })).message).toBe('parseWordVectors: line 1: expected 4 values after the word (the width asked for), got 3');
  });

  test('ragged, non-numeric, non-finite and over-wide lines throw E_FORMAT naming the line', () => {
    expect(error(() => parseWordVectors('a 1 2\nb 1 2 3\n'))).toEqual({ code: 'E_FORMAT', message: 'parseWordVectors: line 2: expected 2 values after the word (the width of the first vector), got 3' });
    expect(error(() => parseWordVectors('a 1 2\n\nb 1 x\n')).message).toMatch(/line 3: value 2 of "b" must be a finite decimal number, got "x"/);
    for (const bad of ['0x10', 'Infinity', 'NaN', '1e999', '1.2.3', '']) {
      expect(error(() => parseWordVectors(`a 1 ${bad}x`.replace(/x$/, bad === '' ? ' .' : ''))).code).toBe('E_FORMAT');
    }
    expect(error(() => parseWordVectors('lonely\n')).message).toMatch(/line 1: expected a word then its values/);
    expect(error(() => parseWordVectors(`w${' 0'.repeat(MAX_VECTOR_DIM + 1)}`)).message).toMatch(/more than MAX_VECTOR_DIM = 4096 values/);
    expect(error(() => parseWordVectors('\n\n')).message).toMatch(/no word vectors/);
  });

  test('strict options', () => {
    expect(error(() => parseWordVectors('a 1', { maxword: 3 } as never))).toMatchObject({ code: 'E_ARGUMENT', message: expect.stringMatching(/did you mean "maxWords"/) });
    expect(error(() => parseWordVectors('a 1', { dim: MAX_VECTOR_DIM + 1 })).code).toBe('E_ARGUMENT');
  });
});
