import { Generator } from '@eddy/autograd';

/**
 * The training and validation examples of a sentence-level run (as file positions): all of FILE
 * when there is a --valid file (or nothing to hold out), else a seeded `valFraction` of FILE held
 * out — drawn, not its tail, since such files are often sorted (by label, by length).
 */
export function heldOutPositions(n: number, valid: boolean, valFraction: number, seed: number): { train: number[]; held: number[] } {
  const all = Array.from({ length: n }, (_, i) => i);
  if (valid || valFraction === 0) return { train: all, held: [] };
  const rng = new Generator(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  const k = Math.round(valFraction * n);
  const held = all.slice(0, k).sort((a, b) => a - b);
  const heldSet = new Set(held);
  return { train: all.filter((i) => !heldSet.has(i)).sort((a, b) => a - b), held };
}
