import { boolOption, choiceOption } from '@eddy/autograd/internal';
import { fail } from '../../errors.js';

// The options beyond PyTorch that every family takes (the LSTM's and GRU's own are parsed in
// lstm.ts and gru.ts). Each one that would do nothing in the given configuration is an error, not
// a silent no-op (STYLE.md: TensorFlow.js's misspelt key that turned a branch off).

/** How a bidirectional layer combines its two directions' outputs [T, B, Hout] each. */
export type MergeMode = 'concat' | 'sum' | 'mean' | 'mul';

/** How the recurrent weights W_hh are initialised (the rest is always U(−1/√H, 1/√H)). */
export type RecurrentInit = 'uniform' | 'identity' | 'orthogonal';

/** The options beyond PyTorch shared by RNN, LSTM and GRU (see the README's "Variants"). */
export interface VariantOptions {
  /**
   * Layer-normalised cells (Ba et al. 2016): each gate block of W_ih xₜ and of W_hh hₜ₋₁ is
   * normalised separately with its own gain (`weight_ln_ih_l{k}`, `weight_ln_hh_l{k}`), the biases
   * b_ih, b_hh being the shifts; an LSTM also normalises cₜ before its tanh (`weight_ln_c_l{k}`,
   * `bias_ln_c_l{k}`). Runs on the per-step path. Default false.
   */
  layerNorm?: boolean;
  /**
   * Skip connections between stacked layers: the output of every layer l ≥ 1 is added to that
   * layer's input (after inter-layer dropout), y⁽ˡ⁾ = layer(x⁽ˡ⁾) + x⁽ˡ⁾. Needs numLayers ≥ 2.
   * Default false.
   */
  residual?: boolean;
  /**
   * How a bidirectional layer merges its directions, at every layer (as Keras's Bidirectional):
   * 'concat' [·, D·Hout] (PyTorch), 'sum' y→ + y←, 'mean' (y→ + y←)/2, 'mul' y→ ⊙ y←
   * (each [·, Hout]; layer l + 1 then reads Hout features). Needs bidirectional. Default 'concat'.
   */
  mergeMode?: MergeMode;
  /**
   * 'uniform' (PyTorch's U(−1/√H, 1/√H) for everything), 'identity' (Le et al. 2015, IRNN: each
   * gate block of W_hh = I and the biases 0; use with nonlinearity 'relu' for an RNN) or
   * 'orthogonal' (Saxe et al. 2014: each gate block of W_hh orthogonal). Default 'uniform'.
   */
  init?: RecurrentInit;
}

/** The keys of `VariantOptions`, for option checking. */
export const VARIANT_OPTION_KEYS = ['layerNorm', 'residual', 'mergeMode', 'init'] as const;

/** `VariantOptions` checked, every default filled in. */
export interface ParsedVariantOptions {
  layerNorm: boolean;
  residual: boolean;
  mergeMode: MergeMode;
  init: RecurrentInit;
}

/** Checks the shared variant options against the layer count and directions they act on. */
export function parseVariantOptions(op: string, raw: Record<string, unknown>, numLayers: number, bidirectional: boolean): ParsedVariantOptions {
  const parsed: ParsedVariantOptions = {
    layerNorm: boolOption(op, 'layerNorm', raw.layerNorm, false),
    residual: boolOption(op, 'residual', raw.residual, false),
    mergeMode: choiceOption<MergeMode>(op, 'mergeMode', raw.mergeMode, ['concat', 'sum', 'mean', 'mul'], 'concat'),
    init: choiceOption<RecurrentInit>(op, 'init', raw.init, ['uniform', 'identity', 'orthogonal'], 'uniform'),
  };
  if (parsed.residual && numLayers < 2) {
    throw fail('E_ARGUMENT', `${op}: residual adds each stacked layer's input to its output and needs numLayers >= 2, got numLayers = ${numLayers}`);
  }
  if (parsed.mergeMode !== 'concat' && !bidirectional) {
    throw fail('E_ARGUMENT', `${op}: mergeMode ${JSON.stringify(parsed.mergeMode)} merges the two directions and needs bidirectional: true, got bidirectional = false`);
  }
  return parsed;
}
