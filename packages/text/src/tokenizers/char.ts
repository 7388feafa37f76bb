import { checkConfig, checkInt, checkOptions, fail, describe, readingFile } from '../errors.js';
import { Vocab } from '../vocab.js';
import { JoinDecoder } from './join-decoder.js';
import type { CharTokenizerConfig, StreamDecoder, Tokenizer } from './tokenizer.js';

/** Options for {@link CharTokenizer.fromCorpus}. */
export interface CharTokenizerOptions {
  /** Keep characters seen at least this often; rarer ones become `<unk>` (default 1). */
  minCount?: number;
}

/** What `<unk>` decodes to: U+FFFD REPLACEMENT CHARACTER, Unicode's mark for an unknown character. */
const UNK_TEXT = '\uFFFD';

/**
 * One token per Unicode code point (char-rnn's tokenizer, made Unicode-correct: an emoji is one
 * token, not two UTF-16 halves). A lone surrogate is a code point of its own and round-trips.
 *
 * `decode(encode(s)) === s` whenever every character of `s` is in the vocabulary; unseen ones
 * come back as U+FFFD.
 *
 * @example
 * const tok = CharTokenizer.fromCorpus('hello world');
 * tok.encode('hold');               // Int32Array of 4 ids
 * tok.decode(tok.encode('hold'));   // 'hold'
 * tok.decode(tok.encode('hi!'));    // 'h\uFFFD\uFFFD' ('i' and '!' were never seen)
 */
export class CharTokenizer implements Tokenizer {
  readonly type = 'char' as const;

  constructor(readonly vocab: Vocab) {}

  /** The tokenizer of `corpus`: its code points, most frequent first (ties in code-point order). */
  static fromCorpus(corpus: string, options: CharTokenizerOptions = {}): CharTokenizer {
    if (typeof corpus !== 'string') throw fail('E_ARGUMENT', `CharTokenizer.fromCorpus: corpus must be a string, got ${describe(corpus)}`);
    checkOptions('CharTokenizer.fromCorpus', options, ['minCount']);
    const minCount = checkInt('CharTokenizer.fromCorpus', 'minCount', options.minCount === undefined ? 1 : options.minCount, 1);
    const counts = new Map<string, number>();
    for (const ch of corpus) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    return new CharTokenizer(Vocab.fromCounts(counts, { minCount }));
  }

  encode(text: string): Int32Array {
    const ids = new Int32Array(text.length); // code points ≤ UTF-16 units
    let n = 0;
    for (const ch of text) ids[n++] = this.vocab.id(ch);
    return ids.slice(0, n);
  }

  decode(ids: ArrayLike<number>): string {
    return this.joinDecoder().decodeAll(ids);
  }

  streamDecoder(): StreamDecoder {
    return this.joinDecoder();
  }

  toConfig(): CharTokenizerConfig {
    return { type: 'char', version: 1, vocab: this.vocab.toJSON() };
  }

  /** Rebuilds a tokenizer from `toConfig()` output; malformed input throws `E_FORMAT`. */
  static fromConfig(config: unknown): CharTokenizer {
    return readingFile(() => CharTokenizer.read(config));
  }

  private static read(config: unknown): CharTokenizer {
    const o = checkConfig('CharTokenizer.fromConfig', config, 'char');
    const vocab = Vocab.fromJSON(o.vocab);
    for (let id = 4; id < vocab.size; id++) {
      const s = vocab.symbol(id);
      if (s.length === 0 || s.length > 2 || [...s].length !== 1) {
        throw fail('E_ARGUMENT', `CharTokenizer.fromConfig: symbol ${id} must be one code point, got ${describe(s)}`);
      }
    }
    return new CharTokenizer(vocab);
  }

  private joinDecoder(): JoinDecoder {
    return new JoinDecoder('CharTokenizer.decode', this.vocab, '', UNK_TEXT, '');
  }
}
