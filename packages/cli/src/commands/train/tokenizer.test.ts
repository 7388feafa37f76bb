// Vocabulary sizes through the bin: word and BPE models get a default size shown in --help, the
// rest of the words become <unk>, and --vocab-size counts the same ids (specials included) for both.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runBin, tempDir, TINY, writeText } from '../../test/helpers.js';

/** Word i: four letters, so that code-point order is numeric order (the Vocab's tie-break). */
const word = (i: number): string => Array.from({ length: 4 }, (_, k) => String.fromCharCode(97 + (Math.floor(i / 26 ** (3 - k)) % 26))).join('');

let dir: string;
let corpus: string;

beforeAll(() => {
  dir = tempDir();
  // 10 100 distinct words, more than the default keeps, each twice (so that BPE finds pairs to merge).
  const line = Array.from({ length: 10_100 }, (_, i) => word(i)).join(' ') + '\n';
  corpus = writeText(dir, 'words.txt', line + line);
});

interface Start {
  vocabSize: number;
  options: { vocabSize: number | null };
}

function train(extra: string[], out: string): Start {
  const r = runBin(['train', corpus, ...TINY, '--steps', '1', '--out', join(dir, out), '--json', ...extra]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.split('\n')[0]) as Start;
}

const symbols = (out: string): number => JSON.parse(readFileSync(join(dir, out, 'vocab.json'), 'utf8')).vocab.symbols.length;

describe('vocabulary sizes', () => {
  test('a word model keeps 10 000 ids by default (the 4 specials and the 9 996 most frequent words); the rest read as <unk>', () => {
    const start = train(['--tokenizer', 'word'], 'word-default');
    expect(start.vocabSize).toBe(10_000);
    expect(start.options.vocabSize).toBe(10_000);
    expect(symbols('word-default')).toBe(10_000);
    // Ties are broken in code-point order: word 0 is kept, word 10 099 is not.
    const r = runBin(['eval', join(dir, 'word-default'), writeText(dir, 'two.txt', `${word(0)} ${word(10_099)} ${word(9_995)} ${word(9_996)}`), '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).unknownTokens).toBe(2);
  });

  test('--vocab-size N means N ids, specials included, for word and for BPE alike', () => {
    expect(train(['--tokenizer', 'word', '--vocab-size', '300'], 'word-300').vocabSize).toBe(300);
    expect(symbols('word-300')).toBe(300);
    expect(train(['--tokenizer', 'bpe', '--vocab-size', '300'], 'bpe-300').vocabSize).toBe(300);
    expect(symbols('bpe-300')).toBe(300);
  });

  test('a BPE model has 1000 ids by default; a char model keeps every character', () => {
    expect(train(['--tokenizer', 'bpe'], 'bpe-default')).toMatchObject({ vocabSize: 1000, options: { vocabSize: 1000 } });
    expect(train([], 'char')).toMatchObject({ vocabSize: 4 + 26 + 2, options: { vocabSize: null } }); // a–z, space, newline
  });

  test('sizes a tokenizer cannot have are refused with one sentence', () => {
    const refuse = (extra: string[], message: string): void => {
      const r = runBin(['train', corpus, ...TINY, '--steps', '1', '--out', join(dir, 'never'), ...extra]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`eddy: ${message}\n`);
    };
    refuse(['--vocab-size', '100'], '--vocab-size applies to --tokenizer word and bpe; a char model keeps every character of its corpus, so drop --vocab-size.');
    refuse(['--tokenizer', 'bpe', '--vocab-size', '259'], '--vocab-size for --tokenizer bpe must be at least 260 (the 4 specials and 256 bytes), got 259.');
  });

  test('--help shows both defaults and what N counts', () => {
    const help = runBin(['train', '--help']).stdout;
    expect(help).toMatch(/--vocab-size N +vocabulary size, the 4 specials included: word keeps the N−4 most frequent words, the rest become <unk> \(default 10000, PTB's size\); bpe learns 256 bytes \+ merges, N ≥ 260 \(default 1000\)/);
  });
});
