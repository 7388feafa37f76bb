import { fail, getCore } from './backend.js';
import { Tensor } from './tensor.js';
import { gradMode, truncateTape, tapeLength } from './tape.js';

// Lifetimes. Every tensor made inside `scope(fn)` is freed when fn returns, except what fn returns
// and what `keep` moved out; the tape is cut back to where it was. A training step inside a scope
// therefore reuses the same arena blocks every iteration and memory stays flat.

/** @internal One active `scope` call: the tensors it will free and the tape length at entry. */
export interface Frame {
  readonly tensors: Tensor[];
  readonly tapeLength: number;
  readonly parent: Frame | null;
}

/** @internal The innermost frame (null outside every scope). */
export const frameState: { current: Frame | null } = { current: null };

/**
 * Runs `fn` and frees every tensor created inside it except the ones it returns and the ones
 * passed to `keep`. The result is searched to any depth (a tree of results): arrays, Maps (keys and
 * values), Sets and the own enumerable properties of any object, class instances included; cycles
 * are followed once. A container whose contents cannot be enumerated (WeakMap, WeakSet, WeakRef, a
 * Promise) throws E_ARGUMENT naming its path, rather than free the tensors it may hold; functions
 * (closures), typed arrays and private `#fields` are not searched. Tape nodes
 * recorded inside are dropped: a returned tensor comes out as a constant (no node, no
 * requiresGrad), so call `backward()` inside the scope. Using a freed tensor throws E_SCOPE.
 * Scopes nest and are synchronous (an async fn is refused by the arena).
 *
 * @example
 * for (let step = 0; step < steps; step++) {
 *   const loss = scope(() => { const l = model(x).sub(y).mean(); l.backward(); opt.step(); return l.item(); });
 * }
 */
export function scope<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw fail('E_ARGUMENT', 'scope: expected a function');
  const core = getCore();
  const frame: Frame = { tensors: [], tapeLength: tapeLength(), parent: frameState.current };
  frameState.current = frame;
  try {
    return core.arena.scope(() => {
      const result = fn();
      keepAll(result);
      return result;
    });
  } finally {
    frameState.current = frame.parent;
    for (const t of frame.tensors) {
      if (t.frame !== frame || t.disposed) continue;
      // The arena scope above freed the active core's blocks; a tensor of another core is freed here.
      if (t.core !== core && t.core.arena.isLive(t.ptr)) t.core.arena.free(t.ptr);
      t.disposed = true;
      t.ptr = -1;
    }
    // After marking: a Function's release() then sees its workspace already freed.
    truncateTape(frame.tapeLength);
  }
}

/** A value still to search, with how it was reached (for the error's path). */
interface Visit {
  readonly value: object;
  readonly parent: Visit | null;
  readonly key: string;
}

/**
 * Keeps every tensor reachable from `result`. NOTE: iterative, with an explicit stack and a visited
 * set, so a result 10⁵ levels deep or with cycles neither overflows the call stack nor loops.
 */
function keepAll(result: unknown): void {
  if (result instanceof Tensor) {
    keep(result);
    return;
  }
  if (!isSearchable(result)) return;
  const seen = new Set<object>([result]);
  const stack: Visit[] = [{ value: result, parent: null, key: '' }];
  const visit = (value: unknown, parent: Visit, key: string): void => {
    if (value instanceof Tensor) keep(value);
    else if (isSearchable(value) && !seen.has(value)) {
      seen.add(value);
      stack.push({ value, parent, key });
    }
  };
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const value = top.value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(value[i], top, `[${i}]`);
    } else if (value instanceof Map) {
      let i = 0;
      for (const [k, v] of value) {
        visit(k, top, `.keys()[${i}]`);
        visit(v, top, `.get(${describeKey(k)})`);
        i++;
      }
    } else if (value instanceof Set) {
      let i = 0;
      for (const v of value) visit(v, top, `.values()[${i++}]`);
    } else if (value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef || value instanceof Promise) {
      throw fail(
        'E_ARGUMENT',
        `scope: the result holds a ${value.constructor.name} at ${pathOf(top)}, whose contents cannot be searched for tensors ` +
          'to keep; return the tensors in an array, object or Map instead (or keep() them)',
      );
    } else {
      for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key], top, `.${key}`);
    }
  }
}

/** Objects whose contents may hold tensors (not typed arrays, buffers or functions: they cannot). */
function isSearchable(value: unknown): value is object {
  return value !== null && typeof value === 'object' && !ArrayBuffer.isView(value) && !(value instanceof ArrayBuffer);
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : typeof key === 'object' && key !== null ? `<${key.constructor?.name ?? 'object'}>` : String(key);
}

/** `result.a[2].get("x")`: where a visited value sits in the result. */
function pathOf(v: Visit): string {
  const parts: string[] = [];
  for (let p: Visit | null = v; p !== null; p = p.parent) parts.push(p.key);
  return `result${parts.reverse().join('')}`;
}

/**
 * Moves `t` (and its gradient) out of the innermost scope into the one around it, so it survives
 * that scope's end: state carried across iterations. A no-op outside scopes or for tensors of an
 * outer scope. Returns `t`.
 */
export function keep<T extends Tensor>(t: T): T {
  if (!(t instanceof Tensor)) throw fail('E_ARGUMENT', 'keep: expected a Tensor');
  t.check('keep');
  const frame = frameState.current;
  if (frame === null || t.frame !== frame) return t;
  moveOut(t, frame);
  if (t.grad !== null && t.grad.frame === frame) moveOut(t.grad, frame);
  return t;
}

function moveOut(t: Tensor, frame: Frame): void {
  t.core.arena.keep(t.ptr);
  t.frame = frame.parent;
  frame.parent?.tensors.push(t);
}

/**
 * A copy of `t` that shares nothing with the graph: no node, requiresGrad false, its own storage.
 * For hidden state carried across truncated-BPTT windows.
 */
export function detach(t: Tensor): Tensor {
  if (!(t instanceof Tensor)) throw fail('E_ARGUMENT', 'detach: expected a Tensor');
  t.check('detach');
  const arena = t.core.arena;
  const out = new Tensor(t.core, arena.alloc(t.size * 4), t.shape, t.dtype);
  arena.u8.copyWithin(out.ptr, t.ptr, t.ptr + t.size * 4);
  return out;
}

/** Runs `fn` without recording on the tape (evaluation, optimizer updates); returns what it returns. */
export function noGrad<T>(fn: () => T): T {
  const was = gradMode.enabled;
  gradMode.enabled = false;
  try {
    return fn();
  } finally {
    gradMode.enabled = was;
  }
}

/** Whether operations are being recorded now (false inside `noGrad` and during `backward`). */
export function isGradEnabled(): boolean {
  return gradMode.enabled;
}
