import type { ParallelBatch } from '@eddy/text';
import { describe, fail } from '../errors.js';

/**
 * A padded batch of (source, target) pairs, time-major: text's `ParallelBatch` (what
 * `parallelBatches` makes: source [S·B] and target BOS y1 … yn EOS [T·B], padded, with their
 * lengths; any order of lengths, the model needs no sorting), and the conditioning vectors of a
 * conditioned model.
 */
export interface Seq2SeqBatch extends ParallelBatch {
  /** [B·conditionSize]: the conditioning vectors, when the model is conditioned. */
  condition?: Float32Array;
}

/** The sizes a batch is checked against. */
export interface BatchLimits {
  sourceVocabSize: number;
  targetVocabSize: number;
  conditionSize: number;
}

/**
 * Checks every field of `batch` (shapes, lengths, ids in range, the condition's size) so that a
 * malformed batch fails here with a message naming the field, not deep in a kernel.
 */
export function checkBatch(op: string, batch: Seq2SeqBatch, limits: BatchLimits): void {
  if (batch === null || typeof batch !== 'object') throw fail('E_ARGUMENT', `${op}: batch must be a Seq2SeqBatch object, got ${describe(batch)}`);
  const B = positiveInt(op, 'batch.batchSize', batch.batchSize);
  const S = positiveInt(op, 'batch.sourceSteps', batch.sourceSteps);
  const T = positiveInt(op, 'batch.targetSteps', batch.targetSteps);
  if (T < 2) throw fail('E_SHAPE', `${op}: batch.targetSteps must be >= 2 (BOS and EOS), got ${T}`);
  checkIds(op, 'batch.source', batch.source, S * B, `S·B = ${S}·${B}`, limits.sourceVocabSize);
  checkIds(op, 'batch.target', batch.target, T * B, `T·B = ${T}·${B}`, limits.targetVocabSize);
  checkLengths(op, 'batch.sourceLengths', batch.sourceLengths, B, 1, S);
  checkLengths(op, 'batch.targetLengths', batch.targetLengths, B, 2, T);
  const C = limits.conditionSize;
  if (C > 0) {
    if (!(batch.condition instanceof Float32Array) || batch.condition.length !== B * C) {
      const got = batch.condition instanceof Float32Array ? `length ${batch.condition.length}` : describe(batch.condition);
      throw fail('E_ARGUMENT', `${op}: batch.condition must be a Float32Array of B·conditionSize = ${B}·${C} values (the model is conditioned), got ${got}`);
    }
  } else if (batch.condition !== undefined) {
    throw fail('E_ARGUMENT', `${op}: batch.condition is given but the model has conditionSize 0`);
  }
}

function positiveInt(op: string, name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw fail('E_ARGUMENT', `${op}: ${name} must be an integer >= 1, got ${describe(v)}`);
  return v as number;
}

function checkIds(op: string, name: string, ids: unknown, size: number, layout: string, vocab: number): void {
  if (!(ids instanceof Int32Array)) throw fail('E_ARGUMENT', `${op}: ${name} must be an Int32Array, got ${describe(ids)}`);
  if (ids.length !== size) throw fail('E_SHAPE', `${op}: ${name} must have ${layout} = ${size} ids, got ${ids.length}`);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= vocab) throw fail('E_ARGUMENT', `${op}: ${name}[${i}] must be an id in [0, ${vocab}), got ${ids[i]}`);
  }
}

function checkLengths(op: string, name: string, lengths: unknown, B: number, min: number, max: number): void {
  if (!(lengths instanceof Int32Array)) throw fail('E_ARGUMENT', `${op}: ${name} must be an Int32Array, got ${describe(lengths)}`);
  if (lengths.length !== B) throw fail('E_SHAPE', `${op}: ${name} must have B = ${B} entries, got ${lengths.length}`);
  lengths.forEach((n, b) => {
    if (n < min || n > max) throw fail('E_ARGUMENT', `${op}: ${name}[${b}] must be in [${min}, ${max}], got ${n}`);
  });
}
