import { Generator } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { randomString } from '../test-utils.js';
import { BOS, EOS, PAD, UNK } from '../vocab.js';
import { BpeTokenizer } from './bpe.js';
import { tokenizerFromConfig } from './from-config.js';

const CORPUS = [
  'the quick brown fox jumps over the lazy dog. ',
  'The theory of the thing: there, then, the other! ',
  'naïve café — 東京 and 東京タワー 🌍🌍 ',
  "it's what we've done, isn't it? 12345 67890\n\n  indented\tline\n",
].join('').repeat(3);

/** Naive BPE training for reference: recount every pair before every merge (Sennrich et al.'s loop). */
function naiveMerges(corpus: string, maxMerges: number): [number, number][] {
  const chunks = corpus.match(/'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu) ?? [];
  let words = chunks.map((c) => Array.from(new TextEncoder().encode(c), (b) => b + 4));
  const spelled = new Map<number, string>();
  for (let b = 0; b < 256; b++) spelled.set(b + 4, String.fromCharCode(b));
  const seen = new Set(spelled.values());
  const merges: [number, number][] = [];
  const banned = new Set<string>();
  while (merges.length < maxMerges) {
    const counts = new Map<string, number>();
    for (const w of words) for (let i = 0; i + 1 < w.length; i++) counts.set(`${w[i]},${w[i + 1]}`, (counts.get(`${w[i]},${w[i + 1]}`) ?? 0) + 1);
    let best: [number, number] | null = null;
    let bestCount = 1; // minFrequency 2
    for (const [k, c] of counts) {
      if (banned.has(k)) continue;
      const [a, b] = k.split(',').map(Number);
      if (c > bestCount || (c === bestCount && best !== null && (a < best[0] || (a === best[0] && b < best[1])))) {
        best = [a, b];
        bestCount = c;
      }
    }
    if (best === null) break;
    const [a, b] = best;
    const s = spelled.get(a)! + spelled.get(b)!;
    if (seen.has(s)) {
      banned.add(`${a},${b}`);
      continue;
    }
    const id = 260 + merges.length;
    merges.push([a, b]);
    spelled.set(id, s);
    seen.add(s);
    words = words.map((w) => {
      const out: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (w[i] === a && w[i + 1] === b) {
          out.push(id);
          i++;
        } else out.push(w[i]);
      }
      return out;
    });
  }
  return merges;
}

/** GPT-2's `bpe()` for reference: merge every occurrence of the lowest-ranked pair, repeat. */
function naiveEncodeChunk(bytes: Uint8Array, merges: [number, number][]): number[] {
  let w = Array.from(bytes, (b) => b + 4);
  for (;;) {
    let bestRank = Infinity;
    for (let i = 0; i + 1 < w.length; i++) {
      const r = merges.findIndex(([a, b]) => a === w[i] && b === w[i + 1]);
      if (r >= 0 && r < bestRank) bestRank = r;
    }
    if (bestRank === Infinity) return w;
    const [a, b] = merges[bestRank];
    const out: number[] = [];
    for (let i = 0; i < w.length; i++) {
      if (w[i] === a && w[i + 1] === b) {
        out.push(260 + bestRank);
        i++;
      } else out.push(w[i]);
    }
    w = out;
  }
}

