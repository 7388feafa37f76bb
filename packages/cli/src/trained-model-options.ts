import type { OptionSpec, PositionalSpec } from './options.js';

// The argument and option that the commands using a trained model (predict, translate, eval) declare alike.

/** The DIR argument: a checkpoint directory written by `trainCommand` (`eddy classify train`). */
export function checkpointDirArgument(trainCommand: string): PositionalSpec {
  return { name: 'dir', help: `a checkpoint directory written by ${trainCommand}`, required: true };
}

/** `--batch`: how many `unit` ("texts", "trees") one forward pass reads. */
export function forwardBatchOption(unit: string): OptionSpec {
  return { name: 'batch', type: 'int', min: 1, max: 100000, default: 64, help: `${unit} per forward pass` };
}
