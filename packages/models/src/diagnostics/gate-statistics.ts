import { diagnosticOptions, layerKeys, recurrentOf, sequenceOf, watchSequence, type DiagnosedModel, type DiagnosticInput, type DiagnosticState, type LayerKey } from './watch.js';

/** Below this a sigmoid gate counts as saturated shut (Karpathy et al. 2015's "left-saturated"). */
export const GATE_LOW = 0.1;
/** Above this a sigmoid gate counts as saturated open ("right-saturated"). */
export const GATE_HIGH = 0.9;

/** The sigmoid gates; the tanh candidates (LSTM g, GRU n) are not gates and are not counted. */
const SIGMOID_GATES = ['i', 'f', 'o', 'r', 'z'];

/** `gateStatistics` options. */
export interface GateStatisticsOptions {
  /** The state before the first step (absent or null: zeros). */
  state?: DiagnosticState | null;
}

/** One gate type's values over every unit, step and stream of a layer and direction. */
export interface GateSaturation {
  /** The gate: LSTM i, f, o; GRU r, z. */
  gate: string;
  /** Fraction of values σ < 0.1 (shut). */
  low: number;
  /** Fraction of values σ > 0.9 (open). */
  high: number;
  /** low + high: the fraction saturated. */
  saturated: number;
  /** The mean value. */
  mean: number;
  /** Values counted: T·B·H. */
  count: number;
}

/** The gate statistics of one layer and direction (an Elman RNN's list is empty). */
export interface LayerGateStatistics extends LayerKey {
  gates: GateSaturation[];
}

/** `gateStatistics`' result. */
export interface GateStatistics {
  /** T: steps read. */
  steps: number;
  /** B: streams. */
  batch: number;
  /** Every layer and direction, in PyTorch's order (l·D + d). */
  layers: LayerGateStatistics[];
}

/**
 * The fraction of saturated gate values, σ < 0.1 or σ > 0.9, per gate type (LSTM i, f, o; GRU
 * r, z), per layer and direction, over `input` (Karpathy, Johnson & Fei-Fei 2015, fig. 3: a forget
 * gate often right-saturated is a cell that remembers over long spans). Runs as `recordStates` does
 * (eval mode, no gradients, nothing changed) but keeps only counts.
 *
 * @example
 * const stats = gateStatistics(lm, tok.encode(text));
 * stats.layers[0].gates.find((g) => g.gate === 'f')!.high; // fraction of forget gates open
 */
export function gateStatistics(model: DiagnosedModel, input: DiagnosticInput, options?: GateStatisticsOptions): GateStatistics {
  const op = 'gateStatistics';
  const rnn = recurrentOf(op, model);
  const { state } = diagnosticOptions(op, options, []);
  const seq = sequenceOf(op, model, input);
  const counts = layerKeys(rnn).map(() => new Map<string, { low: number; high: number; sum: number; count: number }>());
  watchSequence(model, seq, state, (k) => ({
    gates(_t, gates) {
      for (const name of SIGMOID_GATES) {
        const g = gates[name];
        if (g === undefined) continue;
        let c = counts[k].get(name);
        if (c === undefined) counts[k].set(name, (c = { low: 0, high: 0, sum: 0, count: 0 }));
        const v = g.toFloat32Array();
        for (let j = 0; j < v.length; j++) {
          if (v[j] < GATE_LOW) c.low++;
          else if (v[j] > GATE_HIGH) c.high++;
          c.sum += v[j];
        }
        c.count += v.length;
      }
    },
  }));
  const layers = layerKeys(rnn).map((key, k) => ({
    ...key,
    gates: SIGMOID_GATES.filter((name) => counts[k].has(name)).map((name) => {
      const c = counts[k].get(name)!;
      return { gate: name, low: c.low / c.count, high: c.high / c.count, saturated: (c.low + c.high) / c.count, mean: c.sum / c.count, count: c.count };
    }),
  }));
  return { steps: seq.steps, batch: seq.batch, layers };
}
