// Small helpers shared by the fused recurrent kernels (LSTM, GRU, Elman RNN): which time index a
// processing step handles, whether a step is valid for a batch element (packed-sequence lengths),
// where the state entering / leaving a step is kept in the workspace, and the few whole-buffer
// chores every cell does once per call. Per-step work stays in each cell's own fused pass.

import { add, lanes, ld, st } from "../math/lanes";
import { packB, packedBBytes, sgemm, sgemmPackedB, sgemmPackedBWorkspaceBytes, sgemmWorkspaceBytes } from "../gemm/sgemm";
import { gemm, gemmPackedB } from "../gemm/parallel";

/** Time index handled at processing step `s`: s forwards, T−1−s in reverse. */
// @ts-ignore: decorator
@inline
export function timeOfStep(s: i32, T: i32, reverse: bool): i32 {
  return reverse ? T - 1 - s : s;
}

/**
 * Whether time `t` is a real step (not padding) for batch element `b`: t < len_b. `lengths` is an
 * int32[B] pointer, 0 meaning every sequence has length T. Valid steps form a prefix in time, so in
 * reverse element b starts at t = len_b − 1.
 */
// @ts-ignore: decorator
@inline
export function stepIsValid(lengths: usize, b: i32, t: i32): bool {
  return lengths == 0 || t < load<i32>(lengths + (<usize>b << 2));
}

/** Shortest sequence length (T without `lengths`): times below it are valid for every element. */
export function minLength(lengths: usize, B: i32, T: i32): i32 {
  if (lengths == 0) return T;
  let m = T;
  for (let b = 0; b < B; b++) m = min(m, load<i32>(lengths + (<usize>b << 2)));
  return m;
}

/** Longest sequence length (T without `lengths`): times at or above it are padding for everyone. */
export function maxLength(lengths: usize, B: i32, T: i32): i32 {
  if (lengths == 0) return T;
  let m = 0;
  for (let b = 0; b < B; b++) m = max(m, load<i32>(lengths + (<usize>b << 2)));
  return m;
}

// State slots: the workspace keeps T + 1 states [B, H] in time order, so that the states ENTERING
// steps t = 0 … T−1 are T consecutive blocks (one GEMM computes dW_hh += dGᵀ·H_prev over them) in
// both directions. Forwards, step t reads slot t and writes slot t + 1 (slot 0 = h0, slot T = hT);
// in reverse, step t reads slot t + 1 and writes slot t (slot T = h0, slot 0 = hT).

/** Slot holding the state that enters the step at time `t`. */
// @ts-ignore: decorator
@inline
export function slotBefore(t: i32, reverse: bool): i32 {
  return reverse ? t + 1 : t;
}

/** Slot receiving the state that leaves the step at time `t`. */
// @ts-ignore: decorator
@inline
export function slotAfter(t: i32, reverse: bool): i32 {
  return reverse ? t : t + 1;
}

/** First slot of the T states entering steps t = 0 … T−1 (their block for the dW_hh GEMM). */
// @ts-ignore: decorator
@inline
export function firstSlotBefore(reverse: bool): i32 {
  return reverse ? 1 : 0;
}

/** Byte offset of row `row` of an f32 matrix with row stride `ld` (elements). */
// @ts-ignore: decorator
@inline
export function rowAt(base: usize, row: i32, ld: i32): usize {
  return base + ((<usize>row * <usize>ld) << 2);
}

/** Copies n floats from `src`, or zero-fills when `src` is 0 (an absent h0 / c0 / dhT). */
export function copyOrZero(dst: usize, src: usize, n: i32): void {
  if (src == 0) memory.fill(dst, 0, <usize>n << 2);
  else memory.copy(dst, src, <usize>n << 2);
}

