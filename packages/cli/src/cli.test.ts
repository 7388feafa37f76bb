// The bin as a child process: every class of bad input ends with exit code ≠ 0 and ONE line on
// stderr ("eddy: " + one sentence saying what was wrong and what to do), never a stack trace.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { COMMANDS } from './main.js';
import { runBin, runMain, SENTENCE, tempDir, TINY, writeText } from './test/helpers.js';

let dir: string;
let checkpoint: string;

beforeAll(async () => {
  dir = tempDir();
  const corpus = writeText(dir, 'ok.txt', SENTENCE.repeat(20));
  checkpoint = join(dir, 'ck');
  const r = await runMain(['train', corpus, ...TINY, '--steps', '5', '--out', checkpoint]);
  expect(r.code).toBe(0);
});

function expectOneSentence(r: { status: number | null; stderr: string; stdout: string }, code: number, pattern: RegExp): void {
  expect(r.status, r.stderr).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^eddy: .+[.?]$/);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at |Error:/);
}

describe('bad input: one sentence, exit code ≠ 0, no stack', () => {
  test('unknown command and unknown, malformed or missing flags (exit 2)', () => {
    expectOneSentence(runBin(['trian']), 2, /unknown command 'trian'; did you mean eddy train\?/);
    expectOneSentence(runBin(['bnech']), 2, /unknown command 'bnech'; did you mean eddy bench\?/);
    expectOneSentence(runBin(['train', '--hiden', '64']), 2, /unknown option --hiden for eddy train; did you mean --hidden\?/);
    expectOneSentence(runBin(['train', '--hidden', 'big']), 2, /--hidden expects an integer in \[1, 8192\], got 'big'/);
    expectOneSentence(runBin(['train', '--dropout', '1.5']), 2, /--dropout expects a number in \[0, 1\), got '1.5'/);
    expectOneSentence(runBin(['train', '--model', 'transformer']), 2, /--model expects one of lstm, gru, rnn/);
    expectOneSentence(runBin(['train', '--lr']), 2, /--lr needs a value/);
    expectOneSentence(runBin(['train', '--bptt', '60', '--seq-len', '50', join(dir, 'ok.txt')]), 2, /--bptt .* must not exceed --seq-len/);
    expectOneSentence(runBin(['train', '--steps', '5', '--epochs', '1', join(dir, 'ok.txt')]), 2, /give one of them/);
    expectOneSentence(runBin(['sample']), 2, /eddy sample needs a checkpoint directory/);
    expectOneSentence(runBin(['eval', checkpoint]), 2, /eddy eval needs a UTF-8 text file/);
    expectOneSentence(runBin(['sample', checkpoint, '--top-p', '0']), 2, /--top-p expects a number in \(0, 1\]/);
  });

  test('missing, empty, binary, non-UTF-8 and too-small corpora', () => {
    const out = ['--out', join(dir, 'never')];
    expectOneSentence(runBin(['train', join(dir, 'missing.txt'), ...out]), 1, /the corpus .*missing\.txt does not exist/);
    expectOneSentence(runBin(['train', writeText(dir, 'empty.txt', ''), ...out]), 1, /is empty; give a UTF-8 text file/);
    expectOneSentence(runBin(['train', writeText(dir, 'blank.txt', ' \n\n '), ...out]), 1, /only whitespace/);
    expectOneSentence(runBin(['train', writeText(dir, 'bin.dat', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2])), ...out]), 1, /looks binary \(a NUL byte at offset 4\)/);
    expectOneSentence(runBin(['train', writeText(dir, 'latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a])), ...out]), 1, /is not valid UTF-8 text/);
    expectOneSentence(runBin(['train', writeText(dir, 'tiny.txt', 'hello world'), ...out]), 1, /is too small: it has 11 characters \(10 after holding out --val-fraction 0.05\) but --batch 32 × \(--seq-len 32 \+ 1\) needs at least 1056 for training/);
    expectOneSentence(runBin(['train', dir, ...out]), 1, /is a directory/);
  });

  test('checkpoint directories that are missing, not checkpoints, corrupt or of another version', () => {
    expectOneSentence(runBin(['sample', join(dir, 'nope')]), 1, /the checkpoint directory .*nope does not exist; train one first/);
    const empty = join(dir, 'emptyck');
    mkdirSync(empty);
    expectOneSentence(runBin(['sample', empty]), 1, /has no config\.json, so it is not a complete Eddy checkpoint/);
    const bad = join(dir, 'badjson');
    mkdirSync(bad);
    writeFileSync(join(bad, 'config.json'), '{"format": "eddy-checkpoint", "vers');
    expectOneSentence(runBin(['eval', bad, join(dir, 'ok.txt')]), 1, /config\.json is corrupt \(not valid JSON\)/);
    const future = join(dir, 'future');
    mkdirSync(future);
    writeFileSync(join(future, 'config.json'), JSON.stringify({ format: 'eddy-checkpoint', version: 99 }));
    expectOneSentence(runBin(['sample', future]), 1, /written in checkpoint format version 99 but this eddy reads versions 1 and 2; retrain/);
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'config.json'), JSON.stringify({ model_type: 'gpt2' }));
    expectOneSentence(runBin(['sample', foreign]), 1, /is not an Eddy checkpoint/);
  });

  test('corrupt weights or vocabulary inside a checkpoint', async () => {
    const corpus = writeText(dir, 'ok2.txt', SENTENCE.repeat(20));
    const ck = join(dir, 'ck2');
    expect((await runMain(['train', corpus, ...TINY, '--steps', '5', '--out', ck])).code).toBe(0);
    writeFileSync(join(ck, 'model.safetensors'), new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 123]));
    expectOneSentence(runBin(['sample', ck]), 1, /model\.safetensors is corrupt \(.+\); retrain, or restore/);
    writeFileSync(join(ck, 'vocab.json'), '{"type": "char", "version": 1}');
    expectOneSentence(runBin(['sample', ck]), 1, /vocab\.json is corrupt \(.+\)/);
    expectOneSentence(runBin(['train', '--resume', join(dir, 'nope')]), 1, /does not exist/);
  });

  test('an output directory that cannot be written, or holds other files', () => {
    const file = writeText(dir, 'a-file', 'x');
    expectOneSentence(runBin(['train', join(dir, 'ok.txt'), ...TINY, '--out', join(file, 'run')]), 1, /--out .*a-file\/run cannot hold a checkpoint: .*a-file is a file, not a directory/);
    expectOneSentence(runBin(['train', join(dir, 'ok.txt'), ...TINY, '--out', file]), 1, /the output .*a-file is a file/);
    const other = join(dir, 'photos');
    mkdirSync(other);
    writeFileSync(join(other, 'cat.jpg'), 'meow');
    expectOneSentence(runBin(['train', join(dir, 'ok.txt'), ...TINY, '--out', other]), 1, /holds files that are not an Eddy checkpoint/);
    expectOneSentence(runBin(['train', join(dir, 'ok.txt'), ...TINY, '--out', checkpoint]), 1, /already holds a checkpoint; continue it with --resume .*, replace it with --overwrite/);
  });

  test('with --json the error is also a JSON object on stdout', () => {
    const r = runBin(['sample', join(dir, 'nope'), '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'E_INPUT', message: expect.stringMatching(/does not exist/) } });
  });
});

describe('--help and --version', () => {
  test('eddy --help lists the commands; eddy train --help exits 0', () => {
    const top = runBin(['--help']);
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/train[\s\S]*sample[\s\S]*eval/);
    const train = runBin(['train', '--help']);
    expect(train.status).toBe(0);
    expect(train.stdout).toMatch(/^Usage: eddy train \[CORPUS\] \[options\]/);
    expect(runBin(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  test('eddy --help gives each command one whole sentence on one line of at most 80 columns', () => {
    const lines = runBin(['--help']).stdout.split('\n');
    const list = lines.slice(lines.indexOf('Commands:') + 1, lines.indexOf('', lines.indexOf('Commands:')));
    expect(list.map((l) => l.trim().split(' ')[0])).toEqual(Object.keys(COMMANDS));
    for (const line of list) {
      const name = line.trim().split(' ')[0];
      expect(line).toBe(`  ${name.padEnd(8)} ${COMMANDS[name].spec.short}`);
      expect(line.length).toBeLessThanOrEqual(80);
      // One sentence: a capital, a full stop at the end and nowhere before it.
      expect(COMMANDS[name].spec.short).toMatch(/^[A-Z][^.]*\.$/);
    }
  });
});
