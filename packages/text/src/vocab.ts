import { checkInt, checkObject, checkOptions, describe, fail, readingFile } from './errors.js';

/** Id of `<pad>`: fills sequences out to a batch's length; losses ignore it (`ignoreIndex: PAD`). */
export const PAD = 0;
/** Id of `<unk>`: every symbol the vocabulary has not seen. */
export const UNK = 1;
/** Id of `<bos>`: marks the start of a sequence (a sampling prime when no text is given). */
export const BOS = 2;
/** Id of `<eos>`: marks the end of a sequence; beam search finishes a hypothesis on it. */
export const EOS = 3;
/** The special symbols, at ids 0–3 in every vocabulary, in this order. */
export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>'] as const;

/** The largest vocabulary a file may describe (bounds what an untrusted file can allocate). */
export const MAX_VOCAB_SIZE = 1 << 22;
/**
 * The longest symbol (in UTF-16 units) a vocabulary holds. V8 hashes strings longer than 16 383
 * units by their length alone, so a file of many long symbols would make every lookup a linear
 * scan of colliding keys (2 000 symbols of 16 384 units took 12.7 s to load); real words, characters
 * and BPE tokens (at most 256 bytes) are far shorter.
 */
export const MAX_SYMBOL_LENGTH = 4096;

/** A vocabulary as JSON: every symbol in id order, the four specials first. */
export interface VocabJSON {
  format: 'eddy-vocab';
  version: 1;
  symbols: string[];
}

/** Options for {@link Vocab.fromCounts}. */
export interface VocabFromCountsOptions {
  /** Keep symbols seen at least this many times (default 1: all). */
  minCount?: number;
  /** Keep at most this many symbols besides the four specials, the most frequent (default: all). */
  maxSize?: number;
}

/**
 * A bijection between symbols (strings) and dense integer ids 0…size−1.
 *
 * Ids 0–3 are always the special tokens `<pad>` (0), `<unk>` (1), `<bos>` (2), `<eos>` (3)
 * (exported as `PAD`, `UNK`, `BOS`, `EOS`); the symbols of the corpus follow from id 4. A symbol
 * the vocabulary has never seen maps to `<unk>`: `id()` never throws on a string. Looking up an
 * id outside [0, size) is a programming error and throws `E_ARGUMENT`.
 *
 * Arguments: `symbols` — the corpus symbols in id order (ids 4, 5, …); they must be distinct and
 * must not repeat a special token.
 *
 * @example
 * const v = new Vocab(['a', 'b']);
 * v.id('b');          // 5
 * v.id('zzz');        // 1 (<unk>)
 * v.symbol(4);        // 'a'
 * Vocab.fromJSON(JSON.parse(JSON.stringify(v))).size; // 6
 */
export class Vocab {
  private readonly toId = new Map<string, number>();
  private readonly toSymbol: string[];

  constructor(symbols: Iterable<string>) {
    this.toSymbol = [...SPECIAL_TOKENS];
    SPECIAL_TOKENS.forEach((s, i) => this.toId.set(s, i));
    for (const s of symbols) {
      if (typeof s !== 'string' || s.length > MAX_SYMBOL_LENGTH) {
        throw fail('E_ARGUMENT', `Vocab: symbol ${this.toSymbol.length} must be a string of at most ${MAX_SYMBOL_LENGTH} units, got ${describe(s)}`);
      }
      if (this.toId.has(s)) {
        throw fail('E_ARGUMENT', `Vocab: symbol ${describe(s)} at id ${this.toSymbol.length} repeats id ${this.toId.get(s)}; symbols must be distinct`);
      }
      this.toId.set(s, this.toSymbol.length);
      this.toSymbol.push(s);
    }
  }

  /**
   * The vocabulary of a symbol count: most frequent first, ties in code-point order of the symbol
   * (so the same counts always give the same ids, whatever order they were counted in). Symbols
   * longer than {@link MAX_SYMBOL_LENGTH} are left out (they become `<unk>`).
   */
  static fromCounts(counts: ReadonlyMap<string, number>, options: VocabFromCountsOptions = {}): Vocab {
    checkOptions('Vocab.fromCounts', options, ['minCount', 'maxSize']);
    const minCount = checkInt('Vocab.fromCounts', 'minCount', options.minCount === undefined ? 1 : options.minCount, 1);
    const maxSize = checkInt('Vocab.fromCounts', 'maxSize', options.maxSize === undefined ? MAX_VOCAB_SIZE : options.maxSize, 0, MAX_VOCAB_SIZE);
    const kept = [...counts].filter(([s, c]) => c >= minCount && s.length <= MAX_SYMBOL_LENGTH && !(SPECIAL_TOKENS as readonly string[]).includes(s));
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new Vocab(kept.slice(0, maxSize).map(([s]) => s));
  }

  /** Number of ids, specials included. */
  get size(): number {
    return this.toSymbol.length;
  }

  /** The id of `symbol`, or `UNK` (1) if the vocabulary has not seen it. */
  id(symbol: string): number {
    return this.toId.get(symbol) ?? UNK;
  }

  /** Whether `symbol` has an id of its own (specials included). */
  has(symbol: string): boolean {
    return this.toId.has(symbol);
  }

  /** The symbol of `id`; throws `E_ARGUMENT` unless 0 ≤ id < size. */
  symbol(id: number): string {
    const s = Number.isInteger(id) ? this.toSymbol[id] : undefined;
    if (s === undefined) throw fail('E_ARGUMENT', `Vocab.symbol: id must be an integer in [0, ${this.size - 1}], got ${describe(id)}`);
    return s;
  }

  /** Every symbol in id order (a copy). */
  symbols(): string[] {
    return this.toSymbol.slice();
  }

  /** The JSON form (`JSON.stringify(vocab)` calls this). */
  toJSON(): VocabJSON {
    return { format: 'eddy-vocab', version: 1, symbols: this.symbols() };
  }

  /**
   * Reads a vocabulary from its JSON form (already parsed). The input is treated as untrusted: a
   * wrong format tag or version, a non-string or over-long symbol, specials missing from ids 0–3
   * or a repeated symbol throw `E_FORMAT` naming the entry; ids are the array positions, so
   * they are dense by construction.
   */
  static fromJSON(json: unknown): Vocab {
    return readingFile(() => Vocab.read(json));
  }

  private static read(json: unknown): Vocab {
    const o = checkObject('Vocab.fromJSON', 'the vocabulary', json);
    if (o.format !== 'eddy-vocab') throw fail('E_ARGUMENT', `Vocab.fromJSON: format must be "eddy-vocab", got ${describe(o.format)}`);
    if (o.version !== 1) throw fail('E_ARGUMENT', `Vocab.fromJSON: version must be 1, got ${describe(o.version)}`);
    const symbols = o.symbols;
    if (!Array.isArray(symbols) || symbols.length < SPECIAL_TOKENS.length || symbols.length > MAX_VOCAB_SIZE) {
      throw fail('E_ARGUMENT', `Vocab.fromJSON: symbols must be an array of ${SPECIAL_TOKENS.length} to ${MAX_VOCAB_SIZE} strings, got ${describe(symbols)}`);
    }
    SPECIAL_TOKENS.forEach((s, i) => {
      if (symbols[i] !== s) throw fail('E_ARGUMENT', `Vocab.fromJSON: id ${i} must be the special token "${s}", got ${describe(symbols[i])}`);
    });
    return new Vocab(symbols.slice(SPECIAL_TOKENS.length) as string[]);
  }
}
