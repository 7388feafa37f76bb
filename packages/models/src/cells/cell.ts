import { init, Tensor, zeros, type RecurrentWeights } from '@eddy/autograd';
import { boolOption, checkOptions, choiceOption, intOption } from '@eddy/autograd/internal';
import { describe, fail } from '../errors.js';
import { Module, type ModuleConfig } from '../module.js';
import type { ExtraParameter, LayerWeights } from '../recurrent/runner.js';
import { runStepwise, type StepCell } from '../recurrent/stepwise.js';
import { initRecurrent } from '../recurrent/variants/init.js';
import type { RecurrentInit } from '../recurrent/variants/options.js';

// The one base behind LSTMCell, GRUCell and RNNCell (torch.nn's step-wise modules): options,
// parameter names and order, init, input and state checks and the config live here once; a family
// says how many gate blocks it has, how to run one fused step, and what its variants add.

/** The options every cell takes (torch.nn's, in camelCase, and the variants the layers share). */
export interface CellOptions {
  /** Features of the input x, I. */
  inputSize: number;
  /** Features of the hidden state, H. */
  hiddenSize: number;
  /** Whether the cell has the biases b_ih and b_hh. Default true. */
  bias?: boolean;
  /**
   * Layer-normalised cell (Ba et al. 2016), as the layers' `layerNorm`: each gate block of W_ih x
   * and of W_hh h is normalised with its own gain (`weight_ln_ih`, `weight_ln_hh` [G·H], start at
   * 1); an LSTM also normalises c before its tanh (`weight_ln_c` = 1, `bias_ln_c` = 0 [H]).
   * Runs as a chain of autograd primitives (the fused kernels have no layer norm). Default false.
   */
  layerNorm?: boolean;
  /**
   * 'uniform' (PyTorch), 'identity' (each gate block of W_hh = I, biases 0; Le et al. 2015) or
   * 'orthogonal' (each gate block of W_hh orthogonal; Saxe et al. 2014). Default 'uniform'.
   */
  init?: RecurrentInit;
}

/** The keys of `CellOptions`, for option checking. */
const CELL_OPTION_KEYS = ['inputSize', 'hiddenSize', 'bias', 'layerNorm', 'init'] as const;

/** `CellOptions` checked, every default filled in. */
export interface ParsedCellOptions {
  inputSize: number;
  hiddenSize: number;
  bias: boolean;
  layerNorm: boolean;
  init: RecurrentInit;
}

/** The state a cell reads and writes: h [B, H], and c [B, H] for an LSTM. */
export interface CellState {
  h: Tensor;
  c?: Tensor;
}

/** A cell family, as the base needs it. */
export interface CellFamily {
  /** The class name, used in configs and error messages. */
  readonly name: string;
  /** The step equations on autograd primitives (the layer-norm path; see recurrent/stepwise.ts). */
  readonly step: StepCell;
  /** One step on the family's fused kernel (one tape node): x [B, I], h and c [B, H] or null. */
  fused(x: Tensor, h: Tensor | null, c: Tensor | null, w: RecurrentWeights): CellState;
  /** Parameters of the variants, registered after torch.nn's (names without a layer suffix). */
  readonly extras: readonly ExtraParameter[];
  /** Re-initialises after the uniform draw (e.g. the forget-gate bias). */
  reset?(w: LayerWeights): void;
}

/**
 * Checks `options` against the common keys plus `extra` (an unknown or misspelt key throws
 * E_ARGUMENT naming it); returns the common options parsed and the raw object for the extra ones.
 */
export function parseCellOptions(op: string, options: unknown, extra: readonly string[]): { parsed: ParsedCellOptions; raw: Record<string, unknown> } {
  if (options === undefined) throw fail('E_ARGUMENT', `${op}: options { inputSize, hiddenSize, … } are required`);
  const raw = checkOptions(op, options, [...CELL_OPTION_KEYS, ...extra]);
  return {
    parsed: {
      inputSize: intOption(op, 'inputSize', raw.inputSize, 1),
      hiddenSize: intOption(op, 'hiddenSize', raw.hiddenSize, 1),
      bias: boolOption(op, 'bias', raw.bias, true),
      layerNorm: boolOption(op, 'layerNorm', raw.layerNorm, false),
      init: choiceOption<RecurrentInit>(op, 'init', raw.init, ['uniform', 'identity', 'orthogonal'], 'uniform'),
    },
    raw,
  };
}

/**
 * The base of `LSTMCell`, `GRUCell` and `RNNCell`: one step of the family, with torch.nn's
 * parameter names, shapes and order (`weight_ih` [G·H, I], `weight_hh` [G·H, H], `bias_ih`,
 * `bias_hh` [G·H]). `R` is what `forward` returns.
 */
