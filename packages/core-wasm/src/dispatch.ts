import type { CoreExports } from './abi.js';
import type { Core } from './core.js';
import { EddyError } from './errors.js';
import type { Impl } from './validate.js';

// Kernel dispatch, decided in one place (XNNPACK's gemm-config idea): for every kernel family, which
// export runs in which build, for which impl, and from which size the scalar twin is faster than
// the SIMD kernel. Wrappers ask `kernelFor`; nothing else spells an export name of a kernel.
//
// Decided inside the kernels, not here: a SIMD GEMM with m = 1 (batch 1) runs GEMV without
// packing (assembly/gemm/sgemm.ts), because the fused recurrent kernels call the GEMM from wasm
// too and their batch-1 steps need the same path.

/** A core's build as far as kernel names go: the relaxed one names its FMA kernels `…__wasmrelaxedsimd`. */
export type Build = 'plain' | 'relaxed';

/** One kernel family's dispatch record. */
export interface KernelRecord<Scalar extends string = string> {
  /** The SIMD kernel's export in each build. */
  readonly simd: Readonly<Record<Build, string>>;
  /** Its scalar twin, the same export in every build (the test oracle and the small-size path). */
  readonly scalar: Scalar;
  /**
   * When no impl is forced, work of at most this many multiply-adds runs the scalar twin (0: never).
   * NOTE: for GEMM, products this small (a recursive net's 5×5 weights) cost more in the SIMD
   * kernel's packing than in the arithmetic; the scalar twin needs no workspace at all.
   */
  readonly scalarUpTo: number;
}

/** A kernel that gives the same bits in both builds (no multiply-add is fused): one name everywhere. */
function same<S extends string>(stem: S): KernelRecord<`${S}__scalar`> {
  return { simd: { plain: `${stem}__wasmsimd`, relaxed: `${stem}__wasmsimd` }, scalar: `${stem}__scalar`, scalarUpTo: 0 };
}

/**
 * A kernel whose SIMD path runs the GEMM micro-kernel or GEMV: the relaxed build fuses their
 * multiply-adds (one rounding, per-hardware results) and says so in the name.
 */
function fma<S extends string>(simdStem: string, scalarStem: S, scalarUpTo = 0): KernelRecord<`${S}__scalar`> {
  return {
    simd: { plain: `${simdStem}__wasmsimd`, relaxed: `${simdStem}__wasmrelaxedsimd` },
    scalar: `${scalarStem}__scalar`,
    scalarUpTo,
  };
}

/** Below this many multiply-adds, `sgemm` runs the scalar twin unless an impl is forced. */
const SMALL_GEMM = 4096;

/** The dispatch table: one record per kernel family. */
export const DISPATCH = {
  gemm: fma('f32_gemm_4x8', 'f32_gemm', SMALL_GEMM),
  gemm_packed_b: fma('f32_gemm_packed_b_4x8', 'f32_gemm_packed_b'),
  // int8 products are exact integer sums: the same bits in every build.
  quantize_int8: same('f32_qc8_quantize'),
  gemm_int8: same('qd8_f32_qc8w_gemm'),
  lstm_forward: fma('f32_lstm_forward', 'f32_lstm_forward'),
  lstm_backward: fma('f32_lstm_backward', 'f32_lstm_backward'),
  gru_forward: fma('f32_gru_forward', 'f32_gru_forward'),
  gru_backward: fma('f32_gru_backward', 'f32_gru_backward'),
  rnn_forward: fma('f32_rnn_forward', 'f32_rnn_forward'),
  rnn_backward: fma('f32_rnn_backward', 'f32_rnn_backward'),
  add: same('f32_add'),
  sub: same('f32_sub'),
  mul: same('f32_mul'),
  scale: same('f32_scale'),
  axpy: same('f32_axpy'),
  exp: same('f32_exp'),
  log: same('f32_log'),
  sigmoid: same('f32_sigmoid'),
  tanh: same('f32_tanh'),
  relu: same('f32_relu'),
  sigmoid_backward: same('f32_sigmoid_backward'),
  tanh_backward: same('f32_tanh_backward'),
  relu_backward: same('f32_relu_backward'),
  sum: same('f32_sum'),
  sumsq: same('f32_sumsq'),
  softmax: same('f32_softmax'),
  log_softmax: same('f32_log_softmax'),
  softmax_backward: same('f32_softmax_backward'),
  log_softmax_backward: same('f32_log_softmax_backward'),
  softmax_cross_entropy: same('f32_softmax_cross_entropy'),
  embedding_gather: same('f32_embedding_gather'),
  embedding_scatter_add: same('f32_embedding_scatter_add'),
  sgd_update: same('f32_sgd_update'),
  adam_update: same('f32_adam_update'),
  adamw_update: same('f32_adamw_update'),
  rmsprop_update: same('f32_rmsprop_update'),
  adagrad_update: same('f32_adagrad_update'),
  clip_value: same('f32_clip_value'),
  attention_forward: same('f32_attention_forward'),
  attention_backward: same('f32_attention_backward'),
  tree_lstm_cell_forward: same('f32_tree_lstm_cell_forward'),
  tree_lstm_cell_backward: same('f32_tree_lstm_cell_backward'),
  transpose: same('f32_transpose'),
} as const;

