import type { Generator } from '@eddy/autograd';
import { checkInt, checkOptions, describe, fail, optionKeys } from '../errors.js';
import { createSampler, type Sampler } from './samplers.js';

/** What a model's step returns: the logits for the next id and the state after the input. */
export interface StepResult<S> {
  /** Unnormalised scores over the vocabulary, length V. */
  logits: Float32Array;
  /** The recurrent state after consuming the input id. */
  state: S;
}

/**
 * One step of a model: consume `id` from `state`, return the logits for the id after it and the new
 * state. `state` must be treated as immutable (beam search passes one state to several steps).
 */
export type StepFunction<S> = (id: number, state: S) => StepResult<S>;

/** Options shared by {@link generate} and {@link beamSearch}. */
export interface DecodeOptions<S> {
  /** Ids that condition the output, at least one (e.g. the encoded `--prime` text, or `[BOS]`). */
  prime: ArrayLike<number>;
  /** The model, one id at a time. */
  step: StepFunction<S>;
  /** The state before the first prime id (e.g. zeros). */
  initialState: S;
  /**
   * Optional: consume all prime ids at once (one fused whole-sequence call instead of a step per
   * id); must return what stepping through them one by one would. Default: `step` per id.
   */
  primeAll?: (ids: Int32Array, state: S) => StepResult<S>;
}

/** Options of {@link generate}. */
export interface GenerateOptions<S> extends DecodeOptions<S> {
  /** Number of ids to generate (the prime is not repeated in the output). */
  steps: number;
  /** Picks each id (default `createSampler()`: temperature 1, no truncation). */
  sampler?: Sampler;
  /** The seeded generator every draw comes from. */
  rng: Generator;
  /** Stop after producing this id (e.g. `EOS`); it is yielded. Default: never stop early. */
  stopAt?: number;
}

/** The keys of `DecodeOptions`, which `beamSearch` extends too. */
export const DECODE_OPTIONS = optionKeys<DecodeOptions<unknown>>({ prime: true, step: true, initialState: true, primeAll: true });
const GENERATE_OPTIONS = [
  ...DECODE_OPTIONS, ...optionKeys<Omit<GenerateOptions<unknown>, keyof DecodeOptions<unknown>>>({ steps: true, sampler: true, rng: true, stopAt: true }),
];

/** Runs the prime through the model: the logits after its last id and the state. */
export function runPrime<S>(where: string, options: DecodeOptions<S>): StepResult<S> {
  const { prime, step, initialState, primeAll } = options;
  if (typeof step !== 'function') throw fail('E_ARGUMENT', `${where}: step must be a function (id, state) => { logits, state }, got ${describe(step)}`);
  if (prime === null || typeof prime !== 'object' || !(prime.length >= 1)) {
    throw fail('E_ARGUMENT', `${where}: prime must hold at least one id (use [BOS] for no text), got ${describe(prime)}`);
  }
  const ids = Int32Array.from(prime as ArrayLike<number>);
  if (primeAll !== undefined) return primeAll(ids, initialState);
  let result: StepResult<S> = { logits: new Float32Array(0), state: initialState };
  for (const id of ids) result = step(id, result.state);
  return result;
}

/**
 * Generates ids one at a time, streaming: primes the state with `prime`, then repeats
 * "sample an id from the logits, yield it, feed it back" `steps` times (or until `stopAt`).
 * The model steps on a yielded id only when the consumer asks for the next one, so stopping early
 * wastes no step. Options are checked and the prime is run when `generate` is called.
 *
 * Deterministic given the generator's state: all randomness comes from `rng` through `sampler`.
 *
 * @example
 * const tok = tokenizer.streamDecoder();
 * for (const id of generate({ prime: tokenizer.encode('ROMEO:'), steps: 500, step, initialState,
 *                             sampler: createSampler({ temperature: 0.8 }), rng: new Generator(123) })) {
 *   process.stdout.write(tok.push(id));
 * }
 * process.stdout.write(tok.flush());
 */
export function generate<S>(options: GenerateOptions<S>): IterableIterator<number> {
  const where = 'generate';
  checkOptions(where, options, GENERATE_OPTIONS);
  const steps = checkInt(where, 'steps', options.steps, 0);
  const sampler = options.sampler ?? createSampler();
  const { rng, stopAt, step } = options;
  if (rng === null || typeof rng !== 'object' || typeof rng.nextDouble !== 'function') {
    throw fail('E_ARGUMENT', `${where}: rng must be an autograd Generator, got ${describe(rng)}`);
  }
  const primed = runPrime(where, options);
  return (function* () {
    let { logits, state } = primed;
    for (let n = 0; n < steps; n++) {
      const id = sampler(logits, rng);
      yield id;
      if (id === stopAt || n === steps - 1) return;
      ({ logits, state } = step(id, state));
    }
  })();
}

/**
 * {@link generate} as an async iterator that hands control back to the event loop after every id,
 * so a CLI streaming to stdout keeps its output flowing and its Ctrl-C handler responsive.
 */
export async function* generateAsync<S>(options: GenerateOptions<S>): AsyncIterableIterator<number> {
  for (const id of generate(options)) {
    yield id;
    await new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
  }
}
