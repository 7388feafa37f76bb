import type { Core } from '../core.js';
import { kernelFor } from '../dispatch.js';
import { EddyError } from '../errors.js';
import { ArgNames, checkArgs, checkDim, checkDisjoint, checkImpl, checkVector, type Impl, type KnownArgs } from '../validate.js';

type EmbeddingKernel = (n: number, d: number, ids: number, src: number, dst: number) => void;

export interface EmbeddingExports {
  f32_embedding_gather__wasmsimd: EmbeddingKernel;
  f32_embedding_gather__scalar: EmbeddingKernel;
  f32_embedding_scatter_add__wasmsimd: EmbeddingKernel;
  f32_embedding_scatter_add__scalar: EmbeddingKernel;
}

/** Checks ids: n int32 values in [0, v). */
function checkIds(core: Core, op: string, ids: number, n: number, v: number): void {
  const values = core.arena.i32.subarray(ids >>> 2, (ids >>> 2) + n);
  for (let i = 0; i < n; i++) {
    if (values[i] < 0 || values[i] >= v) {
      throw new EddyError('E_ARGUMENT', `${op}: ids[${i}] must be a row index in [0, ${v}), got ${values[i]}`);
    }
  }
}

export interface EmbeddingGatherArgs {
  /** Ids to look up (N). */
  n: number;
  /** Rows in the table (V, the vocabulary size). */
  v: number;
  /** Embedding width (D). */
  d: number;
  /** Int32 ids, n of them, each in [0, v). */
  ids: number;
  /** The table E, v×d float32, row-major. */
  table: number;
  /** n×d float32; must not overlap the table or the ids. */
  out: number;
}

const GATHER_ARGS = new ArgNames({ n: true, v: true, d: true, ids: true, table: true, out: true } satisfies KnownArgs<EmbeddingGatherArgs>);

/** Embedding lookup: out[i, :] = E[ids[i], :]. */
export function embeddingGather(core: Core, args: EmbeddingGatherArgs, impl: Impl = 'simd'): void {
  checkArgs('embeddingGather', args, GATHER_ARGS);
  const x = core.exports;
  const kernel = kernelFor(core, 'embedding_gather', impl);
  run(core, 'embeddingGather', impl, args, ['table', args.table, 'v'], ['out', args.out, 'n'], kernel);
}

/**
 * Checks the sizes, the ids, the source and destination (`rows` says whether each has n or v
 * rows of d), that the destination overlaps neither the source nor the ids, then runs `kernel`.
 */
function run(
  core: Core, op: string, impl: Impl, args: { n: number; v: number; d: number; ids: number },
  [srcName, src0, srcRows]: [string, number, 'n' | 'v'], [dstName, dst0, dstRows]: [string, number, 'n' | 'v'],
  kernel: EmbeddingKernel,
): void {
  checkImpl(op, impl);
  const sizes = { n: checkDim(op, 'n', args.n), v: checkDim(op, 'v', args.v) };
  const d = checkDim(op, 'd', args.d);
  const n = sizes.n;
  const ids = checkVector(core, op, 'ids', args.ids, n);
  const srcBytes = 4 * sizes[srcRows] * d;
  const dstBytes = 4 * sizes[dstRows] * d;
  const src = checkVector(core, op, srcName, src0, sizes[srcRows] * d);
  const dst = checkVector(core, op, dstName, dst0, sizes[dstRows] * d);
  checkDisjoint(op, dstName, dst, dstBytes, srcName, src, srcBytes);
  checkDisjoint(op, dstName, dst, dstBytes, 'ids', ids, 4 * n);
  checkIds(core, op, ids, n, sizes.v);
  kernel(n, d, ids, src, dst);
}

export interface EmbeddingScatterAddArgs {
  /** Rows of gradient (N). */
  n: number;
  /** Rows in the gradient table (V). */
  v: number;
  /** Embedding width (D). */
  d: number;
  /** Int32 ids, n of them, each in [0, v): the rows the forward gather read. */
  ids: number;
  /** ∂L/∂out, n×d float32. */
  grad: number;
  /** ∂L/∂E, v×d float32, accumulated into; must not overlap grad or ids. */
  dtable: number;
}

const SCATTER_ADD_ARGS = new ArgNames({
  n: true, v: true, d: true, ids: true, grad: true, dtable: true,
} satisfies KnownArgs<EmbeddingScatterAddArgs>);

/**
 * Embedding backward: ∂L/∂E[ids[i], :] += ∂L/∂out[i, :] for i = 0…n−1 in order, so a repeated id
 * receives the sum of its rows, and the result is deterministic.
 */
export function embeddingScatterAdd(core: Core, args: EmbeddingScatterAddArgs, impl: Impl = 'simd'): void {
  checkArgs('embeddingScatterAdd', args, SCATTER_ADD_ARGS);
  const x = core.exports;
  const kernel = kernelFor(core, 'embedding_scatter_add', impl);
  run(core, 'embeddingScatterAdd', impl, args, ['grad', args.grad, 'n'], ['dtable', args.dtable, 'v'], kernel);
}
