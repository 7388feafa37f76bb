import { UNK, type Tokenizer } from '@eddy/text';
import type { Io } from './progress.js';

/**
 * How many of `ids` are `<unk>`: symbols of the text that the checkpoint's vocabulary lacks
 * (characters or words it never saw; byte-level BPE reads every string, so 0). A literal `<unk>`
 * in word-level text, as PTB writes its rare words, counts too: the model reads it the same way.
 */
export function countUnknown(ids: Int32Array): number {
  let n = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] === UNK) n++;
  return n;
}

const UNITS: Record<Tokenizer['type'], string> = { char: 'characters', word: 'words', bpe: 'tokens' };

/**
 * Says on stderr, when there are any, how many of the `ids` of `what` (`--prime`, a file) became
 * `<unk>` with checkpoint `dir`'s tokenizer, so that text the model cannot read is never accepted
 * silently. Returns the count, which `--json` output carries as `unknownTokens`.
 */
export function warnUnknown(io: Io, ids: Int32Array, tokenizer: Tokenizer, what: string, dir: string): number {
  const n = countUnknown(ids);
  if (n > 0) {
    const [is, was] = n === 1 ? ['is', 'was'] : ['are', 'were'];
    io.stderr.write(`eddy: warning: ${n} of the ${ids.length} ${UNITS[tokenizer.type]} of ${what} ${is} not in the vocabulary of ${dir} and ${was} read as <unk>.\n`);
  }
  return n;
}
