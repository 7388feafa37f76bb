import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError } from '../errors.js';
import { CHECKPOINT_FORMAT } from './checkpoint.js';

function isCheckpoint(dir: string): boolean {
  try {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { format?: unknown };
    return config.format === CHECKPOINT_FORMAT;
  } catch {
    return false;
  }
}

/**
 * Checks, before any training, that checkpoint directory `out` can be written: it is new, empty,
 * or an Eddy checkpoint (which the run replaces) — never another folder, because a checkpoint
 * write replaces the whole directory — and its parent accepts files (the temp folder is a sibling).
 */
export function checkOutputDir(out: string): void {
  const abs = resolve(out);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new CliError(`the output ${out} is a file; give --out a directory path.`);
    if (readdirSync(abs).length > 0 && !isCheckpoint(abs)) {
      throw new CliError(`the output directory ${out} holds files that are not an Eddy checkpoint; choose a new or empty --out directory (eddy replaces the whole directory).`);
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
