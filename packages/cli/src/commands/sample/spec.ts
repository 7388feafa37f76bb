import { withCommonOptions, type CommandSpec } from '../../options.js';
import { QUANTIZE_OPTION } from '../../quantize.js';

export const SAMPLE_SPEC: CommandSpec = withCommonOptions({
  name: 'sample',
  short: 'Stream text from a trained checkpoint to stdout.',
  summary: 'Stream text from a trained checkpoint to stdout, one token at a time (the model\'s state carried from step to step).',
  positionals: [{ name: 'dir', help: 'a checkpoint directory written by eddy train', required: true }],
  options: [
    { name: 'length', type: 'int', min: 1, max: 10_000_000, default: 500, help: 'tokens to generate (characters for a char model)' },
    { name: 'temperature', type: 'number', min: 0, default: 1, help: 'divide the logits by this before sampling (0: greedy)' },
    { name: 'top-k', type: 'int', min: 0, default: 0, valueName: 'K', help: 'sample among the K most likely tokens only (0: all)' },
    { name: 'top-p', type: 'number', min: 0, minOpen: true, max: 1, default: 1, valueName: 'P', help: 'sample among the most likely tokens whose probabilities sum to P (1: all)' },
    { name: 'prime', type: 'string', valueName: 'TEXT', help: 'text that conditions the sample (printed first; default: a newline)' },
    { name: 'seed', type: 'int', min: 0, default: 123, help: 'seed of the sampling draws' },
    QUANTIZE_OPTION,
  ],
  examples: ['eddy sample run --length 300 --temperature 0.8 --prime "export function "', 'eddy sample run --quantize int8   # int8 weights: faster per token'],
});