/** dst[j] = b_ih[j] + b_hh[j] for j < n; an absent (0) bias counts as zeros. */
export function sumBiases(dst: usize, bIh: usize, bHh: usize, n: i32): void {
  for (let j = 0; j < n; j++) {
    const off = <usize>j << 2;
    store<f32>(dst + off, (bIh != 0 ? load<f32>(bIh + off) : 0) + (bHh != 0 ? load<f32>(bHh + off) : 0));
  }
}

/**
 * Bias gradients from the gate gradients dG [rows, n] (contiguous): db_ih += Σ_rows dG and
 * db_hh += Σ_rows dG (either pointer 0 = skip). `sums` is n floats of scratch.
 */
export function accumulateBiasGradients(
  simd: bool, dG: usize, rows: i32, n: i32, dbIh: usize, dbHh: usize, sums: usize,
): void {
  if (dbIh == 0 && dbHh == 0) return;
  memory.fill(sums, 0, <usize>n << 2);
  for (let r = 0; r < rows; r++) {
    const row = rowAt(dG, r, n);
    let j = 0;
    if (simd) for (; j + lanes<v128>() <= n; j += lanes<v128>()) addInto<v128>(sums, row, <usize>j << 2);
    for (; j < n; j++) addInto<f32>(sums, row, <usize>j << 2);
  }
  for (let j = 0; j < n; j++) {
    const off = <usize>j << 2;
    const s = load<f32>(sums + off);
    if (dbIh != 0) store<f32>(dbIh + off, load<f32>(dbIh + off) + s);
    if (dbHh != 0) store<f32>(dbHh + off, load<f32>(dbHh + off) + s);
  }
}

/** acc[o] += a[o] for one lane group at byte offset o. */
// @ts-ignore: decorator
@inline
function addInto<V>(acc: usize, a: usize, o: usize): void {
  st<V>(acc + o, add<V>(ld<V>(acc + o), ld<V>(a + o)));
}

/** Rounds a byte count up to 16 so that consecutive scratch regions stay vector-aligned. */
// @ts-ignore: decorator
@inline
export function align16(bytes: u64): u64 {
  return (bytes + 15) & ~(<u64>15);
}

/** A byte count as the ABI's usize, saturated so that an overflow cannot wrap into a small size. */
export function clampBytes(bytes: u64): usize {
  return bytes > <u64>0xfffffff0 ? <usize>0xffffffff : <usize>bytes;
}

/**
 * Packs the recurrent weight for the per-step products (see `stepProduct`) when there are several
 * steps to amortise it over; with one step (sampling) packing would cost as much as the product
 * itself, so nothing is packed and 0 is returned. `op(W)` is k×n (W is n×k when `transW`).
 */
export function packRecurrentWeight(T: i32, transW: bool, n: i32, k: i32, w: usize, dst: usize): usize {
  if (T <= 1) return 0;
  packB(transW, n, k, w, transW ? k : n, dst);
  return dst;
}

/** Bytes `packRecurrentWeight` needs for T steps. */
export function packedRecurrentWeightBytes(T: i32, n: i32, k: i32): u64 {
  return T > 1 ? <u64>packedBBytes(n, k) : 0;
}

/**
 * Packs W_hhᵀ (W_hh is gates·H × H) gate block by gate block, for a time loop split by hidden units
 * (threads/team.ts): block q holds op(W)'s columns qH … qH + H − 1 in its own 8-column panels, so
 * that a thread's units j0 … j1 − 1 (j0 a multiple of 8) start on a panel in every block. Returns 0
 * for one step, as `packRecurrentWeight`.
 */
export function packGateBlocks(T: i32, gates: i32, H: i32, w: usize, dst: usize): usize {
  if (T <= 1) return 0;
  const blockBytes = packedBBytes(H, H);
  for (let q = 0; q < gates; q++) packB(true, H, H, w + (<usize>q * <usize>H * <usize>H << 2), H, dst + <usize>q * blockBytes);
  return dst;
}

/** Bytes `packGateBlocks` needs for T steps. */
export function packedGateBlocksBytes(T: i32, gates: i32, H: i32): u64 {
  return T > 1 ? <u64>gates * <u64>packedBBytes(H, H) : 0;
}

