// GEMM over the threads of a threaded core. Every GEMM of the core (the exports, and inside the fused
// recurrent kernels the hoisted input projection, the per-step h·W_hhᵀ and dG·W_hh, the weight
// gradients) goes through `gemm` / `gemmPackedB` here; in the threads builds, once the TypeScript pool
// has called `threads_configure`, large products are split by column panels of C, a chunk per thread,
// the calling thread taking the first. A column of C is computed by the same tiles, k slices and
// stores whatever columns are beside it, so every thread count gives the bits of one thread.
//
// The workers sit in `threadsWorker` (each in its own instance on the shared memory) waiting on a
// generation counter in a control block the TypeScript arena allocated; a split call writes each
// worker's chunk into its job record, bumps the generation, notifies, runs its own chunk and waits
// until the pending count drops to 0. In the plain builds (no `threads` feature) none of this is
// compiled: `gemm` is `sgemm`.
//
// Teams (`runTeam`, threads/team.ts) are the other kind of split call: every thread runs a share of a
// whole fused recurrent time loop — meeting the others at `teamBarrier` once per time step, inside the
// core — or a range of an optimizer update or a chunked reduction, from arguments in the control
// block's task words.
import { NR } from "./kernel";
import { sgemm, sgemmPackedB } from "./sgemm";
import { teamShare } from "../threads/team";

// Control block layout (byte offsets of i32 words); src/threads/pool.ts writes the same.
const GENERATION: usize = 0;
const PENDING: usize = 4;
const STOP: usize = 8;
/** Threads that share a split call, the caller's included. */
const THREADS: usize = 12;
/** Polls before a waiting thread sleeps in memory.atomic.wait32. */
const SPIN: usize = 16;
/** Worker 0's GEMM scratch; worker w's is WORK_STRIDE bytes further. */
const WORK: usize = 20;
const WORK_STRIDE: usize = 24;
/** Split calls made (tests check that a workload really split). */
const RUNS: usize = 28;
/** 0 when the caller may not block (a browser's main thread): it then polls until the workers are done. */
const CAN_BLOCK: usize = 32;
/** Set by a worker whose share trapped (src/threads/worker-body.ts); the core only reads it. */
const FAILED: usize = 36;
/** The team barrier of a split recurrent call: threads still to arrive, and its generation. */
const TEAM_LEFT: usize = 40;
const TEAM_GENERATION: usize = 44;
/** Threads in the current team (the caller's included). */
const TEAM_SIZE: usize = 48;
/** Split time loops run (tests check that a fused kernel really split its time loop). */
const TEAMS: usize = 52;
/** The arguments of a split recurrent call (48 words), read by every thread of the team (threads/team.ts). */
const TASK: usize = 64;
/** Worker w's job record: 16 words at JOBS + w·64. */
const JOBS: usize = 256;
const JOB_BYTES: usize = 64;

const NONE = 0;
const GEMM = 1;
const PACKED = 2;
/** A share of a team call (threads/team.ts): a fused recurrent time loop, or a range of an update. */
const TEAM = 3;

/**
 * From this many multiply-adds a product is split (and only with m > 1 — batch 1 runs GEMV — and more
 * than one panel). Measured by `node bench/scripts/threads.mjs` (bench/README.md): a split call's
 * wake-up and join cost ≈ 15 µs on this loaded machine, the time of a 64³ product.
 */
const SPLIT_FROM: i64 = 64 * 64 * 64;

/** The control block in the main instance; 0 in workers and in one-thread cores (nothing splits). */
let control: usize = 0;

/** Makes this instance split its large GEMMs over the pool whose control block is at `ctrl` (0: stop). */
export function threadsConfigure(ctrl: usize): void {
  if (ASC_FEATURE_THREADS) control = ctrl;
}

@inline
function splits(m: i32, n: i32, k: i32): bool {
  return ASC_FEATURE_THREADS && control != 0 && m > 1 && n > NR && <i64>m * <i64>n * <i64>k >= SPLIT_FROM;
}

