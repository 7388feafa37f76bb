import { checkConfig, checkInt, checkOptions, describe, fail, readingFile } from '../errors.js';
import { PAD, SPECIAL_TOKENS, UNK, Vocab } from '../vocab.js';
import { checkId } from './join-decoder.js';
import { PairHeap } from './pair-heap.js';
import type { BpeTokenizerConfig, StreamDecoder, Tokenizer } from './tokenizer.js';

/** Id of byte b is BYTE_BASE + b; merge i makes id FIRST_MERGE + i. */
const BYTE_BASE = SPECIAL_TOKENS.length;
const FIRST_MERGE = BYTE_BASE + 256;
/** Ids stay below 2²¹ so a pair packs into one exact double key a·2²¹ + b. */
const MAX_BPE_VOCAB = 1 << 21;
const KEY = 1 << 21;
/** A merge may not make a token longer than this many bytes (keeps symbols and configs bounded). */
export const MAX_TOKEN_BYTES = 256;

/**
 * GPT-2's pre-tokenizer (Radford et al. 2019, `encoder.py`): contractions, letters, digits and other
 * runs with an optional leading space, whitespace. Merges never cross these chunks, which keeps
 * tokens word-like and lets training count each distinct chunk once. Every code point matches
 * some alternative, so the chunks tile the text.
 */
const CHUNK = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * GPT-2's printable stand-in for each byte (`bytes_to_unicode`): printable Latin-1 bytes are
 * themselves, the rest are shifted to U+0100…; symbols in vocab.json stay readable ("Ġthe").
 */
const BYTE_CHAR: string[] = (() => {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let shifted = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCharCode(printable(b) ? b : 256 + shifted++));
  return out;
})();

const encoder = new TextEncoder();
/** UTF-8 bytes of U+FFFD, what `<unk>` decodes to. */
const REPLACEMENT_BYTES = encoder.encode('\uFFFD');

/** Options for {@link BpeTokenizer.train}. */
export interface BpeTrainOptions {
  /** Vocabulary size to reach: 4 specials + 256 bytes + merges (≥ 260). */
  vocabSize: number;
  /** Stop early when the most frequent pair occurs fewer times than this (default 2). */
  minFrequency?: number;
}

function byteString(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_CHAR[bytes[i]];
  return s;
}

/**
 * Byte-level byte-pair encoding (Sennrich et al. 2016; GPT-2's byte-level variant). Text is
 * split into GPT-2 chunks, each chunk becomes its UTF-8 bytes (ids 4…259), and learned merges
 * join adjacent tokens (merge i makes id 260 + i). Every byte has a token, so nothing is `<unk>`
 * and `decode(encode(s)) === s` for every well-formed string s.
 *
 * NOTE: JavaScript strings may hold lone surrogates, which are not Unicode scalar values and have
 * no UTF-8 encoding. `TextEncoder` (the WHATWG encoding standard) replaces each with U+FFFD, so for
 * such strings `decode(encode(s))` is `s` with every lone surrogate turned into U+FFFD (`s.toWellFormed()`).
 *
 * Training (`BpeTokenizer.train`): repeatedly merge the most frequent adjacent pair over the
 * corpus's chunks, ties broken by the smaller (left id, right id), until `vocabSize` is reached or
 * no pair is frequent enough. Pair counts are updated incrementally (only chunks holding the
 * merged pair are touched), so a 1 MB corpus trains in seconds. A merge is skipped when its token
 * would be longer than {@link MAX_TOKEN_BYTES} bytes or would spell a symbol the vocabulary already
 * has (a special token, or the same bytes reached by another merge path), which keeps the
 * vocabulary a bijection. Encoding applies merges by rank (earliest learned first, leftmost first
 * within a rank), as GPT-2 does.
 *
 * @example
 * const tok = BpeTokenizer.train(corpus, { vocabSize: 1000 });
 * const ids = tok.encode('héllo 🌍');
 * tok.decode(ids) === 'héllo 🌍';                 // true, for any well-formed string
 * BpeTokenizer.fromConfig(JSON.parse(JSON.stringify(tok.toConfig())));
 */
