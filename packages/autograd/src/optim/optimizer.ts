import { fail, type Core } from '../backend.js';
import type { GradRows } from '../grad-rows.js';
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

/** One parameter's entry in a state dict: its step count and its buffers (PyTorch's names). */
export interface ParamStateDict {
  step: number;
  [buffer: string]: number | Float32Array;
}

/**
 * One parameter group in a state dict: its hyper-parameters in PyTorch's snake_case names and the
 * indices of its parameters (`params`), as `torch.optim.Optimizer.state_dict()['param_groups']`.
 */
export interface ParamGroupStateDict {
  params: number[];
  lr: number;
  weight_decay: number;
  [hyper: string]: HyperValue | number[];
}

/**
 * A snapshot for exact resume in PyTorch's layout: `state[i]` holds parameter i's step count and
 * copies of its buffers (`exp_avg`, `exp_avg_sq`, `momentum_buffer`, …; absent: no state yet), and
 * `param_groups` each group's hyper-parameters and parameter indices (in construction order).
 */
export interface OptimizerStateDict {
  state: Record<number, ParamStateDict>;
  param_groups: ParamGroupStateDict[];
}

/** A parameter group as given to a constructor: its parameters and, optionally, its own lr and weight decay. */
export interface ParamGroupOptions {
  params: Iterable<Tensor>;
  /** This group's learning rate (default: the optimizer's `lr`). */
  lr?: number;
  /** This group's weight decay (default: the optimizer's `weightDecay`). */
  weightDecay?: number;
}

/** A parameter group: its parameters and the learning rate and weight decay they are updated with. */
export interface ParamGroup {
  readonly params: readonly Tensor[];
  lr: number;
  weightDecay: number;
}

/** What an optimizer constructor takes: parameters, or parameter groups (PyTorch's per-group options). */
export type Params = Iterable<Tensor> | Iterable<ParamGroupOptions>;

/** camelCase → PyTorch's snake_case (expAvgSq → exp_avg_sq). */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
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

/** Splits constructor input into groups: a plain parameter list is one group. */
function checkGroups(op: string, params: Params, lr: number, weightDecay: number): ParamGroup[] {
  checkHyper(op, 'lr', lr, NON_NEGATIVE);
  checkHyper(op, 'weightDecay', weightDecay, NON_NEGATIVE);
  if (params === null || typeof params !== 'object' || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw fail('E_ARGUMENT', `${op}: params must be an iterable of Tensors or of parameter groups { params, lr?, weightDecay? }, got ${show(params)}`);
  }
  const items = [...(params as Iterable<Tensor | ParamGroupOptions>)];
  const grouped = items.length > 0 && items.every((x) => x !== null && typeof x === 'object' && 'params' in x && !('ptr' in x));
  if (!grouped) return [{ params: checkParams(op, items as Tensor[]), lr, weightDecay }];
  const groups = (items as ParamGroupOptions[]).map((g, i) => {
    const unknown = Object.keys(g).filter((key) => !['params', 'lr', 'weightDecay'].includes(key) && (g as unknown as Record<string, unknown>)[key] !== undefined);
    if (unknown.length > 0) throw fail('E_ARGUMENT', `${op}: param group ${i} has unknown option ${JSON.stringify(unknown[0])}; a group takes params, lr and weightDecay`);
    return {
      params: checkParams(`${op}: param group ${i}:`, g.params),
      lr: g.lr === undefined ? lr : checkHyper(op, `group ${i} lr`, g.lr, NON_NEGATIVE),
      weightDecay: g.weightDecay === undefined ? weightDecay : checkHyper(op, `group ${i} weightDecay`, g.weightDecay, NON_NEGATIVE),
    };
  });
  checkParams(op, groups.flatMap((g) => g.params)); // each parameter once, one core
  return groups;
}

/**
 * Base class: `step()` runs `update` once per parameter that has a gradient, `zeroGrad()` clears
 * gradients, `stateDict()`/`loadStateDict()` snapshot and restore everything a resumed run needs.
 * Parameters come in groups (one by default), each with its own learning rate and weight decay
 * (`paramGroups`); the other hyper-parameters are plain fields shared by all groups, so a schedule
 * (or the user) may change them between steps; they are re-checked at every step.
 */
export abstract class Optimizer {
  /** The parameters of every group, in order (the state dict's indices follow it). */
  readonly params: readonly Tensor[];
  /** The parameter groups, each with its learning rate and weight decay. */
  readonly paramGroups: readonly ParamGroup[];
  protected readonly state: Array<ParamState | null>;
  /** The class name, used in error messages. */
  protected abstract readonly type: string;
  private readonly groupOf: ParamGroup[];

