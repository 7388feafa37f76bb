import { readFileSync } from 'node:fs';
import { ready, scope, tensor } from '@eddy/autograd';
import type { SequenceClassifier } from '@eddy/models';
import { classificationBatches } from '@eddy/text';
import { readDataFile } from '../../corpus.js';
import { CliError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { readBestClassifier } from './checkpoint.js';
import { encodeTexts } from './data.js';

/**
 * The model's label and class probabilities for every sequence of `ids`, in their order (batched
 * by length for speed, in evaluation mode: no dropout). `probabilities` is [N, C] row-major.
 */
export function predictBatches(model: SequenceClassifier, ids: readonly Int32Array[], batchSize: number): { labels: Int32Array; probabilities: Float32Array } {
  const C = model.options.numClasses;
  const labels = new Int32Array(ids.length);
  const probabilities = new Float32Array(ids.length * C);
  const wasTraining = model.training;
  model.eval();
  try {
    const batches = classificationBatches(ids.map((x) => ({ ids: x, label: 0 })), { batchSize, shuffle: false });
    for (const b of batches) {
      scope(() => {
        const out = model.predict(tensor(b.ids, [b.steps, b.batchSize], { dtype: 'int32' }), b.lengths);
        b.indices.forEach((at, k) => {
          labels[at] = out.labels[k];
          probabilities.set(out.probabilities.subarray(k * C, (k + 1) * C), at * C);
        });
      });
    }
  } finally {
    model.train(wasTraining);
  }
  return { labels, probabilities };
}

/** The lines to label: stdin or --input, one text per line (a final newline ends the last one). */
function readLines(args: ParsedArgs): string[] {
  const input = args.optionalString('input');
  let text: string;
  if (input !== undefined) text = readDataFile(input, 'the input file', 'label').text;
  else {
    let bytes: Buffer;
    try {
      bytes = readFileSync(0);
    } catch (e) {
      throw new CliError(`cannot read the texts from stdin (${(e as NodeJS.ErrnoException).code ?? 'error'}); pipe them in, or give --input FILE.`);
    }
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new CliError('stdin is not valid UTF-8 text; convert it to UTF-8 (e.g. iconv -t UTF-8) and try again.');
    }
  }
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** `eddy classify predict DIR [--input FILE] [--json]`: `label<TAB>probability` per line, in order. */
export async function runClassifyPredict(args: ParsedArgs, io: Io): Promise<number> {
  await ready();
  const ck = readBestClassifier(args.positionals[0]);
  try {
    const lines = readLines(args);
    const { labels, probabilities } = predictBatches(ck.model, encodeTexts(ck.tokenizer, lines, ck.config.training.maxLength), args.number('batch'));
    const names = ck.config.labels;
    const C = names.length;
    const json = args.flag('json');
    let outText = '';
    for (let i = 0; i < lines.length; i++) {
      const k = labels[i];
      const p = probabilities[i * C + k];
      outText += json
        ? JSON.stringify({ label: names[k], probability: p, probabilities: Object.fromEntries(names.map((n, c) => [n, probabilities[i * C + c]])) }) + '\n'
        : `${names[k]}\t${p.toFixed(4)}\n`;
      if (outText.length > 1 << 16) {
        io.stdout.write(outText);
        outText = '';
      }
    }
    io.stdout.write(outText);
  } finally {
    ck.model.dispose();
  }
  return 0;
}
