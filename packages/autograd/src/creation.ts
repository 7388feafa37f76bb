import { checkOptions, fail, getCore, optionKeys } from './backend.js';
import { defaultGenerator } from './rng.js';
import { checkShape, fmt, sizeOf } from './shapes.js';
import { empty, type DType, type Tensor } from './tensor.js';

// Making tensors. All of them live in the active core's arena, in the innermost scope.

export interface TensorOptions {
  /** Track gradients for this leaf (float32 only). Default false. */
  requiresGrad?: boolean;
  /** 'float32' (default) or 'int32' (indices, targets). */
  dtype?: DType;
}

type Nested = number | readonly Nested[];

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let v: Nested = data;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = (v as readonly Nested[])[0];
  }
  return shape;
}

function flatten(data: Nested, shape: number[], depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (typeof data !== 'number') throw fail('E_ARGUMENT', `tensor: expected a number at depth ${depth}, got ${typeof data}`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw fail('E_SHAPE', `tensor: ragged nested array: expected ${shape[depth]} elements at depth ${depth}`);
  }
  for (const d of data as readonly Nested[]) flatten(d, shape, depth + 1, out);
}

function finish(t: Tensor, options: TensorOptions | undefined): Tensor {
  if (options?.requiresGrad) t.setRequiresGrad(true);
  return t;
}

const TENSOR_OPTIONS = optionKeys<TensorOptions>({ requiresGrad: true, dtype: true });

/** Checks the options' keys and dtype; returns the dtype. */
function dtypeOf(op: string, options: TensorOptions | undefined): DType {
  checkOptions(op, options, TENSOR_OPTIONS);
  const dtype = options?.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32') throw fail('E_ARGUMENT', `${op}: dtype must be 'float32' or 'int32', got ${String(dtype)}`);
  return dtype;
}

/**
 * A tensor from data: a number, a nested array, or a flat array / typed array with `shape`.
 * Int32 data must be integers.
 *
 * @example tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true })
 */
export function tensor(data: Nested | ArrayLike<number>, shape?: readonly number[], options?: TensorOptions): Tensor {
  const dtype = dtypeOf('tensor', options);
  let flat: ArrayLike<number>;
  let s: number[];
  if (typeof data === 'number') {
    flat = [data];
    s = shape === undefined ? [] : checkShape('tensor', shape);
  } else if (Array.isArray(data) && shape === undefined) {
    s = inferShape(data as Nested);
    const out: number[] = [];
    flatten(data as Nested, s, 0, out);
    flat = out;
  } else if (data !== null && typeof data === 'object' && typeof (data as ArrayLike<number>).length === 'number') {
    flat = data as ArrayLike<number>;
    s = shape === undefined ? [flat.length] : checkShape('tensor', shape);
    if (Array.isArray(data) && (data as unknown[]).some((v) => typeof v !== 'number')) {
      throw fail('E_ARGUMENT', 'tensor: with a shape, data must be a flat array of numbers');
    }
  } else {
    throw fail('E_ARGUMENT', `tensor: data must be a number, an array or a typed array, got ${typeof data}`);
  }
  if (sizeOf(s) !== flat.length) throw fail('E_SHAPE', `tensor: ${flat.length} values do not fill shape ${fmt(s)} (${sizeOf(s)} elements)`);
  const core = getCore();
  const t = empty(core, s, dtype);
  if (dtype === 'int32') {
    for (let i = 0; i < flat.length; i++) {
      if (!Number.isInteger(flat[i])) throw fail('E_ARGUMENT', `tensor: int32 data must be integers, got ${flat[i]} at ${i}`);
    }
    core.arena.i32.set(flat, t.ptr >>> 2);
  } else {
    core.arena.f32.set(flat, t.ptr >>> 2);
  }
  return finish(t, options);
}

/** A tensor of `shape` filled with `value` (any number, ±Inf and NaN included). */
export function full(shape: readonly number[], value: number, options?: TensorOptions): Tensor {
  const dtype = dtypeOf('full', options);
  const s = checkShape('full', shape);
  if (typeof value !== 'number') throw fail('E_ARGUMENT', `full: value must be a number, got ${typeof value}`);
  const core = getCore();
  const t = empty(core, s, dtype);
  if (dtype === 'int32') {
    if (!Number.isInteger(value)) throw fail('E_ARGUMENT', `full: an int32 value must be an integer, got ${value}`);
    core.arena.i32.fill(value, t.ptr >>> 2, (t.ptr >>> 2) + t.size);
  } else {
    core.arena.f32.fill(value, t.ptr >>> 2, (t.ptr >>> 2) + t.size);
  }
  return finish(t, options);
}

export function zeros(shape: readonly number[], options?: TensorOptions): Tensor {
  checkOptions('zeros', options, TENSOR_OPTIONS);
  return full(shape, 0, options);
}

export function ones(shape: readonly number[], options?: TensorOptions): Tensor {
  checkOptions('ones', options, TENSOR_OPTIONS);
  return full(shape, 1, options);
}

/** Like `x` (shape, dtype), filled with zeros. */
export function zerosLike(x: Tensor, options?: TensorOptions): Tensor {
  checkOptions('zerosLike', options, TENSOR_OPTIONS);
  return full(x.shape, 0, { dtype: x.dtype, ...options });
}

function random(op: string, shape: readonly number[], options: TensorOptions | undefined, fill: (out: Float32Array) => void): Tensor {
  checkOptions(op, options, TENSOR_OPTIONS);
  if (options?.dtype === 'int32') throw fail('E_ARGUMENT', `${op}: random tensors are float32`);
  const s = checkShape(op, shape);
  const values = new Float32Array(sizeOf(s));
  fill(values);
  return tensor(values, s, options);
}

/** Standard normal samples N(0, 1) from the seeded RNG (`manualSeed`). */
export function randn(shape: readonly number[], options?: TensorOptions): Tensor {
  return random('randn', shape, options, (v) => defaultGenerator.fillNormal(v));
}

/** Uniform samples in [0, 1) from the seeded RNG. */
export function rand(shape: readonly number[], options?: TensorOptions): Tensor {
  return random('rand', shape, options, (v) => defaultGenerator.fillUniform(v));
}

/** start, start+step, … up to but excluding end (float32, or int32 with { dtype: 'int32' }). */
export function arange(start: number, end?: number, step = 1, options?: TensorOptions): Tensor {
  checkOptions('arange', options, TENSOR_OPTIONS);
  if (end === undefined) [start, end] = [0, start];
  if (![start, end, step].every(Number.isFinite) || step === 0) {
    throw fail('E_ARGUMENT', `arange: start, end and step must be finite and step non-zero, got ${start}, ${end}, ${step}`);
  }
  const n = Math.max(0, Math.ceil((end - start) / step));
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return tensor(values, [n], options);
}

/** The n×m identity matrix (m defaults to n). */
export function eye(n: number, m = n, options?: TensorOptions): Tensor {
  checkOptions('eye', options, TENSOR_OPTIONS);
  const s = checkShape('eye', [n, m]);
  const values = new Float32Array(s[0] * s[1]);
  for (let i = 0; i < Math.min(s[0], s[1]); i++) values[i * s[1] + i] = 1;
  return tensor(values, s, options);
}