/** `sgemm`, split over the pool's threads when it is large. */
export function gemm(
  simd: bool, transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (ASC_FEATURE_THREADS && simd && splits(m, n, k)) split(GEMM, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
  else sgemm(simd, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
}

/** `sgemmPackedB`, split over the pool's threads when it is large. */
export function gemmPackedB(
  simd: bool, transA: bool, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, packed: usize,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (ASC_FEATURE_THREADS && simd && splits(m, n, k)) split(PACKED, transA, false, m, n, k, alpha, a, lda, packed, 0, beta, c, ldc, work);
  else sgemmPackedB(simd, transA, m, n, k, alpha, a, lda, packed, beta, c, ldc, work);
}

/** Columns [j0, j0 + nj) of the product, on the SIMD path, with scratch at `work`. */
function chunk(
  kind: i32, transA: bool, transB: bool, m: i32, k: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, j0: i32, nj: i32, work: usize,
): void {
  const cj = c + (<usize>j0 << 2);
  if (kind == GEMM) {
    // Columns of op(B) are columns of B, or rows of B when it is stored transposed.
    const bj = b + (<usize>j0 * (transB ? <usize>ldb : 1) << 2);
    sgemm(true, transA, transB, m, nj, k, alpha, a, lda, bj, ldb, beta, cj, ldc, work);
  } else if (kind == PACKED) {
    // Panel q of B̂ (columns 8q…8q+7) starts q·k·8 floats in; chunks start on panels.
    sgemmPackedB(true, transA, m, nj, k, alpha, a, lda, b + (<usize>j0 * <usize>k << 2), beta, cj, ldc, work);
  }
}

/** First column of chunk t of `chunks` over n columns: whole panels, as even as they come. */
@inline
function chunkStart(t: i32, chunks: i32, n: i32): i32 {
  const panels = (n + NR - 1) / NR;
  return min(n, <i32>(<i64>t * <i64>panels / <i64>chunks) * NR);
}

function split(
  kind: i32, transA: bool, transB: bool, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (!ASC_FEATURE_THREADS) return;
  const ctrl = control;
  const threads = load<i32>(ctrl + THREADS);
  const chunks = min(threads, (n + NR - 1) / NR);
  for (let w = 0; w < threads - 1; w++) {
    const job = ctrl + JOBS + <usize>w * JOB_BYTES;
    const t = w + 1;
    if (t >= chunks) {
      store<i32>(job, NONE);
      continue;
    }
    const j0 = chunkStart(t, chunks, n);
    store<i32>(job, kind);
    store<i32>(job, transA ? 1 : 0, 4);
    store<i32>(job, transB ? 1 : 0, 8);
    store<i32>(job, m, 12);
    store<i32>(job, k, 16);
    store<f32>(job, alpha, 20);
    store<usize>(job, a, 24);
    store<i32>(job, lda, 28);
    store<usize>(job, b, 32);
    store<i32>(job, ldb, 36);
    store<f32>(job, beta, 40);
    store<usize>(job, c, 44);
    store<i32>(job, ldc, 48);
    store<i32>(job, j0, 52);
    store<i32>(job, chunkStart(t + 1, chunks, n) - j0, 56);
  }
  store<i32>(ctrl + RUNS, load<i32>(ctrl + RUNS) + 1);
  atomic.store<i32>(ctrl + PENDING, threads - 1);
  atomic.add<i32>(ctrl + GENERATION, 1);
  atomic.notify(ctrl + GENERATION, threads - 1);
  chunk(kind, transA, transB, m, k, alpha, a, lda, b, ldb, beta, c, ldc, 0, chunkStart(1, chunks, n), work);
  join(ctrl);
}

/** Waits until every worker has finished the current generation. */
function join(ctrl: usize): void {
  if (!ASC_FEATURE_THREADS) return;
  for (let n = atomic.load<i32>(ctrl + SPIN); n > 0 && atomic.load<i32>(ctrl + PENDING) != 0; n--);
  const block = load<i32>(ctrl + CAN_BLOCK) != 0;
  for (let left = atomic.load<i32>(ctrl + PENDING); left != 0; left = atomic.load<i32>(ctrl + PENDING)) {
    if (block) atomic.wait<i32>(ctrl + PENDING, left, -1);
  }
}

/** A split call in which no thread has work: what the barrier alone costs (the bench measures it). */
export function threadsBarrier(): void {
  if (!ASC_FEATURE_THREADS) return;
  const ctrl = control;
  if (ctrl == 0) return;
  const threads = load<i32>(ctrl + THREADS);
  for (let w = 0; w < threads - 1; w++) store<i32>(ctrl + JOBS + <usize>w * JOB_BYTES, NONE);
  atomic.store<i32>(ctrl + PENDING, threads - 1);
  atomic.add<i32>(ctrl + GENERATION, 1);
  atomic.notify(ctrl + GENERATION, threads - 1);
  join(ctrl);
}

/**
 * Worker `index`'s loop (run by the pool's worker threads, each on its own instance): waits for a
 * generation after `generation` (read by the worker before it said it was ready), runs its job,
 * counts `pending` down; returns when the pool sets STOP.
 */
export function threadsWorker(ctrl: usize, index: i32, generation: i32): void {
  if (!ASC_FEATURE_THREADS) return;
  const job = ctrl + JOBS + <usize>index * JOB_BYTES;
  while (true) {
    for (let n = atomic.load<i32>(ctrl + SPIN); n > 0 && atomic.load<i32>(ctrl + GENERATION) == generation; n--);
    while (atomic.load<i32>(ctrl + GENERATION) == generation) atomic.wait<i32>(ctrl + GENERATION, generation, -1);
    generation = atomic.load<i32>(ctrl + GENERATION);
    if (atomic.load<i32>(ctrl + STOP) != 0) return;
    const kind = load<i32>(job);
    if (kind == TEAM) {
      teamShare(ctrl, index + 1, load<i32>(ctrl + TEAM_SIZE), load<usize>(ctrl + WORK) + <usize>index * load<usize>(ctrl + WORK_STRIDE));
    } else if (kind != NONE) {
      const work = load<usize>(ctrl + WORK) + <usize>index * load<usize>(ctrl + WORK_STRIDE);
      chunk(
        kind, load<i32>(job, 4) != 0, load<i32>(job, 8) != 0, load<i32>(job, 12), load<i32>(job, 16), load<f32>(job, 20),
        load<usize>(job, 24), load<i32>(job, 28), load<usize>(job, 32), load<i32>(job, 36), load<f32>(job, 40),
        load<usize>(job, 44), load<i32>(job, 48), load<i32>(job, 52), load<i32>(job, 56), work,
      );
    }
    if (atomic.sub<i32>(ctrl + PENDING, 1) == 1) atomic.notify(ctrl + PENDING, 1);
  }
}

/**
 * How many threads share the time loop of a fused recurrent kernel whose per-step product is
 * m×(gates·units)×k: 1 (the caller alone) below the GEMM's split threshold, with m = 1 (sampling) or
 * one 8-unit panel; else one per panel of units, at most the pool's threads. A step's product and
 * gate update cost the same order as the GEMM alone, so the GEMM's measured threshold applies.
 */
export function teamSize(simd: bool, m: i32, units: i32, n: i32, k: i32): i32 {
  if (!ASC_FEATURE_THREADS || !simd || !splits(m, n, k) || units <= NR) return 1;
  return min(load<i32>(control + THREADS), (units + NR - 1) / NR);
}

/** First unit of thread t's share of `units` among `size` threads: whole 8-unit panels, as even as they come. */
export function teamStart(t: i32, size: i32, units: i32): i32 {
  return chunkStart(t, size, units);
}

/**
 * From this many elements an elementwise update (optimizer steps, clipping, the chunked reductions)
 * is split, in ranges of at least RANGE_GRAIN elements per thread. An Adam step moves ≈ 28 bytes per
 * element, so 2¹⁵ elements are ≈ 0.9 MB — tens of µs against a barrier's ≈ 15 µs (bench/README.md).
 * Not yet measured on two idle cores: bench/scripts/recurrent-threads.mjs times the training steps.
 */
const SPLIT_ELEMENTS = 1 << 15;
const RANGE_GRAIN = 1 << 13;

/** Threads that share an elementwise pass over n elements (1: the caller alone). */
export function rangeTeamSize(simd: bool, n: i32): i32 {
  if (!ASC_FEATURE_THREADS || !simd || control == 0 || n < SPLIT_ELEMENTS) return 1;
  return min(load<i32>(control + THREADS), n / RANGE_GRAIN);
}

/** First element of thread t's range of n among `size` threads: multiples of 16, the rest to the last. */
export function rangeStart(t: i32, size: i32, n: i32): i32 {
  if (t >= size) return n;
  return <i32>(<i64>t * <i64>n / <i64>size) & ~15;
}

/** Writes word i of the task block that every thread of the next team reads. */
export function setTaskWord(i: i32, value: usize): void {
  if (ASC_FEATURE_THREADS) store<usize>(control + TASK + (<usize>i << 2), value);
}

/** Writes an f32 into word i of the task block. */
export function setTaskF32(i: i32, value: f32): void {
  if (ASC_FEATURE_THREADS) store<f32>(control + TASK + (<usize>i << 2), value);
}

/** Reads the f32 in word i of the task block of the team at `ctrl`. */
export function taskF32(ctrl: usize, i: i32): f32 {
  return load<f32>(ctrl + TASK + (<usize>i << 2));
}

/** Writes an f64 into words i, i + 1 of the task block of the team at `ctrl` (a share's partial result). */
export function setTaskF64(ctrl: usize, i: i32, value: f64): void {
  store<f64>(ctrl + TASK + (<usize>i << 2), value);
}

/** Reads the f64 in words i, i + 1 of this instance's task block (after `runTeam` returned). */
export function taskF64(i: i32): f64 {
  return ASC_FEATURE_THREADS ? load<f64>(control + TASK + (<usize>i << 2)) : 0;
}

/** Reads word i of the task block of the team whose control block is at `ctrl`. */
export function taskWord(ctrl: usize, i: i32): usize {
  return load<usize>(ctrl + TASK + (<usize>i << 2));
}

/**
 * Runs a team call on `size` threads (from `teamSize` or `rangeTeamSize`, > 1): workers 1 … size − 1
 * run `teamShare` (threads/team.ts) on the task block, the caller runs share 0 with its own GEMM
 * scratch `work` (0 where the share needs none), and returns when every share is done.
 */
export function runTeam(size: i32, work: usize): void {
  if (!ASC_FEATURE_THREADS) return;
  const ctrl = control;
  const threads = load<i32>(ctrl + THREADS);
  for (let w = 0; w < threads - 1; w++) store<i32>(ctrl + JOBS + <usize>w * JOB_BYTES, w + 1 < size ? TEAM : NONE);
  store<i32>(ctrl + TEAM_SIZE, size);
  atomic.store<i32>(ctrl + TEAM_LEFT, size);
  store<i32>(ctrl + RUNS, load<i32>(ctrl + RUNS) + 1);
  store<i32>(ctrl + TEAMS, load<i32>(ctrl + TEAMS) + 1);
  atomic.store<i32>(ctrl + PENDING, threads - 1);
  atomic.add<i32>(ctrl + GENERATION, 1);
  atomic.notify(ctrl + GENERATION, threads - 1);
  teamShare(ctrl, 0, size, work);
  join(ctrl);
}

/**
 * The team's barrier (thread t of `size`; ctrl = 0 or size = 1: alone, nothing to wait for): returns
 * when every thread of the team has arrived. The last to arrive resets the count and bumps the
 * generation; the others wait on it (the caller polls where it may not block).
 */
export function teamBarrier(ctrl: usize, t: i32, size: i32): void {
  if (!ASC_FEATURE_THREADS || ctrl == 0 || size <= 1) return;
  // A worker that trapped never arrives: the others run out their loops without waiting (the result
  // is garbage and the wrapper's check throws). It bumps the generation, so no one sleeps through it.
  if (atomic.load<i32>(ctrl + FAILED) != 0) return;
  const generation = atomic.load<i32>(ctrl + TEAM_GENERATION);
  if (atomic.sub<i32>(ctrl + TEAM_LEFT, 1) == 1) {
    atomic.store<i32>(ctrl + TEAM_LEFT, size);
    atomic.add<i32>(ctrl + TEAM_GENERATION, 1);
    atomic.notify(ctrl + TEAM_GENERATION, size - 1);
    return;
  }
  for (let n = atomic.load<i32>(ctrl + SPIN); n > 0 && atomic.load<i32>(ctrl + TEAM_GENERATION) == generation; n--);
  const block = t != 0 || load<i32>(ctrl + CAN_BLOCK) != 0;
  while (atomic.load<i32>(ctrl + TEAM_GENERATION) == generation && atomic.load<i32>(ctrl + FAILED) == 0) {
    if (block) atomic.wait<i32>(ctrl + TEAM_GENERATION, generation, -1);
  }
}
