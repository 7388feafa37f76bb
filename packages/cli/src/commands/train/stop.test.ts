// How a run stops early, through the bin: Ctrl-C (SIGINT) and a non-finite loss.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { binPath, runBin, runMain, SENTENCE, tempDir, TINY, writeText } from '../../test/helpers.js';

// TINY without its --eval-every, which these runs set themselves.
const SMALL = TINY.filter((_, i) => i < TINY.indexOf('--eval-every'));

const progressOf = (dir: string): { step: number } => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).progress;

describe('stopping a run', () => {
  test('Ctrl-C writes a checkpoint at the current step (best/ too, before any evaluation), exits 130 without a stack, and --resume finishes the run', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(40));
    const out = join(dir, 'run');
    const child = spawn(process.execPath, [binPath(), 'train', corpus, ...SMALL, '--eval-every', '1000', '--steps', '100000', '--out', out, '--json']);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d;
        if (/"event":"step"/.test(stdout)) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(stderr).toBe('');
    expect(existsSync(out + '.lock')).toBe(false); // released on Ctrl-C too
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ event: 'done', stopped: 'interrupted' });
    expect(events.at(-2)).toMatchObject({ event: 'checkpoint', reason: 'interrupt', step: done.step });
    expect(progressOf(out).step).toBe(done.step);
    expect(done.step as number).toBeLessThan(100000);
    // Stopped before its first evaluation, the run has no validated best: best/ is the model saved.
    expect(events.some((e) => e.event === 'eval')).toBe(false);
    expect(Buffer.compare(readFileSync(join(out, 'best', 'model.safetensors')), readFileSync(join(out, 'model.safetensors')))).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'best', 'config.json'), 'utf8')).progress.step).toBe(done.step);

    const resumed = await runMain(['train', '--resume', out, '--steps', String((done.step as number) + 3), '--json']);
    expect(resumed.code).toBe(0);
    expect(progressOf(out).step).toBe((done.step as number) + 3);
  });

  test('a non-finite validation loss stops training before anything is written', () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    const out = join(dir, 'run');
    // SGD at lr 1e38 without clipping: step 1's loss is finite, the updated weights overflow.
    const r = runBin(['train', corpus, ...SMALL, '--optimizer', 'sgd', '--lr', '1e38', '--clip', '0', '--eval-every', '1', '--steps', '50', '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      'eddy: training stopped at step 1 because the validation loss became NaN; no checkpoint had been written yet — lower --lr (now 1e+38) or set --clip, then train again.',
    );
    expect(existsSync(out)).toBe(false);
  });

  test('a non-finite training loss stops with one sentence and keeps the last good checkpoint untouched', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    const out = join(dir, 'run');
    expect((await runMain(['train', corpus, ...TINY, '--steps', '5', '--out', out])).code).toBe(0);
    // Poison one weight (as an overflow inside the next update would): the next step's loss is NaN.
    const path = join(out, 'model.safetensors');
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
    bytes.writeFloatLE(NaN, 8 + headerLength + header['decoder.bias'].data_offsets[0]);
    writeFileSync(path, bytes);
    const before = readFileSync(path);
    const r = runBin(['train', '--resume', out, '--steps', '10']);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toBe(`eddy: training stopped at step 6 because the loss became NaN; the checkpoint it resumed from (step 5) is kept in ${out} — lower --lr (now 0.01) or set --clip, then train again.`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(progressOf(out).step).toBe(5);
    expect(Buffer.compare(readFileSync(path), before)).toBe(0);
  });

  test('weights that ran away stop the run before a checkpoint holds them, though the loss stays finite', () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    const good = join(dir, 'good');
    expect(runBin(['train', corpus, ...SMALL, '--val-fraction', '0', '--eval-every', '5', '--steps', '5', '--out', good]).status).toBe(0);
    // One readout bias at 1e29 (as the issue's --lr 1000 run reached): the loss is about 1e29, finite.
    const path = join(good, 'model.safetensors');
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
    bytes.writeFloatLE(1e29, 8 + headerLength + header['decoder.bias'].data_offsets[0]);
    writeFileSync(path, bytes);
    const other = join(dir, 'other');
    const r = runBin(['train', '--resume', good, '--steps', '10', '--out', other]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      'eddy: training stopped at step 10 because the largest weight reached 1.00e+29 (more than 1e6 counts as diverged); no checkpoint had been written yet — lower --lr (now 0.01) or set --clip, then train again.',
    );
    expect(existsSync(other)).toBe(false);
    expect(existsSync(other + '.lock')).toBe(false);
  });

  test('a training loss that stays far above where it started is warned about (stderr, and an event with --json)', () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    // The run: Adam at --lr 1000 without clipping climbs from ≈ 3.5 to hundreds and finishes.
    const argv = ['train', corpus, ...SMALL, '--lr', '1000', '--clip', '0', '--eval-every', '50', '--steps', '40'];
    const plain = runBin([...argv, '--out', join(dir, 'a')]);
    expect(plain.status).toBe(0);
    expect(plain.stderr).toMatch(/^warning: the training loss averaged [\d.e+]+ over the last 20 steps, more than 2× its first value 3\.\d+: the run is diverging; stop it \(Ctrl-C\) and lower --lr \(now 1000\) or set --clip$/m);
    const json = runBin([...argv, '--out', join(dir, 'b'), '--json']);
    const warnings = json.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'loss-rising', window: 20 });
    expect(warnings[0].meanLoss).toBeGreaterThan(2 * warnings[0].firstLoss);
    // A healthy run is not warned about.
    const healthy = runBin(['train', corpus, ...SMALL, '--eval-every', '50', '--steps', '40', '--out', join(dir, 'c')]);
    expect(healthy.stderr).not.toMatch(/warning/);
  });
});
