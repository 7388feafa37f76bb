import { concat, type Tensor } from '@eddy/autograd';
import type { MergeMode } from './options.js';

/**
 * Merges a bidirectional layer's forward and backward outputs y→, y← [T, B, Hout]: 'concat' →
 * [T, B, 2·Hout] (PyTorch), 'sum' y→ + y←, 'mean' (y→ + y←)/2, 'mul' y→ ⊙ y← (each [T, B, Hout]).
 * Padding rows (past an element's length) are zero in both, so they stay zero in every mode.
 */
export function mergeDirections(forward: Tensor, backward: Tensor, mode: MergeMode): Tensor {
  switch (mode) {
    case 'concat':
      return concat([forward, backward], 2);
    case 'sum':
      return forward.add(backward);
    case 'mean':
      return forward.add(backward).mul(0.5);
    case 'mul':
      return forward.mul(backward);
  }
}
