import type { Tensor } from '@eddy/autograd';
import { fail } from './errors.js';

/**
 * Copies `src`'s values into `dst`'s own storage, in place (PyTorch's `param.copy_(src)` under
 * no_grad): optimizers and anything else holding `dst` keep seeing the same tensor. Not recorded
 * on the tape. Shapes must already have been checked by the caller; int32 sources are converted.
 *
 * NOTE: a stopgap. DESIGN.md keeps wasm memory behind autograd's backend, but autograd has no
 * in-place copy yet; this writes through `dst.core.arena` until it gains one (asked for in the
 * models helper's report), and then becomes a one-line call.
 */
export function copyInto(dst: Tensor, src: Tensor): void {
  dst.check('copyInto');
  src.check('copyInto');
  if (dst === src) return;
  if (dst.size !== src.size) throw fail('E_SHAPE', `copyInto: ${src.size} values do not fit a tensor of ${dst.size}`);
  if (dst.dtype !== 'float32') throw fail('E_ARGUMENT', `copyInto: the destination must be float32, got ${dst.dtype}`);
  dst.core.arena.f32.set(src.toFloat32Array(), dst.ptr >>> 2);
}
