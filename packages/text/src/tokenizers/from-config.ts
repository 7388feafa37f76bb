import { checkObject, describe, fail, readingFile } from '../errors.js';
import { BpeTokenizer } from './bpe.js';
import { CharTokenizer } from './char.js';
import type { Tokenizer } from './tokenizer.js';
import { WordTokenizer } from './word.js';

/**
 * The tokenizer a config describes (`tokenizer.toConfig()`, possibly after a JSON round trip or
 * read from an untrusted file): dispatches on `type`; anything malformed throws `E_FORMAT`.
 */
export function tokenizerFromConfig(config: unknown): Tokenizer {
  return readingFile(() => read(config));
}

function read(config: unknown): Tokenizer {
  const o = checkObject('tokenizerFromConfig', 'config', config);
  switch (o.type) {
    case 'char':
      return CharTokenizer.fromConfig(o);
    case 'word':
      return WordTokenizer.fromConfig(o);
    case 'bpe':
      return BpeTokenizer.fromConfig(o);
    default:
      throw fail('E_ARGUMENT', `tokenizerFromConfig: type must be "char", "word" or "bpe", got ${describe(o.type)}`);
  }
}
