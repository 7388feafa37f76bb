import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runBin, runMain, SENTENCE, tempDir, TINY, writeText } from '../../test/helpers.js';

let dir: string;
let ck: string;

beforeAll(async () => {
  dir = tempDir();
  const corpus = writeText(dir, 'sentence.txt', SENTENCE.repeat(12));
  ck = join(dir, 'run');
  const r = await runMain(['train', corpus, '--hidden', '64', '--layers', '1', '--batch', '4', '--seq-len', '24', '--lr', '0.02',
    '--val-fraction', '0', '--steps', '150', '--eval-every', '150', '--out', ck]);
  expect(r.code).toBe(0);
});

describe('eddy sample', () => {
  test('greedy decoding of an overfit model continues the sentence from the prime', async () => {
    const r = await runMain(['sample', ck, '--prime', 'the quick', '--temperature', '0', '--length', '35']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('the quick brown fox jumps over the lazy dog.\n');
  });

  test('the same seed gives the same sample; --json gives one object', async () => {
    const a = await runMain(['sample', ck, '--length', '40', '--seed', '7', '--temperature', '1.5', '--json']);
    const b = await runMain(['sample', ck, '--length', '40', '--seed', '7', '--temperature', '1.5', '--json']);
    expect(a.code).toBe(0);
    const parsed = JSON.parse(a.stdout) as { text: string; tokens: number; prime: string | null };
    expect(parsed.tokens).toBe(40);
    expect([...parsed.text].length).toBe(40);
    expect(parsed.prime).toBe(null);
    expect(b.stdout).toBe(a.stdout);
    const c = await runMain(['sample', ck, '--length', '40', '--seed', '8', '--temperature', '1.5', '--json']);
    expect(c.stdout).not.toBe(a.stdout);
  });

  test('--quantize int8: the overfit model still continues the sentence; the same seed gives the same sample; int4 is refused naming the choices', async () => {
    const greedy = await runMain(['sample', ck, '--prime', 'the quick', '--temperature', '0', '--length', '35', '--quantize', 'int8']);
    expect(greedy.stderr).toBe('');
    expect(greedy.stdout).toBe('the quick brown fox jumps over the lazy dog.\n');
    const run = () => runMain(['sample', ck, '--length', '40', '--seed', '7', '--temperature', '1.5', '--json', '--quantize', 'int8']);
    const [a, b] = [await run(), await run()];
    expect(a.code).toBe(0);
    expect((JSON.parse(a.stdout) as { tokens: number }).tokens).toBe(40);
    expect(b.stdout).toBe(a.stdout);
    const bad = runBin(['sample', ck, '--quantize', 'int4']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("eddy: --quantize expects one of none, int8, got 'int4'; did you mean int8?\n");
  });

  test('top-k 1 is greedy', async () => {
    const greedy = await runMain(['sample', ck, '--prime', 'lazy', '--temperature', '0', '--length', '20']);
    const topK = await runMain(['sample', ck, '--prime', 'lazy', '--top-k', '1', '--length', '20', '--seed', '99']);
    expect(topK.stdout).toBe(greedy.stdout);
  });
});

describe('eddy sample (the bin) with word and BPE models, and primes the vocabulary lacks', () => {
  let words: string;
  let bpe: string;

  beforeAll(() => {
    const corpus = writeText(dir, 'sentences.txt', SENTENCE.repeat(60));
    words = join(dir, 'words');
    bpe = join(dir, 'bpe');
    for (const [tokenizer, out] of [['word', words], ['bpe', bpe]]) {
      const r = runBin(['train', corpus, ...TINY, '--tokenizer', tokenizer, '--lr', '0.02', '--steps', '60', '--out', out]);
      expect(r.status, r.stderr).toBe(0);
    }
  });

  const sample = (model: string, prime: string, json = false): { status: number | null; stdout: string; stderr: string } =>
    runBin(['sample', model, '--prime', prime, '--temperature', '0', '--length', '6', ...(json ? ['--json'] : [])]);

  test('a word model joins the prime and the generated words with its separator', () => {
    const plain = sample(words, 'the quick');
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toBe('the quick brown fox jumps over the lazy\n');
    // --json: prime + text is what the plain output prints.
    const json = JSON.parse(sample(words, 'the quick', true).stdout) as { prime: string; text: string; tokens: number };
    expect(json).toMatchObject({ prime: 'the quick', text: ' brown fox jumps over the lazy', tokens: 6 });
    // A prime that ends with whitespace is separated already: no double space.
    expect(sample(words, 'the quick ').stdout).toBe('the quick brown fox jumps over the lazy\n');
  });

  test('symbols of --prime the vocabulary lacks are counted: a warning on stderr and unknownTokens in --json', () => {
    const char = sample(ck, 'the ΩΩ fox', true);
    expect(char.status).toBe(0);
    expect(char.stderr).toBe(`eddy: warning: 2 of the 10 characters of --prime are not in the vocabulary of ${ck} and were read as <unk>.\n`);
    expect(JSON.parse(char.stdout)).toMatchObject({ unknownTokens: 2 });
    const word = sample(words, 'the zebra quick');
    expect(word.stderr).toBe(`eddy: warning: 1 of the 3 words of --prime is not in the vocabulary of ${words} and was read as <unk>.\n`);
    expect(word.stdout).toMatch(/^the zebra quick \S/);
    const known = sample(words, 'the quick', true);
    expect(known.stderr).toBe('');
    expect(JSON.parse(known.stdout)).toMatchObject({ unknownTokens: 0 });
    // Byte-level BPE reads every string: nothing is unknown.
    const bytes = sample(bpe, 'the 🦓 zébra', true);
    expect(bytes.stderr).toBe('');
    expect(JSON.parse(bytes.stdout)).toMatchObject({ prime: 'the 🦓 zébra', unknownTokens: 0 });
  });
});
