import { fail, getCore, type Core } from './backend.js';
import { frameState, type Frame } from './scope.js';
import { fmt, sizeOf, type Shape } from './shapes.js';
import type { Node } from './function.js';
import type { GradRows } from './grad-rows.js';
import { backward } from './tape.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduce.js';
import * as mm from './ops/matmul.js';
import * as sh from './ops/shape.js';
import * as act from './ops/activation.js';

export type DType = 'float32' | 'int32';

/**
 * An n-dimensional array in the wasm core's arena: contiguous, row-major, float32 (or int32 for
 * indices). `ptr` is the byte offset of its storage block; every tensor owns exactly one block.
 * Time-major inside: sequences are [T, B, ·].
 *
 * A tensor made by an operation on tensors that require grad records a node on the tape (`node`);
 * `backward()` fills `.grad` of the leaves that require grad.
 */
export class Tensor {
  readonly core: Core;
  /** Byte offset of the storage in `core.arena` (−1 once disposed). */
  ptr: number;
  readonly shape: Shape;
  readonly size: number;
  readonly dtype: DType;
  /** Whether gradients flow to (leaf) or through (non-leaf) this tensor. */
  requiresGrad = false;
  /** ∂L/∂this after `backward()`, for leaves that require grad; lives as long as the tensor. */
  grad: Tensor | null = null;
  /** The tape node that produced this tensor; null for leaves. */
  node: Node | null = null;
  /** Which output of `node` this is. */
  outputIndex = 0;
  /** @internal The `scope` frame that frees this tensor (null: lives until `dispose()`). */
  frame: Frame | null;
  /** @internal Set when its scope ended or `dispose()` freed it. */
  disposed = false;
  /**
   * @internal On a leaf's `.grad`: the rows that may be non-zero, while only row lookups (`index`)
   * added into it; null: dense (see grad-rows.ts).
   */
  sparseRows: GradRows | null = null;

