import { noGrad, scope } from '@eddy/autograd';
import {
  eigenvalues, gateStatistics, gradientThroughTime, recordStates, recurrentSpectra,
  type CellKind, type GateSaturation, type GateSpectrum, type LanguageModel, type RecordedLayer,
} from '@eddy/models';

// What `eddy inspect` computes, apart from where the text comes from and how it is shown: every
// number comes from @eddy/models' diagnostics (the same functions the docs site calls).

/** Streams of the gradient window at most: their norms add up, so one noisy window matters less. */
const MAX_GRADIENT_STREAMS = 8;

/** A cell among the top of its layer, by the variance of its activation over the text. */
export interface CellSummary {
  /** Its index in the layer, 0 … H − 1. */
  cell: number;
  variance: number;
  mean: number;
  min: number;
  max: number;
}

/** What `eddy inspect --json` prints (README "eddy inspect" documents every field). */
export interface InspectResult {
  /** The checkpoint directory read. */
  checkpoint: string;
  model: { cell: CellKind; numLayers: number; hiddenSize: number; vocabSize: number; step: number };
  /** The text read: a file given with --text, the checkpoint's validation text, or the built-in snippet. */
  text: { source: 'file' | 'validation' | 'snippet'; label: string; tokens: number; unknownTokens: number };
  /**
   * Per layer, the activation shown (an LSTM's tanh(cₜ), the cell as its output gate sees it;
   * a GRU's or RNN's hₜ) and its `top` cells by variance over the text, largest first.
   */
  cells: Array<{ name: string; layer: number; activation: 'tanh(c)' | 'h'; top: CellSummary[] }>;
  /**
   * ‖∂L/∂hₜ‖ over a window of `steps` tokens read as `batch` streams, L the cross-entropy of the
   * last step; `firstToLast` = norms[0] / norms[T − 1] (≪ 1: the gradient vanishes over the window).
   */
  gradientThroughTime: {
    steps: number;
    batch: number;
    loss: number;
    layers: Array<{ name: string; layer: number; norms: number[]; firstToLast: number }>;
  };
  /** σ_max of each W_hh and of its gate blocks, and ρ of each square block (`recurrentSpectra`). */
  spectra: Array<{ name: string; layer: number; norm: number; radius: number | null; gates: GateSpectrum[] }>;
  /** Saturated gate fractions per layer over the text (`gateStatistics`). */
  gates: Array<{ name: string; layer: number; gates: GateSaturation[] }>;
  /** The HTML report written, or null. */
  report: string | null;
}

/** The activations of the shown cells, for the report's heatmaps: values[i][t] of cell cells[i] at token t. */
export interface CellTraces {
  layer: number;
  cells: number[];
  values: Float32Array[];
}

/** The eigenvalues of one W_hh (Elman) or gate block, for the report's complex-plane plots. */
export interface SpectrumPanel {
  /** The layer's name, `l0` … */
  name: string;
  /** The gate block, or null for an Elman W_hh. */
  gate: string | null;
  re: Float64Array;
  im: Float64Array;
}

/**
 * The diagnostics of `model` over `ids`; the caller fills `checkpoint`, `text` and `report`. The
 * traces hold every layer's top cells and, for the last layer, `options.cell` too.
 */
