import { FAST_OPTION, THREADS_OPTION } from '../../threads.js';
import type { OptionSpec } from '../../options.js';

/** The defaults and words a sentence-level training command gives its run options. */
export interface RunOptionDefaults {
  /** What one item of the data is called: `examples`, `pairs`, `trees`. */
  unit: string;
  /** The training file's placeholder: `FILE`, `PAIRS`. */
  file: string;
  /** The default --out. */
  out: string;
  /** Epochs of a run bounded by none of --steps, --epochs, --time. */
  epochs: number;
  /** Where some runs have another default, said after it in --epochs' help (`30 for rntn with adagrad`). */
  epochsOtherwise?: string;
  batch: number;
  /** The optimizers --optimizer offers (default adam, rmsprop, sgd) and the default one (default adam). */
  optimizers?: readonly string[];
  optimizer?: string;
  lr: number;
  /**
   * A command whose parameters form groups with rates of their own: what --lr sets (`the
   * composition and the classifier`), and the groups' options, listed after --lr.
   */
  groups?: { lrOf: string; options: OptionSpec[] };
  lrDecay: number;
  clip: number;
  /** The fraction of FILE held out without --valid; absent: the command has no --val-fraction. */
  valFraction?: number;
  seed: number;
  /** What the seed draws, for its help line. */
  seedDraws: string;
}

/**
 * The options of a sentence-level training run that every such command (classify, tree, seq2seq)
 * takes alike — batch, bounds, optimisation, held-out fraction, seed, threads, --fast and the checkpoint
 * directory — with the command's defaults; `commonTrainingOptions` and `driveTraining` read them.
 */
export function runOptions(d: RunOptionDefaults): OptionSpec[] {
  const lrs = d.groups === undefined ? 'learning rate' : 'learning rates';
  return [
    { name: 'batch', type: 'int', min: 1, max: 100000, default: d.batch, help: `${d.unit} per batch` },
    { name: 'steps', type: 'int', min: 1, help: 'total optimizer steps of the run' },
    { name: 'epochs', type: 'number', minOpen: true, min: 0, help: `total passes over the training ${d.unit} (default ${d.epochs}${d.epochsOtherwise === undefined ? '' : `, ${d.epochsOtherwise},`} unless --steps or --time is given)` },
    { name: 'time', type: 'number', minOpen: true, min: 0, valueName: 'SECONDS', help: 'stop after this much wall time (with --steps/--epochs: whichever comes first)' },
    { name: 'optimizer', type: 'choice', choices: d.optimizers ?? ['adam', 'rmsprop', 'sgd'], default: d.optimizer ?? 'adam', help: 'optimizer' },
    { name: 'lr', type: 'number', min: 0, minOpen: true, default: d.lr, help: d.groups === undefined ? 'learning rate' : `learning rate of ${d.groups.lrOf}` },
    ...(d.groups?.options ?? []),
    { name: 'lr-decay', type: 'number', min: 0, minOpen: true, max: 1, default: d.lrDecay, help: `multiply the ${lrs} by this after every epoch` },
    { name: 'clip', type: 'number', min: 0, default: d.clip, help: 'clip the global gradient norm to this (0: no clipping)' },
    ...(d.valFraction === undefined
      ? []
      : [{ name: 'val-fraction', type: 'number', min: 0, max: 1, maxOpen: true, default: d.valFraction, help: `without --valid: the fraction of ${d.file} (drawn with --seed) held out for validation` } satisfies OptionSpec]),
    { name: 'seed', type: 'int', min: 0, default: d.seed, help: `seed of every random draw (${d.seedDraws})` },
    THREADS_OPTION,
    FAST_OPTION,
    { name: 'out', type: 'string', valueName: 'DIR', help: `checkpoint directory (default ${d.out}, or the --resume directory)` },
    { name: 'resume', type: 'string', valueName: 'DIR', help: 'continue the run saved in DIR exactly (options are read from it)' },
    { name: 'overwrite', type: 'flag', help: 'replace the checkpoint already in --out (without it, eddy refuses to)' },
  ];
}
