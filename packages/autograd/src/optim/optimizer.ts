import { fail, type Core } from '../backend.js';
import type { Tensor } from '../tensor.js';

// The base every optimizer shares: the parameter list, per-parameter state buffers allocated
// beside the parameter (so they live exactly as long as it), step counts, and the state dict for
// exact resume. Subclasses supply the hyper-parameters and one fused kernel call per parameter.

/** A hyper-parameter value as stored in a state dict. */
export type HyperValue = number | boolean | readonly [number, number];

/** One parameter's optimizer state: its step count and named float32 buffers (n values each). */
export interface ParamState {
  /** Steps taken on this parameter (PyTorch's state['step']). */
  step: number;
  /** Byte offsets of the state buffers in the arena, by name (e.g. expAvg, expAvgSq). */
  buffers: Record<string, number>;
}

/**
 * A snapshot for exact resume: the optimizer's type and hyper-parameters, and for each parameter
 * (in construction order) its step count and copies of its state buffers (null: no state yet).
 */
export interface OptimizerStateDict {
  type: string;
  hyper: Record<string, HyperValue>;
  state: Array<{ step: number; buffers: Record<string, Float32Array> } | null>;
}

/** Range a numeric hyper-parameter must lie in; open ends exclude the bound. */
export interface Range {
  min: number;
  minOpen?: boolean;
  max?: number;
  maxOpen?: boolean;
}

export const NON_NEGATIVE: Range = { min: 0 };
export const POSITIVE: Range = { min: 0, minOpen: true };
export const UNIT_OPEN: Range = { min: 0, max: 1, maxOpen: true };

/**
 * Checks a numeric hyper-parameter: finite (also after rounding to float32, which the kernels
 * use) and within `range`; throws E_ARGUMENT naming the optimizer and the option otherwise.
 */
export function checkHyper(op: string, name: string, value: unknown, range: Range): number {
  const v = value as number;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(Math.fround(v)) &&
    (range.minOpen ? Math.fround(v) > range.min : v >= range.min) &&
    (range.max === undefined || (range.maxOpen ? v < range.max : v <= range.max));
  if (!ok) {
    const bound =
      range.max === undefined
        ? `${range.minOpen ? '>' : '>='} ${range.min}`
        : `in ${range.minOpen ? '(' : '['}${range.min}, ${range.max}${range.maxOpen ? ')' : ']'}`;
    throw fail('E_ARGUMENT', `${op}: ${name} must be a finite number ${bound}, got ${show(value)}`);
  }
  return v;
}

export function checkBool(op: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw fail('E_ARGUMENT', `${op}: ${name} must be a boolean, got ${show(value)}`);
  return value;
}

export function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  return value === null ? 'null' : typeof value;
}

