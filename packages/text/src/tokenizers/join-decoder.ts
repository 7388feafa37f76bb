import { describe, fail } from '../errors.js';
import { BOS, EOS, PAD, UNK, type Vocab } from '../vocab.js';
import type { StreamDecoder } from './tokenizer.js';

/** Throws E_ARGUMENT unless `id` indexes `vocab`. */
export function checkId(where: string, vocab: Vocab, id: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= vocab.size) {
    throw fail('E_ARGUMENT', `${where}: ids must be integers in [0, ${vocab.size - 1}], got ${describe(id)}`);
  }
}

/**
 * Decoding for tokenizers whose tokens are whole strings (characters, words): each symbol's text,
 * with `separator` between consecutive symbols; `<pad>` and `<bos>` give nothing, `<eos>` gives
 * `eosText` (and no separator around it), `<unk>` gives `unkText`.
 */
export class JoinDecoder implements StreamDecoder {
  private afterSymbol = false;

  constructor(
    private readonly where: string,
    private readonly vocab: Vocab,
    private readonly separator: string,
    private readonly unkText: string,
    private readonly eosText: string,
  ) {}

  push(id: number): string {
    checkId(this.where, this.vocab, id);
    if (id === PAD || id === BOS) return '';
    if (id === EOS) {
      this.afterSymbol = false;
      return this.eosText;
    }
    const text = id === UNK ? this.unkText : this.vocab.symbol(id);
    const out = this.afterSymbol ? this.separator + text : text;
    this.afterSymbol = true;
    return out;
  }

  flush(): string {
    return '';
  }

  /** All of `ids` at once. */
  decodeAll(ids: ArrayLike<number>): string {
    const parts: string[] = [];
    for (let i = 0; i < ids.length; i++) parts.push(this.push(ids[i]));
    return parts.join('');
  }
}
