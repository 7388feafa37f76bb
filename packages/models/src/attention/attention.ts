import { index, matmul, Tensor, tensor, where } from '@eddy/autograd';
import { checkOptions } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { readLengths } from '../lengths.js';
import { Module } from '../module.js';

// The one forward behind every attention score (Bahdanau; Luong dot, general, concat): shape and
// length checks, exact masking, the softmax over source positions and the context live here once;
// a score only says how it projects the keys and how it scores a query against them.

/** Valid key positions per batch element: an int32 tensor [B] or B integers in [1, S]. */
export type AttentionLengths = Tensor | readonly number[] | Int32Array;

/** The per-call options of `forward`. */
export interface AttentionForwardOptions {
  /**
   * Valid key positions per batch element, each in [1, S]: positions s ≥ lengths[b] are padding,
   * get weight exactly 0, and their values (whatever they are) change neither the context nor any
   * gradient. Absent: every position is valid.
   */
  lengths?: AttentionLengths | null;
  /**
   * `projectKeys(keys, { lengths })` computed once per source batch, reused at every decoder step
   * (the key side of the score does not depend on the query). Absent: projected in this call.
   */
  projectedKeys?: Tensor | null;
}

/** What `forward` returns. */
export interface AttentionOutput {
  /** Σ_s a_s k_s, [B, Hk]. */
  context: Tensor;
  /** The attention weights a [B, S]: a softmax over the valid positions, exactly 0 past them. */
  weights: Tensor;
}

/** The options of `projectKeys`. */
export interface ProjectKeysOptions {
  /** As `forward`'s: padding keys are replaced by 0 before the projection. */
  lengths?: AttentionLengths | null;
}

/** The padding masks of one call: 1 at valid positions, 0 past each length. */
interface Masks {
  /** [S, B, 1], for the keys and their projection (time-major). */
  keys: Tensor;
  /** [B, S], for the scores. */
  scores: Tensor;
}

/**
 * Keys prepared once per source batch for many `attend` calls (a decoder's steps): everything about
 * the keys that does not depend on the query, in the layouts the per-step products want.
 */
export interface AttentionMemory {
  /** The keys, batch-major [B, S, Hk], padding rows 0: context_b = a_b · keys_b is one GEMM row. */
  readonly keys: Tensor;
  /** The key side of the score, in the layout `preparedScores` reads (see `prepareProjected`). */
  readonly projected: Tensor;
  /** [B, S]: 1 at valid positions, 0 past each length; null when nothing is padding. */
  readonly mask: Tensor | null;
}

/**
 * The base of `BahdanauAttention` and `LuongAttention`. Keys are time-major [S, B, Hk] (the
 * encoder's output), the query [B, H] (the decoder's state). A subclass gives the key-side
 * projection P = proj(K) and the scores e [S, B] of a query against P:
 *
 *     a_b = softmax_{s < lengths[b]}(e_{s,b})      context_b = Σ_s a_{b,s} k_{s,b}
 */
export abstract class AttentionBase extends Module {
  /** H, the query's features. */
  readonly hiddenSize: number;
  /** Hk, the keys' features. */
  readonly keySize: number;

  protected constructor(hiddenSize: number, keySize: number) {
    super();
    this.hiddenSize = hiddenSize;
    this.keySize = keySize;
  }

  /** The class name, for messages. */
  protected abstract get kind(): string;

  /** The features of the projected keys (H, or Hk when keys are scored as they are). */
  protected abstract get projectedSize(): number;

  /** The key side of the score for every position, [S, B, projectedSize]. */
  protected abstract project(keys: Tensor): Tensor;

  /** The scores e [S, B] of query [B, H] against the projected keys [S, B, projectedSize]. */
  protected abstract scores(query: Tensor, projected: Tensor): Tensor;

  /**
   * The projected keys [S, B, ·] in the layout `preparedScores` reads. Default: as they are
   * (scores that add the query to every key keep the time-major layout, where [B, H] broadcasts
   * over S as one tiled block).
   */
  protected prepareProjected(projected: Tensor): Tensor {
    return projected;
  }

  /** Whether `prepareProjected` makes the projection batch-major [B, S, ·] (for `selectRows`). */
  protected get projectedBatchMajor(): boolean {
    return false;
  }

  /** The scores e [B, S] of query [B, H] against `prepareProjected`'s tensor. */
  protected preparedScores(query: Tensor, projected: Tensor): Tensor {
    return this.scores(query, projected).transpose(0, 1);
  }

  /**
   * The key side of the score, computed once per source batch and passed to every decoder step
   * as `forward`'s `projectedKeys`: Ua k (Bahdanau), attn(k) (Luong general), the key columns of
   * attn plus its bias (Luong concat), k itself (Luong dot). keys [S, B, Hk] → [S, B, ·]. Pass the
   * same `lengths` as to `forward` so that padding keys are zeroed before they are projected.
   */
  projectKeys(keys: Tensor, options: ProjectKeysOptions = {}): Tensor {
    const op = `${this.kind}.projectKeys`;
    const o = checkOptions(op, options, ['lengths']);
    const [S, B] = this.checkKeys(op, keys);
    const masks = this.masks(op, o.lengths as ProjectKeysOptions['lengths'], S, B);
    return this.project(masks === null ? keys : where(masks.keys, keys, 0));
  }

