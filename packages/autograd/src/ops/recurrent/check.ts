import { fail } from '../../backend.js';
import { fmt } from '../../shapes.js';
import { Tensor, coreOf } from '../../tensor.js';
import type { Core } from '../../backend.js';

// Eager checks for the fused recurrent functions: every shape is checked here, before any kernel
// runs, so that a mistake names the function the user called and the shapes involved (the kernel
// wrappers check pointers again, but only in their own terms).

/** The weights of one layer and direction, PyTorch's names and gate order. */
export interface RecurrentWeights {
  /**
   * weight_ih [G·H, I]: G = 4 (LSTM i|f|g|o), 3 (GRU r|z|n), 1 (RNN). null: x already holds the
   * input projection X·W_ihᵀ (so I = G·H) and its gradient is ∂L/∂(X·W_ihᵀ) — for a first layer
   * fed by an embedding table E [V, ·] with V < T·B, `index(matmul(E, W_ihᵀ), tokens)` projects V
   * rows instead of T·B (see `projectedEmbedding`).
   */
  wIh: Tensor | null;
  /** weight_hh [G·H, H]. */
  wHh: Tensor;
  /** bias_ih [G·H]; absent = no bias. */
  bIh?: Tensor | null;
  /** bias_hh [G·H]; absent = no bias. */
  bHh?: Tensor | null;
}

/** Sizes of a checked call. */
export interface Sizes {
  core: Core;
  T: number;
  B: number;
  I: number;
  H: number;
}

/** A tensor argument: a live float32 tensor of `core` with exactly `shape`. */
export function checkTensor(op: string, name: string, t: unknown, shape: readonly number[], core: Core, what = ''): Tensor {
  if (!(t instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: ${name} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  coreOf(op, t);
  if (t.core !== core) throw fail('E_CORE_MISMATCH', `${op}: ${name} comes from another core than x`);
  if (t.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: ${name} must be float32, got ${t.dtype}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw fail('E_SHAPE', `${op}: ${name} must have shape ${what}${fmt(shape)}, got ${fmt(t.shape)}`);
  }
  return t;
}

/**
 * Checks x and the weights; returns the sizes. x has `rank` 3 ([T, B, I], sequences) or 2
 * ([B, I], cells: T = 1). H comes from wHh's columns, I from x.
 */
export function checkInputAndWeights(op: string, x: unknown, w: RecurrentWeights, gates: number, rank: 2 | 3): Sizes {
  if (!(x instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: x must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  const core = coreOf(op, x);
  if (x.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: x must be float32, got ${x.dtype}`);
  if (x.shape.length !== rank) {
    throw fail('E_SHAPE', `${op}: x must have rank ${rank} (${rank === 3 ? '[T, B, I], time-major' : '[B, I]'}), got ${fmt(x.shape)}`);
  }
  const [T, B, I] = rank === 3 ? x.shape : [1, x.shape[0], x.shape[1]];
  if (w === null || typeof w !== 'object') throw fail('E_ARGUMENT', `${op}: expected the weights { wIh, wHh, bIh?, bHh? }`);
  if (!(w.wHh instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: wHh must be a Tensor, got ${w.wHh === null ? 'null' : typeof w.wHh}`);
  if (w.wHh.shape.length !== 2) throw fail('E_SHAPE', `${op}: wHh must have shape [${gates === 1 ? '' : `${gates}·`}H, H], got ${fmt(w.wHh.shape)}`);
  const H = w.wHh.shape[1];
  // The GRU kernels need H ≥ 1, and an empty state has nothing to learn: refuse it for all three.
  if (H < 1) throw fail('E_SHAPE', `${op}: the hidden size H (columns of wHh) must be at least 1, got ${fmt(w.wHh.shape)}`);
  const G = gates * H;
  const rows = gates === 1 ? 'H' : `${gates}·H`;
  checkTensor(op, 'wHh', w.wHh, [G, H], core, `[${rows}, H] = `);
  if (w.wIh === null) {
    if (I !== G) throw fail('E_SHAPE', `${op}: with wIh null, x must hold the input projection [${rank === 3 ? 'T, ' : ''}B, ${rows} = ${G}], got ${fmt(x.shape)}`);
  } else {
    checkTensor(op, 'wIh', w.wIh, [G, I], core, `[${rows}, I] = `);
  }
  if (w.bIh != null) checkTensor(op, 'bIh', w.bIh, [G], core, `[${rows}] = `);
  if (w.bHh != null) checkTensor(op, 'bHh', w.bHh, [G], core, `[${rows}] = `);
  return { core, T, B, I, H };
}

/** An optional state [B, H] (h0, c0, or a cell's h, c). */
export function checkState(op: string, name: string, t: unknown, s: Sizes): Tensor | null {
  if (t === undefined || t === null) return null;
  return checkTensor(op, name, t, [s.B, s.H], s.core, '[B, H] = ');
}

/** Packed-sequence lengths: int32 [B], each in [0, T] (read here: the kernels trust them). */
export function checkLengths(op: string, t: unknown, s: Sizes): Tensor | null {
  if (t === undefined || t === null) return null;
  if (!(t instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: lengths must be an int32 Tensor, got ${typeof t}`);
  coreOf(op, t);
  if (t.core !== s.core) throw fail('E_CORE_MISMATCH', `${op}: lengths comes from another core than x`);
  if (t.dtype !== 'int32') throw fail('E_ARGUMENT', `${op}: lengths must be int32, got ${t.dtype}`);
  if (t.shape.length !== 1 || t.shape[0] !== s.B) throw fail('E_SHAPE', `${op}: lengths must have shape [B] = [${s.B}], got ${fmt(t.shape)}`);
  const v = s.core.arena.i32;
  for (let b = 0, p = t.ptr >>> 2; b < s.B; b++) {
    const len = v[p + b];
    if (len < 0 || len > s.T) throw fail('E_ARGUMENT', `${op}: lengths[${b}] must be in [0, T = ${s.T}], got ${len}`);
  }
  return t;
}

/** A boolean option (absent = false). */
export function checkBool(op: string, name: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw fail('E_ARGUMENT', `${op}: ${name} must be a boolean, got ${String(v)}`);
  return v;
}
