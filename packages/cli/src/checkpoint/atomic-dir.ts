import { closeSync, copyFileSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** A file's bytes, or a function that makes them while the directory is being written. */
export type FileContent = Uint8Array | string | (() => Uint8Array | string);

/** Suffixes of the sibling folders used while a checkpoint directory is replaced. */
export const TMP_SUFFIX = '.eddy-tmp';
export const OLD_SUFFIX = '.eddy-old';

/** Writes `content` to `path` (parents created) and fsyncs it before returning. */
export function writeDurable(path: string, content: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Hard-links (or, across devices, copies) a tree of files: unchanged files of the previous checkpoint. */
function linkTree(from: string, to: string): void {
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) linkTree(join(from, name), join(to, name));
    return;
  }
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function fsyncDir(dir: string): void {
  // Makes the renames durable; some platforms cannot open a directory, and then there is nothing to do.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

/**
 * Replaces directory `dir` by one holding `files` (relative paths, `/`-separated) plus the entries
 * `carry` of checkpoint directory `carryFrom` (default: the current `dir`) that `files` does not
 * replace — never leaving a half-written `dir`:
 *
 * 1. everything is written and fsynced into the sibling `dir.eddy-tmp`;
 * 2. `dir` is renamed to `dir.eddy-old`, `dir.eddy-tmp` to `dir`, and `dir.eddy-old` removed.
 *
 * A crash in step 1 leaves `dir` untouched (the next write clears the temp folder). A crash
 * between the two renames of step 2 leaves no `dir` but a complete `dir.eddy-old`, which
 * `resolveCheckpointDir` reads instead. (Linux's renameat2(RENAME_EXCHANGE) would close that gap but
 * Node does not expose it.)
 */
export function replaceDirectory(dirGiven: string, files: ReadonlyMap<string, FileContent>, carry: readonly string[] = [], carryFrom: string = dirGiven): void {
  // `run/` or `run/.` would put the sibling folders inside the directory they replace.
  const dir = resolve(dirGiven);
  const tmp = dir + TMP_SUFFIX;
  const old = dir + OLD_SUFFIX;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    for (const [name, content] of files) writeDurable(join(tmp, name), typeof content === 'function' ? content() : content);
    const previous = resolveCheckpointDir(carryFrom);
    if (previous !== null) {
      for (const name of carry) {
        if (files.has(name) || [...files.keys()].some((f) => f.startsWith(name + '/'))) continue;
        if (existsSync(join(previous, name))) linkTree(join(previous, name), join(tmp, name));
      }
    }
    fsyncDir(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  if (existsSync(dir)) {
    rmSync(old, { recursive: true, force: true });
    renameSync(dir, old);
  }
  renameSync(tmp, dir);
  fsyncDir(dirname(dir));
  rmSync(old, { recursive: true, force: true });
}

/**
 * The directory to read for checkpoint `dir`: `dir` itself, or the complete previous version
 * `dir.eddy-old` when a crash fell between the two renames of `replaceDirectory`; null if neither.
 */
export function resolveCheckpointDir(dir: string): string | null {
  if (existsSync(dir)) return dir;
  const old = dir + OLD_SUFFIX;
  return existsSync(old) ? old : null;
}