export class BpeTokenizer implements Tokenizer {
  readonly type = 'bpe' as const;
  readonly vocab: Vocab;
  /** Merge ranks by pair key a·2²¹ + b. */
  private readonly rank = new Map<number, number>();
  private readonly merges: [number, number][];
  /** The bytes of every id (specials: empty, `<unk>`: U+FFFD). */
  private readonly bytesOf: Uint8Array[];
  /** Encoded chunks: text is mostly repeated words. */
  private readonly cache = new Map<string, Int32Array>();

  /** Builds the tokenizer of a merge list; use `train` or `fromConfig` rather than this. */
  constructor(merges: readonly (readonly [number, number])[]) {
    if (!Array.isArray(merges) || merges.length > MAX_BPE_VOCAB - FIRST_MERGE) {
      throw fail('E_ARGUMENT', `BpeTokenizer: merges must be an array of at most ${MAX_BPE_VOCAB - FIRST_MERGE} pairs, got ${describe(merges)}`);
    }
    this.bytesOf = SPECIAL_TOKENS.map((_, id) => (id === UNK ? REPLACEMENT_BYTES : new Uint8Array(0)));
    for (let b = 0; b < 256; b++) this.bytesOf.push(Uint8Array.of(b));
    this.merges = [];
    merges.forEach((pair, i) => {
      const [a, b] = checkMerge('BpeTokenizer', pair, i);
      const bytes = new Uint8Array(this.bytesOf[a].length + this.bytesOf[b].length);
      bytes.set(this.bytesOf[a]);
      bytes.set(this.bytesOf[b], this.bytesOf[a].length);
      if (bytes.length > MAX_TOKEN_BYTES) throw fail('E_ARGUMENT', `BpeTokenizer: merge ${i} makes a token of ${bytes.length} bytes, more than ${MAX_TOKEN_BYTES}`);
      this.bytesOf.push(bytes);
      this.merges.push([a, b]);
      this.rank.set(a * KEY + b, i);
    });
    // The Vocab constructor rejects two merges that spell the same bytes.
    this.vocab = new Vocab(this.bytesOf.slice(BYTE_BASE).map(byteString));
  }

  /** Learns merges on `corpus` up to `options.vocabSize` (see the class notes for the rules). */
  static train(corpus: string, options: BpeTrainOptions): BpeTokenizer {
    const where = 'BpeTokenizer.train';
    if (typeof corpus !== 'string') throw fail('E_ARGUMENT', `${where}: corpus must be a string, got ${describe(corpus)}`);
    const o = checkOptions(where, options, ['vocabSize', 'minFrequency']);
    const vocabSize = checkInt(where, 'vocabSize', o.vocabSize, FIRST_MERGE, MAX_BPE_VOCAB);
    const minFrequency = checkInt(where, 'minFrequency', o.minFrequency === undefined ? 2 : o.minFrequency, 1);
    return new BpeTokenizer(learnMerges(corpus, vocabSize - FIRST_MERGE, minFrequency));
  }

