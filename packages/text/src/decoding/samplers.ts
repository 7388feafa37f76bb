import type { Generator } from '@eddy/autograd';
import { checkInt, checkNumber, checkOptions, describe, fail, optionKeys } from '../errors.js';

/** Options of {@link samplingDistribution} and {@link createSampler}. */
export interface SamplingOptions {
  /** τ ≥ 0: logits are divided by τ before the softmax; τ = 0 is greedy (default 1). */
  temperature?: number;
  /** Keep only the k most probable ids (ties: lower id first); 0 keeps all (default 0). */
  topK?: number;
  /** Nucleus: keep the smallest set of most probable ids whose probability sums to ≥ p; 1 keeps all (default 1). */
  topP?: number;
}

/** Picks the next id from a row of logits, drawing any randomness from `rng`. */
export type Sampler = (logits: Float32Array, rng: Generator) => number;

function checkLogits(where: string, logits: Float32Array): void {
  if (!(logits instanceof Float32Array) || logits.length === 0) {
    throw fail('E_ARGUMENT', `${where}: logits must be a non-empty Float32Array, got ${describe(logits)}`);
  }
  let finite = false;
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i];
    if (Number.isNaN(x) || x === Infinity) throw fail('E_ARGUMENT', `${where}: logits must be finite or -Infinity (masked), got ${describe(x)} at id ${i}`);
    if (x !== -Infinity) finite = true;
  }
  if (!finite) throw fail('E_ARGUMENT', `${where}: every logit is -Infinity; there is nothing to sample`);
}

/** The id of the largest logit (the lowest such id on ties). NaN or all −∞ throws `E_ARGUMENT`. */
export function greedy(logits: Float32Array): number {
  checkLogits('greedy', logits);
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

/**
 * The distribution a sampler draws from, in float64:
 *
 *   p_i ∝ exp((z_i − max z) / τ)   restricted to the top-k ids, then to the top-p nucleus, renormalised
 *
 * Top-k keeps exactly k ids (ties at the boundary go to the lower id). Top-p then sorts the kept
 * ids by probability (ties: lower id first) and keeps the shortest prefix whose renormalised
 * probability sums to ≥ p (always at least one id). τ = 0 gives the one-hot of `greedy`.
 * NOTE: subtracting max z before exp keeps every exponent ≤ 0 (no overflow at tiny τ); −∞
 * logits get probability 0.
 */
export function samplingDistribution(logits: Float32Array, options: SamplingOptions = {}): Float64Array {
  const where = 'samplingDistribution';
  const { temperature, topK, topP } = readSampling(where, options);
  checkLogits(where, logits);
  const V = logits.length;
  const p = new Float64Array(V);
  if (temperature === 0) {
    p[greedy(logits)] = 1;
    return p;
  }
  let max = -Infinity;
  for (let i = 0; i < V; i++) if (logits[i] > max) max = logits[i];
  for (let i = 0; i < V; i++) p[i] = Math.exp((logits[i] - max) / temperature);

  if ((topK > 0 && topK < V) || topP < 1) {
    const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => p[b] - p[a] || a - b);
    let keep = topK > 0 ? Math.min(topK, V) : V;
    if (topP < 1) {
      let mass = 0;
      for (let r = 0; r < keep; r++) mass += p[order[r]];
      let cumulative = 0;
      for (let r = 0; r < keep; r++) {
        cumulative += p[order[r]];
        if (cumulative >= topP * mass) {
          keep = r + 1;
          break;
        }
      }
    }
    for (let r = keep; r < V; r++) p[order[r]] = 0;
  }
  let total = 0;
  for (let i = 0; i < V; i++) total += p[i];
  for (let i = 0; i < V; i++) p[i] /= total;
  return p;
}

/** Draws an id from probabilities `p` (summing to 1) by inverse CDF with one 53-bit uniform. */
function draw(p: Float64Array, rng: Generator): number {
  const u = rng.nextDouble();
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    cumulative += p[i];
    last = i;
    if (u < cumulative) return i;
  }
  return last; // u landed in the rounding gap between the sum and 1
}

/**
 * A sampler for `generate`: greedy when τ = 0 (draws nothing from the generator), else one draw
 * from {@link samplingDistribution} using one `rng.nextDouble()`, so the same seed gives the same
 * ids. Options are checked here, once.
 *
 * @example
 * const sampler = createSampler({ temperature: 0.8, topK: 40 });
 * const id = sampler(logits, new Generator(123));
 */
export function createSampler(options: SamplingOptions = {}): Sampler {
  const checked = readSampling('createSampler', options);
  if (checked.temperature === 0) return (logits) => greedy(logits);
  return (logits, rng) => draw(samplingDistribution(logits, checked), rng);
}

const SAMPLING_OPTIONS = optionKeys<SamplingOptions>({ temperature: true, topK: true, topP: true });

function readSampling(where: string, options: SamplingOptions): Required<SamplingOptions> {
  checkOptions(where, options, SAMPLING_OPTIONS);
  if (options === null || typeof options !== 'object') throw fail('E_ARGUMENT', `${where}: options must be an object, got ${describe(options)}`);
  const temperature = options.temperature ?? 1;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw fail('E_ARGUMENT', `${where}: temperature must be a finite number >= 0, got ${describe(temperature)}`);
  }
  const topK = checkInt(where, 'topK', options.topK ?? 0, 0);
  const topP = checkNumber(where, 'topP', options.topP ?? 1, 0, 1);
  if (topP === 0) throw fail('E_ARGUMENT', `${where}: topP must be in (0, 1], got 0`);
  return { temperature, topK, topP };
}
