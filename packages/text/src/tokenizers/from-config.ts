import { boolOption, checkObject, checkOptions, describe, fail, readingFile } from '../errors.js';
import { BpeTokenizer } from './bpe.js';
import { CharTokenizer } from './char.js';
import type { Tokenizer } from './tokenizer.js';
import { WordTokenizer, type WordTokenizerConfigOptions } from './word.js';

/** Options for {@link tokenizerFromConfig}: what a word tokenizer's config may be trusted with. */
export type TokenizerConfigOptions = WordTokenizerConfigOptions;

/**
 * The tokenizer a config describes (`tokenizer.toConfig()`, possibly after a JSON round trip or
 * read from an untrusted file): dispatches on `type`; anything malformed throws `E_FORMAT`. A word
 * tokenizer's pattern must be one of `WORD_PATTERNS` unless `options.trustPattern` is true.
 */
export function tokenizerFromConfig(config: unknown, options: TokenizerConfigOptions = {}): Tokenizer {
  // Checked here, outside readingFile: a bad option is the caller's E_ARGUMENT, not the file's E_FORMAT.
  checkOptions('tokenizerFromConfig', options, ['trustPattern']);
  boolOption('tokenizerFromConfig', 'trustPattern', options.trustPattern, false);
  return readingFile(() => read(config, options));
}

function read(config: unknown, options: TokenizerConfigOptions): Tokenizer {
  const o = checkObject('tokenizerFromConfig', 'config', config);
  switch (o.type) {
    case 'char':
      return CharTokenizer.fromConfig(o);
    case 'word':
      return WordTokenizer.fromConfig(o, options);
    case 'bpe':
      return BpeTokenizer.fromConfig(o);
    default:
      throw fail('E_ARGUMENT', `tokenizerFromConfig: type must be "char", "word" or "bpe", got ${describe(o.type)}`);
  }
}