/**
 * Columns j0 … j0 + nj − 1 of the per-step product C = A·op(W) + β·C (as `stepProduct`; `packed`
 * from `packRecurrentWeight` or one block of `packGateBlocks`, j0 then a multiple of 8; or 0, and
 * then W row stride ldw). Never split further: it is one thread's share. A column of C comes out
 * with the bits the whole product gives it (for m > 1 every column is the same k-ordered sum
 * whatever columns are beside it), so a split time loop matches the one-thread one.
 */
export function stepProductColumns(
  simd: bool, m: i32, j0: i32, nj: i32, k: i32, a: usize, lda: i32, packed: usize, transW: bool, w: usize, ldw: i32,
  beta: f32, c: usize, ldc: i32, gemmWork: usize,
): void {
  if (nj <= 0) return;
  const cj = c + (<usize>j0 << 2);
  if (packed != 0) sgemmPackedB(simd, false, m, nj, k, 1, a, lda, packed + (<usize>j0 * <usize>k << 2), beta, cj, ldc, gemmWork);
  else sgemm(simd, false, transW, m, nj, k, 1, a, lda, w + (<usize>j0 * (transW ? <usize>ldw : 1) << 2), ldw, beta, cj, ldc, gemmWork);
}

/** Bytes of GEMM scratch `stepProduct` needs for an m-row left operand. */
export function stepProductWorkspaceBytes(T: i32, m: i32, n: i32, k: i32): u64 {
  return T > 1 ? <u64>sgemmPackedBWorkspaceBytes(m, k) : <u64>sgemmWorkspaceBytes(m, n, k);
}

/**
 * The one product inside the time loop: C = A·op(W) + β·C with A m×k (row stride lda), through the
 * weight packed by `packRecurrentWeight`, or straight from W when it was not packed (packed = 0).
 */
export function stepProduct(
  simd: bool, m: i32, n: i32, k: i32, a: usize, lda: i32, packed: usize, transW: bool, w: usize,
  beta: f32, c: usize, ldc: i32, gemmWork: usize,
): void {
  if (packed != 0) gemmPackedB(simd, false, m, n, k, 1, a, lda, packed, beta, c, ldc, gemmWork);
  else gemm(simd, false, transW, m, n, k, 1, a, lda, w, transW ? k : n, beta, c, ldc, gemmWork);
}

/**
 * Whether every buffer of a recurrent call with `gates` gate blocks of width H stays below 2³⁰
 * elements, so that byte sizes and i32 row counts cannot wrap (the size functions check this).
 */
export function sizesFit(T: i32, B: i32, I: i32, H: i32, gates: i32): bool {
  const lim: u64 = 1 << 30;
  const G = <u64>gates * <u64>H;
  const wide = max(G, <u64>I);
  return <u64>(T + 1) * <u64>B * wide < lim && G * wide < lim;
}

/**
 * After the backward time loop, everything that is a single large product over all T·B rows of
 * the gate gradients dG [T·B, G] (G = gates·H): dx = dG·W_ih (overwritten), dW_ih += dGᵀ·X,
 * dW_hh += dGᵀ·H_prev (the T states entering the steps, in time order), db_ih, db_hh += Σ dG.
 * Any output 0 = not wanted; wIh = 0 (no input weight, see `inputProjection`) makes dx = dG. `sums` is G floats of scratch.
 */
export function weightGradients(
  simd: bool, rows: i32, I: i32, H: i32, G: i32, dG: usize, x: usize, wIh: usize, hPrev: usize,
  dx: usize, dwIh: usize, dwHh: usize, dbIh: usize, dbHh: usize, sums: usize, gemmWork: usize,
): void {
  // Without W_ih (x was the projection itself, I = G) dx is dG and there is no dW_ih.
  if (dx != 0 && wIh == 0 && I != 0) copyRows(rows, G, dG, G, dx, I);
  else if (dx != 0) gemm(simd, false, false, rows, I, G, 1, dG, G, wIh, I, 0, dx, I, gemmWork);
  if (dwIh != 0) gemm(simd, true, false, G, I, rows, 1, dG, G, x, I, 1, dwIh, I, gemmWork);
  if (dwHh != 0) gemm(simd, true, false, G, H, rows, 1, dG, G, hPrev, H, 1, dwHh, H, gemmWork);
  accumulateBiasGradients(simd, dG, rows, G, dbIh, dbHh, sums);
}

