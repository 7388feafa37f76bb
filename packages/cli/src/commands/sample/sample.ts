import { Generator, ready } from '@eddy/autograd';
import { disposeState, type LmState } from '@eddy/models';
import { createSampler, generate, type StepFunction } from '@eddy/text';
import { readCheckpoint } from '../../checkpoint/checkpoint.js';
import { UsageError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { warnUnknown } from '../../unknown-tokens.js';
import { inferenceModel } from '../../quantize.js';

/** The first id after the four specials: the most frequent symbol of a trained vocabulary. */
const FIRST_SYMBOL = 4;

/** `eddy sample DIR`: streams tokens to stdout as they are drawn. */
export async function runSample(args: ParsedArgs, io: Io): Promise<number> {
  await ready();
  const dir = args.positionals[0];
  const { model: trained, tokenizer } = readCheckpoint(dir);
  trained.eval();
  const { model, release } = inferenceModel(trained, args);
  try {
    const primeText = args.optionalString('prime');
    let prime = tokenizer.encode(primeText ?? '\n');
    const unknownTokens = primeText === undefined ? 0 : warnUnknown(io, prime, tokenizer, '--prime', dir);
    if (prime.length === 0) {
      if (primeText !== undefined) throw new UsageError(`--prime '${primeText}' has no tokens for this ${tokenizer.type} tokenizer; give some text.`);
      prime = Int32Array.of(Math.min(FIRST_SYMBOL, tokenizer.vocab.size - 1));
    }
    let last: LmState | null = null;
    const step: StepFunction<LmState | null> = (id, state) => {
      const r = model.advance([id], state);
      last = r.state;
      return r;
    };
    const primeAll = (ids: Int32Array, state: LmState | null): { logits: Float32Array; state: LmState | null } => {
      const r = model.advance(ids, state);
      last = r.state;
      return r;
    };
    const sampler = createSampler({ temperature: args.number('temperature'), topK: args.number('top-k'), topP: args.number('top-p') });
    const decoder = tokenizer.streamDecoder();
    // The sample continues the prime as the tokenizer decodes one sequence (a stream decoder's
    // outputs add up to decode(ids)): fed the prime first, a word model's decoder puts its separator
    // before the first generated word ("ROMEO: lest", not "ROMEO:lest"). A prime that ends with
    // whitespace is already separated.
    if (primeText !== undefined && !/\s$/u.test(primeText)) for (const id of prime) decoder.push(id);
    const json = args.flag('json');
    let text = '';
    let tokens = 0;
    if (!json && primeText !== undefined) io.stdout.write(primeText);
    for (const id of generate({ prime, steps: args.number('length'), step, primeAll, initialState: null, sampler, rng: new Generator(args.number('seed')) })) {
      const piece = decoder.push(id);
      tokens++;
      if (json) text += piece;
      else if (piece) io.stdout.write(piece);
    }
    const tail = decoder.flush();
    disposeState(last);
    if (json) io.stdout.write(JSON.stringify({ prime: primeText ?? null, text: text + tail, tokens, unknownTokens }) + '\n');
    else io.stdout.write(tail + (/\n$/.test(tail) ? '' : '\n'));
    return 0;
  } finally {
    release();
    trained.dispose();
  }
}
