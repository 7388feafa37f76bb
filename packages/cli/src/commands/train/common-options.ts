import type { CommonTrainingOptions } from '../../checkpoint/checkpoint.js';
import { UsageError } from '../../errors.js';
import type { ParsedArgs } from '../../options.js';
import { vocabSizeOption } from './tokenizer.js';

/**
 * The options every training command reads alike (`CommonTrainingOptions`). A run bounded by none of
 * --steps, --epochs and --time gets the command's default bound (`defaults.steps` or `defaults.epochs`).
 * A command whose data comes as words (`eddy tree`) has no --tokenizer: `defaults.words` says so, and
 * its --vocab-size, when given, bounds the word vocabulary (null: every word).
 */
export function commonTrainingOptions(args: ParsedArgs, defaults: { steps?: number; epochs?: number; words?: true }): CommonTrainingOptions {
  if (args.has('steps') && args.has('epochs')) throw new UsageError('--steps and --epochs both bound the run; give one of them.');
  const bounded = args.has('steps') || args.has('epochs') || args.has('time');
  return {
    tokenizer: defaults.words ? 'word' : (args.string('tokenizer') as CommonTrainingOptions['tokenizer']),
    vocabSize: defaults.words ? (args.optionalNumber('vocab-size') ?? null) : vocabSizeOption(args),
    batch: args.number('batch'),
    steps: args.optionalNumber('steps') ?? (bounded ? null : (defaults.steps ?? null)),
    epochs: args.optionalNumber('epochs') ?? (bounded ? null : (defaults.epochs ?? null)),
    time: args.optionalNumber('time') ?? null,
    optimizer: args.string('optimizer') as CommonTrainingOptions['optimizer'],
    lr: args.number('lr'),
    lrDecay: args.number('lr-decay'),
    clip: args.number('clip'),
    seed: args.number('seed'),
    fast: args.flag('fast'),
  };
}
