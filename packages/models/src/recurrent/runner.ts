import { dropout, init, split, stack, Tensor, tensor, zeros } from '@eddy/autograd';
import { boolOption, checkOptions, intOption, rangeOption } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { Module, type ModuleConfig } from '../module.js';
import { readLengths } from '../lengths.js';
import { checkEmbedding, checkTokens, firstLayerInput } from './token-input.js';
import { runStepwise, type StepCell, type StepObserver } from './stepwise.js';
import { initRecurrent } from './variants/init.js';
import { mergeDirections } from './variants/merge.js';
import { parseVariantOptions, VARIANT_OPTION_KEYS, type ParsedVariantOptions, type VariantOptions } from './variants/options.js';

// The one runner behind RNN, LSTM and GRU (PyTorch's rnn.py lesson: one forward over a cell
// description, not a copy per class). A cell family only says how many gate blocks its weights
// have, whether its state has a cell c, and how to run one layer in one direction over a whole
// sequence; everything else (options, parameter names and order, init, batchFirst, state slicing,
// stacking, bidirectional concatenation, inter-layer dropout) lives here once.

/** The options every recurrent module takes (PyTorch's, in camelCase, and the shared variants). */
export interface RecurrentOptions extends VariantOptions {
  /** Features of each input step, I. */
  inputSize: number;
  /** Features of the hidden state, H. */
  hiddenSize: number;
  /** Stacked layers L (layer l + 1 reads layer l's output). Default 1. */
  numLayers?: number;
  /** Whether the layers have the biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /** Input and output as [B, T, ·] instead of [T, B, ·] (the state stays [L·D, B, H]). Default false. */
  batchFirst?: boolean;
  /** Dropout probability on the output of every layer but the last, in training mode. Default 0. */
  dropout?: number;
  /** Adds a layer reading the sequence backwards beside each forward one (D = 2). Default false. */
  bidirectional?: boolean;
}

/** The keys of `RecurrentOptions`, for option checking. */
export const RECURRENT_OPTION_KEYS = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', ...VARIANT_OPTION_KEYS] as const;

/** The per-call options of `forward`. */
export interface RecurrentForwardOptions {
  /**
   * An embedding table E [V, inputSize] that the first layer reads through: x is then an int32
   * tensor of token ids [T, B] ([B, T] with batchFirst) and layer 0's input is E[x]. Where the
   * fused kernels run and V < T·B, each direction projects the table once, P = E·W_ihᵀ [V, G·H],
   * and gathers P[x] — V rows of input GEMM instead of T·B (character models: 65 against
   * thousands), the same function and gradients for E and W_ih. Pass an identity table for
   * one-hot input. Absent: x is float32 [T, B, inputSize].
   */
  embedding?: Tensor | null;
  /**
   * Valid steps per batch element (PyTorch's packed sequences): an int32 tensor [B] or an array
   * of B integers in [0, T]. Steps t ≥ lengths[b] are padding: their output rows are zero and
   * the state is left alone, so `h` (and `c`) hold each element's state after its last valid step,
   * and the backward direction starts at t = lengths[b] − 1. Absent: every element has T steps.
   * NOTE: the padding rows of x must be finite (zeros): the weight gradient sums 0 · xₜ over them.
   */
  lengths?: Tensor | readonly number[] | Int32Array | null;
}

/** The parameters of one layer in one direction (PyTorch's names in the comments). */
export interface LayerWeights {
  /** weight_ih_l{k} [G·H, in]. */
  wIh: Tensor;
  /** weight_hh_l{k} [G·H, H] (or [G·H, P] with an LSTM projection). */
  wHh: Tensor;
  /** bias_ih_l{k} [G·H], or null with bias false. */
  bIh: Tensor | null;
  /** bias_hh_l{k} [G·H], or null with bias false. */
  bHh: Tensor | null;
  /** weight_hr_l{k} [P, H] (LSTM with projSize > 0), else null. */
  wHr: Tensor | null;
  /** The parameters of options beyond PyTorch (`CellSpec.extras`), by name without suffix. */
  extra: Readonly<Record<string, Tensor>>;
}