export function inspect(
  model: LanguageModel, ids: Int32Array, options: { window: number; top: number; step: number; cell?: number },
): { result: Omit<InspectResult, 'checkpoint' | 'text' | 'report'>; traces: CellTraces[]; panels: SpectrumPanel[] } {
  const { cell, numLayers, hiddenSize, vocabSize } = model.options;
  const recording = recordStates(model, ids, { gates: false });
  const cells = recording.layers.map((layer) => topCells(layer, recording.steps, options.top));
  const traces = recording.layers.map((layer, l) => {
    const shown = cells[l].top.map((c) => c.cell);
    // The cell asked for (last layer) is traced even when it is not among the top ones.
    if (l === recording.layers.length - 1 && options.cell !== undefined && !shown.includes(options.cell)) shown.push(options.cell);
    return { layer: l, cells: shown, values: shown.map((j) => activationOf(layer, recording.steps, j)) };
  });
  const gradient = gradientThroughTime(model, gradientWindow(ids, options.window), { loss: 'last' });
  const spectra = recurrentSpectra(model).map(({ name, layer, norm, radius, gates }) => ({ name, layer, norm, radius, gates }));
  return {
    result: {
      model: { cell, numLayers, hiddenSize, vocabSize, step: options.step },
      cells: cells.map((c, l) => ({ name: recording.layers[l].name, layer: l, ...c })),
      gradientThroughTime: {
        steps: gradient.steps,
        batch: gradient.batch,
        loss: gradient.loss,
        layers: gradient.layers.map(({ name, layer, norms }) => ({ name, layer, norms: Array.from(norms), firstToLast: norms[0] / norms[norms.length - 1] })),
      },
      spectra,
      gates: gateStatistics(model, ids).layers.map(({ name, layer, gates }) => ({ name, layer, gates })),
    },
    traces,
    panels: spectrumPanels(model, spectra),
  };
}

/** Every square W_hh block's eigenvalues: an Elman layer's W_hh, a gated layer's blocks. */
function spectrumPanels(model: LanguageModel, spectra: InspectResult['spectra']): SpectrumPanel[] {
  const weights = Object.fromEntries(model.rnn.namedParameters());
  return noGrad(() =>
    scope(() =>
      spectra.flatMap(({ name, gates }): SpectrumPanel[] => {
        const W = weights[`weight_hh_${name}`];
        if (gates.length === 0) return [{ name, gate: null, ...eigenvalues(W) }];
        const H = W.shape[0] / gates.length;
        return gates.map(({ gate }, g) => ({ name, gate, ...eigenvalues(W.slice(0, g * H, (g + 1) * H)) }));
      }),
    ),
  );
}

/** The value shown for cell j at every step: tanh(c) with a cell state, else h. */
function activationOf(layer: RecordedLayer, T: number, j: number): Float32Array {
  const out = new Float32Array(T);
  const H = layer.c === null ? layer.hiddenSize : layer.cellSize;
  for (let t = 0; t < T; t++) out[t] = layer.c === null ? layer.h[t * H + j] : Math.tanh(layer.c[t * H + j]);
  return out;
}

function topCells(layer: RecordedLayer, T: number, k: number): { activation: 'tanh(c)' | 'h'; top: CellSummary[] } {
  const H = layer.c === null ? layer.hiddenSize : layer.cellSize;
  const all: CellSummary[] = [];
  for (let j = 0; j < H; j++) {
    const v = activationOf(layer, T, j);
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const x of v) {
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    const mean = sum / T;
    let sq = 0;
    for (const x of v) sq += (x - mean) * (x - mean);
    all.push({ cell: j, variance: sq / T, mean, min, max });
  }
  all.sort((a, b) => b.variance - a.variance || a.cell - b.cell);
  return { activation: layer.c === null ? 'h' : 'tanh(c)', top: all.slice(0, Math.min(k, H)) };
}

/**
 * The gradient window: T = min(window, n − 1) steps read as B ≤ 8 consecutive streams of the text
 * (stream b starts at token b·T), each predicting its next token.
 */
export function gradientWindow(ids: Int32Array, window: number): { inputs: Int32Array; targets: Int32Array; steps: number; batchSize: number } {
  const T = Math.min(window, ids.length - 1);
  const B = Math.max(1, Math.min(MAX_GRADIENT_STREAMS, Math.floor((ids.length - 1) / T)));
  const inputs = new Int32Array(T * B);
  const targets = new Int32Array(T * B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      inputs[t * B + b] = ids[b * T + t];
      targets[t * B + b] = ids[b * T + t + 1];
    }
  }
  return { inputs, targets, steps: T, batchSize: B };
}
