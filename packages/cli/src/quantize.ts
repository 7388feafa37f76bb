import { QuantizedLanguageModel, type LanguageModel, type Quantization } from '@eddy/models';
import type { OptionSpec, ParsedArgs } from './options.js';

/** The `--quantize` option of the commands that run a trained model without training it (`sample`, `eval`, `bench` W4). */
export const QUANTIZE_OPTION: OptionSpec = {
  name: 'quantize',
  type: 'choice',
  choices: ['none', 'int8'],
  default: 'none',
  help: 'int8: run on int8 recurrent and output weights, one scale per row (faster batch-1 sampling, a little more loss)',
};

/** `--quantize` as the models' quantization, or null for the float32 weights. */
export function quantization(args: ParsedArgs): Quantization | null {
  const q = args.string('quantize');
  return q === 'none' ? null : (q as Quantization);
}

/**
 * The model a command runs: `model` itself, or its quantized copy with `--quantize`. `release` frees
 * the copy (the caller still disposes `model`).
 */
export function inferenceModel(model: LanguageModel, args: ParsedArgs): { model: LanguageModel | QuantizedLanguageModel; release(): void } {
  const q = quantization(args);
  if (q === null) return { model, release: () => {} };
  const quantized = new QuantizedLanguageModel(model, q);
  return { model: quantized, release: () => quantized.dispose() };
}