/** Bytes of GEMM scratch a backward needs: the per-step product and `weightGradients`. */
export function backwardGemmWorkspaceBytes(T: i32, B: i32, I: i32, H: i32, G: i32): u64 {
  const rows = T * B;
  let bytes = stepProductWorkspaceBytes(T, B, H, G);
  bytes = max(bytes, <u64>sgemmWorkspaceBytes(rows, I, G));
  bytes = max(bytes, <u64>sgemmWorkspaceBytes(G, I, rows));
  return max(bytes, <u64>sgemmWorkspaceBytes(G, H, rows));
}

/**
 * The hoisted input projection of all steps: dst [T·B, G] (row stride ldd) = X·W_ihᵀ. wIh = 0 means
 * x already holds the projection (I = G: an embedding table projected once, then gathered), so
 * its rows are copied; with I = 0 there is no input and wIh = 0 is just the empty matrix.
 */
export function inputProjection(
  simd: bool, rows: i32, G: i32, I: i32, x: usize, wIh: usize, dst: usize, ldd: i32, gemmWork: usize,
): void {
  if (wIh == 0 && I != 0) copyRows(rows, G, x, I, dst, ldd);
  else gemm(simd, false, true, rows, G, I, 1, x, I, wIh, I, 0, dst, ldd, gemmWork);
}

/** Copies `rows` rows of n floats from src (row stride lds) to dst (row stride ldd). */
function copyRows(rows: i32, n: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  if (lds == n && ldd == n) {
    memory.copy(dst, src, (<usize>rows * <usize>n) << 2);
    return;
  }
  for (let r = 0; r < rows; r++) memory.copy(rowAt(dst, r, ldd), rowAt(src, r, lds), <usize>n << 2);
}

/** Bytes of GEMM scratch a forward needs: `inputProjection` and the per-step product. */
export function forwardGemmWorkspaceBytes(T: i32, B: i32, I: i32, H: i32, G: i32): u64 {
  return max(<u64>sgemmWorkspaceBytes(T * B, G, I), stepProductWorkspaceBytes(T, B, G, H));
}

// Backward scratch of every cell, regions in this order: the recurrent weight packed | dG [T, B, G]
// (G = gates·H) | dh [B, H] | dc [B, H] (LSTM only, else empty) | column sums [G] | GEMM scratch.
export const BW_PACKED = 0;
export const BW_DG = 1;
export const BW_DH = 2;
export const BW_DC = 3;
export const BW_SUMS = 4;
export const BW_GEMM = 5;
export const BW_END = 6;

/** Byte offset of a region of the backward scratch (layout above); BW_END gives its size. */
export function backwardScratchRegion(region: i32, T: i32, B: i32, I: i32, H: i32, gates: i32, hasC: bool): u64 {
  const G = gates * H;
  const state = align16(<u64>B * <u64>H * 4);
  let off: u64 = 0;
  if (region == BW_PACKED) return off;
  off += align16(packedRecurrentWeightBytes(T, H, G));
  if (region == BW_DG) return off;
  off += align16(<u64>T * <u64>B * <u64>G * 4);
  if (region == BW_DH) return off;
  off += state;
  if (region == BW_DC) return off;
  off += hasC ? state : 0;
  if (region == BW_SUMS) return off;
  off += align16(<u64>G * 4);
  if (region == BW_GEMM) return off;
  return off + align16(backwardGemmWorkspaceBytes(T, B, I, H, G));
}
