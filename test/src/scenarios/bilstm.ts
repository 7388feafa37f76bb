import type * as Autograd from '@eddy/autograd';
import type * as Models from '@eddy/models';

/**
 * A 2-layer bidirectional LSTM (seeded init, ragged lengths) forward: output and final states, as
 * plain arrays, so Node's and Chromium's results can be compared bit for bit.
 */
export function bidirectionalLstm(ag: typeof Autograd, models: typeof Models, seed = 99): number[][] {
  ag.manualSeed(seed);
  const T = 7, B = 3, I = 5, H = 6;
  const lstm = new models.LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true });
  try {
    return ag.scope(() => {
      const x = ag.randn([T, B, I]);
      const { output, h, c } = lstm.forward(x, undefined, { lengths: [7, 4, 1] });
      return [output, h, c].map((t) => Array.from(t.toFloat32Array()));
    });
  } finally {
    lstm.dispose();
  }
}
