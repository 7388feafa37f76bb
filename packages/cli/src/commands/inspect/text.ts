import { splitCorpus, type Tokenizer } from '@eddy/text';
import type { CheckpointConfig } from '../../checkpoint/checkpoint.js';
import { readBuiltinCorpus, readCorpusFile, readDataFile, type Corpus } from '../../corpus.js';
import { CliError } from '../../errors.js';
import type { Io } from '../../progress.js';
import { warnUnknown } from '../../unknown-tokens.js';
import type { InspectResult } from './inspection.js';

/**
 * Read when the checkpoint's corpus is gone or changed: public-domain prose with dialogue (Lewis
 * Carroll, 1865) and a little code, so quote, line and bracket cells have something to track.
 */
export const SNIPPET = `"What is the use of a book," thought Alice, "without pictures or conversations?"
So she was considering in her own mind (as well as she could, for the hot day made her feel very
sleepy and stupid), whether the pleasure of making a daisy-chain would be worth the trouble of
getting up and picking the daisies, when suddenly a White Rabbit with pink eyes ran close by her.
There was nothing so very remarkable in that; nor did Alice think it so very much out of the way
to hear the Rabbit say to itself, "Oh dear! Oh dear! I shall be late!"

export function sum(values: number[]): number {
  let total = 0;
  for (const v of values) {
    if (Number.isFinite(v)) total += v; // skip NaN and Infinity
  }
  return total;
}
`;

/** The text `eddy inspect` reads, as token ids and the piece of text each id decodes to. */
export interface InspectText {
  source: InspectResult['text']['source'];
  label: string;
  ids: Int32Array;
  /** pieces[t]: the text token t decodes to in sequence (pieces join to the decoded text). */
  pieces: string[];
  unknownTokens: number;
}

/**
 * `--text FILE`, else the start of the checkpoint's validation split (the corpus it was trained on,
 * re-read and split as `eddy train` split it, if it is still there unchanged), else `SNIPPET`; the
 * first `length` tokens of it.
 */
export function inspectText(io: Io, dir: string, config: CheckpointConfig, tokenizer: Tokenizer, file: string | undefined, length: number): InspectText {
  let chosen: { source: InspectText['source']; label: string; ids: Int32Array; unknownTokens: number };
  if (file !== undefined) {
    const ids = tokenizer.encode(readDataFile(file, 'the text file', 'inspect').text).subarray(0, length);
    chosen = { source: 'file', label: file, ids, unknownTokens: warnUnknown(io, ids, tokenizer, file, dir) };
  } else {
    const val = validationText(config, tokenizer);
    chosen = val !== null && val.ids.length >= 2
      ? { source: 'validation', label: `the validation text of ${val.label}`, ids: val.ids.subarray(0, length), unknownTokens: 0 }
      : { source: 'snippet', label: 'a built-in snippet (Alice in Wonderland and a little code)', ids: tokenizer.encode(SNIPPET).subarray(0, length), unknownTokens: 0 };
    chosen.unknownTokens = warnUnknown(io, chosen.ids, tokenizer, chosen.label, dir);
  }
  if (chosen.ids.length < 2) {
    throw new CliError(`${chosen.label} has ${chosen.ids.length} token${chosen.ids.length === 1 ? '' : 's'} for this ${tokenizer.type} tokenizer but eddy inspect needs at least 2; give a longer --text file.`);
  }
  const decoder = tokenizer.streamDecoder();
  const pieces = Array.from(chosen.ids, (id) => decoder.push(id));
  pieces[pieces.length - 1] += decoder.flush();
  return { ...chosen, pieces };
}

/** The checkpoint's validation split, or null when its corpus cannot be read or has changed. */
function validationText(config: CheckpointConfig, tokenizer: Tokenizer): { label: string; ids: Int32Array } | null {
  const saved = config.training.corpus;
  if (saved === undefined || !(config.training.valFraction > 0)) return null;
  let corpus: Corpus;
  try {
    corpus = saved.path === null ? readBuiltinCorpus() : readCorpusFile(saved.path);
  } catch (e) {
    if (e instanceof CliError) return null;
    throw e;
  }
  if (corpus.sha256 !== saved.sha256) return null;
  return { label: corpus.label, ids: splitCorpus(tokenizer.encode(corpus.text), config.training.valFraction).val };
}