  protected constructor(params: Params, defaults: { lr: number; weightDecay: number }, op: string) {
    this.paramGroups = checkGroups(op, params, defaults.lr, defaults.weightDecay);
    this.params = this.paramGroups.flatMap((g) => g.params);
    this.groupOf = this.paramGroups.flatMap((g) => g.params.map(() => g));
    this.state = this.params.map(() => null);
  }

  /**
   * Learning rate γ: the first group's. Setting it (LR schedules do) scales every group's rate by
   * the same factor, so groups keep their ratios (all are set to it when the first group's is 0).
   */
  get lr(): number {
    return this.paramGroups[0].lr;
  }

  set lr(value: number) {
    const first = this.paramGroups[0].lr;
    for (const g of this.paramGroups) g.lr = first === 0 || typeof value !== 'number' ? value : (g.lr / first) * value;
    this.paramGroups[0].lr = value; // exactly, whatever the rounding of the ratio
  }

  /** Weight decay λ: the first group's; setting it sets every group's. */
  get weightDecay(): number {
    return this.paramGroups[0].weightDecay;
  }

  set weightDecay(value: number) {
    for (const g of this.paramGroups) g.weightDecay = value;
  }

  /**
   * The hyper-parameters shared by all groups (lr and weightDecay excluded), by camelCase name,
   * checked (throws E_ARGUMENT on a bad one).
   */
  protected abstract hyper(): Record<string, HyperValue>;

  /** Restores the shared hyper-parameters (they are checked at the next `hyper()`). */
  protected abstract setHyper(h: Record<string, HyperValue>): void;

  /** One fused kernel call updating parameter `p` from its gradient `g` with state `s`, in `group`. */
  protected abstract update(core: Core, p: Tensor, g: Tensor, s: ParamState, group: ParamGroup): void;

  /**
   * `update` restricted to the `rows` of a row-sparse gradient (an embedding's), for an optimizer
   * whose dense update leaves a row with zero gradient exactly as it is when the group has no
   * weight decay (Adagrad: s + 0² = s, θ − γ·0/(√s + ε) = θ), so the two agree bit for bit.
   * Optimizers with momentum (a zero-gradient row still moves) leave it undefined and stay dense.
   */
  protected updateRows?(core: Core, p: Tensor, g: Tensor, s: ParamState, group: ParamGroup, rows: GradRows): void;

  /** Whether `updateRows` also serves groups with weight decay (decaying the looked-up rows only). */
  protected sparseWithDecay(): boolean {
    return false;
  }

  /** Checks every group's lr and weight decay and the shared hyper-parameters. */
  private checkAll(): Record<string, HyperValue> {
    for (const [i, g] of this.paramGroups.entries()) {
      const where = this.paramGroups.length === 1 ? '' : ` (param group ${i})`;
      checkHyper(this.type, `lr${where}`, g.lr, NON_NEGATIVE);
      checkHyper(this.type, `weightDecay${where}`, g.weightDecay, NON_NEGATIVE);
    }
    return this.hyper();
  }