describe('BpeTokenizer', () => {
  const tok = BpeTokenizer.train(CORPUS, { vocabSize: 360 });
  const merges = tok.toConfig().merges;

  test('incremental training learns the same merges as recounting before every merge', () => {
    expect(merges.length).toBe(100);
    expect(merges).toEqual(naiveMerges(CORPUS, 100));
  });

  test('encoding applies merges by rank exactly as GPT-2', () => {
    const rng = new Generator(3);
    const samples = ['the theory', ' thethethe', 'aaaaaaa', '東京タワー', ...Array.from({ length: 30 }, () => randomString(rng, 12))];
    for (const s of samples) {
      const chunks = s.match(/'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu) ?? [];
      const expected = chunks.flatMap((c) => naiveEncodeChunk(new TextEncoder().encode(c), merges));
      expect([...tok.encode(s)]).toEqual(expected);
    }
  });

  test('merges shorten text it was trained on', () => {
    expect(tok.encode(CORPUS).length).toBeLessThan(new TextEncoder().encode(CORPUS).length / 2);
    expect(tok.vocab.size).toBe(360);
    expect(tok.vocab.symbol(tok.encode(' the')[0])).toBe('Ġthe'); // GPT-2's readable byte symbols
  });

  test('decode(encode(s)) === s for random well-formed UTF-8, astral code points and U+FEFF included', () => {
    const rng = new Generator(7);
    for (let trial = 0; trial < 300; trial++) {
      const s = randomString(rng, 60);
      expect(tok.decode(tok.encode(s))).toBe(s);
    }
    for (const s of ['', '\uFEFFbom', '\u0000', '🌍', ' '.repeat(1000), 'x'.repeat(5000)]) expect(tok.decode(tok.encode(s))).toBe(s);
  });

  test('lone surrogates become U+FFFD (TextEncoder has no UTF-8 for them)', () => {
    const cases: [string, string][] = [
      ['a\uD800b', 'a\uFFFDb'],
      ['\uDC00', '\uFFFD'],
      ['x\uD83D', 'x\uFFFD'],
      ['\uDE00\uD83D', '\uFFFD\uFFFD'], // low then high: not a pair
      ['\uD83D\uDE00', '😀'], // high then low: a pair, kept
    ];
    for (const [s, expected] of cases) expect(tok.decode(tok.encode(s))).toBe(expected);
  });

  test('nothing is <unk>; specials decode to nothing, <unk> to U+FFFD', () => {
    expect([...tok.encode(CORPUS + '\u{10FFFF}')].includes(UNK)).toBe(false);
    expect(tok.decode([BOS, ...tok.encode('hi'), PAD, UNK, EOS])).toBe('hi\uFFFD');
  });

  test('stream decoding holds back partial characters', () => {
    const ids = BpeTokenizer.train('', { vocabSize: 260 }).encode('é🌍'); // bytes only: 2 + 4 tokens
    const bytesOnly = BpeTokenizer.train('', { vocabSize: 260 });
    const d = bytesOnly.streamDecoder();
    const outs = [...ids].map((id) => d.push(id));
    expect(outs).toEqual(['', 'é', '', '', '', '🌍']);
    expect(d.flush()).toBe('');
    const cut = bytesOnly.streamDecoder();
    cut.push(ids[2]);
    expect(cut.flush()).toBe('\uFFFD');
  });

  test('training is deterministic and stops at minFrequency', () => {
    expect(BpeTokenizer.train(CORPUS, { vocabSize: 360 }).toConfig()).toEqual(tok.toConfig());
    const few = BpeTokenizer.train('ab ab cd', { vocabSize: 1000 });
    expect(few.vocab.size).toBeLessThan(270);
    expect(BpeTokenizer.train('ab ab cd', { vocabSize: 1000, minFrequency: 1 }).vocab.size).toBeGreaterThan(few.vocab.size);
  });

  test('no merge spells a special token or repeats a symbol', () => {
    const t = BpeTokenizer.train('<pad> <pad> <pad> <eos><eos>', { vocabSize: 300 });
    const symbols = t.vocab.symbols();
    expect(new Set(symbols).size).toBe(symbols.length);
    expect(t.decode(t.encode('<pad>'))).toBe('<pad>');
    expect([...t.encode('<pad>')].every((id) => id >= 4)).toBe(true);
  });

  test('a 1 MB corpus trains (incremental counts) and round-trips', () => {
    const rng = new Generator(11);
    const words = Array.from({ length: 3000 }, () => randomString(rng, 8).replace(/\s/g, ''));
    const parts: string[] = [];
    let length = 0;
    while (length < 1_000_000) {
      const w = words[Math.min(rng.nextInt(3000), rng.nextInt(3000))]; // skewed, like word frequencies
      parts.push(w);
      length += w.length + 1;
    }
    const corpus = parts.join(' ');
    const big = BpeTokenizer.train(corpus, { vocabSize: 2000 });
    expect(big.vocab.size).toBe(2000);
    expect(big.decode(big.encode(corpus))).toBe(corpus);
  });

  test('config round trip, and corrupt configs are rejected', () => {
    const json = JSON.parse(JSON.stringify(tok.toConfig()));
    const back = tokenizerFromConfig(json);
    expect([...back.encode(CORPUS)]).toEqual([...tok.encode(CORPUS)]);

    const forward = structuredClone(json);
    forward.merges[0] = [4, 300];
    expect(() => tokenizerFromConfig(forward)).toThrow(/merge 0 must be two ids in \[4, 259\], got/);
    const special = structuredClone(json);
    special.merges[1] = [1, 4];
    expect(() => tokenizerFromConfig(special)).toThrow(/merge 1 must be two ids/);
    const renamed = structuredClone(json);
    renamed.vocab.symbols[300] = 'zzz';
    expect(() => tokenizerFromConfig(renamed)).toThrow(/vocab symbol 300 is "zzz" but merge 40 spells/);
    const short = structuredClone(json);
    short.vocab.symbols.pop();
    expect(() => tokenizerFromConfig(short)).toThrow(/vocab has 359 symbols but the 100 merges make 360/);
    expect(() => tokenizerFromConfig({ ...json, merges: 'x' })).toThrow(expect.objectContaining({ code: 'E_FORMAT' }));
  });

  test('bad training options are typed errors', () => {
    expect(() => BpeTokenizer.train('x', { vocabSize: 100 })).toThrow(/vocabSize must be an integer in \[260, 2097152\], got 100/);
    expect(() => BpeTokenizer.train('x', { vocabSize: 300, minFrequency: 0 })).toThrow(/minFrequency must be an integer >= 1/);
  });
});
