import { withCommonOptions, type CommandSpec } from '../../options.js';
import { QUANTIZE_OPTION } from '../../quantize.js';

export const EVAL_SPEC: CommandSpec = withCommonOptions({
  name: 'eval',
  short: 'Measure a checkpoint\'s loss and perplexity on a text file.',
  summary:
    'Evaluate a checkpoint on a text file: loss in nats per token, bits per character (char and BPE models)\n' +
    'and perplexity (per token), over the whole file read as one stream.',
  positionals: [
    { name: 'dir', help: 'a checkpoint directory written by eddy train', required: true },
    { name: 'file', help: 'a UTF-8 text file to evaluate on', required: true },
  ],
  options: [QUANTIZE_OPTION],
  examples: [
    'eddy eval run test.txt --json   # {"loss":…,"bitsPerChar":…,"perplexity":…,"tokens":…}',
    'eddy eval run test.txt --quantize int8   # the loss the int8 weights of eddy sample --quantize int8 give',
  ],
});
