import { boolOption, checkConfig, checkInt, checkOptions, describe, fail, optionKeys, readingFile } from '../errors.js';
import { MAX_SYMBOL_LENGTH, Vocab } from '../vocab.js';
import { JoinDecoder } from './join-decoder.js';
import type { StreamDecoder, Tokenizer, WordTokenizerConfig } from './tokenizer.js';

/**
 * The word patterns a config file may hold (as their source text). Each matches non-empty words in
 * time linear in the text; an arbitrary regular expression from a file could backtrack for minutes
 * (`(\w+\s?)+$` on a short line), so a file's pattern must be one of these unless its loader is
 * told to trust it (`tokenizerFromConfig(config, { trustPattern: true })`). Code may pass any
 * pattern.
 */
export const WORD_PATTERNS = Object.freeze({
  /** Runs of non-space characters (the default; PTB's words). */
  whitespace: '\\S+',
  /** Runs of ASCII letters, digits and `_`. */
  word: '\\w+',
  /** Runs of letters, and every other non-space character alone. */
  letters: '\\p{L}+|[^\\s\\p{L}]',
  /** Runs of letters, runs of digits, and every other non-space character alone. */
  lettersDigits: '\\p{L}+|\\p{N}+|[^\\s\\p{L}\\p{N}]',
} as const);

/** Options of a {@link WordTokenizer}. */
export interface WordTokenizerOptions {
  /**
   * Regular expression (source text) whose matches are the words; flags `gu` are added. It must not
   * be able to match the empty string. Default `\S+` (PTB: split on whitespace); see {@link WORD_PATTERNS}.
   */
  pattern?: string;
  /** Lower-case the text before matching (default false). */
  lowercase?: boolean;
  /** Put between words when decoding (default `' '`). */
  separator?: string;
  /** Every newline becomes `<eos>` and `<eos>` decodes to a newline (Zaremba's PTB reader; default false). */
  newlineAsEos?: boolean;
}

/** Options for {@link WordTokenizer.fromConfig} (and `tokenizerFromConfig`). */
export interface WordTokenizerConfigOptions {
  /**
   * Run the config's pattern even when it is not one of {@link WORD_PATTERNS} (default false). Only
   * for configs from a trusted source: a pattern can backtrack for minutes on short text.
   */
  trustPattern?: boolean;
}

/** Options for {@link WordTokenizer.fromCorpus}. */
export interface WordTokenizerTrainOptions extends WordTokenizerOptions {
  /** Keep words seen at least this often (default 1). */
  minCount?: number;
  /** Keep at most this many words, the most frequent (default: all). */
  maxSize?: number;
}

const TOKENIZER_OPTIONS = optionKeys<WordTokenizerOptions>({ pattern: true, lowercase: true, separator: true, newlineAsEos: true });
const TRAIN_OPTIONS = [...TOKENIZER_OPTIONS, ...optionKeys<Omit<WordTokenizerTrainOptions, keyof WordTokenizerOptions>>({ minCount: true, maxSize: true })];

/** Bounds a pattern's source. */
const MAX_PATTERN_LENGTH = 1000;

/**
 * Text a pattern is tried on for empty matches: letters of several scripts, digits, punctuation,
 * spaces and line breaks, so lookaheads, word boundaries and lazy quantifiers that can match
 * nothing show it here.
 */
const EMPTY_MATCH_PROBE = 'a Ab_1 22, x.y\n\t-é ü 中文 😀 \'s ("z")!';

function compile(where: string, pattern: unknown): RegExp {
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
    throw fail('E_ARGUMENT', `${where}: pattern must be a regular expression source of 1 to ${MAX_PATTERN_LENGTH} characters, got ${describe(pattern)}`);
  }
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'gu');
  } catch (e) {
    throw fail('E_ARGUMENT', `${where}: pattern ${describe(pattern)} is not a valid regular expression (${(e as Error).message})`);
  }
  for (const text of ['', EMPTY_MATCH_PROBE]) {
    for (const m of text.matchAll(re)) {
      if (m[0] === '') throw fail('E_ARGUMENT', `${where}: pattern ${describe(pattern)} can match the empty string; words must be non-empty`);
    }
  }
  return re;
}

/**
 * Words as tokens: the matches of a regular expression (default `\S+`), optionally lower-cased,
 * with a vocabulary of the words seen in a corpus (rarer than `minCount` or beyond `maxSize`
 * become `<unk>`; a literal `<unk>` in the text, as in PTB, is the `<unk>` token).
 *
 * NOTE: decoding is not byte-exact. Whatever lies between matches (runs of spaces, tabs, and
 * newlines unless `newlineAsEos`) is lost, the words are joined with `separator`, and lower-casing
 * cannot be undone: `decode(encode(s))` equals `s` only for text already in that normal form
 * (lower-case words separated by single separators).
 *
 * @example
 * const tok = WordTokenizer.fromCorpus('the cat sat\nthe end\n', { newlineAsEos: true });
 * tok.decode(tok.encode('the cat end\n'));  // 'the cat end\n'
 * tok.decode(tok.encode('a dog'));          // '<unk> <unk>'
 */
export class WordTokenizer implements Tokenizer {
  readonly type = 'word' as const;
  readonly pattern: string;
  readonly lowercase: boolean;
  readonly separator: string;
  readonly newlineAsEos: boolean;
  private readonly regex: RegExp;

