import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { CliError } from '../errors.js';

// One writer per checkpoint directory. The lock is the file DIR.lock beside the directory (a save
// replaces DIR itself, so nothing inside it survives a write), holding who took it:
//   { "pid": 1234, "host": "box", "started": "2024-05-01T12:00:00.000Z" }
// It is made whole and then hard-linked into place, which fails if the name exists: two trainers
// can never both succeed, and a reader never sees half a lock. A lock whose pid is dead on this host
// (the trainer was killed) is stale and taken over; a live pid, or a lock of another host (whose
// pids this host cannot check), is refused. Readers (sample, eval) never look at it: a checkpoint
// directory is always whole (atomic-dir.ts).

/** Suffix of the lock file beside a checkpoint directory. */
export const LOCK_SUFFIX = '.lock';

/** What a lock file holds. */
export interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

/** A held lock; `release` removes it (idempotent) and runs on process exit if nobody called it. */
export interface CheckpointLock {
  readonly path: string;
  release(): void;
}

function parseOwner(text: string): LockOwner | null {
  try {
    const v = JSON.parse(text) as Partial<LockOwner> | null;
    if (v === null || typeof v !== 'object' || !Number.isSafeInteger(v.pid) || (v.pid as number) <= 0 || typeof v.host !== 'string' || typeof v.started !== 'string') return null;
    return v as LockOwner;
  } catch {
    return null;
  }
}

function readOwner(path: string): { text: string; owner: LockOwner | null } | null {
  try {
    const text = readFileSync(path, 'utf8');
    return { text, owner: parseOwner(text) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null; // released meanwhile
    throw e;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

function writeWhole(path: string, text: string, flags: 'w' | 'wx' = 'w'): void {
  const fd = openSync(path, flags);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Links a complete lock file into place; false if the name is taken. */
function tryCreate(path: string, text: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  writeWhole(tmp, text);
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e;
    // A file system without hard links: exclusive create (a reader may then see it empty for a moment).
    try {
      writeWhole(path, text, 'wx');
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Moves a stale lock out of the way, unless another process replaced it meanwhile (two processes
 * finding the same stale lock: the second one's rename catches the first one's fresh lock, sees
 * it is not the stale one, and puts it back).
 */
function takeOver(path: string, staleText: string): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const moved = readFileSync(aside, 'utf8');
  if (moved !== staleText) {
    try {
      linkSync(aside, path);
    } catch {
      /* taken again meanwhile: that one stands */
    }
  }
  rmSync(aside, { force: true });
}

function refusal(display: string, path: string, owner: LockOwner | null): CliError {
  if (owner === null) {
    return new CliError(`${path} exists but is not an eddy lock, so ${display} may be in use; if no eddy train writes ${display}, delete ${path} and train again.`);
  }
  return new CliError(
    `another eddy train (pid ${owner.pid} on ${owner.host}, started ${owner.started}) is writing the checkpoint ${display}; wait for it to finish or choose another --out (if that process is gone, delete ${path}).`,
  );
}

/**
 * Takes the lock of checkpoint directory `dir` (an absolute, normalised path; `display` is how the
 * user named it) before anything is written, or throws one CliError sentence naming its holder.
 */
export function lockCheckpointDir(dir: string, display: string = dir): CheckpointLock {
  const path = dir + LOCK_SUFFIX;
  const text = JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() } satisfies LockOwner) + '\n';
  for (let attempt = 0; attempt < 5; attempt++) {
    let created: boolean;
    try {
      created = tryCreate(path, text);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new CliError(`cannot create the lock ${path} (${code}); choose a writable --out directory.`);
    }
    if (created) return held(path);
    const found = readOwner(path);
    if (found === null) continue; // released between our attempt and the read
    const { owner } = found;
    if (owner === null || owner.host !== hostname() || isAlive(owner.pid)) throw refusal(display, path, owner);
    takeOver(path, found.text);
  }
  throw refusal(display, path, readOwner(path)?.owner ?? null);
}

function held(path: string): CheckpointLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    rmSync(path, { force: true });
  };
  // process.exit (a second Ctrl-C) skips finally blocks; 'exit' handlers still run.
  process.on('exit', release);
  return { path, release };
}
