import { shuffledIndices } from './epoch-run.js';

/**
 * The training and validation examples of a sentence-level run (as file positions): all of FILE
 * and all of --valid, or without --valid a seeded `valFraction` of FILE held out (drawn, not its
 * tail, since such files are often sorted: by label, by length).
 */
export function heldOutPositions(n: number, valid: boolean, valFraction: number, seed: number): { train: number[]; held: number[] } {
  if (valid || valFraction === 0) return { train: Array.from({ length: n }, (_, i) => i), held: [] };
  const all = shuffledIndices(n, seed);
  const k = Math.round(valFraction * n);
  const held = all.slice(0, k).sort((a, b) => a - b);
  const heldSet = new Set(held);
  return { train: all.filter((i) => !heldSet.has(i)).sort((a, b) => a - b), held };
}
