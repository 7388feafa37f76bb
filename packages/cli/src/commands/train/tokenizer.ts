import { BpeTokenizer, CharTokenizer, SPECIAL_TOKENS, WordTokenizer, type Tokenizer } from '@eddy/text';
import type { TrainingOptions } from '../../checkpoint/checkpoint.js';
import { UsageError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import { DEFAULT_BPE_VOCAB, DEFAULT_WORD_VOCAB } from './spec.js';

// `--vocab-size N` means one thing for every tokenizer that has a size: N ids in all, the four
// specials (<pad>, <unk>, <bos>, <eos>) included — the rows of the embedding and of the readout.
// A word vocabulary keeps the N − 4 most frequent words (the rest read as <unk>); a byte-level BPE
// vocabulary is the 4 specials, 256 bytes and up to N − 260 merges (it has no unknown symbols).
// Either can end smaller when the corpus has fewer words or frequent pairs. A char vocabulary is
// every character of the corpus: it is small anyway, and a character model has no use for <unk>.

/** The smallest BPE vocabulary: the specials and one token per byte. */
const BPE_BASE = SPECIAL_TOKENS.length + 256;

/** The vocabulary size a new run asks for: `--vocab-size`, or its tokenizer's default (null for char). */
export function vocabSizeOption(args: ParsedArgs): number | null {
  const tokenizer = args.string('tokenizer');
  const given = args.optionalNumber('vocab-size');
  if (tokenizer === 'char') {
    if (given !== undefined) throw new UsageError('--vocab-size applies to --tokenizer word and bpe; a char model keeps every character of its corpus, so drop --vocab-size.');
    return null;
  }
  if (tokenizer === 'bpe') {
    if (given !== undefined && given < BPE_BASE) {
      throw new UsageError(`--vocab-size for --tokenizer bpe must be at least ${BPE_BASE} (the ${SPECIAL_TOKENS.length} specials and 256 bytes), got ${given}.`);
    }
    return given ?? DEFAULT_BPE_VOCAB;
  }
  return given ?? DEFAULT_WORD_VOCAB;
}

/** The tokenizer of a new run, trained on its corpus text. */
export function buildTokenizer(o: Pick<TrainingOptions, 'tokenizer' | 'vocabSize'>, text: string): Tokenizer {
  if (o.tokenizer === 'char') return CharTokenizer.fromCorpus(text);
  // vocabSize is set for word and bpe (vocabSizeOption); the defaults only satisfy the type.
  if (o.tokenizer === 'word') return WordTokenizer.fromCorpus(text, { maxSize: (o.vocabSize ?? DEFAULT_WORD_VOCAB) - SPECIAL_TOKENS.length });
  return BpeTokenizer.train(text, { vocabSize: o.vocabSize ?? DEFAULT_BPE_VOCAB });
}
