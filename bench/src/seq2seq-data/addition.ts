import { Generator } from '@eddy/autograd';
import type { TextPair } from './split.js';

/**
 * The Keras addition example (keras-io examples/nlp/addition_rnn.py): questions "a+b" with a and b
 * of 1 to `digits` digits (each digit count drawn uniformly, then each digit; leading zeros vanish
 * as int() drops them), answers the sum. As Keras, a question is kept only if {a, b} was not drawn
 * before (so "12+3" and "3+12" are never both there). Unpadded: the model reads lengths.
 */
export function additionPairs(options: { count?: number; digits?: number; seed: number }): TextPair[] {
  const count = options.count ?? 50_000;
  const digits = options.digits ?? 3;
  const rng = new Generator(options.seed);
  const number = (): number => {
    const n = 1 + rng.nextInt(digits);
    let x = 0;
    for (let i = 0; i < n; i++) x = 10 * x + rng.nextInt(10);
    return x;
  };
  // There are only so many distinct questions: (10^d)(10^d + 1)/2 unordered pairs.
  const possible = ((10 ** digits) * (10 ** digits + 1)) / 2;
  if (count > possible) throw new Error(`additionPairs: ${count} distinct questions asked for, but ${digits}-digit numbers give only ${possible}`);
  const seen = new Set<string>();
  const pairs: TextPair[] = [];
  while (pairs.length < count) {
    const a = number();
    const b = number();
    const key = a < b ? `${a}+${b}` : `${b}+${a}`;
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push({ source: `${a}+${b}`, target: String(a + b) });
  }
  return pairs;
}
