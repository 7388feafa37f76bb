import { ready, scope, tensor } from '@eddy/autograd';
import type { SequenceClassifier } from '@eddy/models';
import { classificationBatches } from '@eddy/text';
import { readInputLines } from '../../input-lines.js';
import { ChunkedOutput } from '../../output-lines.js';
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

/** `eddy classify predict DIR [--input FILE] [--json]`: `label<TAB>probability` per line, in order. */
export async function runClassifyPredict(args: ParsedArgs, io: Io): Promise<number> {
  await ready();
  const ck = readBestClassifier(args.positionals[0]);
  try {
    const lines = readInputLines(args.optionalString('input'), 'texts');
    const { labels, probabilities } = predictBatches(ck.model, encodeTexts(ck.tokenizer, lines, ck.config.training.maxLength), args.number('batch'));
    const names = ck.config.labels;
    const C = names.length;
    const json = args.flag('json');
    const out = new ChunkedOutput(io.stdout);
    for (let i = 0; i < lines.length; i++) {
      const k = labels[i];
      const p = probabilities[i * C + k];
      out.write(json
        ? JSON.stringify({ label: names[k], probability: p, probabilities: Object.fromEntries(names.map((n, c) => [n, probabilities[i * C + c]])) }) + '\n'
        : `${names[k]}\t${p.toFixed(4)}\n`);
    }
    out.end();
  } finally {
    ck.model.dispose();
  }
  return 0;
}
