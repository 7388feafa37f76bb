// L2 weight decay as PyTorch's optimizers apply it to the gradient: g ← g + λθ.
import { add, mul } from "../math/lanes";

/**
 * g + λθ when `on` (λ ≠ 0), else g unchanged.
 * NOTE: λ = 0 must skip the term, not add 0·θ: 0·∞ is NaN, and PyTorch skips it too.
 */
// @ts-ignore: decorator
@inline export function withL2<T>(g: T, theta: T, lambda: T, on: bool): T {
  return on ? add<T>(g, mul<T>(lambda, theta)) : g;
}
