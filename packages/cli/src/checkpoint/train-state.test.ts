// train-state/state.json is read from disk: every field mutated, `eddy train --resume` must end in
// one sentence naming the field (exit 1), never a generic "internal error".
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { packageRoot } from '../corpus.js';
import { runMain, SENTENCE, tempDir, TINY, writeText } from '../test/helpers.js';

type State = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let v2: string;
let v1: string;

beforeAll(async () => {
  const dir = tempDir();
  const corpus = writeText(dir, 'c.txt', SENTENCE.repeat(20));
  v2 = join(dir, 'run');
  const r = await runMain(['train', corpus, ...TINY, '--steps', '10', '--out', v2]);
  expect(r.code, r.stderr).toBe(0);
  const fixtures = tempDir();
  cpSync(join(packageRoot(), 'fixtures', 'v1'), fixtures, { recursive: true });
  v1 = join(fixtures, 'v1-char');
});

/** Copies checkpoint `from`, mutates its state (or replaces it by what `mutate` returns) and resumes it. */
async function resumeMutated(from: string, mutate: (s: State) => unknown): Promise<{ code: number; stderr: string }> {
  const copy = `${from}-${Math.random().toString(36).slice(2)}`;
  cpSync(from, copy, { recursive: true });
  // The v1 configs name their corpus relative to the fixtures folder.
  const configPath = join(copy, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as State;
  if (config.training.corpus.path !== null) config.training.corpus.path = resolve(join(from, '..'), config.training.corpus.path);
  writeFileSync(configPath, JSON.stringify(config));
  const path = join(copy, 'train-state', 'state.json');
  const state = JSON.parse(readFileSync(path, 'utf8')) as State;
  writeFileSync(path, JSON.stringify(mutate(state) ?? state));
  return runMain(['train', '--resume', copy, '--steps', '20']);
}

const V2_CASES: Array<[string, (s: State) => void, RegExp]> = [
  ['step -5', (s) => { s.step = -5; }, /\(step must be an integer ≥ 0, got -5\)/],
  ['step of another checkpoint', (s) => { s.step = 3; }, /\(step must be 10, config\.json's progress\.step, got 3\)/],
  ['tokensSeen "x"', (s) => { s.tokensSeen = 'x'; }, /\(tokensSeen must be an integer ≥ 0, got "x"\)/],
  ['tokensSeen missing', (s) => { delete s.tokensSeen; }, /\(tokensSeen must be an integer ≥ 0, got nothing\)/],
  ['elapsedSeconds -1', (s) => { s.elapsedSeconds = -1; }, /\(elapsedSeconds must be a number ≥ 0, got -1\)/],
  ['version 3', (s) => { s.version = 3; }, /\(version must be 2, config\.json's, got 3\)/],
  ['rng 5', (s) => { s.rng = 5; }, /\(rng must be a random generator state/],
  ['rng.key short', (s) => { s.rng.key = [1]; }, /\(rng must be a random generator state/],
  ['batcher null', (s) => { s.batcher = null; }, /\(batcher must be an object, got null\)/],
  ['batcher.window 1.5', (s) => { s.batcher.window = 1.5; }, /\(batcher\.window must be an integer ≥ 0, got 1\.5\)/],
  ['batcher.rng {}', (s) => { s.batcher.rng = {}; }, /\(batcher\.rng must be a random generator state/],
  ['batcher.window past the corpus', (s) => { s.batcher.window = 1e6; }, /train-state is corrupt \(.*window/],
  ['optimizer []', (s) => { s.optimizer = []; }, /\(optimizer must be an object, got \[\]\)/],
  ['optimizer.state 5', (s) => { s.optimizer.state = 5; }, /\(optimizer\.state must be an object, got 5\)/],
  ['optimizer.state.0.step -1', (s) => { s.optimizer.state['0'].step = -1; }, /\(optimizer\.state\.0\.step must be an integer ≥ 0, got -1\)/],
  ['optimizer.state.0.buffers 5', (s) => { s.optimizer.state['0'].buffers = 5; }, /\(optimizer\.state\.0 must be \{ step \}/],
  ['optimizer.state key "x"', (s) => { s.optimizer.state.x = { step: 1 }; }, /\(optimizer\.state must be keyed by parameter indices 0, 1, …, got "x"\)/],
  ['optimizer.state.99', (s) => { s.optimizer.state['99'] = { step: 1 }; }, /train-state is corrupt \(.*state has an entry for parameter "?99/],
  ['param_groups []', (s) => { s.optimizer.param_groups = []; }, /\(optimizer\.param_groups must be a non-empty list, got \[\]\)/],
  ['param_groups.0.params "all"', (s) => { s.optimizer.param_groups[0].params = 'all'; }, /\(optimizer\.param_groups\.0\.params must be a list of parameter indices, got "all"\)/],
  ['param_groups.0.lr -1', (s) => { s.optimizer.param_groups[0].lr = -1; }, /train-state is corrupt \(.*param_groups\[0\]\.lr/],
  ['hasHidden "yes"', (s) => { s.hasHidden = 'yes'; }, /\(hasHidden must be true or false, got "yes"\)/],
  ['the whole state a list', () => [1], /\(the train state must be an object/],
];

const V1_CASES: Array<[string, (s: State) => void, RegExp]> = [
  ['buffers 5', (s) => { s.optimizer.state[0].buffers = 5; }, /\(optimizer\.state\.0\.buffers must be a list of buffer names, got 5\)/],
  ['a buffer name that is a path', (s) => { s.optimizer.state[0].buffers = ['../x']; }, /\(optimizer\.state\.0\.buffers must be a list of buffer names/],
  ['a buffer that is not stored', (s) => { s.optimizer.state[0].buffers = ['expAvg', 'nope']; }, /train-state is corrupt \(optimizer buffer 0\.nope is missing\)/],
  ['hyper null', (s) => { s.optimizer.hyper = null; }, /\(optimizer\.hyper must be an object, got null\)/],
  ['type 5', (s) => { s.optimizer.type = 5; }, /\(optimizer\.type must be a name such as "Adam", got 5\)/],
  ['state an object', (s) => { s.optimizer.state = { 0: s.optimizer.state[0] }; }, /\(optimizer\.state must be a list \(version 1\)/],
  ['step "6"', (s) => { s.step = '6'; }, /\(step must be an integer ≥ 0, got "6"\)/],
];

describe('a train-state read from disk', () => {
  test.each(V2_CASES)('version 2, %s: one sentence naming the field', async (_, mutate, message) => {
    const r = await resumeMutated(v2, mutate);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test.each(V1_CASES)('version 1, %s: one sentence naming the field', async (_, mutate, message) => {
    const r = await resumeMutated(v1, mutate);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr).toMatch(message);
  });

  test('unmutated, both versions resume (the checks refuse nothing a run wrote)', async () => {
    expect((await resumeMutated(v2, () => {})).code).toBe(0);
    expect((await resumeMutated(v1, () => {})).code).toBe(0);
  });
});
