import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError, UsageError } from '../errors.js';
import { resolveCheckpointDir } from './atomic-dir.js';
import { CHECKPOINT_FORMAT } from './checkpoint.js';

function isCheckpoint(dir: string): boolean {
  try {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { format?: unknown };
    return config.format === CHECKPOINT_FORMAT;
  } catch {
    return false;
  }
}

/** How a run may treat what its output directory already holds. */
export interface OutputDirOptions {
  /** The checkpoint the run continues (`--resume DIR`); writing back into it is what resuming does. */
  resumeDir?: string;
  /** `--overwrite`: the run may replace another Eddy checkpoint. */
  overwrite?: boolean;
}

/**
 * Checks, before any training, that checkpoint directory `out` can be written and that writing it
 * loses nothing the user made:
 *
 * - new or empty: fine;
 * - an Eddy checkpoint (or the `.eddy-old` copy a crash mid-write left): only the one being resumed,
 *   or any with `--overwrite` — otherwise refused, naming `--resume` and `--overwrite`;
 * - anything else (a file, a folder of other files): refused even with `--overwrite`, because a
 *   checkpoint write replaces the whole directory and `--overwrite` only ever replaces checkpoints;
 *
 * and that its parent accepts files (the temp folder is a sibling).
 */
export function checkOutputDir(out: string, options: OutputDirOptions = {}): void {
  const abs = resolve(out);
  const continuing = options.resumeDir !== undefined && resolve(options.resumeDir) === abs;
  if (continuing && options.overwrite) {
    throw new UsageError(`--overwrite would replace ${out}, the checkpoint --resume continues; drop --overwrite, or give --out another directory.`);
  }
  const existing = resolveCheckpointDir(abs);
  if (existing !== null) {
    if (!statSync(existing).isDirectory()) throw new CliError(`the output ${out} is a file; give --out a directory path.`);
    if (readdirSync(existing).length > 0) {
      if (!isCheckpoint(existing)) {
        throw new CliError(`the output directory ${out} holds files that are not an Eddy checkpoint; choose a new or empty --out directory (eddy replaces the whole directory, and --overwrite only replaces checkpoints).`);
      }
      if (!continuing && !options.overwrite) {
        throw new CliError(`the output directory ${out} already holds a checkpoint; continue it with --resume ${out}, replace it with --overwrite, or choose another --out.`);
      }
    }
  }
  const parent = dirname(abs);
  try {
    mkdirSync(parent, { recursive: true });
    const probe = join(parent, `.eddy-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new CliError(`cannot write the checkpoint directory ${out} (${code} in ${parent}); choose a writable --out directory.`);
  }
}
