// `--threads` on the commands that use a trained model (issue 15: every command family takes it and
// the thread count never changes the numbers): eval, sample, seq2seq translate and eval give the
// same output on 1 and 2 threads, and their help lists the option.
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runBin, runMain, SENTENCE, tempDir, TINY, writeText } from './test/helpers.js';

describe('--threads on the inference commands', () => {
  let dir: string;
  let lm: string;
  let corpus: string;
  let s2s: string;
  let pairs: string;
  beforeAll(async () => {
    dir = tempDir();
    corpus = writeText(dir, 'corpus.txt', SENTENCE.repeat(40));
    lm = join(dir, 'lm');
    expect((await runMain(['train', corpus, ...TINY, '--steps', '6', '--out', lm, '--threads', '1'])).code).toBe(0);
    // Batches of 32 sources of 9–13 letters: the decoder's products are large enough to split.
    const words = Array.from({ length: 64 }, (_, i) => 'abcdefgh'.repeat(2).slice(i % 8, (i % 8) + 9 + (i % 5)));
    pairs = writeText(dir, 'pairs.tsv', words.map((w) => `${w}\t${[...w].reverse().join('')}\n`).join(''));
    s2s = join(dir, 's2s');
    const r = runBin(['seq2seq', 'train', pairs, '--valid', pairs, '--hidden', '64', '--epochs', '1', '--out', s2s, '--threads', '1']);
    expect(r.status, r.stderr).toBe(0);
  }, 60_000);

  test('eval and sample print the same on 1 and 2 threads', async () => {
    for (const argv of [['eval', lm, corpus, '--json'], ['sample', lm, '--length', '40', '--seed', '7']]) {
      const one = await runMain([...argv, '--threads', '1']);
      const two = await runMain([...argv, '--threads', '2']);
      expect(one.code, one.stderr).toBe(0);
      expect(two.stdout).toBe(one.stdout);
    }
  });

  test('seq2seq translate (greedy and beam) and eval print the same on 1 and 2 threads', async () => {
    for (const argv of [
      ['seq2seq', 'translate', s2s, '--input', pairs, '--json'],
      ['seq2seq', 'translate', s2s, '--input', pairs, '--beam', '3', '--json'],
      ['seq2seq', 'eval', s2s, pairs, '--json'],
    ]) {
      const one = await runMain([...argv, '--threads', '1']);
      const two = await runMain([...argv, '--threads', '2']);
      expect(one.code, one.stderr).toBe(0);
      expect(one.stdout.length).toBeGreaterThan(0);
      expect(two.stdout).toBe(one.stdout);
    }
  });

  test('the help of every command that runs a model lists --threads', async () => {
    for (const command of [['sample'], ['eval'], ['seq2seq', 'translate'], ['seq2seq', 'eval'], ['classify', 'predict'], ['classify', 'eval'], ['tree', 'predict'], ['tree', 'eval']]) {
      const help = await runMain([...command, '--help']);
      expect(help.stdout, command.join(' ')).toMatch(/--threads N/);
    }
    expect((await runMain(['seq2seq', 'translate', s2s, '--threads', '0'])).code).toBe(2);
  });
});