  encode(text: string): Int32Array {
    const pieces: Int32Array[] = [];
    let total = 0;
    for (const m of text.matchAll(CHUNK)) {
      const ids = this.encodeChunk(m[0]);
      pieces.push(ids);
      total += ids.length;
    }
    const out = new Int32Array(total);
    let at = 0;
    for (const p of pieces) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    let length = 0;
    for (let i = 0; i < ids.length; i++) {
      checkId('BpeTokenizer.decode', this.vocab, ids[i]);
      length += this.bytesOf[ids[i]].length;
    }
    const bytes = new Uint8Array(length);
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      bytes.set(this.bytesOf[ids[i]], at);
      at += this.bytesOf[ids[i]].length;
    }
    // ignoreBOM: a leading U+FEFF is text, not a byte-order mark to strip.
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  }

  streamDecoder(): StreamDecoder {
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    return {
      push: (id: number) => {
        checkId('BpeTokenizer.decode', this.vocab, id);
        return decoder.decode(this.bytesOf[id], { stream: true });
      },
      flush: () => decoder.decode(),
    };
  }

  toConfig(): BpeTokenizerConfig {
    return { type: 'bpe', version: 1, vocab: this.vocab.toJSON(), merges: this.merges.map(([a, b]) => [a, b]) };
  }

  /**
   * Rebuilds a tokenizer from `toConfig()` output. Untrusted input: merges must reference bytes or
   * earlier merges, and the stored vocabulary must be exactly the one the merges spell (else
   * `E_FORMAT`). Both are compared before any token is built, merge by merge against the stored
   * symbols, so loading costs time and memory in proportion to the config's own size.
   */
  static fromConfig(config: unknown): BpeTokenizer {
    return readingFile(() => BpeTokenizer.read(config));
  }

  private static read(config: unknown): BpeTokenizer {
    const where = 'BpeTokenizer.fromConfig';
    const o = checkConfig(where, config, 'bpe');
    const stored = Vocab.fromJSON(o.vocab);
    const merges = o.merges;
    if (!Array.isArray(merges)) throw fail('E_ARGUMENT', `${where}: merges must be an array of id pairs, got ${describe(merges)}`);
    if (stored.size !== FIRST_MERGE + merges.length) {
      throw fail('E_ARGUMENT', `${where}: vocab has ${stored.size} symbols but the ${merges.length} merges make ${FIRST_MERGE + merges.length}`);
    }
    // A merge's symbol is its two parts' symbols joined (one character per byte), so the stored
    // strings are checked without building a token; the specials were checked by Vocab.fromJSON.
    for (let b = 0; b < 256; b++) {
      if (stored.symbol(BYTE_BASE + b) !== BYTE_CHAR[b]) {
        throw fail('E_ARGUMENT', `${where}: vocab symbol ${BYTE_BASE + b} is ${describe(stored.symbol(BYTE_BASE + b))} but byte ${b} is ${describe(BYTE_CHAR[b])}`);
      }
    }
    merges.forEach((pair: unknown, i) => {
      const [a, b] = checkMerge(where, pair, i);
      const spelled = stored.symbol(a) + stored.symbol(b);
      if (stored.symbol(FIRST_MERGE + i) !== spelled) {
        throw fail('E_ARGUMENT', `${where}: vocab symbol ${FIRST_MERGE + i} is ${describe(stored.symbol(FIRST_MERGE + i))} but merge ${i} spells ${describe(spelled)}`);
      }
    });
    return new BpeTokenizer(merges as [number, number][]);
  }

  /** Ids of one pre-tokenizer chunk: its bytes, then merges by rank (leftmost first within a rank). */
  private encodeChunk(chunk: string): Int32Array {
    const hit = this.cache.get(chunk);
    if (hit !== undefined) return hit;
    const bytes = encoder.encode(chunk);
    const n = bytes.length;
    const sym = new Int32Array(n);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      sym[i] = BYTE_BASE + bytes[i];
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const heap = new PairHeap();
    const rankAt = (i: number): number => (next[i] < 0 ? -1 : this.rank.get(sym[i] * KEY + sym[next[i]]) ?? -1);
    const offer = (i: number) => {
      const r = rankAt(i);
      if (r >= 0) heap.push(r, i);
    };
    for (let i = 0; i + 1 < n; i++) offer(i);
    let count = n;
    while (heap.size > 0) {
      const r = heap.peekP();
      const i = heap.peekQ();
      heap.pop();
      // Stale when i was absorbed by a merge on its left (sym[i] = PAD marks it) or its pair changed.
      if (sym[i] === PAD || rankAt(i) !== r) continue;
      const j = next[i];
      sym[i] = FIRST_MERGE + r;
      sym[j] = PAD;
      next[i] = next[j];
      if (next[j] >= 0) prev[next[j]] = i;
      count--;
      if (prev[i] >= 0) offer(prev[i]);
      offer(i);
    }
    const out = new Int32Array(count);
    for (let i = 0, k = 0; i >= 0 && k < count; i = next[i]) out[k++] = sym[i];
    if (this.cache.size >= 1 << 16) this.cache.clear();
    this.cache.set(chunk, out);
    return out;
  }
}

