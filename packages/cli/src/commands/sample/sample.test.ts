import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runMain, SENTENCE, tempDir, writeText } from '../../test/helpers.js';

let ck: string;

beforeAll(async () => {
  const dir = tempDir();
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

  test('top-k 1 is greedy', async () => {
    const greedy = await runMain(['sample', ck, '--prime', 'lazy', '--temperature', '0', '--length', '20']);
    const topK = await runMain(['sample', ck, '--prime', 'lazy', '--top-k', '1', '--length', '20', '--seed', '99']);
    expect(topK.stdout).toBe(greedy.stdout);
  });
});
