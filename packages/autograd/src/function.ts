import { fail } from './backend.js';
import type { Tensor } from './tensor.js';
import { gradMode, pushNode } from './tape.js';

// This is where the forward and backward passes meet (tinygrad's function.py): a Function is a
// pair forward/backward over tensors, and `apply` runs the forward and, when some input requires
// grad and grad mode is on, records one tape node that `backward` later walks.

/**
 * An differentiable operation. `forward` computes the outputs from the inputs (checked live and
 * from one core by `apply`) and stores in `ctx.saved` what `backward` needs (inputs, outputs,
 * a kernel workspace…). `backward` gets one upstream gradient per output (null for an output
 * that received none: only possible with several outputs) and returns one gradient per input,
 * shaped like that input, or null where `ctx.needsGrad[i]` is false (or the input is not
 * differentiable, e.g. int32 indices). Backward runs with grad mode off, so it may call the public
 * ops freely; it must not modify the upstream gradients in place (they may be shared).
 * `release`, if present, frees what only the node owns (a workspace) once backward has run or the
 * node was dropped by its scope; references in `ctx.saved` are dropped either way.
 *
 * @typeParam O options passed through `apply` to `forward` (sizes, flags).
 * @typeParam S what forward saves for backward.
 */
export interface Function<O = void, S = unknown> {
  readonly name: string;
  forward(ctx: Node<S>, inputs: readonly Tensor[], options: O): Tensor | Tensor[];
  backward(ctx: Node<S>, grads: readonly (Tensor | null)[]): readonly (Tensor | null)[];
  release?(ctx: Node<S>): void;
}

/** A tape node: one application of a Function (the `ctx` its forward and backward share). */
export class Node<S = unknown> {
  readonly fn: Function<any, S>;
  readonly inputs: readonly Tensor[];
  /** Per input: whether backward must return its gradient. All false when not recording. */
  readonly needsGrad: boolean[];
  /** Whether this application is being recorded on the tape. */
  readonly recording: boolean;
  outputs: Tensor[] = [];
  /** What forward saved for backward; dropped (undefined) after backward. */
  saved: S | undefined = undefined;
  /** @internal Position on the tape. */
  index = -1;
  /** @internal Upstream gradients per output, gathered during backward (null until one arrives). */
  grads: (Tensor | null)[] | null = null;
  /** @internal Set once backward ran or the node was dropped. */
  released = false;

  constructor(fn: Function<any, S>, inputs: readonly Tensor[], needsGrad: boolean[], recording: boolean) {
    this.fn = fn;
    this.inputs = inputs;
    this.needsGrad = needsGrad;
    this.recording = recording;
  }

  /** @internal Drops the saved state and lets the Function free what it owns. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.fn.release?.(this);
    this.saved = undefined;
    this.grads = null;
  }
}

const NONE: boolean[] = [];

/**
 * Runs `fn.forward` on `inputs` and records a node when grad mode is on and some input requires
 * grad. Returns the single output (use `applyMany` for Functions with several).
 */
export function apply<O, S>(fn: Function<O, S>, inputs: readonly Tensor[], options: O): Tensor {
  const out = run(fn, inputs, options);
  if (Array.isArray(out)) throw fail('E_ARGUMENT', `${fn.name}: has ${out.length} outputs; use applyMany`);
  return out as Tensor;
}

/** `apply` for Functions with several outputs (a recurrent layer's output sequence, hT and cT). */
export function applyMany<O, S>(fn: Function<O, S>, inputs: readonly Tensor[], options: O): Tensor[] {
  const out = run(fn, inputs, options);
  return Array.isArray(out) ? out : [out as Tensor];
}

function run<O, S>(fn: Function<O, S>, inputs: readonly Tensor[], options: O): Tensor | Tensor[] {
  let recording = false;
  if (gradMode.enabled) for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) recording = true;
  let needs = NONE;
  if (recording) {
    needs = new Array<boolean>(inputs.length);
    for (let i = 0; i < inputs.length; i++) needs[i] = inputs[i].requiresGrad;
  }
  const ctx = new Node<S>(fn, inputs, needs, recording);
  const out = fn.forward(ctx, inputs, options);
  if (!recording) return out;
  const outputs = Array.isArray(out) ? out : [out];
  for (let i = 0; i < outputs.length; i++) {
    const t = outputs[i];
    if (t.dtype !== 'float32') continue;
    t.requiresGrad = true;
    t.node = ctx;
    t.outputIndex = i;
  }
  ctx.outputs = outputs;
  pushNode(ctx);
  return out;
}
