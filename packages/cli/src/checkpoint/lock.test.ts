import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CliError } from '../errors.js';
import { tempDir } from '../test/helpers.js';
import { lockCheckpointDir } from './lock.js';

/** The pid of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return (e as Error).message;
  }
  throw new Error('not refused');
};

describe('the lock beside a checkpoint directory', () => {
  test('holds pid, host and start time; a second taker is refused in one sentence; release frees it', () => {
    const run = join(tempDir(), 'run');
    const lock = lockCheckpointDir(run, 'run');
    expect(lock.path).toBe(run + '.lock');
    const owner = JSON.parse(readFileSync(lock.path, 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Number.isNaN(Date.parse(owner.started))).toBe(false);
    expect(refusal(() => lockCheckpointDir(run, 'run'))).toBe(
      `another eddy train (pid ${process.pid} on ${hostname()}, started ${owner.started}) is writing the checkpoint run; wait for it to finish or choose another --out (if that process is gone, delete ${run}.lock).`,
    );
    lock.release();
    lock.release(); // idempotent
    expect(existsSync(lock.path)).toBe(false);
    lockCheckpointDir(run).release();
  });

  test('a lock of a dead process on this host is stale and taken over; another host\'s or a foreign file is refused', () => {
    const run = join(tempDir(), 'run');
    const pid = deadPid();
    writeFileSync(run + '.lock', JSON.stringify({ pid, host: hostname(), started: '2020-01-01T00:00:00.000Z' }));
    const lock = lockCheckpointDir(run);
    expect(JSON.parse(readFileSync(lock.path, 'utf8')).pid).toBe(process.pid);
    lock.release();
    writeFileSync(run + '.lock', JSON.stringify({ pid, host: 'elsewhere', started: '2020-01-01T00:00:00.000Z' }));
    expect(refusal(() => lockCheckpointDir(run, 'run'))).toMatch(/^another eddy train \(pid \d+ on elsewhere, started 2020-01-01T00:00:00\.000Z\) is writing the checkpoint run;/);
    writeFileSync(run + '.lock', 'not json');
    expect(refusal(() => lockCheckpointDir(run, 'run'))).toBe(`${run}.lock exists but is not an eddy lock, so run may be in use; if no eddy train writes run, delete ${run}.lock and train again.`);
  });

  test('is released when the process exits without a finally (process.exit, as a second Ctrl-C does)', () => {
    const run = join(tempDir(), 'run');
    const lockJs = new URL('../../dist/checkpoint/lock.js', import.meta.url).pathname;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const { lockCheckpointDir } = await import(${JSON.stringify(lockJs)}); lockCheckpointDir(${JSON.stringify(run)}); process.exit(130);`]);
    expect(r.status).toBe(130);
    expect(existsSync(run + '.lock')).toBe(false);
  });
});
