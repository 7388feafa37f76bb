import { boolOption, checkConfig, checkInt, checkOptions, describe, fail, optionKeys, readingFile } from '../errors.js';
import { Vocab } from '../vocab.js';
import { JoinDecoder } from './join-decoder.js';
import type { StreamDecoder, Tokenizer, WordTokenizerConfig } from './tokenizer.js';

/** Options of a {@link WordTokenizer}. */
export interface WordTokenizerOptions {
  /** Regular expression (source text) whose matches are the words; flags `gu` are added. Default `\S+` (PTB: split on whitespace). */
  pattern?: string;
  /** Lower-case the text before matching (default false). */
  lowercase?: boolean;
  /** Put between words when decoding (default `' '`). */
  separator?: string;
  /** Every newline becomes `<eos>` and `<eos>` decodes to a newline (Zaremba's PTB reader; default false). */
  newlineAsEos?: boolean;
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

/** Bounds a pattern from an untrusted config (a pathological regex is the one risk a config carries). */
const MAX_PATTERN_LENGTH = 1000;

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
  if (re.test('')) throw fail('E_ARGUMENT', `${where}: pattern ${describe(pattern)} matches the empty string; words must be non-empty`);
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
    this.pattern = options.pattern ?? '\\S+';
    this.regex = compile(where, this.pattern);
    this.lowercase = boolOption(where, 'lowercase', options.lowercase, false);
    this.newlineAsEos = boolOption(where, 'newlineAsEos', options.newlineAsEos, false);
    if (typeof (options.separator ?? ' ') !== 'string') throw fail('E_ARGUMENT', `${where}: separator must be a string, got ${describe(options.separator)}`);
    this.separator = options.separator ?? ' ';
  }

  /** The tokenizer of `corpus`: its words, most frequent first (ties in code-point order). */
  static fromCorpus(corpus: string, options: WordTokenizerTrainOptions = {}): WordTokenizer {
    if (typeof corpus !== 'string') throw fail('E_ARGUMENT', `WordTokenizer.fromCorpus: corpus must be a string, got ${describe(corpus)}`);
    checkOptions('WordTokenizer.fromCorpus', options, TRAIN_OPTIONS);
    const { minCount: rawMinCount, maxSize, ...tokenizerOptions } = options;
    const minCount = checkInt('WordTokenizer.fromCorpus', 'minCount', rawMinCount ?? 1, 1);
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
      for (const m of line.matchAll(this.regex)) emit(m[0]);
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

  /** Rebuilds a tokenizer from `toConfig()` output; malformed input throws `E_FORMAT`. */
  static fromConfig(config: unknown): WordTokenizer {
    return readingFile(() => WordTokenizer.read(config));
  }

  private static read(config: unknown): WordTokenizer {
    const o = checkConfig('WordTokenizer.fromConfig', config, 'word');
    for (const key of ['pattern', 'lowercase', 'separator', 'newlineAsEos']) {
      if (o[key] === undefined) throw fail('E_ARGUMENT', `WordTokenizer.fromConfig: config is missing "${key}"`);
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
