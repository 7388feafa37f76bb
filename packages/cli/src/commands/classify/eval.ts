import { ready } from '@eddy/autograd';
import { accuracy, confusionMatrix, macroF1 } from '@eddy/text';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { readBestClassifier } from './checkpoint.js';
import { classIndices, encodeTexts, readLabelledFile, type LineFormat } from './data.js';
import { predictBatches } from './predict.js';

/**
 * `eddy classify eval DIR FILE [--json]`: accuracy, macro-F1 and the confusion matrix (rows gold,
 * columns predicted, both in the checkpoint's label order) of the classifier on FILE.
 */
export async function runClassifyEval(args: ParsedArgs, io: Io): Promise<number> {
  await ready();
  const [dir, path] = args.positionals;
  const ck = readBestClassifier(dir);
  try {
    const format = (args.optionalString('format') ?? ck.config.training.format) as LineFormat;
    const file = readLabelledFile(path, 'the file', 'evaluate', format);
    const labels = ck.config.labels;
    const gold = classIndices(file.labels, labels, `the file ${path}`);
    const { labels: predicted } = predictBatches(ck.model, encodeTexts(ck.tokenizer, file.texts, ck.config.training.maxLength), args.number('batch'));
    const result = {
      accuracy: accuracy(gold, predicted),
      macroF1: macroF1(gold, predicted, labels.length),
      examples: gold.length,
      labels,
      confusion: confusionMatrix(gold, predicted, labels.length),
    };
    if (args.flag('json')) io.stdout.write(JSON.stringify(result) + '\n');
    else {
      const width = Math.max(6, ...labels.map((l) => l.length));
      const rows = result.confusion.map((row, i) => `  ${labels[i].padEnd(width)} ${row.map((n) => String(n).padStart(width)).join(' ')}`);
      io.stdout.write(
        `accuracy ${(100 * result.accuracy).toFixed(2)}%  macro-F1 ${(100 * result.macroF1).toFixed(2)}%  on ${result.examples} examples of ${path}\n` +
          `confusion (rows gold, columns predicted):\n  ${''.padEnd(width)} ${labels.map((l) => l.padStart(width)).join(' ')}\n${rows.join('\n')}\n`,
      );
    }
  } finally {
    ck.model.dispose();
  }
  return 0;
}
