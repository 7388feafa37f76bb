// Raw exports of the loss family. See softmax_cross_entropy.ts for the equations.
import { softmaxCrossEntropy } from "./softmax_cross_entropy";

/**
 * Softmax cross-entropy over logits [n × c] (row stride ldl) with int32 targets [n]:
 * per-row losses to `losses` [n] (0 = absent), (softmax − onehot)·scale to `dlogits` (row stride
 * ldd; 0 = absent; may be `logits`). Rows with target == ignoreIndex get loss 0 and a zero
 * gradient. Returns the count of rows not ignored. Targets must be in [0, c) or ignoreIndex.
 */
export function f32_softmax_cross_entropy__wasmsimd(
  n: i32, c: i32, logits: usize, ldl: i32, targets: usize, ignoreIndex: i32,
  scale: f32, losses: usize, dlogits: usize, ldd: i32,
): i32 {
  return softmaxCrossEntropy(true, n, c, logits, ldl, targets, ignoreIndex, scale, losses, dlogits, ldd);
}

/** Scalar twin of `f32_softmax_cross_entropy__wasmsimd`, same signature, bit-identical results. */
export function f32_softmax_cross_entropy__scalar(
  n: i32, c: i32, logits: usize, ldl: i32, targets: usize, ignoreIndex: i32,
  scale: f32, losses: usize, dlogits: usize, ldd: i32,
): i32 {
  return softmaxCrossEntropy(false, n, c, logits, ldl, targets, ignoreIndex, scale, losses, dlogits, ldd);
}
