import type { Vocab, VocabJSON } from '../vocab.js';

/**
 * Turns text into ids of a {@link Vocab} and back. Every tokenizer maps what it has not seen to
 * `<unk>` (it never throws on text) and round-trips through `toConfig()` / `tokenizerFromConfig()`.
 *
 * Decoding drops `<pad>`, `<bos>` and `<eos>` (the word tokenizer can turn `<eos>` into a newline,
 * see its options) and writes `<unk>` as the tokenizer's `unkText`.
 */
export interface Tokenizer {
  /** Which tokenizer this is; the `type` of its config. */
  readonly type: TokenizerConfig['type'];
  /** The vocabulary the ids index. */
  readonly vocab: Vocab;
  /** Ids of `text`, in order. */
  encode(text: string): Int32Array;
  /** Text of `ids` (every id must be in [0, vocab.size); others throw `E_ARGUMENT`). */
  decode(ids: ArrayLike<number>): string;
  /**
   * A decoder that takes ids one at a time and returns the text each completes, for streaming
   * samples to a terminal: the concatenation of its outputs (and `flush()`) equals `decode(ids)`.
   */
  streamDecoder(): StreamDecoder;
  /** Everything needed to rebuild this tokenizer: plain JSON. */
  toConfig(): TokenizerConfig;
}

/** See {@link Tokenizer.streamDecoder}. */
export interface StreamDecoder {
  /** The text that `id` completes (may be empty: a byte-level token can end mid-character). */
  push(id: number): string;
  /** Whatever is still pending (an incomplete UTF-8 sequence becomes U+FFFD). */
  flush(): string;
}

/** Config of a {@link CharTokenizer}. */
export interface CharTokenizerConfig {
  type: 'char';
  version: 1;
  vocab: VocabJSON;
}

/** Config of a {@link WordTokenizer}. */
export interface WordTokenizerConfig {
  type: 'word';
  version: 1;
  vocab: VocabJSON;
  /** Source of the regular expression whose matches are the words (flags `gu` are added). */
  pattern: string;
  lowercase: boolean;
  separator: string;
  newlineAsEos: boolean;
}

/** Config of a {@link BpeTokenizer}. */
export interface BpeTokenizerConfig {
  type: 'bpe';
  version: 1;
  vocab: VocabJSON;
  /** Merge i joins the tokens with ids `merges[i][0]` and `merges[i][1]` into id 260 + i. */
  merges: [number, number][];
}

/** The config of any tokenizer, discriminated by `type`. */
export type TokenizerConfig = CharTokenizerConfig | WordTokenizerConfig | BpeTokenizerConfig;
