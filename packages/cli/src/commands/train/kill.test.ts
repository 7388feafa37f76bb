// Kill tests, CI-light: `eddy train` SIGKILLed at random moments — checkpoints are written every
// step, so many kills land inside a write — never loses the checkpoint, which loads and resumes to
// the bits of an uninterrupted run; and two trainers on one --out never both write it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { OLD_SUFFIX, resolveCheckpointDir, TMP_SUFFIX } from '../../checkpoint/atomic-dir.js';
import { binPath, runBin, SENTENCE, tempDir, TINY, writeText } from '../../test/helpers.js';

// TINY without its --eval-every: a checkpoint every step, and no validation (best/ is rewritten
// every step too), so most of a run's time is spent writing.
const ARGS = [...TINY.filter((_, i) => i < TINY.indexOf('--eval-every')), '--eval-every', '1', '--val-fraction', '0'];
const STEPS = 120;
const KILLS = 8;

interface Child {
  exit: Promise<number | null>;
  /** Resolves at the first step event (the run is training and writing). */
  training: Promise<void>;
  kill(): void;
  stderr(): string;
}

function start(argv: string[]): Child {
  const child = spawn(process.execPath, [binPath(), ...argv, '--json']);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const training = new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      if (stdout.includes('"event":"step"')) resolve();
    });
    void exit.then(() => resolve());
  });
  return { exit, training, kill: () => child.kill('SIGKILL'), stderr: () => stderr };
}

/** Seeded delays (mulberry32), so a failing sequence of kill times can be replayed. */
function delays(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const stepOf = (dir: string): number => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).progress.step;

describe('eddy train killed with SIGKILL', () => {
  test(`${KILLS} kills at random moments: every time the checkpoint loads, and resuming gives the bytes of an uninterrupted run`, async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(40));
    const reference = join(dir, 'reference');
    expect(runBin(['train', corpus, ...ARGS, '--steps', String(STEPS), '--out', reference]).status).toBe(0);

    const out = join(dir, 'run');
    const random = delays(Number(process.env.EDDY_KILL_SEED ?? Date.now() % 1e9));
    const outcomes = { kills: 0, finishedFirst: 0, noCheckpointYet: 0, midWrite: 0, staleLocks: 0, samples: 0 };
    for (let k = 0; k < KILLS; k++) {
      const fresh = resolveCheckpointDir(out) === null;
      const child = start(fresh ? ['train', corpus, ...ARGS, '--steps', String(STEPS), '--out', out] : ['train', '--resume', out, '--steps', String(STEPS)]);
      await child.training;
      await new Promise((resolve) => setTimeout(resolve, random() * 150));
      child.kill();
      const code = await child.exit;
      if (code === 0) {
        outcomes.finishedFirst++;
        break;
      }
      expect(code, child.stderr()).toBe(null); // killed, not failed
      outcomes.kills++;
      if (existsSync(out + TMP_SUFFIX) || existsSync(out + OLD_SUFFIX)) outcomes.midWrite++;
      if (existsSync(out + '.lock')) outcomes.staleLocks++;
      if (resolveCheckpointDir(out) === null) {
        outcomes.noCheckpointYet++;
        continue;
      }
      const sample = runBin(['sample', out, '--length', '8', '--seed', '1']);
      expect(sample.status, sample.stderr).toBe(0);
      expect(sample.stdout.length).toBeGreaterThan(0);
      outcomes.samples++;
    }
    // The stale lock of the last kill is taken over; the run finishes uninterrupted.
    const last = runBin(resolveCheckpointDir(out) === null ? ['train', corpus, ...ARGS, '--steps', String(STEPS), '--out', out] : ['train', '--resume', out, '--steps', String(STEPS)]);
    expect(last.status, last.stderr).toBe(0);
    expect(stepOf(out)).toBe(STEPS);
    expect(Buffer.compare(readFileSync(join(out, 'model.safetensors')), readFileSync(join(reference, 'model.safetensors')))).toBe(0);
    expect(existsSync(out + '.lock')).toBe(false);
    console.info(`kill test: ${JSON.stringify(outcomes)}`);
    expect(outcomes.kills).toBeGreaterThanOrEqual(KILLS / 2);
  }, 60_000);

  test('two trainers on one --out: exactly one trains, the other refuses in one sentence, and the checkpoint is intact', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(40));
    const out = join(dir, 'run');
    // The case: both replace an existing checkpoint (--overwrite).
    expect(runBin(['train', corpus, ...ARGS, '--steps', '3', '--out', out]).status).toBe(0);
    const argv = ['train', corpus, ...ARGS, '--steps', '60', '--out', out, '--overwrite'];
    const [a, b] = [start(argv), start(argv)];
    const codes = await Promise.all([a.exit, b.exit]);
    expect([...codes].sort()).toEqual([0, 1]);
    const refused = codes[0] === 1 ? a : b;
    expect(refused.stderr()).toMatch(/^eddy: another eddy train \(pid \d+ on .+, started .+\) is writing the checkpoint .*run; wait for it to finish or choose another --out \(if that process is gone, delete .*run\.lock\)\.\n$/);
    expect(stepOf(out)).toBe(60);
    expect(existsSync(join(out, 'vocab.json'))).toBe(true);
    expect(existsSync(out + OLD_SUFFIX) || existsSync(out + TMP_SUFFIX) || existsSync(out + '.lock')).toBe(false);
    expect(runBin(['sample', out, '--length', '8']).status).toBe(0);
  }, 60_000);
});
