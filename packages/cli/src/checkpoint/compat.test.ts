// Checkpoints written by an earlier release keep loading: the fixtures in fixtures/v1 were made by
// the release before the language model moved into @eddy/models (format version 1, its optimizer
// layout, `EddyLanguageModel`, a word vocabulary with a `pattern`); see fixtures/v1/README.md.
import { createHash } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { packageRoot } from '../corpus.js';
import { runBin, tempDir } from '../test/helpers.js';

const FIXTURES = join(packageRoot(), 'fixtures', 'v1');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as {
  resume_to_step_9_model_sha256: Record<string, string>;
  sample: Record<string, { prime: string | null; text: string; tokens: number }>;
};

/** A copy of the fixtures (resuming writes into the checkpoint), with the corpus the configs name. */
function workspace(): string {
  const dir = tempDir();
  cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}

describe('checkpoints of format version 1', () => {
  test.each(['v1-char', 'v1-word'])('%s: --resume continues exactly as the release that wrote it did', (name) => {
    const dir = workspace();
    const r = runBin(['train', '--resume', name, '--steps', '9', '--eval-every', '100'], { cwd: dir });
    expect(r.stderr + r.stdout).toMatch(/trained to step 9/);
    expect(r.status).toBe(0);
    const sha = createHash('sha256').update(readFileSync(join(dir, name, 'model.safetensors'))).digest('hex');
    expect(sha).toBe(expected.resume_to_step_9_model_sha256[name]);
    // The resumed checkpoint is rewritten in the current format.
    expect(JSON.parse(readFileSync(join(dir, name, 'config.json'), 'utf8')).version).toBe(2);
    expect(JSON.parse(readFileSync(join(dir, name, 'train-state', 'state.json'), 'utf8')).optimizer.param_groups).toHaveLength(1);
  });

  test('eddy sample reads them and draws what the release that wrote them drew', () => {
    const dir = workspace();
    const char = runBin(['sample', 'v1-char', '--length', '40', '--seed', '1', '--json'], { cwd: dir });
    expect(char.status).toBe(0);
    expect(JSON.parse(char.stdout)).toMatchObject(expected.sample['v1-char']);
    const word = runBin(['sample', 'v1-word', '--length', '12', '--seed', '1', '--prime', 'the', '--json'], { cwd: dir });
    expect(word.status).toBe(0);
    const got = JSON.parse(word.stdout) as { text: string; tokens: number };
    // The same words are drawn (how they are joined to the prime may differ between releases).
    expect(got.text.trim()).toBe(expected.sample['v1-word'].text.trim());
    expect(got.tokens).toBe(expected.sample['v1-word'].tokens);
  });

  test('eddy eval reads them', () => {
    const dir = workspace();
    const r = runBin(['eval', 'v1-word', 'corpus.txt', '--json'], { cwd: dir });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { loss: number };
    expect(out.loss).toBeGreaterThan(0);
    expect(out.loss).toBeLessThan(Math.log(40) + 0.5);
  });
});
