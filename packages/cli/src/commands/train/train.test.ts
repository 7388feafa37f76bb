import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runMain, SENTENCE, tempDir, TINY, writeText } from '../../test/helpers.js';

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('eddy train', () => {
  test('a char LSTM overfits one sentence to a loss below 0.05', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'sentence.txt', SENTENCE.repeat(12));
    const r = await runMain(['train', corpus, '--hidden', '64', '--layers', '1', '--batch', '4', '--seq-len', '24', '--lr', '0.02',
      '--val-fraction', '0', '--steps', '150', '--eval-every', '50', '--out', join(dir, 'run'), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const done = jsonLines(r.stdout).at(-1)!;
    expect(done.event).toBe('done');
    expect(done.step).toBe(150);
    expect(done.trainLoss as number).toBeLessThan(0.05);
  });

  test('--json writes one JSON object per line: start, steps, evals, checkpoints, done', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    const r = await runMain(['train', corpus, ...TINY, '--steps', '10', '--out', join(dir, 'run'), '--json']);
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events[0].event).toBe('start');
    expect(events.filter((e) => e.event === 'eval').map((e) => e.step)).toEqual([5, 10]);
    expect(events.filter((e) => e.event === 'step').length).toBeGreaterThan(0);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ event: 'done', step: 10, stopped: 'done', dir: join(dir, 'run') });
    expect(Number.isFinite(done.valLoss)).toBe(true);
  });

  test('plain progress lines go to stderr when it is not a terminal; the summary to stdout', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    const r = await runMain(['train', corpus, ...TINY, '--steps', '10', '--out', join(dir, 'run')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^step 10\/10 {2}loss \d+\.\d{4} {2}val \d+\.\d{4} {2}\d+ tok\/s {2}ETA/m);
    expect(r.stderr).not.toMatch(/\x1b|\r/);
    expect(r.stdout).toMatch(/^trained to step 10 in .*; checkpoint in .* — try: eddy sample /);
  });

  test('the checkpoint directory holds config, PyTorch-named weights, vocab, train state and best/', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    const out = join(dir, 'run');
    expect((await runMain(['train', corpus, ...TINY, '--steps', '10', '--out', out, '--model', 'gru'])).code).toBe(0);
    for (const f of ['config.json', 'model.safetensors', 'vocab.json', 'train-state/state.json', 'train-state/tensors.safetensors', 'best/config.json', 'best/model.safetensors', 'best/vocab.json']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ format: 'eddy-checkpoint', version: 2, tokenizer: 'char', model: { type: 'EddyLanguageModel', cell: 'gru', hiddenSize: 32, numLayers: 1 } });
    expect(config.progress.step).toBe(10);
    // safetensors header: 8-byte little-endian length, then JSON naming the tensors.
    const bytes = readFileSync(join(out, 'model.safetensors'));
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
    expect(Object.keys(header).filter((k) => k !== '__metadata__').sort()).toEqual(
      ['decoder.bias', 'decoder.weight', 'encoder.weight', 'rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l0'],
    );
    expect(header['rnn.weight_ih_l0'].shape).toEqual([96, 32]); // GRU: 3H × H
    expect(existsSync(out + '.eddy-tmp')).toBe(false);
    expect(existsSync(out + '.eddy-old')).toBe(false);
  });

  test.each(['lstm', 'rnn'])('--resume continues exactly: 20 steps straight equal 10 + resume 10, bit for bit (%s, dropout, k2 < k1)', async (cell) => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(10) + 'pack my box with five dozen liquor jugs. '.repeat(10));
    // Windows of 16 with gradients through the last 10; 20 steps cross an epoch boundary (the state resets there).
    const common = [corpus, '--model', cell, '--hidden', '24', '--layers', '2', '--dropout', '0.2', '--batch', '3', '--seq-len', '16', '--bptt', '10',
      '--optimizer', cell === 'lstm' ? 'adam' : 'rmsprop', '--lr-decay', '0.9', '--eval-every', '7', '--json'];
    const straight = await runMain(['train', ...common, '--steps', '20', '--out', join(dir, 'straight')]);
    expect(straight.code).toBe(0);
    const first = await runMain(['train', ...common, '--steps', '10', '--out', join(dir, 'split')]);
    expect(first.code).toBe(0);
    const windows = (JSON.parse(first.stdout.split('\n')[0]) as { windowsPerEpoch: number }).windowsPerEpoch;
    expect(windows).toBeLessThan(20); // the resumed half starts a new epoch
    const second = await runMain(['train', '--resume', join(dir, 'split'), '--steps', '20', '--json']);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const a = readFileSync(join(dir, 'straight', 'model.safetensors'));
    const b = readFileSync(join(dir, 'split', 'model.safetensors'));
    expect(Buffer.compare(a, b)).toBe(0);
    expect(Buffer.compare(readFileSync(join(dir, 'straight', 'train-state', 'tensors.safetensors')), readFileSync(join(dir, 'split', 'train-state', 'tensors.safetensors')))).toBe(0);
    const last = (s: string): Record<string, unknown> => JSON.parse(s.trim().split('\n').at(-1)!);
    expect(last(second.stdout).valLoss).toBe(last(straight.stdout).valLoss);
    expect(last(second.stdout).trainLoss).toBe(last(straight.stdout).trainLoss);
  });

  test('--fast trains on the relaxed-SIMD core, records it, and a resumed run keeps it: 12 straight equal 6 + resume 6', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    const common = [corpus, ...TINY, '--fast', '--json'];
    const straight = await runMain(['train', ...common, '--steps', '12', '--out', join(dir, 'straight')]);
    expect(straight.stderr).toBe('');
    expect(jsonLines(straight.stdout)[0]).toMatchObject({ event: 'start', core: 'relaxed' });
    const config = JSON.parse(readFileSync(join(dir, 'straight', 'config.json'), 'utf8')) as { training: { fast: boolean } };
    expect(config.training.fast).toBe(true);
    expect((await runMain(['train', ...common, '--steps', '6', '--out', join(dir, 'split')])).code).toBe(0);
    const resumed = await runMain(['train', '--resume', join(dir, 'split'), '--steps', '12', '--json']);
    expect(resumed.stderr).toBe('');
    expect(jsonLines(resumed.stdout)[0]).toMatchObject({ event: 'start', core: 'relaxed', step: 6 });
    expect(Buffer.compare(readFileSync(join(dir, 'straight', 'model.safetensors')), readFileSync(join(dir, 'split', 'model.safetensors')))).toBe(0);
    // Without --fast the default core is the deterministic one, and the process's core is restored.
    const plain = await runMain(['train', corpus, ...TINY, '--steps', '2', '--out', join(dir, 'plain'), '--json']);
    expect(jsonLines(plain.stdout)[0]).toMatchObject({ event: 'start', core: 'simd' });
    const r = await runMain(['train', '--resume', join(dir, 'split'), '--fast']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('eddy: --fast cannot change when resuming (the checkpoint fixes it); drop --fast, or start a new run without --resume.\n');
  });

  test('--threads changes no bit: 8 steps on 1 thread equal 4 on 2 + a resume on 3, and the count is not in the checkpoint', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(40));
    // Large enough that the GEMMs and the LSTM time loops split (a step's product 16 × 256 × 64 reaches the
    // split threshold 64³, so each step's gate update splits by hidden units too).
    const sizes = [corpus, '--hidden', '64', '--batch', '16', '--seq-len', '8', '--eval-every', '4', '--json'];
    const one = await runMain(['train', ...sizes, '--steps', '8', '--threads', '1', '--out', join(dir, 'one')]);
    expect(one.code, one.stderr).toBe(0);
    expect((await runMain(['train', ...sizes, '--steps', '4', '--threads', '2', '--out', join(dir, 'split')])).code).toBe(0);
    const resumed = await runMain(['train', '--resume', join(dir, 'split'), '--steps', '8', '--threads', '3', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(join(dir, 'one', 'model.safetensors')), readFileSync(join(dir, 'split', 'model.safetensors')))).toBe(0);
    expect(readFileSync(join(dir, 'split', 'config.json'), 'utf8')).not.toMatch(/thread/);
  });

  test('options fixed by the checkpoint cannot change on --resume', async () => {
    const dir = tempDir();
    const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
    expect((await runMain(['train', corpus, ...TINY, '--steps', '5', '--out', join(dir, 'run')])).code).toBe(0);
    const r = await runMain(['train', '--resume', join(dir, 'run'), '--hidden', '64']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('eddy: --hidden cannot change when resuming (the checkpoint fixes it); drop --hidden, or start a new run without --resume.\n');
  });
});
