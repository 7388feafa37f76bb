import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CharTokenizer, splitCorpus, WordTokenizer } from '@eddy/text';

/** A tokenized corpus: the ids both peers train and evaluate on, and the vocabulary size. */
export interface LmCorpus {
  name: string;
  train: Int32Array;
  val: Int32Array;
  vocabSize: number;
  /** Distinct symbols in the text (vocabSize also counts Eddy's four special tokens). */
  symbols: number;
}

export class LmDataError extends Error {}

function read(path: string, what: string): string {
  if (!existsSync(path)) {
    throw new LmDataError(
      `lm: ${what} not found at ${path}; pass --data DIR, the folder that holds tinyshakespeare/ and ptb/ (default ../shared/data beside the repository)`,
    );
  }
  return readFileSync(path, 'utf8');
}

/**
 * tinyshakespeare as char-rnn reads it: one token per character, the vocabulary of the whole
 * text, the last 5% of the id stream held out for validation (splitCorpus: at a stream boundary,
 * not char-rnn's per-batch split; see the README).
 */
export function tinyShakespeare(dataDir: string): LmCorpus {
  const text = read(join(dataDir, 'tinyshakespeare', 'input.txt'), 'tinyshakespeare/input.txt');
  const tok = CharTokenizer.fromCorpus(text);
  const { train, val } = splitCorpus(tok.encode(text), 0.05);
  return { name: 'tinyshakespeare', train, val, vocabSize: tok.vocab.size, symbols: tok.vocab.size - 4 };
}

/** PTB as Zaremba et al.: words of ptb.train.txt with `<eos>` for every line; valid on the same vocabulary. */
export function pennTreebank(dataDir: string): LmCorpus {
  const trainText = read(join(dataDir, 'ptb', 'ptb.train.txt'), 'ptb/ptb.train.txt');
  const validText = read(join(dataDir, 'ptb', 'ptb.valid.txt'), 'ptb/ptb.valid.txt');
  const tok = WordTokenizer.fromCorpus(trainText, { newlineAsEos: true });
  // `<unk>` and `<eos>` are Eddy's special tokens as well as PTB's own symbols; `<pad>` and `<bos>` stay unused.
  return {
    name: 'ptb',
    train: tok.encode(trainText),
    val: tok.encode(validText),
    vocabSize: tok.vocab.size,
    symbols: tok.vocab.size - 2,
  };
}

/** Writes the ids as raw little-endian int32 files for the PyTorch script; returns the paths and a cleanup. */
export function writeIds(corpus: LmCorpus): { trainIds: string; valIds: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-lm-'));
  const trainIds = join(dir, 'train.i32');
  const valIds = join(dir, 'val.i32');
  writeFileSync(trainIds, new Uint8Array(corpus.train.buffer, corpus.train.byteOffset, corpus.train.byteLength));
  writeFileSync(valIds, new Uint8Array(corpus.val.buffer, corpus.val.byteOffset, corpus.val.byteLength));
  return { trainIds, valIds, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