  /**
   * Attends from `query` [B, H] over `keys` [S, B, Hk]: returns the context [B, Hk] and the
   * weights [B, S]. See the class documentation for the equations and `AttentionForwardOptions`
   * for lengths and projected keys. The same as `attend(query, prepare(keys, options))`.
   */
  forward(query: Tensor, keys: Tensor, options: AttentionForwardOptions = {}): AttentionOutput {
    const op = `${this.kind}.forward`;
    const o = checkOptions(op, options, ['lengths', 'projectedKeys']);
    return this.attendChecked(op, query, this.prepareChecked(op, keys, o.lengths as AttentionForwardOptions['lengths'], o.projectedKeys));
  }

  /**
   * Everything about `keys` [S, B, Hk] that does not depend on the query, computed once per source
   * batch (the masked keys, their projection, the score mask) for `attend` at every decoder step.
   */
  prepare(keys: Tensor, options: ProjectKeysOptions = {}): AttentionMemory {
    const op = `${this.kind}.prepare`;
    const o = checkOptions(op, options, ['lengths']);
    return this.prepareChecked(op, keys, o.lengths as ProjectKeysOptions['lengths'], undefined);
  }

  /**
   * One step: the context [B, Hk] and weights [B, S] of `query` [B, H] over prepared keys, in a few
   * batched products (the scores and the context are one GEMM row per batch element).
   */
  attend(query: Tensor, memory: AttentionMemory): AttentionOutput {
    return this.attendChecked(`${this.kind}.attend`, query, memory);
  }

  /** The rows `ids` (int32 [R], each in [0, B)) of a prepared memory: R sequences' keys, e.g. K per source for beam search. */
  selectRows(memory: AttentionMemory, ids: Tensor): AttentionMemory {
    const projected = this.projectedBatchMajor ? index(memory.projected, ids) : index(memory.projected.transpose(0, 1), ids).transpose(0, 1);
    return { keys: index(memory.keys, ids), projected, mask: memory.mask === null ? null : index(memory.mask, ids) };
  }

  private prepareChecked(op: string, keys: Tensor, lengths: AttentionForwardOptions['lengths'], projectedKeys: unknown): AttentionMemory {
    const [S, B] = this.checkKeys(op, keys);
    const masks = this.masks(op, lengths, S, B);
    // Padding keys become 0 first: every later product then meets finite values only, so no
    // padding value (huge or not) can overflow into an Inf or NaN that a 0 weight would not undo.
    const k = masks === null ? keys : where(masks.keys, keys, 0);
    let projected: Tensor;
    if (projectedKeys === undefined || projectedKeys === null) {
      projected = this.project(k);
    } else {
      const given = checkTensor(op, 'projectedKeys', projectedKeys, [S, B, this.projectedSize], '[S, B, ·] (from projectKeys)');
      projected = masks === null ? given : where(masks.keys, given, 0);
    }
    return { keys: k.transpose(0, 1), projected: this.prepareProjected(projected), mask: masks === null ? null : masks.scores };
  }

  private attendChecked(op: string, query: Tensor, memory: AttentionMemory): AttentionOutput {
    const [B, S] = memory.keys.shape;
    checkTensor(op, 'query', query, [B, this.hiddenSize], '[B, hiddenSize]');
    let e = this.preparedScores(query, memory.projected); // [B, S]
    // NOTE: −∞ scores give exp(−∞) = 0 exactly, and where() routes their gradient to nothing.
    if (memory.mask !== null) e = where(memory.mask, e, -Infinity);
    const weights = e.softmax(-1);
    const context = matmul(weights.reshape([B, 1, S]), memory.keys).reshape([B, this.keySize]);
    return { context, weights };
  }

  private checkKeys(op: string, keys: unknown): [number, number] {
    if (!(keys instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: keys must be a Tensor, got ${describe(keys)}`);
    keys.check(op);
    if (keys.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: keys must be float32, got ${keys.dtype}`);
    if (keys.shape.length !== 3 || keys.shape[2] !== this.keySize || keys.shape[0] < 1 || keys.shape[1] < 1) {
      throw fail('E_SHAPE', `${op}: keys must have shape [S, B, keySize = ${this.keySize}] with S, B >= 1, got [${keys.shape.join(', ')}]`);
    }
    return [keys.shape[0], keys.shape[1]];
  }

  /** The masks for `lengths` (each in [1, S]), or null when absent or when nothing is padding. */
  private masks(op: string, lengths: AttentionForwardOptions['lengths'], S: number, B: number): Masks | null {
    if (lengths === undefined || lengths === null) return null;
    const values = readLengths(op, lengths, S, B, 1, 'S');
    const bs = new Float32Array(B * S);
    const sb = new Float32Array(S * B);
    let padded = false;
    for (let b = 0; b < B; b++) {
      const n = values[b];
      padded ||= n < S;
      for (let s = 0; s < n; s++) bs[b * S + s] = sb[s * B + b] = 1;
    }
    return padded ? { keys: tensor(sb, [S, B, 1]), scores: tensor(bs, [B, S]) } : null;
  }
}

/** A live float32 tensor of exactly `shape`, else E_ARGUMENT / E_SHAPE naming `name`. */
function checkTensor(op: string, name: string, t: unknown, shape: readonly number[], layout: string): Tensor {
  if (!(t instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: ${name} must be a Tensor, got ${describe(t)}`);
  t.check(op);
  if (t.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: ${name} must be float32, got ${t.dtype}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw fail('E_SHAPE', `${op}: ${name} must have shape ${layout} = [${shape.join(', ')}], got [${t.shape.join(', ')}]`);
  }
  return t;
}
