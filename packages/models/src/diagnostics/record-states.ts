import type { Tensor } from '@eddy/autograd';
import { boolOption } from '@eddy/autograd/internal';
import { diagnosticOptions, layerKeys, recurrentOf, sequenceOf, watchSequence, type DiagnosedModel, type DiagnosticInput, type DiagnosticState, type LayerKey } from './watch.js';

/** `recordStates` options. */
export interface RecordStatesOptions {
  /** The state before the first step (absent or null: zeros). */
  state?: DiagnosticState | null;
  /** Record the gate values too (4 or 3 arrays [T, B, H] per layer). Default true. */
  gates?: boolean;
}

/** What one layer and direction did at every step. Arrays are [T, B, ·] row-major: step t, stream b at (t·B + b)·size. */
export interface RecordedLayer extends LayerKey {
  /** Hout, the features of h (P with an LSTM projection, else H). */
  hiddenSize: number;
  /** H, the features of c and of each gate. */
  cellSize: number;
  /** hₜ after step t, [T, B, Hout]. */
  h: Float32Array;
  /** cₜ after step t, [T, B, H]; null without a cell (GRU, RNN). */
  c: Float32Array | null;
  /**
   * The gate activations of step t by name, each [T, B, H]: LSTM i, f, g, o (g the tanh
   * candidate; with coupledInputForget i = 1 − f), GRU r, z, n (n the tanh candidate); an Elman
   * RNN has none; empty with the option `gates: false`.
   */
  gates: Record<string, Float32Array>;
}

/** `recordStates`' result. */
export interface StateRecording {
  /** T: steps (tokens) recorded. */
  steps: number;
  /** B: streams. */
  batch: number;
  /** Every layer and direction, in PyTorch's order (l·D + d). */
  layers: RecordedLayer[];
}

/**
 * Records the hidden and cell states and the gate values of every layer and direction of `model`
 * over `input`, aligned to it: entry t is the state after the model read input step t (token t of
 * a text). The model runs its own per-step equations in eval mode without gradients (the same
 * function as training's forward, dropout off), in chunks, so a long text needs bounded memory;
 * the model's mode, parameters, gradients and the RNG are left as they were.
 *
 * @example
 * const rec = recordStates(lm, tok.encode('He said "hi" and left.'));
 * const cell7 = Array.from({ length: rec.steps }, (_, t) => rec.layers[0].c![t * lm.options.hiddenSize + 7]);
 */
export function recordStates(model: DiagnosedModel, input: DiagnosticInput, options?: RecordStatesOptions): StateRecording {
  const op = 'recordStates';
  const rnn = recurrentOf(op, model);
  const o = diagnosticOptions(op, options, ['gates']);
  const withGates = boolOption(op, 'gates', o.gates, true);
  const seq = sequenceOf(op, model, input);
  const { steps: T, batch: B } = seq;
  const hOut = rnn.stateSize;
  const H = rnn.hiddenSize;
  const layers: RecordedLayer[] = layerKeys(rnn).map((key) => ({
    ...key,
    hiddenSize: hOut,
    cellSize: H,
    h: new Float32Array(T * B * hOut),
    c: rnn.cellStep?.hasCell === true ? new Float32Array(T * B * H) : null,
    gates: {},
  }));
  watchSequence(model, seq, o.state, (k) => {
    const rec = layers[k];
    return {
      gates: withGates ? (t, gates) => {
        for (const [name, g] of Object.entries(gates)) copyStep(rec.gates[name] ??= new Float32Array(T * B * H), t, g);
      } : undefined,
      state(t, s) {
        copyStep(rec.h, t, s.h);
        if (rec.c !== null && s.c !== null) copyStep(rec.c, t, s.c);
        return s;
      },
    };
  });
  return { steps: T, batch: B, layers };
}

/** Writes step t's [B, n] values into `into` ([T, B, n]). */
function copyStep(into: Float32Array, t: number, value: Tensor): void {
  into.set(value.toFloat32Array(), t * value.size);
}