export abstract class CellBase<R extends CellState> extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  /** Layer-normalised gates (the per-primitive path). */
  readonly layerNorm: boolean;
  /** How W_hh is initialised. */
  readonly init: RecurrentInit;
  /** The parameters, as the runner's step functions read them. */
  protected readonly weights: LayerWeights;
  /** torch.nn's four, as the fused kernels take them. */
  private readonly fusedWeights: RecurrentWeights;
  private readonly family: CellFamily;

  protected constructor(family: CellFamily, o: ParsedCellOptions) {
    super();
    this.family = family;
    ({ inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.bias, layerNorm: this.layerNorm, init: this.init } = o);
    const G = family.step.gates * this.hiddenSize;
    // torch.nn.RNNCellBase's order: weight_ih, weight_hh, bias_ih, bias_hh; the variants' after.
    this.weights = {
      wIh: this.registerParameter('weight_ih', zeros([G, this.inputSize])),
      wHh: this.registerParameter('weight_hh', zeros([G, this.hiddenSize])),
      bIh: this.bias ? this.registerParameter('bias_ih', zeros([G])) : null,
      bHh: this.bias ? this.registerParameter('bias_hh', zeros([G])) : null,
      wHr: null,
      extra: Object.fromEntries(family.extras.map((e) => [e.name, this.registerParameter(e.name, zeros([e.size]))])),
    };
    const { wIh, wHh, bIh, bHh } = this.weights;
    this.fusedWeights = { wIh, wHh, bIh, bHh };
    this.resetParameters();
  }

  /**
   * Redraws every parameter from U(−1/√H, 1/√H) through the seeded RNG in parameter order
   * (torch.nn's `reset_parameters`, so a seed gives PyTorch's draw order), then applies `init`
   * and the family's variants.
   */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform(p, -bound, bound);
    initRecurrent(this.weights, this.hiddenSize, this.init);
    for (const e of this.family.extras) if (e.fill !== null) init.constant(this.weights.extra[e.name], e.fill);
    this.family.reset?.(this.weights);
  }

  /** One step from `state` (absent, null or a missing entry = zeros): x [B, I] → the next state. */
  forward(x: Tensor, state?: { h?: Tensor | null; c?: Tensor | null } | null): R {
    const op = `${this.family.name}.forward`;
    if (!(x instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: x must be a Tensor, got ${describe(x)}`);
    x.check(op);
    if (x.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: x must be float32, got ${x.dtype}`);
    if (x.shape.length !== 2 || x.shape[1] !== this.inputSize || x.shape[0] < 1) {
      throw fail('E_SHAPE', `${op}: x must have shape [B, inputSize = ${this.inputSize}] with B >= 1, got [${x.shape.join(', ')}]`);
    }
    const B = x.shape[0];
    const hasCell = this.family.step.hasCell;
    let h: Tensor | null = null;
    let c: Tensor | null = null;
    if (state !== undefined && state !== null) {
      if (state instanceof Tensor || typeof state !== 'object' || Array.isArray(state)) {
        throw fail('E_ARGUMENT', `${op}: state must be an object ${hasCell ? '{ h, c }' : '{ h }'} (each optional), got ${describe(state)}`);
      }
      checkOptions(op, state, hasCell ? ['h', 'c'] : ['h']);
      h = this.checkState(op, 'state.h', state.h, B);
      c = hasCell ? this.checkState(op, 'state.c', state.c, B) : null;
    }
    if (!this.layerNorm) return this.family.fused(x, h, c, this.fusedWeights) as R;
    // The per-primitive path: one step of the layers' step-wise runner (T = 1).
    const r = runStepwise(this.family.step, x.reshape([1, B, this.inputSize]), this.weights, h, c, null, false);
    return (hasCell ? { h: r.h, c: r.c! } : { h: r.h }) as R;
  }

  private checkState(op: string, name: string, t: unknown, B: number): Tensor | null {
    if (t === undefined || t === null) return null;
    if (!(t instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: ${name} must be a Tensor, got ${describe(t)}`);
    t.check(op);
    if (t.dtype !== 'float32') throw fail('E_ARGUMENT', `${op}: ${name} must be float32, got ${t.dtype}`);
    if (t.shape.length !== 2 || t.shape[0] !== B || t.shape[1] !== this.hiddenSize) {
      throw fail('E_SHAPE', `${op}: ${name} must have shape [B, H] = [${B}, ${this.hiddenSize}], got [${t.shape.join(', ')}]`);
    }
    return t;
  }

  /** The common options with every default filled in (a family adds its own). */
  protected baseConfig(): ModuleConfig {
    return { type: this.family.name, inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.bias, layerNorm: this.layerNorm, init: this.init };
  }
}
