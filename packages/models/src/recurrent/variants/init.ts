import { concat, init, noGrad, scope, tensor, zeros, type Tensor } from '@eddy/autograd';
import type { LayerWeights } from '../runner.js';
import type { RecurrentInit } from './options.js';

// Initialisations beyond PyTorch's U(−1/√H, 1/√H). They run after that draw (so the RNG stream
// up to it is PyTorch's) and overwrite values in place, outside the graph.

/**
 * Re-initialises one layer and direction's W_hh per gate block of H rows: 'identity' (Le et al.
 * 2015, IRNN) sets each block to I (the leading min(H, Hout) diagonal) and both biases to 0;
 * 'orthogonal' (Saxe et al. 2014) draws each block orthogonal (semi-orthogonal when H ≠ Hout)
 * through the seeded RNG, biases untouched. 'uniform' leaves PyTorch's draw as it is.
 */
export function initRecurrent(w: LayerWeights, hidden: number, mode: RecurrentInit): void {
  if (mode === 'uniform') return;
  const gates = w.wHh.shape[0] / hidden;
  scope(() =>
    noGrad(() => {
      const blocks: Tensor[] = [];
      for (let g = 0; g < gates; g++) {
        const block = zeros([hidden, w.wHh.shape[1]]);
        blocks.push(mode === 'identity' ? init.eye(block) : init.orthogonal(block));
      }
      w.wHh.copyFrom(concat(blocks, 0));
    }),
  );
  if (mode === 'identity') {
    if (w.bIh !== null) init.zeros(w.bIh);
    if (w.bHh !== null) init.zeros(w.bHh);
  }
}

/** Sets rows [start, end) of a 1-D parameter to `value` in place (the forget-gate bias). */
export function fillRange(t: Tensor, start: number, end: number, value: number): void {
  const values = Float32Array.from(t.toArray());
  values.fill(value, start, end);
  scope(() => {
    t.copyFrom(tensor(values, t.shape));
  });
}