/** A 1-D parameter an option adds to every layer and direction, registered after PyTorch's. */
export interface ExtraParameter {
  /** The name without the `_l{k}` suffix, e.g. 'weight_ci'. */
  readonly name: string;
  /** Its length. */
  readonly size: number;
  /** Its initial value, or null for the U(−1/√H, 1/√H) draw in parameter order. */
  readonly fill: number | null;
}

/** A layer's weights without W_ih: its input x is already the projection X·W_ihᵀ [T, B, G·H]. */
export type ProjectedWeights = Omit<LayerWeights, 'wIh'> & { wIh: null };

/** A fused cell's run, which also takes projected input (`ProjectedWeights`). */
export type FusedRun = (x: Tensor, w: LayerWeights | ProjectedWeights, h0: Tensor | null, c0: Tensor | null, lengths: Tensor | null, reverse: boolean) => LayerResult;

/** What one layer in one direction returns: output [T, B, Hout], final h [B, Hout], final c [B, H]. */
export interface LayerResult {
  output: Tensor;
  h: Tensor;
  c?: Tensor;
}

/** A cell family, as the runner needs it. */
export interface CellSpec {
  /** The class name, used in configs and error messages. */
  readonly name: string;
  /** G, gate blocks stacked in the weight rows: 1 (RNN), 4 (LSTM i|f|g|o), 3 (GRU r|z|n). */
  readonly gates: number;
  /** Whether the state has a cell c beside h (LSTM). */
  readonly hasCell: boolean;
  /**
   * Runs one layer in one direction over time-major x [T, B, in] from h0 [B, Hout] and c0 [B, H]
   * (null = zeros); `reverse` walks t = T−1 … 0.
   */
  run(x: Tensor, w: LayerWeights, h0: Tensor | null, c0: Tensor | null, lengths: Tensor | null, reverse: boolean): LayerResult;
  /** `run` on projected input (x [T, B, G·H] = X·W_ihᵀ, w.wIh null); absent where the cell cannot. */
  readonly runProjected?: FusedRun;
  /** The step equations on autograd primitives: the per-step path, which diagnostics can watch. */
  readonly step?: StepCell;
  /** Parameters of options beyond PyTorch (variants/), per layer and direction. Default none. */
  readonly extras?: readonly ExtraParameter[];
  /** Re-initialises one layer and direction after the uniform draw (e.g. the forget-gate bias). */
  reset?(w: LayerWeights): void;
}

/** The initial state of a GRU or RNN (an LSTM adds c): h [L·D, B, Hout], absent = zeros. */
export interface HiddenState {
  h?: Tensor | null;
}

/** What `GRU.forward` and `RNN.forward` return (an LSTM adds c). */
export interface HiddenOutput {
  /** The last layer's hₜ for every t: [T, B, D·Hout] ([B, T, D·Hout] with batchFirst). */
  output: Tensor;
  /** Every layer's and direction's final h: [L·D, B, Hout]. */
  h: Tensor;
}

/** The state `forward` reads: h, and c for an LSTM (the runner checks which). */
export interface RecurrentState extends HiddenState {
  c?: Tensor | null;
}

/** Per layer l and direction d (0 forward, 1 reverse), the observer of its steps, or null. */
export type LayerWatcher = (layer: number, direction: number) => StepObserver | null;

const watchers = new WeakMap<object, LayerWatcher>();

/**
 * Runs `fn` with every `forward` of `module` on the per-step path (stepwise.ts) with `watcher`'s
 * observers on its layers (diagnostics/). The function computed is the same, only slower, so a
 * diagnostic sees what training computes without the fused kernels having to expose their steps.
 */
