import { withCommonOptions, type CommandSpec } from '../../options.js';

/** Tokens read by default: enough for cells to show structure, a few seconds on a laptop. */
export const DEFAULT_LENGTH = 1000;

export const INSPECT_SPEC: CommandSpec = withCommonOptions({
  name: 'inspect',
  short: 'Show a checkpoint\'s cells, gradient through time, spectra and gates.',
  summary:
    'Run a checkpoint of eddy train over a text and show what its recurrent layers do: the cells whose\n' +
    'activation varies most over the text (the text coloured by a cell in the report), ‖∂L/∂hₜ‖ over a\n' +
    'window (vanishing or exploding gradients), the largest singular value and spectral radius of each\n' +
    'W_hh and its gate blocks, and how often each gate is saturated (σ < 0.1 or > 0.9). Prints a summary\n' +
    'with sparklines; --report writes a self-contained HTML page (no network needed to view it).',
  positionals: [{ name: 'dir', help: 'a checkpoint directory written by eddy train', required: true }],
  options: [
    { name: 'text', type: 'string', valueName: 'FILE', help: "a UTF-8 text file to read (default: the checkpoint's validation text, else a built-in snippet)" },
    { name: 'length', type: 'int', min: 2, max: 20_000, default: DEFAULT_LENGTH, help: 'tokens of the text to read (its start)' },
    { name: 'window', type: 'int', min: 2, max: 2000, valueName: 'T', help: "steps of the gradient window; default: the checkpoint's --seq-len" },
    { name: 'top', type: 'int', min: 1, max: 64, default: 8, valueName: 'K', help: 'cells listed per layer, by the variance of their activation over the text' },
    { name: 'cell', type: 'int', min: 0, valueName: 'N', help: "the last layer's cell the report shows first; default: its top cell" },
    { name: 'report', type: 'string', valueName: 'FILE', help: 'write a self-contained HTML report to FILE (replaced if it exists)' },
  ],
  examples: [
    'eddy inspect run                          # summary with sparklines',
    'eddy inspect run --text README.md --report report.html',
    'eddy inspect run --json | jq .gradientThroughTime.layers[0].norms',
  ],
});
