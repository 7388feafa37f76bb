import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { additionPairs, datePairs, DATE_FORMATS, engFraPairs, heldOutSplit, normalizeString, readEngFra, toTsv } from './index.js';

describe('seq2seq benchmark data', () => {
  test('addition: Keras questions, distinct unordered, right sums, seeded', () => {
    const pairs = additionPairs({ count: 2000, seed: 1 });
    expect(pairs).toHaveLength(2000);
    const keys = new Set<string>();
    for (const { source, target } of pairs) {
      expect(source).toMatch(/^\d{1,3}\+\d{1,3}$/);
      const [a, b] = source.split('+').map(Number);
      expect(target).toBe(String(a + b));
      keys.add([a, b].sort((x, y) => x - y).join('+'));
    }
    expect(keys.size).toBe(2000);
    expect(additionPairs({ count: 50, seed: 1 })).toEqual(pairs.slice(0, 50));
    expect(additionPairs({ count: 50, seed: 2 })).not.toEqual(pairs.slice(0, 50));
    expect(() => additionPairs({ count: 56, digits: 1, seed: 0 })).toThrow(/only 55/);
  });

  test('dates: every format, the right ISO day, held out by day', () => {
    expect(Object.values(DATE_FORMATS).map((f) => f(1999, 5, 3, 1))).toEqual([
      '3 May 1999', 'May 3, 1999', '05/03/99', '3.5.1999', 'Monday, May 3, 1999', '3 may 99', 'the 3rd of May 1999', '1999/05/03',
    ]);
    const pairs = datePairs({ count: 3000, seed: 5 });
    expect(new Set(pairs.map((p) => p.source)).size).toBe(3000);
    for (const { source, target } of pairs.slice(0, 300)) {
      expect(target).toMatch(/^(19[5-9]\d|20[0-4]\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);
      const [y, m, d] = target.split('-').map(Number);
      const w = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
      expect(Object.values(DATE_FORMATS).some((f) => f(y, m, d, w) === source)).toBe(true);
    }
    const { train, test: held } = heldOutSplit(pairs, { fraction: 0.1, seed: 3, key: (p) => p.target });
    expect(train.length + held.length).toBe(3000);
    const trainDays = new Set(train.map((p) => p.target));
    expect(held.every((p) => !trainDays.has(p.target))).toBe(true);
    expect(held.length).toBeGreaterThan(200);
  });

  test('eng-fra: the tutorial normalisation and filter, French → English', () => {
    expect(normalizeString("  J'ai froid.  ")).toBe('j ai froid');
    expect(normalizeString('Ça alors\u202f!')).toBe('ca alors !');
    expect(normalizeString("I'm OK.")).toBe('i m ok');
    const text = [
      "I'm cold.\tJ'ai froid.\tCC-BY 2.0",
      'He is tall.\tIl est grand.',
      'Go.\tVa !',
      "They're a very very very very very very very very long line.\tTrop long.",
      "She's here!\tElle est là !",
    ].join('\n');
    expect(engFraPairs(text)).toEqual([
      { source: 'j ai froid', target: 'i m cold' },
      { source: 'il est grand', target: 'he is tall' },
      { source: 'elle est la !', target: 'she s here !' },
    ]);
    expect(toTsv(engFraPairs(text).slice(0, 1))).toBe('j ai froid\ti m cold\n');
  });

  const shared = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'eng-fra', 'fra.txt');
  test.skipIf(!existsSync(shared))('eng-fra: the shared file gives the tutorial-sized subset', () => {
    const pairs = readEngFra(shared);
    // The tutorial's (older, 135 842-line) file gives 10 599 pairs; this 2017 export has more sentences.
    expect(pairs.length).toBeGreaterThan(10_000);
    expect(pairs.length).toBeLessThan(15_000);
    const { train, test: held } = heldOutSplit(pairs, { fraction: 0.1, seed: 1 });
    const sources = new Set(train.map((p) => p.source));
    expect(held.every((p) => !sources.has(p.source))).toBe(true);
  });
});
