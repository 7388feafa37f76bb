import { tensor, type Tensor } from '@eddy/autograd';
import type { Embedding } from '../layers/embedding.js';

/**
 * The embeddings [T, B, E] of time-major ids [T·B] whose sequence b is valid for its first
 * `valid[b]` steps. When the padding id appears only past those steps, the rows are one plain
 * gather: the padding positions' gradients are then exactly 0 by construction (the packed encoder
 * gives them no gate gradient, the loss ignores them), so the padding row gets none without
 * `Embedding.forward`'s `where`, whose two passes over [T, B, E] in JavaScript cost about a tenth
 * of a training step. A padding id inside a sequence takes `Embedding.forward` (exact semantics).
 */
export function embedPadded(embedding: Embedding, ids: Int32Array, T: number, B: number, valid: ArrayLike<number>): Tensor {
  const t = tensor(ids, [T, B], { dtype: 'int32' });
  const pad = embedding.paddingIdx;
  if (pad !== null) {
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < valid[b]; s++) if (ids[s * B + b] === pad) return embedding.forward(t);
    }
  }
  return embedding.weight.index(t);
}
