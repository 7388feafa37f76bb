import { ready } from '@eddy/autograd';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { readBestSeq2Seq } from './checkpoint.js';
import { encodePairs, readParallelFile } from './data.js';
import { seq2seqMeasures } from './measures.js';
import { decodingOptions } from './translate.js';

/**
 * `eddy seq2seq eval DIR PAIRS [--beam K] [--json]`: exact match, BLEU, token accuracy, loss and
 * the number of sentences, of the model's translations of PAIRS' sources against its targets.
 */
export async function runSeq2SeqEval(args: ParsedArgs, io: Io): Promise<number> {
  await ready();
  const [dir, path] = args.positionals;
  const decoding = decodingOptions(args);
  const ck = readBestSeq2Seq(dir);
  try {
    const file = readParallelFile(path, 'the file', 'evaluate');
    const examples = encodePairs(ck.tokenizer, file.pairs, ck.config.training.maxLength);
    const m = seq2seqMeasures(ck.model, ck.tokenizer, examples, file.pairs.map((p) => p.target), decoding);
    const result = { exactMatch: m.exactMatch, bleu: m.bleu, tokenAccuracy: m.tokenAccuracy, loss: m.loss, sentences: m.sentences };
    if (args.flag('json')) io.stdout.write(JSON.stringify(result) + '\n');
    else {
      io.stdout.write(
        `exact match ${(100 * result.exactMatch).toFixed(2)}%  BLEU ${result.bleu.toFixed(2)}  token accuracy ${(100 * result.tokenAccuracy).toFixed(2)}%  ` +
          `loss ${result.loss.toFixed(4)}  on ${result.sentences} sentences of ${path} (beam ${decoding.beam})\n`,
      );
    }
  } finally {
    ck.model.dispose();
  }
  return 0;
}