/** A kernel family of the table. */
export type KernelFamily = keyof typeof DISPATCH;

/** The signature of a family's kernels (both twins share it). */
export type KernelOf<F extends KernelFamily> = CoreExports[(typeof DISPATCH)[F]['scalar']];

/** The build of a core, read from the module itself (the debug build has the plain names). */
export function buildOf(core: Core): Build {
  return core.exports.has_relaxed_simd() === 1 ? 'relaxed' : 'plain';
}

/** The export a family runs in `build` with `impl`. */
export function exportName(family: KernelFamily, build: Build, impl: Impl): string {
  const record: KernelRecord = DISPATCH[family];
  return impl === 'scalar' ? record.scalar : record.simd[build];
}

/**
 * Which twin runs: the forced `impl`, else the SIMD kernel unless the work (`macs` multiply-adds)
 * is at most the family's `scalarUpTo`.
 */
export function chooseImpl(family: KernelFamily, impl: Impl | undefined, macs = Infinity): Impl {
  if (impl !== undefined) return impl;
  return macs <= DISPATCH[family].scalarUpTo ? 'scalar' : 'simd';
}

type Resolved = { readonly [F in KernelFamily]: Readonly<Record<Impl, KernelOf<F>>> };

const resolvedByCore = new WeakMap<Core, Resolved>();
// Kernel calls come one core at a time: the last one answers without a WeakMap lookup.
let lastCore: Core | null = null;
let lastResolved: Resolved | null = null;

/** Every family's two kernels in `core`'s build; a missing export is a broken build (E_LOAD). */
function resolve(core: Core): Resolved {
  const build = buildOf(core);
  const exports = core.exports as unknown as Record<string, unknown>;
  const table: Record<string, Record<Impl, unknown>> = {};
  for (const family of Object.keys(DISPATCH) as KernelFamily[]) {
    const pick = (impl: Impl): unknown => {
      const name = exportName(family, build, impl);
      const fn = exports[name];
      if (typeof fn !== 'function') {
        throw new EddyError('E_LOAD', `core-wasm: the ${build} build lacks the export ${name} of kernel family ${family}; rebuild @eddy/core-wasm`);
      }
      return fn;
    };
    table[family] = { simd: pick('simd'), scalar: pick('scalar') };
  }
  return table as unknown as Resolved;
}

/** The kernel of `family` that `impl` names, in `core`'s build. */
export function kernelFor<F extends KernelFamily>(core: Core, family: F, impl: Impl): KernelOf<F> {
  if (core !== lastCore) {
    let resolved = resolvedByCore.get(core);
    if (resolved === undefined) resolvedByCore.set(core, (resolved = resolve(core)));
    lastCore = core;
    lastResolved = resolved;
  }
  return lastResolved![family][impl];
}
