import type { Core } from '../core.js';
import { buildOf, exportName, kernelFor, type KernelFamily } from '../dispatch.js';
import type { WorkerPool } from './pool.js';

/** Columns of a GEMM panel (the micro-kernel's NR): chunks are whole panels, so no tile is cut. */
const PANEL = 8;

/**
 * Runs one GEMM-family call split by column panels of C, a chunk per thread, the first on the
 * calling thread. Every element of C is computed by the same operations in the same order as in
 * the unsplit call (a column's tiles, k slices and stores do not depend on which columns are
 * beside it), so the result is bit-identical for every thread count.
 *
 * `workBytes(nj)` is the scratch a chunk of nj columns needs; `args(j0, nj, work)` the kernel's
 * arguments for columns [j0, j0 + nj) with its own scratch at `work`.
 */
export function splitColumns(
  core: Core, pool: WorkerPool, family: KernelFamily, n: number,
  workBytes: (nj: number) => number, args: (j0: number, nj: number, work: number) => number[],
): void {
  const panels = Math.ceil(n / PANEL);
  const chunks = Math.min(pool.threads, panels);
  const starts: number[] = [];
  for (let t = 0; t <= chunks; t++) starts.push(Math.min(n, Math.floor((t * panels) / chunks) * PANEL));
  const offsets: number[] = [0];
  for (let t = 0; t < chunks; t++) offsets.push(offsets[t] + align16(workBytes(starts[t + 1] - starts[t])));
  const work = core.scratch(offsets[chunks]);
  const fn = pool.indexOf(exportName(family, buildOf(core), 'simd'));
  for (let t = 1; t < chunks; t++) pool.setCall(t - 1, fn, args(starts[t], starts[t + 1] - starts[t], work + offsets[t]));
  const own = args(0, starts[1], work);
  const kernel = kernelFor(core, family, 'simd') as (...a: number[]) => void;
  pool.run(() => kernel(...own));
}

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}
