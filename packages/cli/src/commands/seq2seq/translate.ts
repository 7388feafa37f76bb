import { writeFileSync } from 'node:fs';
import { ready } from '@eddy/autograd';
import type { Tokenizer } from '@eddy/text';
import { CliError, UsageError } from '../../errors.js';
import { readInputLines } from '../../input-lines.js';
import { ChunkedOutput } from '../../output-lines.js';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { encodeTexts } from '../classify/data.js';
import { attentionSvg, type AttentionPanel } from './attention-map.js';
import { readBestSeq2Seq } from './checkpoint.js';
import { translateAll } from './measures.js';

/** The decoding flags translate and eval share: beam, penalties, cap, batch (and n-best for translate). */
export function decodingOptions(args: ParsedArgs, nBest = 1): { beam: number; nBest: number; lengthPenalty: number; coveragePenalty: number; maxLength?: number; batchSize: number } {
  const beam = args.optionalNumber('beam') ?? nBest;
  if (nBest > beam) throw new UsageError(`--n-best ${nBest} needs at least that many hypotheses: give --beam ${nBest} or more (got --beam ${beam}).`);
  const maxLength = args.optionalNumber('max-length');
  return {
    beam, nBest, lengthPenalty: args.number('length-penalty'), coveragePenalty: args.number('coverage-penalty'), batchSize: args.number('batch'),
    ...(maxLength === undefined ? {} : { maxLength }),
  };
}

/** Each id of `ids` as the text it stands for (a label of the heatmap). */
function tokenTexts(tokenizer: Tokenizer, ids: ArrayLike<number>): string[] {
  return Array.from(ids, (id) => tokenizer.decode([id]));
}

/**
 * `eddy seq2seq translate DIR [--beam K] [--n-best N] [--attention-map FILE.svg] [--input FILE] [--json]`:
 * one output line per input line, in order (N with --n-best, one JSON object with --json).
 */
export async function runSeq2SeqTranslate(args: ParsedArgs, io: Io): Promise<number> {
  await ready();
  const nBest = args.optionalNumber('n-best');
  const decoding = decodingOptions(args, nBest ?? 1);
  const mapPath = args.optionalString('attention-map');
  if (mapPath !== undefined && !mapPath.toLowerCase().endsWith('.svg')) throw new UsageError(`--attention-map writes an SVG file, so its name must end in .svg, got '${mapPath}'.`);
  const ck = readBestSeq2Seq(args.positionals[0]);
  try {
    const lines = readInputLines(args.optionalString('input'), 'sources');
    // An empty line is read as one unknown token, so that every line gets an output in its place.
    const sources = encodeTexts(ck.tokenizer, lines, ck.config.training.maxLength);
    const results = translateAll(ck.model, sources, decoding);
    const json = args.flag('json');
    const out = new ChunkedOutput(io.stdout);
    results.forEach((outputs, index) => {
      if (json) {
        const items = outputs.map((t) => ({ text: ck.tokenizer.decode(t.tokens), score: t.score, attention: t.attention.map((row) => Array.from(row)) }));
        out.write(JSON.stringify({ index, outputs: items }) + '\n');
      } else if (nBest !== undefined) {
        out.write(outputs.map((t, rank) => `${index}\t${rank}\t${t.score.toFixed(4)}\t${oneLine(ck.tokenizer.decode(t.tokens))}\n`).join(''));
      } else out.write(oneLine(ck.tokenizer.decode(outputs[0].tokens)) + '\n');
    });
    out.end();
    if (mapPath !== undefined) {
      const panels: AttentionPanel[] = results.map((outputs, i) => {
        const best = outputs[0];
        return { sourceTokens: tokenTexts(ck.tokenizer, sources[i]), outputTokens: [...tokenTexts(ck.tokenizer, best.tokens), '</s>'].slice(0, best.attention.length), weights: best.attention };
      });
      if (panels.every((p) => p.weights.length === 0)) throw new CliError(`${args.positionals[0]} holds a model without attention (--attention none), so there is no attention to draw; drop --attention-map.`);
      try {
        writeFileSync(mapPath, attentionSvg(panels));
      } catch (e) {
        throw new CliError(`cannot write the attention map to ${mapPath} (${(e as NodeJS.ErrnoException).code ?? 'error'}); check that its folder exists and is writable.`);
      }
    }
  } finally {
    ck.model.dispose();
  }
  return 0;
}

/** An output as one line: a newline inside it (a word or BPE model can write one) would shift every later line. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' ');
}
