import { index, projectedEmbedding, Tensor } from '@eddy/autograd';
import { projectionPays } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import type { CellSpec, LayerResult, LayerWeights } from './runner.js';

// Token input through an embedding table: the one home of the projected-embedding path.
//
// A first layer fed by an embedding table E computes E[x]·W_ihᵀ. Projecting the table instead,
// P = E·W_ihᵀ [V, G·H], and gathering P[x] is the same function with V rows of GEMM instead of T·B
// (a character model: 65 rows against thousands), and in the backward a scatter-add and two V-row
// products instead of two T·B-row ones — the largest single speed-up measured for character models
// (ARCHITECTURE.md). The runner asks this file for layer 0's input and knows nothing else of it.

/** How layer 0 reads its input: dense features, or token ids through a table. */
export interface FirstLayerInput {
  /** Steps and batch of the input. */
  readonly T: number;
  readonly B: number;
  /** The time-major input of layer 0 when it runs as any other layer ([T, B, I]); null when projected. */
  readonly dense: Tensor | null;
  /** Runs layer 0 in one direction from the projected table (only when `dense` is null). */
  runProjected(w: LayerWeights, h: Tensor | null, c: Tensor | null, lengths: Tensor | null, reverse: boolean): LayerResult;
}

/**
 * Layer 0's input for `x` (time-major already): with no `embedding`, x itself; with one, the
 * projected table where the cell has a fused projected path, V < T·B and `mayProject`, else the
 * gathered rows E[x].
 */
export function firstLayerInput(cell: CellSpec, timeMajor: Tensor, embedding: Tensor | null, T: number, B: number, mayProject = true): FirstLayerInput {
  const project = mayProject && embedding !== null && cell.runProjected !== undefined && projectionPays(embedding.shape[0], T * B);
  if (!project) {
    const dense = embedding === null ? timeMajor : index(embedding, timeMajor);
    return {
      T,
      B,
      dense,
      runProjected: () => {
        throw fail('E_ARGUMENT', 'firstLayerInput: layer 0 reads dense input here, not a projected table');
      },
    };
  }
  return {
    T,
    B,
    dense: null,
    runProjected: (w, h, c, lengths, reverse) =>
      cell.runProjected!(projectedEmbedding(embedding!, w.wIh, timeMajor), { ...w, wIh: null }, h, c, lengths, reverse),
  };
}

/** Checks an `embedding` option: a float32 table [V, inputSize], or null/undefined for none. */
export function checkEmbedding(op: string, e: unknown, inputSize: number): Tensor | null {
  if (e === undefined || e === null) return null;
  if (!(e instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: embedding must be a Tensor [V, inputSize], got ${describe(e)}`);
  e.check(op);
  if (e.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: embedding must be float32, got ${e.dtype}`);
  if (e.shape.length !== 2 || e.shape[1] !== inputSize || e.shape[0] < 1) {
    throw fail('E_SHAPE', `${op}: embedding must have shape [V, inputSize = ${inputSize}], got [${e.shape.join(', ')}]`);
  }
  return e;
}

/** Checks token ids read through an embedding: int32 [T, B] ([B, T] with batchFirst). */
export function checkTokens(op: string, x: unknown, batchFirst: boolean): { T: number; B: number } {
  if (!(x instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: with an embedding, x must be an int32 Tensor of token ids, got ${describe(x)}`);
  x.check(op);
  const layout = batchFirst ? '[B, T] (batchFirst)' : '[T, B]';
  if (x.dtype !== 'int32') throw fail('E_ARGUMENT', `${op}: with an embedding, x must be int32 token ids ${layout}, got ${x.dtype}`);
  if (x.shape.length !== 2) throw fail('E_SHAPE', `${op}: with an embedding, x must have shape ${layout}, got [${x.shape.join(', ')}]`);
  const [T, B] = batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  if (T < 1 || B < 1) throw fail('E_SHAPE', `${op}: x must have at least one step and one batch element, got [${x.shape.join(', ')}]`);
  return { T, B };
}