  /** @internal Wraps a block the caller allocated; use `tensor()`, `zeros()`… instead. */
  constructor(core: Core, ptr: number, shape: Shape, dtype: DType = 'float32', frame: Frame | null = frameState.current) {
    this.core = core;
    this.ptr = ptr;
    this.shape = shape;
    this.size = sizeOf(shape);
    this.dtype = dtype;
    this.frame = frame;
    if (frame !== null) frame.tensors.push(this);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Whether this is a leaf of the graph (made by the user, not by a recorded operation). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** @internal Throws unless the storage is live. */
  check(op: string): this {
    if (this.disposed) throw fail('E_SCOPE', `${op}: tensor used after its scope freed it (shape ${fmt(this.shape)})`);
    return this;
  }

  /** Marks a float32 leaf as needing gradients (PyTorch's requires_grad_). Returns this. */
  setRequiresGrad(flag = true): this {
    this.check('setRequiresGrad');
    if (this.node !== null) throw fail('E_GRAD', 'setRequiresGrad: only leaves can change requiresGrad; use detach() first');
    if (flag && this.dtype !== 'float32') throw fail('E_ARGUMENT', `setRequiresGrad: only float32 tensors can require grad, this is ${this.dtype}`);
    this.requiresGrad = flag;
    return this;
  }

  /** A copy of the values as float32 (int32 tensors are converted). */
  toFloat32Array(): Float32Array {
    this.check('toFloat32Array');
    const at = this.ptr >>> 2;
    if (this.dtype === 'float32') return this.core.arena.f32.slice(at, at + this.size);
    return Float32Array.from(this.core.arena.i32.subarray(at, at + this.size));
  }

  /** A copy of the values in the tensor's own dtype. */
  toArray(): Float32Array | Int32Array {
    this.check('toArray');
    const at = this.ptr >>> 2;
    return this.dtype === 'float32' ? this.core.arena.f32.slice(at, at + this.size) : this.core.arena.i32.slice(at, at + this.size);
  }

  /** The value of a one-element tensor. */
  item(): number {
    this.check('item');
    if (this.size !== 1) throw fail('E_SHAPE', `item: expected a tensor with one element, got shape ${fmt(this.shape)}`);
    return this.dtype === 'float32' ? this.core.arena.f32[this.ptr >>> 2] : this.core.arena.i32[this.ptr >>> 2];
  }

  /** Frees the storage (and the gradient's) now; using the tensor afterwards throws E_SCOPE. */
  dispose(): void {
    if (this.disposed) return;
    this.core.arena.free(this.ptr);
    this.disposed = true;
    this.ptr = -1;
    if (this.grad !== null) this.grad.dispose();
  }

  /**
   * Copies `src`'s values into this tensor's storage in place (same shape and dtype), outside the
   * graph: loading a checkpoint into parameters that optimizers already hold. Returns this.
   */
  copyFrom(src: Tensor): this {
    this.check('copyFrom');
    if (!(src instanceof Tensor)) throw fail('E_ARGUMENT', 'copyFrom: expected a Tensor');
    src.check('copyFrom');
    if (src.dtype !== this.dtype || src.shape.length !== this.shape.length || src.shape.some((d, i) => d !== this.shape[i])) {
      throw fail(
        'E_SHAPE',
        `copyFrom: source ${src.dtype} ${fmt(src.shape)} does not match destination ${this.dtype} ${fmt(this.shape)}`,
      );
    }
    if (src.core === this.core) {
      const u8 = this.core.arena.u8;
      u8.copyWithin(this.ptr, src.ptr, src.ptr + 4 * src.size);
    } else {
      const values = src.toArray();
      (this.dtype === 'float32' ? this.core.arena.f32 : this.core.arena.i32).set(values, this.ptr >>> 2);
    }
    this.sparseRows = null; // any row may now be non-zero
    return this;
  }

  /**
   * Fills `.grad` with zeros (keeping its block, so memory stays flat), if there is one: only the
   * rows an embedding lookup touched when that is all that added into it.
   */
  zeroGrad(): void {
    const g = this.grad;
    if (g === null || g.disposed) return;
    if (g.sparseRows !== null) g.sparseRows.zero(g);
    else g.core.arena.f32.fill(0, g.ptr >>> 2, (g.ptr >>> 2) + g.size);
  }

  /** Backpropagates from this tensor: see `backward` in tape.ts. */
  backward(grad?: Tensor): void {
    backward(this, grad);
  }

  toString(): string {
    return `Tensor(${fmt(this.shape)}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // Operations as methods; each is the function of the same name in ops/.
  add(other: Tensor | number): Tensor { return ew.add(this, other); }
  sub(other: Tensor | number): Tensor { return ew.sub(this, other); }
  mul(other: Tensor | number): Tensor { return ew.mul(this, other); }
  div(other: Tensor | number): Tensor { return ew.div(this, other); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return act.exp(this); }
  log(): Tensor { return act.log(this); }
  tanh(): Tensor { return act.tanh(this); }
  sigmoid(): Tensor { return act.sigmoid(this); }
  relu(): Tensor { return act.relu(this); }
  softmax(dim = -1): Tensor { return act.softmax(this, dim); }
  logSoftmax(dim = -1): Tensor { return act.logSoftmax(this, dim); }
  matmul(other: Tensor): Tensor { return mm.matmul(this, other); }
  sum(dim?: number | number[], keepDim = false): Tensor { return red.sum(this, dim, keepDim); }
  mean(dim?: number | number[], keepDim = false): Tensor { return red.mean(this, dim, keepDim); }
  max(dim?: number | number[], keepDim = false): Tensor { return red.max(this, dim, keepDim); }
  reshape(shape: readonly number[]): Tensor { return sh.reshape(this, shape); }
  transpose(dim0 = -2, dim1 = -1): Tensor { return sh.transpose(this, dim0, dim1); }
  permute(dims: readonly number[]): Tensor { return sh.permute(this, dims); }
  slice(dim: number, start: number, end?: number): Tensor { return sh.slice(this, dim, start, end); }
  index(ids: Tensor): Tensor { return sh.index(this, ids); }
  where(condition: Tensor, other: Tensor | number): Tensor { return ew.where(condition, this, other); }
  maskedFill(mask: Tensor, value: number): Tensor { return ew.maskedFill(this, mask, value); }
}

/** @internal A tensor with uninitialised float32 (or int32) storage in `core`'s current scope. */
export function empty(core: Core, shape: Shape, dtype: DType = 'float32'): Tensor {
  return new Tensor(core, core.arena.alloc(sizeOf(shape) * 4), shape, dtype);
}

/**
 * @internal The core shared by `tensors` (all live); throws E_SCOPE for a freed one and
 * E_CORE_MISMATCH when they come from two cores.
 */
export function coreOf(op: string, a: Tensor, b?: Tensor, c?: Tensor): Core {
  if (!(a instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: expected a Tensor, got ${typeof a}`);
  a.check(op);
  if (b !== undefined) sameCore(op, a.core, b);
  if (c !== undefined) sameCore(op, a.core, c);
  return a.core;
}

function sameCore(op: string, core: Core, t: Tensor): void {
  if (!(t instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: expected a Tensor, got ${typeof t}`);
  t.check(op);
  if (t.core !== core) throw fail('E_CORE_MISMATCH', `${op}: tensors come from two different cores`);
}

/** @internal Float32 only (indices are int32 and have no arithmetic). */
export function checkFloat(op: string, t: Tensor, name = 'input'): void {
  if (t.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: ${name} must be float32, got ${t.dtype}`);
}

export { getCore };