  constructor(readonly vocab: Vocab, options: WordTokenizerOptions = {}) {
    const where = 'WordTokenizer';
    checkOptions(where, options, TOKENIZER_OPTIONS);
    // `undefined` means "the default"; anything else, null included, must be a valid value.
    this.pattern = options.pattern === undefined ? WORD_PATTERNS.whitespace : options.pattern;
    this.regex = compile(where, this.pattern);
    this.lowercase = boolOption(where, 'lowercase', options.lowercase, false);
    this.newlineAsEos = boolOption(where, 'newlineAsEos', options.newlineAsEos, false);
    const separator = options.separator === undefined ? ' ' : options.separator;
    if (typeof separator !== 'string' || separator.length > MAX_SYMBOL_LENGTH) {
      throw fail('E_ARGUMENT', `${where}: separator must be a string of at most ${MAX_SYMBOL_LENGTH} units, got ${describe(separator)}`);
    }
    this.separator = separator;
  }

  /** The tokenizer of `corpus`: its words, most frequent first (ties in code-point order). */
  static fromCorpus(corpus: string, options: WordTokenizerTrainOptions = {}): WordTokenizer {
    if (typeof corpus !== 'string') throw fail('E_ARGUMENT', `WordTokenizer.fromCorpus: corpus must be a string, got ${describe(corpus)}`);
    checkOptions('WordTokenizer.fromCorpus', options, TRAIN_OPTIONS);
    const { minCount: rawMinCount, maxSize, ...tokenizerOptions } = options;
    const minCount = checkInt('WordTokenizer.fromCorpus', 'minCount', rawMinCount === undefined ? 1 : rawMinCount, 1);
    const probe = new WordTokenizer(new Vocab([]), tokenizerOptions);
    const counts = new Map<string, number>();
    probe.words(corpus, (w) => counts.set(w, (counts.get(w) ?? 0) + 1));
    return new WordTokenizer(Vocab.fromCounts(counts, { minCount, maxSize }), tokenizerOptions);
  }

  /** Calls `emit` with every word of `text` (and `<eos>` for every newline when `newlineAsEos`). */
  private words(text: string, emit: (word: string) => void): void {
    const source = this.lowercase ? text.toLowerCase() : text;
    const lines = this.newlineAsEos ? source.split('\n') : [source];
    lines.forEach((line, i) => {
      // compile() refuses patterns that match empty in its probe; text the probe missed yields no empty word either.
      for (const m of line.matchAll(this.regex)) if (m[0] !== '') emit(m[0]);
      if (i < lines.length - 1) emit('<eos>');
    });
  }

  encode(text: string): Int32Array {
    const ids: number[] = [];
    this.words(text, (w) => ids.push(this.vocab.id(w)));
    return Int32Array.from(ids);
  }

  decode(ids: ArrayLike<number>): string {
    return this.joinDecoder().decodeAll(ids);
  }

  streamDecoder(): StreamDecoder {
    return this.joinDecoder();
  }

  toConfig(): WordTokenizerConfig {
    return {
      type: 'word',
      version: 1,
      vocab: this.vocab.toJSON(),
      pattern: this.pattern,
      lowercase: this.lowercase,
      separator: this.separator,
      newlineAsEos: this.newlineAsEos,
    };
  }

  /**
   * Rebuilds a tokenizer from `toConfig()` output; malformed input throws `E_FORMAT`. Every field
   * must be present (null is no value), and the pattern one of {@link WORD_PATTERNS} unless
   * `options.trustPattern`.
   */
  static fromConfig(config: unknown, options: WordTokenizerConfigOptions = {}): WordTokenizer {
    const where = 'WordTokenizer.fromConfig';
    checkOptions(where, options, ['trustPattern']);
    const trustPattern = boolOption(where, 'trustPattern', options.trustPattern, false);
    return readingFile(() => WordTokenizer.read(config, trustPattern));
  }

  private static read(config: unknown, trustPattern: boolean): WordTokenizer {
    const where = 'WordTokenizer.fromConfig';
    const o = checkConfig(where, config, 'word');
    for (const key of ['pattern', 'lowercase', 'separator', 'newlineAsEos']) {
      if (!Object.hasOwn(o, key)) throw fail('E_ARGUMENT', `${where}: config is missing "${key}"`);
      if (o[key] === undefined || o[key] === null) throw fail('E_ARGUMENT', `${where}: ${key} must be ${key === 'pattern' || key === 'separator' ? 'a string' : 'true or false'}, got ${describe(o[key])}`);
    }
    const named: readonly unknown[] = Object.values(WORD_PATTERNS);
    if (!trustPattern && !named.includes(o.pattern)) {
      throw fail('E_ARGUMENT', `${where}: pattern ${describe(o.pattern)} is not one of WORD_PATTERNS (${named.map((p) => JSON.stringify(p)).join(', ')}); load a config from a trusted source with { trustPattern: true }`);
    }
    return new WordTokenizer(Vocab.fromJSON(o.vocab), {
      pattern: o.pattern as string,
      lowercase: o.lowercase as boolean,
      separator: o.separator as string,
      newlineAsEos: o.newlineAsEos as boolean,
    });
  }

  private joinDecoder(): JoinDecoder {
    return new JoinDecoder('WordTokenizer.decode', this.vocab, this.separator, '<unk>', this.newlineAsEos ? '\n' : '');
  }
}