  /**
   * Sets every parameter's gradient to zero in place (the blocks are kept, so a training loop
   * reuses them and memory stays flat); parameters without a gradient are left as they are.
   */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** Updates every parameter that has a gradient (PyTorch skips those whose grad is None). */
  step(): void {
    this.checkAll(); // re-check: schedules and users may have changed a field since the last step
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
      const group = this.groupOf[i];
      if (g.sparseRows !== null && (group.weightDecay === 0 || this.sparseWithDecay()) && this.updateRows !== undefined) this.updateRows(p.core, p, g, s, group, g.sparseRows);
      else this.update(p.core, p, g, s, group);
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

  /** A snapshot in PyTorch's layout: step counts and buffer copies per parameter, hyper-parameters per group. */
  stateDict(): OptimizerStateDict {
    const shared = Object.fromEntries(Object.entries(this.checkAll()).map(([k, v]) => [snakeCase(k), Array.isArray(v) ? [...v] : v]));
    const state: Record<number, ParamStateDict> = {};
    for (const [i, s] of this.state.entries()) {
      if (s === null) continue;
      const f32 = this.params[i].core.arena.f32;
      const n = this.params[i].size;
      const entry: ParamStateDict = { step: s.step };
      for (const [name, ptr] of Object.entries(s.buffers)) entry[snakeCase(name)] = f32.slice(ptr >>> 2, (ptr >>> 2) + n);
      state[i] = entry;
    }
    let next = 0;
    const param_groups = this.paramGroups.map((g) => ({
      ...shared,
      lr: g.lr,
      weight_decay: g.weightDecay,
      params: g.params.map(() => next++),
    })) as ParamGroupStateDict[];
    return { state, param_groups };
  }

  /**
   * Restores a snapshot from `stateDict()` of an optimizer of the same type over the same groups of
   * parameters of the same sizes; the next `step()` then matches the original run's bit for bit.
   * Everything is checked before anything changes, so a bad dict leaves the optimizer as it was.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const op = `${this.type}.loadStateDict`;
    if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.param_groups) || dict.state === null || typeof dict.state !== 'object') {
      throw fail('E_ARGUMENT', `${op}: expected a state dict { state, param_groups }, got ${show(dict)}`);
    }
    if (dict.param_groups.length !== this.paramGroups.length) {
      throw fail('E_SHAPE', `${op}: the state dict has ${dict.param_groups.length} param groups, this optimizer ${this.paramGroups.length}`);
    }
    const shared = this.hyper();
    const sharedKeys = Object.keys(shared).map(snakeCase);
    const expected = new Set(['params', 'lr', 'weight_decay', ...sharedKeys]);
    let next = 0;
    for (const [i, g] of dict.param_groups.entries()) {
      if (g === null || typeof g !== 'object') throw fail('E_ARGUMENT', `${op}: param_groups[${i}] must be an object, got ${show(g)}`);
      const extra = Object.keys(g).filter((key) => !expected.has(key));
      const missing = [...expected].filter((key) => !(key in g));
      if (extra.length > 0 || missing.length > 0) {
        throw fail('E_ARGUMENT', `${op}: param_groups[${i}] is not a ${this.type} group (${extra.length ? `unexpected ${extra.join(', ')}` : `missing ${missing.join(', ')}`})`);
      }
      const size = this.paramGroups[i].params.length;
      if (!Array.isArray(g.params) || g.params.length !== size || g.params.some((v, j) => v !== next + j)) {
        throw fail('E_SHAPE', `${op}: param_groups[${i}].params must be the ${size} indices ${next}…${next + size - 1}, got ${show(g.params)}`);
      }
      next += size;
      checkHyper(op, `param_groups[${i}].lr`, g.lr, NON_NEGATIVE);
      checkHyper(op, `param_groups[${i}].weight_decay`, g.weight_decay, NON_NEGATIVE);
    }
    const entries = Object.entries(dict.state);
    for (const [key, s] of entries) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= this.params.length) throw fail('E_SHAPE', `${op}: state has an entry for parameter ${show(key)}, this optimizer has ${this.params.length}`);
      if (s === null || typeof s !== 'object') throw fail('E_ARGUMENT', `${op}: state[${i}] must be an object, got ${show(s)}`);
      if (!Number.isInteger(s.step) || s.step < 0) throw fail('E_ARGUMENT', `${op}: state[${i}].step must be a non-negative integer, got ${show(s.step)}`);
      for (const [name, data] of Object.entries(s)) {
        if (name === 'step') continue;
        if (!(data instanceof Float32Array) || data.length !== this.params[i].size) {
          throw fail('E_SHAPE', `${op}: state[${i}].${name} must be a Float32Array of ${this.params[i].size} values`);
        }
      }
    }
    const first = dict.param_groups[0];
    const camel = Object.fromEntries(Object.keys(shared).map((k) => [k, first[snakeCase(k)] as HyperValue]));
    this.setHyper(camel);
    try {
      this.hyper();
    } catch (e) {
      this.setHyper(shared);
      throw e;
    }
    for (const [i, g] of dict.param_groups.entries()) {
      this.paramGroups[i].lr = g.lr;
      this.paramGroups[i].weightDecay = g.weight_decay;
    }
    const camelOf = new Map<string, string>();
    for (const [i, p] of this.params.entries()) {
      const arena = p.core.arena;
      const old = this.state[i];
      if (old) for (const ptr of Object.values(old.buffers)) if (arena.isLive(ptr)) arena.free(ptr);
      const s = dict.state[i];
      if (s === undefined) {
        this.state[i] = null;
        continue;
      }
      const restored: ParamState = { step: s.step, buffers: {} };
      for (const [name, data] of Object.entries(s)) {
        if (name === 'step') continue;
        const ptr = arena.allocBeside(p.ptr, p.size * 4);
        arena.f32.set(data as Float32Array, ptr >>> 2);
        if (!camelOf.has(name)) camelOf.set(name, name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()));
        restored.buffers[camelOf.get(name)!] = ptr;
      }
      this.state[i] = restored;
    }
  }
}
