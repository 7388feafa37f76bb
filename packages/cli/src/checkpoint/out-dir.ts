import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { CliError, UsageError } from '../errors.js';
import { OLD_SUFFIX, resolveCheckpointDir, TMP_SUFFIX } from './atomic-dir.js';
import { CHECKPOINT_FORMAT } from './checkpoint.js';

function isCheckpoint(dir: string): boolean {
  try {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { format?: unknown };
    return config.format === CHECKPOINT_FORMAT;
  } catch {
    return false;
  }
}

const errnoOf = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'error';

/**
 * The absolute path `path` names, with `.`, `..`, a trailing slash and every symbolic link resolved
 * (those of the part that does not exist yet stay as written). Two names of one directory give one
 * string, so `--resume run --out ./run/` is recognised as continuing in place.
 */
export function canonicalPath(path: string): string {
  const missing: string[] = [];
  let at = resolve(path);
  for (;;) {
    try {
      return join(realpathSync(at), ...missing);
    } catch {
      const up = dirname(at);
      if (up === at) return resolve(path);
      missing.unshift(basename(at));
      at = up;
    }
  }
}

/**
 * Turns `--out` into the directory a checkpoint is written to, before any training, and makes its
 * missing parents — or throws one CliError sentence for a path that cannot hold a checkpoint:
 *
 * - `run/`, `./run/.`: normalised (a write renames the directory itself, which fails on such names);
 * - a symbolic link to a directory is followed: the checkpoint replaces the directory it points to
 *   and the link stays a link; a dangling link is refused (writing would replace the link);
 * - the current directory (`.`) or one of its ancestors, the root, a mount point: refused, since a
 *   write renames the directory away;
 * - a parent that is a file, or cannot be made or written: refused. Parents are made one level at
 *   a time (Node 20's recursive mkdir never returns on some paths under /proc).
 */
export function prepareOutDir(out: string): string {
  const refuse = (why: string): CliError => new CliError(`--out ${out} cannot hold a checkpoint: ${why}.`);
  if (out.trim() === '') throw refuse('the path is empty; give a directory such as --out run');
  const abs = resolve(out);
  const link = lstatOrNull(abs);
  if (link?.isSymbolicLink() && !existsSync(abs)) throw refuse(`it is a symbolic link to ${readlinkSync(abs)}, which does not exist (eddy follows the link rather than replacing it); create that directory or give --out a directory`);
  const dir = canonicalPath(abs);
  const parent = dirname(dir);
  if (parent === dir) throw refuse('it is the root directory; give a directory below it');
  const cwd = canonicalPath(process.cwd());
  if (cwd === dir || cwd.startsWith(dir + sep)) throw refuse('a checkpoint write replaces the whole directory, and this one holds the current directory; give a new subdirectory, e.g. --out run');
  if (Buffer.byteLength(basename(dir)) + Math.max(TMP_SUFFIX.length, OLD_SUFFIX.length) > 255) throw refuse('its last part is too long for the temporary names beside it; give a shorter name');
  makeParents(parent, refuse);
  try {
    const probe = join(parent, `.eddy-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw refuse(`its parent ${parent} is not writable (${errnoOf(e)})`);
  }
  const existing = statOrNull(dir);
  if (existing !== null && existing.isDirectory() && existing.dev !== statSync(parent).dev) throw refuse('it is a mount point, which cannot be replaced; give a directory inside it');
  return dir;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Makes `dir` and its missing ancestors, one level at a time; every existing one must be a directory. */
function makeParents(dir: string, refuse: (why: string) => CliError): void {
  const missing: string[] = [];
  let at = dir;
  while (statOrNull(at) === null) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  const base = statOrNull(at);
  if (base !== null && !base.isDirectory()) throw refuse(`${at} is a file, not a directory`);
  for (const m of missing) {
    try {
      mkdirSync(m);
    } catch (e) {
      throw refuse(`its parent ${m} cannot be made (${errnoOf(e)})`);
    }
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
 * Checks, with the directory's lock held and before any training, that writing checkpoint `dir`
 * (from `prepareOutDir`; `out` is how the user named it) loses nothing the user made:
 *
 * - new or empty: fine;
 * - an Eddy checkpoint (or the `.eddy-old` copy a crash mid-write left): only the one being resumed,
 *   or any with `--overwrite` — otherwise refused, naming `--resume` and `--overwrite`;
 * - anything else (a file, a folder of other files): refused even with `--overwrite`, because a
 *   checkpoint write replaces the whole directory and `--overwrite` only ever replaces checkpoints.
 */
export function checkOutputDir(dir: string, out: string, options: OutputDirOptions = {}): void {
  const continuing = options.resumeDir !== undefined && canonicalPath(options.resumeDir) === dir;
  if (continuing && options.overwrite) {
    throw new UsageError(`--overwrite would replace ${out}, the checkpoint --resume continues; drop --overwrite, or give --out another directory.`);
  }
  const existing = resolveCheckpointDir(dir);
  if (existing === null) return;
  if (!statSync(existing).isDirectory()) throw new CliError(`the output ${out} is a file; give --out a directory path.`);
  if (readdirSync(existing).length === 0) return;
  if (!isCheckpoint(existing)) {
    throw new CliError(`the output directory ${out} holds files that are not an Eddy checkpoint; choose a new or empty --out directory (eddy replaces the whole directory, and --overwrite only replaces checkpoints).`);
  }
  if (!continuing && !options.overwrite) {
    throw new CliError(`the output directory ${out} already holds a checkpoint; continue it with --resume ${out}, replace it with --overwrite, or choose another --out.`);
  }
}
