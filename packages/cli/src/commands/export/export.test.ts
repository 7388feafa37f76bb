import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ready } from '@eddy/autograd';
import { exportOnnx } from '@eddy/models';
import { beforeAll, describe, expect, test } from 'vitest';
import { readCheckpoint } from '../../checkpoint/checkpoint.js';
import { runBin, runMain, SENTENCE, tempDir, TINY, writeText } from '../../test/helpers.js';

// The graph itself is checked against onnxruntime-web in @eddy/models (src/onnx/onnx.test.ts);
// here: that the command writes exactly what exportOnnx gives for the checkpoint's model, and
// every way it can be misused.

let dir: string;
let ck: string;

beforeAll(async () => {
  dir = tempDir();
  const corpus = writeText(dir, 'train.txt', SENTENCE.repeat(20));
  ck = join(dir, 'run');
  expect((await runMain(['train', corpus, ...TINY.map((a, i) => (TINY[i - 1] === '--layers' ? '2' : a)), '--model', 'gru', '--steps', '3', '--out', ck])).code).toBe(0);
});

/** What exportOnnx writes for the checkpoint's model (the doc string names the directory given). */
async function expectedBytes(given: string): Promise<Uint8Array> {
  await ready();
  const { model } = readCheckpoint(given);
  try {
    return exportOnnx(model.eval(), { docString: `Eddy GRU language model exported by eddy export from ${given}` });
  } finally {
    model.dispose();
  }
}

describe('eddy export (the bin)', () => {
  test('--onnx --json writes the model as exportOnnx gives it and describes the graph', async () => {
    const file = join(dir, 'model.onnx');
    const r = runBin(['export', ck, '--onnx', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    const bytes = readFileSync(file);
    expect(out).toEqual({
      file, bytes: bytes.length, format: 'onnx', opset: 17, inputs: ['input_ids', 'h0'], outputs: ['logits', 'hn'], cell: 'gru', layers: 2, hidden: 32, vocab: expect.any(Number),
    });
    expect(new Uint8Array(bytes)).toEqual(await expectedBytes(ck));
    expect(readdirSync(dir).filter((n) => n.includes('eddy-tmp'))).toEqual([]);
  });

  test('plain output is one line naming the file, the model and the graph\'s inputs and outputs', () => {
    const file = join(dir, 'plain.onnx');
    const r = runBin(['export', ck, '--onnx', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*plain\.onnx \(\d+ bytes, ONNX opset 17\): GRU language model, 2×32, vocabulary \d+; inputs input_ids, h0; outputs logits, hn\n$/);
  });

  test('DIR/best exports the best model', () => {
    const r = runBin(['export', join(ck, 'best'), '--onnx', join(dir, 'best.onnx'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ cell: 'gru', layers: 2 });
  });

  test('an existing file is kept without --overwrite and replaced with it', () => {
    const file = writeText(dir, 'existing.onnx', 'keep me');
    const refused = runBin(['export', ck, '--onnx', file]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`eddy: ${file} already exists; add --overwrite to replace it, or give another --onnx path.\n`);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    const replaced = runBin(['export', ck, '--onnx', file, '--overwrite']);
    expect(replaced.status).toBe(0);
    expect(readFileSync(file).length).toBeGreaterThan(1000);
  });

  test('without --onnx: a usage error (exit 2), with --json as {"error"}', () => {
    const r = runBin(['export', ck, '--json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^eddy: eddy export needs a format and a file: add --onnx FILE/);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'E_USAGE', message: expect.stringContaining('--onnx FILE') } });
  });

  test('a missing checkpoint, a missing folder and a folder as target: one sentence each, exit 1, nothing written', () => {
    const missing = runBin(['export', join(dir, 'nope'), '--onnx', join(dir, 'x.onnx')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^eddy: the checkpoint directory .*nope does not exist; train one first/);
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);

    const noFolder = runBin(['export', ck, '--onnx', join(dir, 'absent', 'm.onnx')]);
    expect(noFolder.status).toBe(1);
    expect(noFolder.stderr).toMatch(/^eddy: the folder .*absent of --onnx .* does not exist; create it first/);
    expect(existsSync(join(dir, 'absent'))).toBe(false);

    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const isFolder = runBin(['export', ck, '--onnx', folder, '--overwrite']);
    expect(isFolder.status).toBe(1);
    expect(isFolder.stderr).toMatch(/^eddy: --onnx .*a-folder is a folder; give a file path/);
    for (const r of [missing, noFolder, isFolder]) expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  test('eddy --help lists export and eddy export --help its options', () => {
    expect(runBin(['--help']).stdout).toMatch(/\n {2}export {3}Write a checkpoint's model as an ONNX file/);
    const help = runBin(['export', '--help']).stdout;
    for (const flag of ['--onnx FILE', '--overwrite', '--json']) expect(help).toContain(flag);
  });
});
