import { ready } from '@eddy/autograd';
import { LmBatcher } from '@eddy/text';
import { readCheckpoint } from '../../checkpoint/checkpoint.js';
import { readEvalFile } from '../../corpus.js';
import { CliError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { warnUnknown } from '../../unknown-tokens.js';
import { inferenceModel } from '../../quantize.js';

/** What `eddy eval --json` prints. */
export interface EvalResult {
  /** Mean cross-entropy, nats per token. */
  loss: number;
  /**
   * Bits per character: loss / ln 2 for a char model; for BPE the file's total nats / ln 2 over
   * its characters (code points); null for a word model (its tokens are not characters).
   */
  bitsPerChar: number | null;
  /** exp(loss): per-token perplexity. */
  perplexity: number;
  /** Tokens predicted (every token of the file but the first). */
  tokens: number;
  /** Tokens of the file read as `<unk>` (not in the checkpoint's vocabulary; always 0 for BPE). */
  unknownTokens: number;
}

/** `eddy eval DIR FILE`: the whole file as one stream (batch 1), state carried across windows. */
export async function runEval(args: ParsedArgs, io: Io): Promise<number> {
  await ready();
  const [dir, file] = args.positionals;
  const { model: trained, tokenizer, config } = readCheckpoint(dir);
  const { model, release } = inferenceModel(trained, args);
  try {
    const corpus = readEvalFile(file);
    const ids = tokenizer.encode(corpus.text);
    if (ids.length < 2) throw new CliError(`the file ${file} has ${ids.length} token${ids.length === 1 ? '' : 's'} for this ${tokenizer.type} tokenizer but evaluation needs at least 2; give eddy eval a longer file.`);
    const unknownTokens = warnUnknown(io, ids, tokenizer, file, dir);
    const { nats, tokens } = model.evaluate(new LmBatcher(ids, { batchSize: 1, seqLen: config.training.seqLen }).epochWindows());
    const loss = nats / tokens;
    const chars = [...corpus.text].length;
    const result: EvalResult = {
      loss,
      bitsPerChar: tokenizer.type === 'char' ? loss / Math.LN2 : tokenizer.type === 'bpe' ? nats / Math.LN2 / chars : null,
      perplexity: Math.exp(loss),
      tokens,
      unknownTokens,
    };
    if (args.flag('json')) io.stdout.write(JSON.stringify(result) + '\n');
    else {
      const bpc = result.bitsPerChar === null ? '' : `, ${result.bitsPerChar.toFixed(4)} bits per character`;
      io.stdout.write(`${file}: loss ${loss.toFixed(4)} nats per token${bpc}, perplexity ${result.perplexity.toFixed(2)}, ${tokens} tokens\n`);
    }
    return 0;
  } finally {
    release();
    trained.dispose();
  }
}
