// Fused softmax cross-entropy, forward and backward in one pass over the logits:
//   ℓₙ = −log softmax(zₙ)_{yₙ} = (mₙ − z_{n,yₙ}) + log Σⱼ e^{z_{n,j} − mₙ},   mₙ = maxⱼ z_{n,j}
//   ∂ℓₙ/∂z_{n,j} = softmax(zₙ)ⱼ − [j = yₙ], written times `scale` (1/count for a mean).
// Rows whose target equals `ignoreIndex` get ℓₙ = 0 and a zero gradient row and are not counted.
// The sum of exponentials is accumulated in f64 and ℓₙ is formed in f64 (reduce.ts): the loss of a
// confident correct prediction (ℓ ≈ 1e-7) keeps its relative accuracy.
// Targets must lie in [0, C) unless ignored: the TypeScript wrapper checks them before the call.
import { Binary, mapBinary } from "../elementwise/map";
import { reduce, Reduce, rowMax } from "../elementwise/reduce";

/**
 * Writes ℓₙ to losses[n] (when losses ≠ 0) and the scaled gradient to dlogits (when dlogits ≠ 0;
 * it may be logits itself with the same stride). Returns the number of rows not ignored.
 */
export function softmaxCrossEntropy(
  simd: bool, n: i32, c: i32, logits: usize, ldl: i32, targets: usize, ignoreIndex: i32,
  scale: f32, losses: usize, dlogits: usize, ldd: i32,
): i32 {
  let count = 0;
  for (let r = 0; r < n; r++) {
    const z = logits + (<usize>r * <usize>ldl << 2);
    const g = dlogits + (<usize>r * <usize>ldd << 2);
    const t = load<i32>(targets + (<usize>r << 2));
    if (t == ignoreIndex) {
      if (losses) store<f32>(losses + (<usize>r << 2), 0);
      // A fill, not 0·g: the row may hold NaN or ±Inf (garbage, or the logits themselves in place).
      if (dlogits) memory.fill(g, 0, <usize>c << 2);
      continue;
    }
    count++;
    const zt = load<f32>(z + (<usize>t << 2));
    const m = rowMax(simd, c, z);
    // With a gradient to write, the exponentials go straight into its row (no scratch needed).
    const sum = reduce(simd, Reduce.EXPSUM, c, z, m, dlogits ? g : 0);
    if (losses) store<f32>(losses + (<usize>r << 2), <f32>((<f64>m - <f64>zt) + Math.log(sum)));
    if (dlogits) {
      const et = load<f32>(g + (<usize>t << 2));
      mapBinary(simd, Binary.SCALE, c, <f32>(<f64>scale / sum), g, g, g);
      store<f32>(g + (<usize>t << 2), <f32>((<f64>et / sum - 1) * <f64>scale));
    }
  }
  return count;
}
