// `eddy train --out DIR` keeps what users made: an existing checkpoint is replaced only with
// --overwrite (or continued with --resume), and best/ always belongs to the run in DIR. Through the bin.
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runBin, SENTENCE, tempDir, TINY, writeText } from '../../test/helpers.js';

/** TINY with hidden size 24 instead of 32: another run's architecture. */
const OTHER = TINY.map((a, i) => (TINY[i - 1] === '--hidden' ? '24' : a));

const read = (dir: string, file: string): Buffer => readFileSync(join(dir, file));
const configOf = (dir: string, file = 'config.json'): { model: { hiddenSize: number }; progress: { step: number; bestStep: number | null } } =>
  JSON.parse(read(dir, file).toString('utf8'));

function trainOk(argv: string[]): void {
  const r = runBin(['train', ...argv]);
  expect(r.status, r.stderr).toBe(0);
}

/** The refusal: exit 1, one sentence naming --resume and --overwrite, nothing trained or written. */
function expectRefused(argv: string[], out: string): void {
  const before = [read(out, 'config.json'), read(out, 'model.safetensors'), read(out, 'best/model.safetensors')];
  const r = runBin(['train', ...argv, '--json']);
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(`eddy: the output directory ${out} already holds a checkpoint; continue it with --resume ${out}, replace it with --overwrite, or choose another --out.\n`);
  expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'E_INPUT' } }); // no "start" event: refused before training
  expect([read(out, 'config.json'), read(out, 'model.safetensors'), read(out, 'best/model.safetensors')]).toEqual(before);
}

/** best/ holds this run's model at its best step: same architecture, and written at progress.bestStep. */
function expectOwnBest(out: string, hidden: number): void {
  const top = configOf(out);
  const best = configOf(out, 'best/config.json');
  expect(best.model.hiddenSize).toBe(hidden);
  expect(top.model.hiddenSize).toBe(hidden);
  if (top.progress.bestStep === null) expect(Buffer.compare(read(out, 'best/model.safetensors'), read(out, 'model.safetensors'))).toBe(0);
  else expect(best.progress.step).toBe(top.progress.bestStep);
}

describe('eddy train --out onto an existing checkpoint', () => {
  test('is refused without --resume or --overwrite, and the checkpoint stays as it was', () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    const out = join(dir, 'run');
    trainOk([corpus, ...TINY, '--steps', '5', '--out', out]);
    expectRefused([corpus, ...TINY, '--steps', '5', '--out', out], out);
    // The built-in corpus and the default --out take the same path.
    const cwd = tempDir();
    trainOk([corpus, ...TINY, '--steps', '5', '--out', join(cwd, 'run')]);
    const r = runBin(['train', '--steps', '1'], { cwd });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^eddy: the output directory run already holds a checkpoint; continue it with --resume run, replace it with --overwrite/);
  });

  test('--overwrite replaces it, and the old run\'s best/ does not survive even when the new run never validates', () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    const out = join(dir, 'run');
    trainOk([corpus, ...TINY, '--steps', '10', '--out', out]); // hidden 32, best/ from a validation
    expect(configOf(out, 'best/config.json').model.hiddenSize).toBe(32);
    trainOk([corpus, ...OTHER, '--val-fraction', '0', '--steps', '3', '--out', out, '--overwrite']);
    expectOwnBest(out, 24);
    expect(configOf(out).progress.bestStep).toBe(null);
  });

  test('--resume DIR --out DIR2 onto another checkpoint: the same rule, and DIR2\'s best/ comes from DIR\'s run', () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    const [from, other] = [join(dir, 'from'), join(dir, 'other')];
    trainOk([corpus, ...TINY, '--steps', '10', '--out', from]); // hidden 32, best/ validated
    trainOk([corpus, ...OTHER, '--steps', '5', '--out', other]);
    expectRefused(['--resume', from, '--steps', '12', '--out', other], other);
    // Resumed at its last step, the run only re-evaluates (the same loss: not an improvement), so
    // best/ must be carried from `from`, not from what `other` held.
    trainOk(['--resume', from, '--steps', '10', '--out', other, '--overwrite']);
    expect(configOf(other).progress).toMatchObject({ step: 10, bestStep: configOf(from).progress.bestStep });
    expect(Buffer.compare(read(other, 'best/model.safetensors'), read(from, 'best/model.safetensors'))).toBe(0);
    expectOwnBest(other, 32);
    // Continuing a run in place needs no flag, and --overwrite there is a contradiction.
    trainOk(['--resume', other, '--steps', '13']);
    const r = runBin(['train', '--resume', other, '--steps', '14', '--overwrite']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^eddy: --overwrite would replace .*other, the checkpoint --resume continues; drop --overwrite/);
  });

  test('a directory of other files is refused even with --overwrite, which only ever replaces checkpoints', () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    const photos = join(dir, 'photos');
    mkdirSync(photos);
    writeFileSync(join(photos, 'cat.jpg'), 'meow');
    const r = runBin(['train', corpus, ...TINY, '--steps', '2', '--out', photos, '--overwrite']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^eddy: the output directory .*photos holds files that are not an Eddy checkpoint; choose a new or empty --out directory .*--overwrite only replaces checkpoints\)\.\n$/);
    expect(read(photos, 'cat.jpg').toString()).toBe('meow');
  });

  test('--help lists --overwrite', () => {
    expect(runBin(['train', '--help']).stdout).toMatch(/^ {2}--overwrite +replace the checkpoint already in --out/m);
  });
});