export function watchLayers<T>(module: RecurrentBase<RecurrentState, LayerResult>, watcher: LayerWatcher, fn: () => T): T {
  if (module.cellStep === null) throw fail('E_ARGUMENT', `watchLayers: ${module.constructor.name} has no per-step path to watch`);
  if (watchers.has(module)) throw fail('E_ARGUMENT', 'watchLayers: this module is already being watched');
  watchers.set(module, watcher);
  try {
    return fn();
  } finally {
    watchers.delete(module);
  }
}

/** The checked common options, every default filled in. */
export interface ParsedRecurrentOptions extends ParsedVariantOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  bidirectional: boolean;
}

/**
 * Checks `options` against the common keys plus `extra` (an unknown or misspelt key throws
 * E_ARGUMENT naming it); returns the common options parsed and the raw object for the extra ones.
 */
export function parseRecurrentOptions(op: string, options: unknown, extra: readonly string[]): { parsed: ParsedRecurrentOptions; raw: Record<string, unknown> } {
  if (options === undefined) throw fail('E_ARGUMENT', `${op}: options { inputSize, hiddenSize, … } are required`);
  const raw = checkOptions(op, options, [...RECURRENT_OPTION_KEYS, ...extra]);
  const parsed = {
    inputSize: intOption(op, 'inputSize', raw.inputSize, 1),
    hiddenSize: intOption(op, 'hiddenSize', raw.hiddenSize, 1),
    numLayers: intOption(op, 'numLayers', raw.numLayers, 1, 1),
    bias: boolOption(op, 'bias', raw.bias, true),
    batchFirst: boolOption(op, 'batchFirst', raw.batchFirst, false),
    dropout: rangeOption(op, 'dropout', raw.dropout, 0, 1, 0),
    bidirectional: boolOption(op, 'bidirectional', raw.bidirectional, false),
  };
  return { parsed: { ...parsed, ...parseVariantOptions(op, raw, parsed.numLayers, parsed.bidirectional) }, raw };
}

/**
 * The base of `RNN`, `LSTM` and `GRU`: registers the parameters with PyTorch's names, shapes and
 * order, and runs layers × directions over a `CellSpec`. `S` is the state type `forward` accepts
 * and `R` what it returns.
 */