/** Checks a parameter list: non-empty (unless allowed), float32 tensors, each once, all in one core. */
export function checkParams(op: string, params: Iterable<Tensor>, allowEmpty = false): Tensor[] {
  const list = [...params];
  if (list.length === 0 && !allowEmpty) throw fail('E_ARGUMENT', `${op}: got an empty parameter list`);
  const seen = new Set<Tensor>();
  for (const [i, p] of list.entries()) {
    if (p === null || typeof p !== 'object' || typeof p.ptr !== 'number') {
      throw fail('E_ARGUMENT', `${op}: params[${i}] is not a Tensor`);
    }
    p.check(op);
    if (p.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: params[${i}] must be float32, got ${p.dtype}`);
    if (seen.has(p)) throw fail('E_ARGUMENT', `${op}: params[${i}] appears more than once`);
    seen.add(p);
    if (p.core !== list[0].core) {
      throw fail('E_CORE_MISMATCH', `${op}: params[${i}] lives in a different core from params[0]`);
    }
  }
  return list;
}

/**
 * Base class: `step()` runs `update` once per parameter that has a gradient, `zeroGrad()` clears
 * gradients, `stateDict()`/`loadStateDict()` snapshot and restore everything a resumed run needs.
 * Hyper-parameters are plain fields, so a schedule (or the user) may change them between steps;
 * they are re-checked at every step.
 */
export abstract class Optimizer {
  /** The parameters, in the order given (the state dict follows it). */
  readonly params: readonly Tensor[];
  /** Learning rate γ, read and written by the LR schedules. */
  lr: number;
  protected readonly state: Array<ParamState | null>;
  /** The class name recorded in state dicts, checked when loading. */
  protected abstract readonly type: string;

  protected constructor(params: Iterable<Tensor>, lr: number, op: string) {
    this.params = checkParams(op, params);
    this.lr = lr;
    this.state = this.params.map(() => null);
  }

  /** The hyper-parameters by name, checked (throws E_ARGUMENT on a bad one). */
  protected abstract hyper(): Record<string, HyperValue>;

  /** Restores hyper-parameters from a state dict (they are checked at the next `hyper()`). */
  protected abstract setHyper(h: Record<string, HyperValue>): void;

  /** One fused kernel call updating parameter `p` from its gradient `g` with state `s`. */
  protected abstract update(core: Core, p: Tensor, g: Tensor, s: ParamState): void;

  /**
   * Sets every parameter's gradient to zero in place (the blocks are kept, so a training loop
   * reuses them and memory stays flat); parameters without a gradient are left as they are.
   */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** Updates every parameter that has a gradient (PyTorch skips those whose grad is None). */
  step(): void {
    this.hyper(); // re-check: schedules and users may have changed a field since the last step
    for (const [i, p] of this.params.entries()) {
      const g = p.grad;
      if (g === null) continue;
      p.check(`${this.type}.step`);
      g.check(`${this.type}.step`);
      if (g.size !== p.size) {
        throw fail('E_SHAPE', `${this.type}.step: params[${i}] has ${p.size} elements but its grad has ${g.size}`);
      }
      const s = (this.state[i] ??= { step: 0, buffers: {} });
      s.step += 1;
      this.update(p.core, p, g, s);
    }
  }

  /**
   * The buffer `name` of parameter `p`, allocated beside it on first use and filled with `init`.
   * Returns the pointer and whether it was just created.
   */
  protected buffer(p: Tensor, s: ParamState, name: string, init = 0): { ptr: number; fresh: boolean } {
    const existing = s.buffers[name];
    if (existing !== undefined) return { ptr: existing, fresh: false };
    const arena = p.core.arena;
    const ptr = arena.allocBeside(p.ptr, p.size * 4);
    arena.f32.fill(init, ptr >>> 2, (ptr >>> 2) + p.size);
    s.buffers[name] = ptr;
    return { ptr, fresh: true };
  }

  /** A snapshot of hyper-parameters, step counts and state buffers (copied out of the arena). */
  stateDict(): OptimizerStateDict {
    return {
      type: this.type,
      hyper: this.hyper(),
      state: this.state.map((s, i) => {
        if (s === null) return null;
        const f32 = this.params[i].core.arena.f32;
        const n = this.params[i].size;
        const buffers: Record<string, Float32Array> = {};
        for (const [name, ptr] of Object.entries(s.buffers)) buffers[name] = f32.slice(ptr >>> 2, (ptr >>> 2) + n);
        return { step: s.step, buffers };
      }),
    };
  }

  /**
   * Restores a snapshot from `stateDict()` of an optimizer of the same type over parameters of
   * the same sizes; the next `step()` then matches the original run's bit for bit.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const op = `${this.type}.loadStateDict`;
    if (dict === null || typeof dict !== 'object' || dict.type !== this.type) {
      throw fail('E_ARGUMENT', `${op}: expected a state dict of a ${this.type} optimizer, got ${show(dict?.type)}`);
    }
    if (!Array.isArray(dict.state) || dict.state.length !== this.params.length) {
      throw fail('E_SHAPE', `${op}: the state dict has ${dict.state?.length} parameters, this optimizer ${this.params.length}`);
    }
    // Check everything before changing anything, so a bad dict leaves the optimizer as it was.
    for (const [i, s] of dict.state.entries()) {
      if (s === null) continue;
      if (!Number.isInteger(s.step) || s.step < 0) throw fail('E_ARGUMENT', `${op}: state[${i}].step must be a non-negative integer, got ${show(s.step)}`);
      for (const [name, data] of Object.entries(s.buffers)) {
        if (!(data instanceof Float32Array) || data.length !== this.params[i].size) {
          throw fail('E_SHAPE', `${op}: state[${i}].buffers.${name} must be a Float32Array of ${this.params[i].size} values`);
        }
      }
    }
    const previous = { ...this.hyper() };
    this.setHyper(dict.hyper);
    try {
      this.hyper();
    } catch (e) {
      this.setHyper(previous);
      throw e;
    }
    for (const [i, s] of dict.state.entries()) {
      const p = this.params[i];
      const arena = p.core.arena;
      const old = this.state[i];
      if (old) for (const ptr of Object.values(old.buffers)) if (arena.isLive(ptr)) arena.free(ptr);
      if (s === null) {
        this.state[i] = null;
        continue;
      }
      const next: ParamState = { step: s.step, buffers: {} };
      for (const [name, data] of Object.entries(s.buffers)) {
        const ptr = arena.allocBeside(p.ptr, p.size * 4);
        arena.f32.set(data, ptr >>> 2);
        next.buffers[name] = ptr;
      }
      this.state[i] = next;
    }
  }
}