/** A path refused before training: exit 1, one sentence naming --out, no "start" event. */
function expectPathRefused(out: string, why: RegExp, cwd?: string): void {
  const dir = tempDir();
  const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
  const started = Date.now();
  const r = runBin(['train', corpus, ...TINY, '--steps', '2', '--out', out, '--json'], { cwd });
  expect(Date.now() - started).toBeLessThan(20_000); // no path may hang the CLI
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`^eddy: --out ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot hold a checkpoint: ${why.source}\\.\\n$`));
  expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'E_INPUT' } });
}

describe('eddy train --out paths are normalised and checked before training', () => {
  test('run/ (a trailing slash) and ./run/. write run, even when the only write is the last one', () => {
    const cwd = tempDir();
    const corpus = writeText(cwd, 'c.txt', SENTENCE.repeat(20));
    for (const [out, name] of [['a/', 'a'], ['./b/.', 'b']]) {
      const r = runBin(['train', corpus, ...TINY.slice(0, -2), '--eval-every', '100', '--steps', '3', '--out', out], { cwd });
      expect(r.status, r.stderr).toBe(0);
      expect(configOf(join(cwd, name)).progress.step).toBe(3);
      expect(runBin(['sample', out, '--length', '5'], { cwd }).status).toBe(0);
      // and it resumes through the same spelling
      expect(runBin(['train', '--resume', out, '--steps', '4'], { cwd }).status).toBe(0);
      expect(configOf(join(cwd, name)).progress.step).toBe(4);
    }
  });

  test('a symbolic link to a directory is followed and stays a link; a dangling one is refused', () => {
    const cwd = tempDir();
    const corpus = writeText(cwd, 'c.txt', SENTENCE.repeat(20));
    symlinkSync('target', join(cwd, 'link'));
    expectPathRefused(join(cwd, 'link'), /it is a symbolic link to target, which does not exist \(eddy follows the link rather than replacing it\); create that directory or give --out a directory/);
    expect(lstatSync(join(cwd, 'link')).isSymbolicLink()).toBe(true);
    mkdirSync(join(cwd, 'target'));
    trainOk([corpus, ...TINY, '--steps', '3', '--out', join(cwd, 'link')]);
    trainOk(['--resume', join(cwd, 'link'), '--steps', '6']);
    expect(lstatSync(join(cwd, 'link')).isSymbolicLink()).toBe(true);
    expect(configOf(join(cwd, 'target')).progress.step).toBe(6);
    expect(existsSync(join(cwd, 'link.lock')) || existsSync(join(cwd, 'target.lock'))).toBe(false);
  });

  test('the current directory, the root, /proc/x/y and a path under a file are refused at once', () => {
    const cwd = tempDir();
    expectPathRefused('.', /a checkpoint write replaces the whole directory, and this one holds the current directory; give a new subdirectory, e\.g\. --out run/, cwd);
    expectPathRefused('..', /a checkpoint write replaces the whole directory, and this one holds the current directory; give a new subdirectory, e\.g\. --out run/, cwd);
    expectPathRefused('/', /it is the root directory; give a directory below it/);
    expectPathRefused('/proc/x/y', /its parent \/proc\/x cannot be made \(ENOENT\)/);
    const file = writeText(cwd, 'notes.txt', 'hello');
    expectPathRefused(join(file, 'run'), /.*notes\.txt is a file, not a directory/);
    expectPathRefused('x'.repeat(250), /its last part is too long for the temporary names beside it; give a shorter name/, cwd);
  });

  test('missing parents are made, one level at a time', () => {
    const cwd = tempDir();
    const corpus = writeText(cwd, 'c.txt', SENTENCE.repeat(20));
    trainOk([corpus, ...TINY, '--steps', '2', '--out', join(cwd, 'runs', '2024', 'a')]);
    expect(configOf(join(cwd, 'runs', '2024', 'a')).progress.step).toBe(2);
  });
});