export abstract class RecurrentBase<S extends RecurrentState, R extends LayerResult> extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** Layer-normalised cells (variants/options.ts). */
  readonly layerNorm: boolean;
  /** Skip connections around every layer l >= 1. */
  readonly residual: boolean;
  /** How a bidirectional layer merges its directions. */
  readonly mergeMode: ParsedVariantOptions['mergeMode'];
  /** How W_hh is initialised. */
  readonly init: ParsedVariantOptions['init'];
  /** P, the size of h with an LSTM projection; 0 otherwise (then h has H features). */
  readonly projSize: number;
  /** D: 2 when bidirectional, else 1. */
  readonly numDirections: number;
  /** The weights of layer l, direction d at index l·D + d (PyTorch's order). */
  protected readonly layers: LayerWeights[] = [];
  private readonly cell: CellSpec;

  protected constructor(cell: CellSpec, o: ParsedRecurrentOptions, projSize = 0) {
    super();
    this.cell = cell;
    ({ inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias } = o);
    ({ batchFirst: this.batchFirst, dropout: this.dropout, bidirectional: this.bidirectional } = o);
    ({ layerNorm: this.layerNorm, residual: this.residual, mergeMode: this.mergeMode, init: this.init } = o);
    this.projSize = projSize;
    this.numDirections = o.bidirectional ? 2 : 1;
    const H = this.hiddenSize;
    const G = cell.gates * H;
    const hOut = this.stateSize;
    // Registration order is PyTorch's `_flat_weights_names`: per layer, per direction,
    // w_ih, w_hh, b_ih, b_hh (, w_hr); named_parameters() and the state dict follow it. The
    // parameters of options beyond PyTorch come after those of their layer and direction.
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? this.inputSize : this.outputSize;
      for (let d = 0; d < this.numDirections; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        this.layers.push({
          wIh: this.registerParameter(`weight_ih${sfx}`, zeros([G, inSize])),
          wHh: this.registerParameter(`weight_hh${sfx}`, zeros([G, hOut])),
          bIh: this.bias ? this.registerParameter(`bias_ih${sfx}`, zeros([G])) : null,
          bHh: this.bias ? this.registerParameter(`bias_hh${sfx}`, zeros([G])) : null,
          wHr: projSize > 0 ? this.registerParameter(`weight_hr${sfx}`, zeros([projSize, H])) : null,
          extra: Object.fromEntries((cell.extras ?? []).map((e) => [e.name, this.registerParameter(`${e.name}${sfx}`, zeros([e.size]))])),
        });
      }
    }
    this.resetParameters();
  }

  /** The features of h: P with an LSTM projection, else H. */
  get stateSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** @internal The per-step equations of the cell (diagnostics/), or null for a cell without them. */
  get cellStep(): StepCell | null {
    return this.cell.step ?? null;
  }

  /** The features of each layer's output: D·Hout with mergeMode 'concat', else Hout. */
  get outputSize(): number {
    return this.mergeMode === 'concat' ? this.numDirections * this.stateSize : this.stateSize;
  }

  /**
   * Redraws every parameter from U(−1/√H, 1/√H) through the seeded RNG, in parameter order
   * (PyTorch's `reset_parameters`, so the same seed gives the same draw order).
   */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform(p, -bound, bound);
    // The options beyond PyTorch then overwrite what they set (variants/init.ts).
    for (const w of this.layers) {
      initRecurrent(w, this.hiddenSize, this.init);
      for (const e of this.cell.extras ?? []) if (e.fill !== null) init.constant(w.extra[e.name], e.fill);
      this.cell.reset?.(w);
    }
  }

  /**
   * Runs the stack over x ([T, B, I], or [B, T, I] with batchFirst) from `state` (absent = zeros).
   * See the class documentation for shapes.
   */
  forward(x: Tensor, state?: S | null, options?: RecurrentForwardOptions): R {
    const op = `${this.cell.name}.forward`;
    const o = options === undefined || options === null ? {} : checkOptions(op, options, ['lengths', 'embedding']);
    const embedding = checkEmbedding(op, o.embedding, this.inputSize);
    const { T, B } = embedding === null ? this.checkInput(op, x) : checkTokens(op, x, this.batchFirst);
    const { h0, c0 } = this.checkState(op, state, B);
    const lengths = this.checkLengths(op, o.lengths, T, B);

    const D = this.numDirections;
    const hIn = h0 === null ? null : split(h0, 1, 0).map((t) => t.reshape([B, this.stateSize]));
    const cIn = c0 === null ? null : split(c0, 1, 0).map((t) => t.reshape([B, this.hiddenSize]));
    // Time-major inside: one transpose at each boundary with batchFirst.
    const watch = watchers.get(this) ?? null;
    const first = firstLayerInput(this.cell, this.batchFirst ? x.transpose(0, 1) : x, embedding, T, B, watch === null);
    let input = first.dense;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const outputs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const k = l * D + d;
        const h = hIn?.[k] ?? null;
        const c = cIn?.[k] ?? null;
        const r = watch !== null
          ? runStepwise(this.cell.step!, input!, this.layers[k], h, c, lengths, d === 1, watch(l, d))
          : input === null
            ? first.runProjected(this.layers[k], h, c, lengths, d === 1)
            : this.cell.run(input, this.layers[k], h, c, lengths, d === 1);
        outputs.push(r.output);
        hs.push(r.h);
        if (r.c !== undefined) cs.push(r.c);
      }
      const merged = D === 1 ? outputs[0] : mergeDirections(outputs[0], outputs[1], this.mergeMode);
      // Every layer's input has the width of its output when l >= 1, so the skip always fits.
      input = this.residual && l > 0 ? merged.add(input!) : merged;
      // Between layers only, and only in training mode (PyTorch's `dropout` argument).
      if (l < this.numLayers - 1 && this.dropout > 0 && this.training) input = dropout(input, this.dropout, true);
    }
    const output = this.batchFirst ? input!.transpose(0, 1) : input!;
    const result: LayerResult = { output, h: stack(hs, 0) };
    if (this.cell.hasCell) result.c = stack(cs, 0);
    return result as R;
  }

  private checkInput(op: string, x: unknown): { T: number; B: number } {
    if (!(x instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: x must be a Tensor, got ${describe(x)}`);
    x.check(op);
    const layout = this.batchFirst ? `[B, T, inputSize = ${this.inputSize}] (batchFirst)` : `[T, B, inputSize = ${this.inputSize}]`;
    if (x.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: x must be float32, got ${x.dtype}`);
    if (x.shape.length !== 3 || x.shape[2] !== this.inputSize) {
      throw fail('E_SHAPE', `${op}: x must have shape ${layout}, got [${x.shape.join(', ')}]`);
    }
    const [T, B] = this.batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
    if (T < 1 || B < 1) throw fail('E_SHAPE', `${op}: x must have at least one step and one batch element, got [${x.shape.join(', ')}]`);
    return { T, B };
  }

  private checkState(op: string, state: unknown, B: number): { h0: Tensor | null; c0: Tensor | null } {
    if (state === undefined || state === null) return { h0: null, c0: null };
    if (state instanceof Tensor || typeof state !== 'object' || Array.isArray(state)) {
      const keys = this.cell.hasCell ? '{ h, c }' : '{ h }';
      throw fail('E_ARGUMENT', `${op}: state must be an object ${keys} (each optional), got ${describe(state)}`);
    }
    const s = state as RecurrentState;
    const LD = this.numLayers * this.numDirections;
    const h0 = checkStateTensor(op, 'state.h', s.h, [LD, B, this.stateSize]);
    if (!this.cell.hasCell) {
      if (s.c !== undefined && s.c !== null) throw fail('E_ARGUMENT', `${op}: a ${this.cell.name} state has no cell c; pass { h } only`);
      return { h0, c0: null };
    }
    return { h0, c0: checkStateTensor(op, 'state.c', s.c, [LD, B, this.hiddenSize]) };
  }

  private checkLengths(op: string, lengths: unknown, T: number, B: number): Tensor | null {
    if (lengths === undefined || lengths === null) return null;
    const values = readLengths(op, lengths, T, B, 0);
    return lengths instanceof Tensor ? lengths : tensor(values, [B], { dtype: 'int32' });
  }


  /** The constructor options with every default filled in (plus the class's own extras). */
  protected baseConfig(): ModuleConfig {
    return {
      type: this.cell.name,
      inputSize: this.inputSize,
      hiddenSize: this.hiddenSize,
      numLayers: this.numLayers,
      bias: this.bias,
      batchFirst: this.batchFirst,
      dropout: this.dropout,
      bidirectional: this.bidirectional,
      layerNorm: this.layerNorm,
      residual: this.residual,
      mergeMode: this.mergeMode,
      init: this.init,
    };
  }
}

function checkStateTensor(op: string, name: string, t: unknown, shape: number[]): Tensor | null {
  if (t === undefined || t === null) return null;
  if (!(t instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: ${name} must be a Tensor, got ${describe(t)}`);
  t.check(op);
  if (t.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: ${name} must be float32, got ${t.dtype}`);
  if (t.shape.length !== 3 || t.shape.some((d, i) => d !== shape[i])) {
    throw fail('E_SHAPE', `${op}: ${name} must have shape [numLayers·D, B, ${name === 'state.c' ? 'H' : 'Hout'}] = [${shape.join(', ')}], got [${t.shape.join(', ')}]`);
  }
  return t;
}
