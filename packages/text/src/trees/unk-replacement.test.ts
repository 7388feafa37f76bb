import { EddyError, Generator } from '@eddy/autograd';
import { describe, expect, it } from 'vitest';
import { Vocab } from '../vocab.js';
import { leafWordCounts, levelSchedule, parseTrees, unkReplacement } from './index.js';

const TREES = parseTrees('(3 (2 the) (3 (2 the) (4 great)))\n(1 (2 the) (1 dull))\n(2 (2 the) (2 film))\n');

describe('leafWordCounts', () => {
  it('counts every leaf word of every tree', () => {
    expect(Object.fromEntries(leafWordCounts(TREES))).toEqual({ the: 4, great: 1, dull: 1, film: 1 });
  });
});

describe('unkReplacement', () => {
  const vocab = new Vocab(['the', 'great', 'dull', 'film']);
  const unk = vocab.id('<unk>');

  it('reads a word seen c times as <unk> with probability α / (α + c)', () => {
    const counts = new Map([['great', 1], ['film', 100], ['the', 4]]);
    const rng = new Generator(7);
    for (const alpha of [0.25, 1, 4]) {
      const ids = unkReplacement(vocab, counts, alpha, unk, rng);
      for (const [word, c] of counts) {
        const n = 40_000;
        let replaced = 0;
        for (let i = 0; i < n; i++) if (ids.id(word) === unk) replaced++;
        const p = alpha / (alpha + c);
        // Within 5 binomial standard deviations (and 0.002 for the rarest).
        expect(Math.abs(replaced / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n) + 0.002);
      }
    }
    // Kept words keep their own ids; a word never counted is always <unk>.
    const ids = unkReplacement(vocab, counts, 0.25, unk, new Generator(1));
    const seen = new Set(Array.from({ length: 200 }, () => ids.id('the')));
    expect([...seen].sort()).toEqual([unk, vocab.id('the')].sort());
    expect(ids.id('absent')).toBe(unk);
  });

  it('is the vocabulary itself at α = 0, and reproducible from a seeded generator', () => {
    const counts = leafWordCounts(TREES);
    expect(unkReplacement(vocab, counts, 0, unk, new Generator(1))).toBe(vocab);
    const words = (seed: number) => levelSchedule(TREES, unkReplacement(vocab, counts, 2, unk, new Generator(seed))).leaves.words;
    expect(Array.from(words(5))).toEqual(Array.from(words(5)));
    const draws = Array.from({ length: 20 }, (_, s) => Array.from(words(s)).join());
    expect(new Set(draws).size).toBeGreaterThan(1);
    // The frequent word is replaced less often than the words seen once.
    const plain = Array.from(levelSchedule(TREES, vocab).leaves.words);
    let theKept = 0;
    let rareKept = 0;
    for (let s = 0; s < 200; s++) {
      Array.from(words(s)).forEach((w, i) => {
        if (w !== plain[i]) return;
        if (plain[i] === vocab.id('the')) theKept++;
        else rareKept++;
      });
    }
    expect(theKept / (200 * 4)).toBeGreaterThan(rareKept / (200 * 3) + 0.2); // 2/3 against 1/3 expected
  });

  it('names a bad argument', () => {
    const counts = new Map<string, number>();
    const bad = (f: () => unknown, what: RegExp) => {
      expect(f).toThrow(EddyError);
      expect(f).toThrow(what);
    };
    bad(() => unkReplacement({} as never, counts, 1, unk, new Generator(1)), /words must map a word/);
    bad(() => unkReplacement(vocab, {} as never, 1, unk, new Generator(1)), /counts must be a Map/);
    bad(() => unkReplacement(vocab, counts, -1, unk, new Generator(1)), /alpha must be a finite number ≥ 0, got -1/);
    bad(() => unkReplacement(vocab, counts, Number.NaN, unk, new Generator(1)), /alpha must be a finite number/);
    bad(() => unkReplacement(vocab, counts, 1, 1.5, new Generator(1)), /unkId must be an integer/);
    bad(() => unkReplacement(vocab, counts, 1, unk, {} as never), /rng must have nextDouble/);
  });
});