/** Merge `i` as two ids, each a byte or an earlier merge; E_ARGUMENT naming it otherwise. */
function checkMerge(where: string, pair: unknown, i: number): [number, number] {
  const id = FIRST_MERGE + i;
  const ok = Array.isArray(pair) && pair.length === 2 && pair.every((x) => Number.isInteger(x) && x >= BYTE_BASE && x < id);
  if (!ok) throw fail('E_ARGUMENT', `${where}: merge ${i} must be two ids in [${BYTE_BASE}, ${id - 1}], got ${describe(pair)}`);
  return pair as [number, number];
}

/**
 * The merge list of `corpus`: at most `maxMerges` merges, each of the currently most frequent
 * adjacent pair (ties: smaller left id, then smaller right id), stopping below `minFrequency`.
 */
function learnMerges(corpus: string, maxMerges: number, minFrequency: number): [number, number][] {
  // Distinct chunks with their counts: merges are counted per chunk type, weighted by frequency.
  const chunkCounts = new Map<string, number>();
  for (const m of corpus.matchAll(CHUNK)) chunkCounts.set(m[0], (chunkCounts.get(m[0]) ?? 0) + 1);
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [chunk, c] of chunkCounts) {
    const bytes = encoder.encode(chunk);
    if (bytes.length < 2) continue; // no pairs to count
    words.push(Array.from(bytes, (b) => BYTE_BASE + b));
    freq.push(c);
  }

  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>(); // may list words that lost the pair (checked on use)
  const changed = new Set<number>();
  const add = (key: number, delta: number, w: number) => {
    pairCount.set(key, (pairCount.get(key) ?? 0) + delta);
    changed.add(key);
    if (delta > 0) {
      let set = pairWords.get(key);
      if (set === undefined) pairWords.set(key, (set = new Set()));
      set.add(w);
    }
  };
  const countWord = (w: number, sign: 1 | -1) => {
    const word = words[w];
    for (let i = 0; i + 1 < word.length; i++) add(word[i] * KEY + word[i + 1], sign * freq[w], w);
  };
  words.forEach((_, w) => countWord(w, 1));

  // Max-heap on count via p = −count; ties by the smaller key, i.e. (left id, right id).
  const heap = new PairHeap();
  const flush = () => {
    for (const key of changed) {
      const c = pairCount.get(key) as number;
      if (c > 0) heap.push(-c, key);
      else {
        pairCount.delete(key);
        pairWords.delete(key);
      }
    }
    changed.clear();
  };
  flush();

  const merges: [number, number][] = [];
  const lengths: number[] = SPECIAL_TOKENS.map(() => 0);
  const symbols = new Set<string>(SPECIAL_TOKENS);
  const spelled: string[] = SPECIAL_TOKENS.map((s) => s);
  for (let b = 0; b < 256; b++) {
    lengths.push(1);
    spelled.push(BYTE_CHAR[b]);
    symbols.add(BYTE_CHAR[b]);
  }
  const banned = new Set<number>();

  while (merges.length < maxMerges && heap.size > 0) {
    const count = -heap.peekP();
    const key = heap.peekQ();
    heap.pop();
    if (pairCount.get(key) !== count || banned.has(key)) continue; // stale entry
    if (count < minFrequency) break; // the most frequent pair is too rare: so are all others
    const a = Math.floor(key / KEY);
    const b = key - a * KEY;
    const symbol = spelled[a] + spelled[b];
    if (lengths[a] + lengths[b] > MAX_TOKEN_BYTES || symbols.has(symbol)) {
      banned.add(key);
      continue;
    }
    const id = FIRST_MERGE + merges.length;
    merges.push([a, b]);
    lengths.push(lengths[a] + lengths[b]);
    spelled.push(symbol);
    symbols.add(symbol);

    for (const w of pairWords.get(key) ?? []) {
      const word = words[w];
      let has = false;
      for (let i = 0; i + 1 < word.length && !has; i++) has = word[i] === a && word[i + 1] === b;
      if (!has) continue;
      countWord(w, -1);
      const merged: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
          merged.push(id);
          i++;
        } else merged.push(word[i]);
      }
      words[w] = merged;
      countWord(w, 1);
    }
    flush();
  }
  return merges;
}
