import { axpy, embeddingScatterAdd, fail } from './backend.js';
import { GradRows } from './grad-rows.js';
import { frameState } from './scope.js';
import type { Node } from './function.js';
import { fmt, sameShape } from './shapes.js';
import { Tensor } from './tensor.js';
import { add } from './ops/elementwise.js';

// The tape: nodes in execution order. Backward walks it from the loss's node down to 0 with a
// plain loop (no recursion, so 10⁵-node graphs from recursive nets are fine); a node runs only if
// a gradient reached one of its outputs, and every node it ran is released right after.

const tape: Node[] = [];

/** @internal Grad mode: `noGrad` and `backward` switch it off. */
export const gradMode = { enabled: true };

/** @internal */
export function pushNode(node: Node): void {
  node.index = tape.length;
  tape.push(node);
}

/** Nodes on the tape now (recorded and not yet released by a backward or a scope's end). */
export function tapeLength(): number {
  return tape.length;
}

/**
 * @internal Drops the nodes from `length` on (a scope's end): each is released, and its outputs
 * become constants so a surviving (kept) output cannot reach the freed graph.
 */
export function truncateTape(length: number): void {
  for (let i = tape.length - 1; i >= length; i--) {
    const node = tape[i];
    node.release();
    for (const t of node.outputs) {
      t.node = null;
      t.requiresGrad = false;
    }
  }
  if (tape.length > length) tape.length = length;
}

/**
 * Backpropagation: ∂L/∂x for every leaf x that requires grad and that `root` depends on, added
 * into `x.grad` (gradients accumulate across calls until `zeroGrad`). `root` must be a scalar
 * unless `grad` (∂L/∂root, shaped like root) is given. The graph is freed as it is walked: a
 * second backward through the same nodes throws E_GRAD.
 */
export function backward(root: Tensor, grad?: Tensor): void {
  if (!(root instanceof Tensor)) throw fail('E_ARGUMENT', 'backward: expected a Tensor');
  root.check('backward');
  if (!root.requiresGrad) {
    throw fail('E_GRAD', 'backward: the tensor does not require grad (no input of its graph requires grad, or it was made under noGrad or detached by a scope)');
  }
  let g: Tensor;
  if (grad === undefined) {
    if (root.size !== 1) {
      throw fail('E_GRAD', `backward: the output has shape ${fmt(root.shape)}; a non-scalar needs an explicit gradient: backward(grad)`);
    }
    g = new Tensor(root.core, root.core.arena.alloc(4), root.shape);
    root.core.arena.f32[g.ptr >>> 2] = 1;
  } else {
    if (!(grad instanceof Tensor)) throw fail('E_ARGUMENT', 'backward: grad must be a Tensor');
    grad.check('backward');
    if (grad.core !== root.core) throw fail('E_CORE_MISMATCH', 'backward: grad comes from another core');
    if (!sameShape(grad.shape, root.shape)) {
      throw fail('E_SHAPE', `backward: grad has shape ${fmt(grad.shape)} but the output has shape ${fmt(root.shape)}`);
    }
    g = grad;
  }
  const start = root.node;
  if (start === null) {
    accumulateLeaf(root, g);
    return;
  }
  if (start.released || tape[start.index] !== start) {
    throw fail('E_GRAD', 'backward: the graph of this tensor was already freed (by an earlier backward, or its scope ended)');
  }
  start.grads = new Array<Tensor | null>(start.outputs.length).fill(null);
  start.grads[root.outputIndex] = g;
  const was = gradMode.enabled;
  gradMode.enabled = false;
  try {
    for (let i = start.index; i >= 0; i--) {
      const node = tape[i];
      if (node.grads === null || node.released) continue;
      runNode(node);
    }
  } finally {
    gradMode.enabled = was;
    compact();
  }
}

function runNode(node: Node): void {
  const grads = node.fn.backward(node, node.grads!);
  const inputs = node.inputs;
  for (let j = 0; j < inputs.length; j++) {
    const gj = grads[j];
    if (gj === null || gj === undefined || !node.needsGrad[j]) continue;
    const t = inputs[j];
    if (!sameShape(gj.shape, t.shape)) {
      throw fail('E_SHAPE', `backward of ${node.fn.name}: gradient for input ${j} has shape ${fmt(gj.shape)} but the input has shape ${fmt(t.shape)}`);
    }
    const producer = t.node;
    if (producer === null) {
      accumulateLeaf(t, gj);
    } else if (!producer.released) {
      // NOTE: out of place: an upstream gradient may be shared (add passes one tensor to both inputs).
      if (producer.grads === null) producer.grads = new Array<Tensor | null>(producer.outputs.length).fill(null);
      const prev = producer.grads[t.outputIndex];
      producer.grads[t.outputIndex] = prev === null ? gj : add(prev, gj);
    }
  }
  node.release();
}

/** x.grad += g; the first gradient gets a block beside x's, so it lives exactly as long as x. */
function accumulateLeaf(x: Tensor, g: Tensor): void {
  if (!x.requiresGrad) return;
  x.check('backward');
  const arena = x.core.arena;
  const n = x.size;
  if (x.grad === null || x.grad.disposed) {
    const ptr = arena.allocBeside(x.ptr, n * 4);
    x.grad = new Tensor(x.core, ptr, x.shape, 'float32', x.frame);
    arena.u8.copyWithin(ptr, g.ptr, g.ptr + n * 4);
  } else {
    axpy(x.core, { n, alpha: 1, x: g.ptr, y: x.grad.ptr });
    x.grad.sparseRows = null; // any row may be non-zero now
  }
}

/**
 * @internal x.grad[ids[i]] += g[i] for a leaf x [V, …] read by row lookups (`index`): a scatter
 * into x's gradient block instead of a dense [V, …] gradient added whole. A gradient block that only
 * such lookups have added into since it was made remembers their rows (`sparseRows`), so that
 * `zeroGrad` and Adagrad touch those rows only. From a zeroed gradient (one backward per step) the
 * sums equal the dense path's bit for bit; accumulated over several backwards, up to rounding.
 */
export function accumulateLeafRows(x: Tensor, ids: Tensor, g: Tensor): void {
  if (!x.requiresGrad) return;
  x.check('backward');
  const arena = x.core.arena;
  const rows = x.shape[0], width = rows === 0 ? 0 : x.size / rows;
  if (x.grad === null || x.grad.disposed) {
    const ptr = arena.allocBeside(x.ptr, x.size * 4);
    arena.f32.fill(0, ptr >>> 2, (ptr >>> 2) + x.size);
    x.grad = new Tensor(x.core, ptr, x.shape, 'float32', x.frame);
    x.grad.sparseRows = new GradRows(rows, width);
  }
  embeddingScatterAdd(x.core, { n: ids.size, v: rows, d: width, ids: ids.ptr, grad: g.ptr, dtable: x.grad.ptr });
  x.grad.sparseRows?.add(arena.i32.subarray(ids.ptr >>> 2, (ids.ptr >>> 2) + ids.size));
}

/**
 * Removes released nodes recorded in the innermost scope (or all, outside scopes): earlier
 * positions must stay put because enclosing scopes truncate to them.
 */
function compact(): void {
  const from = frameState.current?.tapeLength ?? 0;
  let w = from;
  for (let r = from; r < tape.length; r++) {
    const node = tape[r];
    if (node.released) continue;
    node.index = w;
    tape[w++] = node;
  }
  tape.length = w;
}
