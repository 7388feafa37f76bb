// eddy tree train | predict | eval through the built bin, on a toy treebank generated here where
// negation flips sentiment (so only a model that composes can label every phrase): learned to
// 100 % at every node, the train → predict → eval round trip, --binary, exact resumption, the
// word vectors' own learning rate and --embeddings, and bad input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runBin, tempDir, writeText } from '../../test/helpers.js';

const ADJECTIVES: Array<[string, number]> = [['awful', 0], ['bad', 1], ['good', 3], ['great', 4]];
const NEUTRAL = ['the', 'film', 'was', 'plot', 'a'];

/**
 * `n` SST-style trees (a label at every node): an adjective has its sentiment, "not X" the mirror
 * 4 − y of X's, a neutral word beside X leaves it; 2 to 5 levels deep. Seeded (mulberry32).
 */
function toyTreebank(n: number, seed: number): string {
  let a = seed >>> 0;
  const rand = (k: number): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % k;
  };
  const phrase = (depth: number): [string, number] => {
    const r = depth === 0 ? 0 : rand(4);
    if (r === 0) {
      const [w, y] = ADJECTIVES[rand(ADJECTIVES.length)];
      return [`(${y} ${w})`, y];
    }
    const [t, y] = phrase(depth - 1);
    if (r === 1) return [`(${4 - y} (2 not) ${t})`, 4 - y];
    const w = `(2 ${NEUTRAL[rand(NEUTRAL.length)]})`;
    return [r === 2 ? `(${y} ${w} ${t})` : `(${y} ${t} ${w})`, y];
  };
  return Array.from({ length: n }, () => phrase(2 + rand(4))[0]).join('\n') + '\n';
}

const SMALL = ['--dim', '16', '--hidden', '16', '--dropout', '0'];

/** Every tensor of a safetensors file (all float32 here), by name. */
function tensorsOf(path: string): Record<string, Float32Array> {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { data_offsets: [number, number] }>;
  const out: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [from, to] = t.data_offsets;
    out[name] = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 8 + n + from, bytes.byteOffset + 8 + n + to));
  }
  return out;
}

function events(stdout: string): Array<Record<string, unknown>> {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('eddy tree', () => {
  let dir: string;
  let train: string;
  let valid: string;
  beforeAll(() => {
    dir = tempDir();
    train = writeText(dir, 'train.txt', toyTreebank(400, 1));
    valid = writeText(dir, 'valid.txt', toyTreebank(200, 2));
  });

  test('a Tree-LSTM learns negation at every node; predict and eval read the best model', () => {
    const text = readFileSync(valid, 'utf8');
    expect(text).toMatch(/\(1 \(2 not\) \(3 /); // the held-out trees negate
    const out = join(dir, 'lstm');
    const r = runBin(['tree', 'train', train, '--valid', valid, ...SMALL, '--epochs', '8', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const ev = events(r.stdout);
    expect(ev.filter((e) => e.event === 'eval')).toHaveLength(8);
    const done = ev.at(-1)!;
    expect(done).toMatchObject({ event: 'done', bestValAccuracy: 1, stopped: 'done' });

    const m = runBin(['tree', 'eval', out, valid, '--json']);
    expect(m.status).toBe(0);
    const metrics = JSON.parse(m.stdout);
    expect(Object.keys(metrics)).toEqual(['rootAccuracy', 'allAccuracy', 'binaryRootAccuracy', 'binaryAllAccuracy', 'trees', 'nodes']);
    const labelled = (text.match(/\(\d/g) ?? []).length;
    expect(metrics).toEqual({ rootAccuracy: 1, allAccuracy: 1, binaryRootAccuracy: 1, binaryAllAccuracy: 1, trees: 200, nodes: labelled });

    // predict: bracketed trees (labels ignored) come back with the gold labels; sentences are binarised right-branching.
    const unlabelled = text.replace(/\((\d) /g, '(');
    const input = writeText(dir, 'unlabelled.txt', unlabelled + 'the film was not great\nnot bad\n');
    const p = runBin(['tree', 'predict', out, '--input', input]);
    expect(p.status).toBe(0);
    const lines = p.stdout.split('\n').slice(0, -1);
    expect(lines.slice(0, 200).join('\n') + '\n').toBe(text);
    expect(lines.slice(200)).toEqual(['(0 (2 the) (0 (2 film) (0 (2 was) (0 (2 not) (4 great)))))', '(3 (2 not) (1 bad))']);
    const j = runBin(['tree', 'predict', out, '--json', '--input', writeText(dir, 'one.txt', 'not good\n')]);
    expect(JSON.parse(j.stdout)).toEqual({ tree: '(1 (2 not) (3 good))', label: 1 });
  }, 120_000);

  test('--binary drops neutral sentences and labels 0–1 negative, 3–4 positive; a five-class model has binary figures too', () => {
    const out = join(dir, 'binary');
    const r = runBin(['tree', 'train', train, '--valid', valid, ...SMALL, '--binary', '--model', 'child-sum-tree-lstm', '--epochs', '4', '--out', out, '--json']);
    expect(r.status).toBe(0);
    expect(events(r.stdout)[0]).toMatchObject({ event: 'start', trainTrees: 400, model: { numClasses: 2 } });
    const m = JSON.parse(runBin(['tree', 'eval', out, valid, '--json']).stdout);
    const gold = readFileSync(valid, 'utf8');
    const polar = (gold.match(/\([0134] /g) ?? []).length;
    expect(m).toMatchObject({ trees: 200, nodes: polar, rootAccuracy: 1, binaryRootAccuracy: 1 });
    expect(m.allAccuracy).toBe(m.binaryAllAccuracy);
    expect(m.allAccuracy).toBeGreaterThan(0.98);
    const p = runBin(['tree', 'predict', out, '--input', writeText(dir, 'neg.txt', 'not great\n')]);
    // Negative at the root, "great" positive; the neutral "not" was never supervised, so either label.
    expect(p.stdout).toMatch(/^\(0 \([01] not\) \(1 great\)\)\n$/);

    // A neutral-rooted test file leaves nothing for a binary model; a mixed one is counted without its neutral trees.
    const mixed = writeText(dir, 'mixed.txt', '(2 (2 the) (2 film))\n(4 (2 the) (4 great))\n');
    expect(JSON.parse(runBin(['tree', 'eval', out, mixed, '--json']).stdout)).toMatchObject({ trees: 1, nodes: 2 });
    const neutral = runBin(['tree', 'eval', out, writeText(dir, 'neutral.txt', '(2 (2 the) (2 film))\n')]);
    expect(neutral.status).toBe(1);
    expect(neutral.stderr).toMatch(/neutral\.txt has no tree whose root is positive or negative, so the binary model in .* has nothing to evaluate/);
  }, 120_000);

  test('--resume continues exactly (AdaGrad reset every epoch, dropout, RNTN): 1 + 2 epochs give the weights of 3', () => {
    const straight = join(dir, 'straight');
    const split = join(dir, 'split');
    const common = [train, '--valid', valid, '--model', 'rntn', '--dim', '8', '--dropout', '0.2', '--lr', '0.01', '--batch', '27', '--adagrad-reset', '--unk-replace', '20'];
    expect(runBin(['tree', 'train', ...common, '--epochs', '3', '--out', straight]).status).toBe(0);
    expect(runBin(['tree', 'train', ...common, '--epochs', '1', '--out', split]).status).toBe(0);
    const resumed = runBin(['tree', 'train', '--resume', split, '--epochs', '3']);
    expect(resumed.stderr).toMatch(/resuming .* at step 15/);
    expect(resumed.status).toBe(0);
    for (const f of ['model.safetensors', 'best/model.safetensors', 'train-state/tensors.safetensors']) {
      expect(readFileSync(join(split, f)).equals(readFileSync(join(straight, f)))).toBe(true);
    }
    const a = JSON.parse(readFileSync(join(split, 'config.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(straight, 'config.json'), 'utf8'));
    expect(a.progress).toEqual(b.progress);
    expect(a.training).toMatchObject({ model: 'rntn', optimizer: 'adagrad', adagradReset: true, embeddingLr: 0.01, l2: 0.1, tensorL2: 0.15, corenlp: true, unkReplace: 20, averageEpochs: 5 });
    const again = runBin(['tree', 'train', '--resume', split, '--embedding-lr', '0.5']);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/--embedding-lr cannot change when resuming/);
  }, 120_000);

  test('--embedding-lr 0 keeps the word vectors, which --embeddings loads from a GloVe file', () => {
    const vectors = writeText(dir, 'vectors.txt', 'good 1 0 0 0\nbad -1 0 0 0\nunseen 0 0 0 1\n');
    const out = join(dir, 'fixed');
    const r = runBin(['tree', 'train', train, '--embeddings', vectors, '--embedding-lr', '0', '--hidden', '8', '--steps', '3', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const start = events(r.stdout)[0];
    // 10 words and 4 specials (the table has no padding row, so <pad> counts as missing too).
    expect(start).toMatchObject({ vocabSize: 14, options: { embeddings: { found: 2, missing: 12 } }, model: { embeddingSize: 4 } });
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config.training.embeddings.path).toBe(vectors);
    // The optimizer's second group (the word vectors) has lr 0: no step moved them.
    const state = JSON.parse(readFileSync(join(out, 'train-state', 'state.json'), 'utf8'));
    expect(state.optimizer.param_groups.map((g: { lr: number; weight_decay: number }) => [g.lr, g.weight_decay])).toEqual([[0.05, 1e-4], [0, 0]]);
  }, 120_000);

  test("rnn has its own defaults (d 25, batch 27, AdaGrad 0.01 reset every epoch, L2 1e-3 but not on words); rntn's are CoreNLP's objective at Socher's strengths, 30 epochs; both train the unknown word", () => {
    const start = (argv: string[], out = 'recursive-defaults') => {
      const r = runBin(['tree', 'train', train, ...argv, '--steps', '2', '--out', join(dir, out), '--overwrite', '--json']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return events(r.stdout)[0];
    };
    const groups = (out: string) =>
      (JSON.parse(readFileSync(join(dir, out, 'train-state', 'state.json'), 'utf8')).optimizer.param_groups as Array<{ lr: number; weight_decay: number; eps: number }>)
        .map((g) => [g.lr, g.weight_decay, g.eps]);
    const recursive = { batch: 27, lr: 0.01, embeddingLr: 0.01, l2: 1e-3, embeddingL2: 0, dropout: 0, adagradReset: true, corenlp: false, tensorL2: null, unkReplace: 0.25, averageEpochs: 0 };
    expect(start(['--model', 'rnn'])).toMatchObject({ model: { type: 'EddyRecursiveNN', hiddenSize: 25, dropout: 0 }, options: recursive });
    expect(groups('recursive-defaults')).toEqual([[0.01, 1e-3, 1e-10], [0.01, 0, 1e-10]]);
    expect(start(['--model', 'rnn', '--l2', '0.5', '--dim', '6'])).toMatchObject({ model: { hiddenSize: 6 }, options: { ...recursive, l2: 0.5 } });
    // The RNTN with AdaGrad: CoreNLP's per-tree loss, groups and ε, W at 0.1, V in a group of its own at 0.15, the unknown word trained.
    const rntn = {
      batch: 27, lr: 0.01, embeddingLr: 0.01, l2: 0.1, tensorL2: 0.15, classifierL2: 1e-4, embeddingL2: 1e-4, dropout: 0, adagradReset: true, corenlp: true, unkReplace: 0.25,
      averageEpochs: 5,
    };
    expect(start(['--model', 'rntn', '--dim', '6'], 'rntn-defaults')).toMatchObject({ model: { type: 'EddyRNTN', hiddenSize: 6, dropout: 0 }, options: rntn });
    expect(groups('rntn-defaults')).toEqual([[0.01, 0.1, 1e-3], [0.01, 1e-4, 1e-3], [0.01, 0, 1e-3], [0.01, 1e-4, 1e-3], [0.01, 0.15, 1e-3]]);
    // … exactly the run those flags give with --corenlp.
    start(['--model', 'rntn', '--dim', '6', '--corenlp', '--l2', '0.1', '--tensor-l2', '0.15', '--classifier-l2', '1e-4', '--embedding-l2', '1e-4', '--unk-replace', '0.25', '--average-epochs', '5'], 'rntn-flags');
    for (const f of ['model.safetensors', 'train-state/tensors.safetensors']) {
      expect(readFileSync(join(dir, 'rntn-defaults', f)).equals(readFileSync(join(dir, 'rntn-flags', f)))).toBe(true);
    }
    // Unbounded, the RNTN's default runs 30 epochs, the others 10 (three trees: one step per epoch).
    const tiny = writeText(dir, 'tiny.txt', '(3 (2 the) (3 good))\n(1 (2 the) (1 bad))\n(2 (2 a) (2 film))\n');
    const unbounded = (argv: string[]) => {
      const r = runBin(['tree', 'train', tiny, ...argv, '--dim', '2', '--out', join(dir, 'unbounded'), '--overwrite', '--json']);
      expect(r.status).toBe(0);
      return events(r.stdout)[0];
    };
    expect(unbounded(['--model', 'rntn'])).toMatchObject({ totalSteps: 30, options: { epochs: 30 } });
    expect(unbounded(['--model', 'rnn'])).toMatchObject({ totalSteps: 10, options: { epochs: 10 } });
    expect(unbounded(['--model', 'rntn', '--corenlp'])).toMatchObject({ totalSteps: 10, options: { epochs: 10 } });
    // With another optimizer the RNTN takes rnn's recipe (no reset: it is AdaGrad's); the Tree-LSTM keeps Tai et al.'s defaults.
    expect(start(['--model', 'rntn', '--optimizer', 'adam'])).toMatchObject({ options: { ...recursive, optimizer: 'adam', adagradReset: false } });
    expect(start(['--hidden', '8'])).toMatchObject({ options: { batch: 25, lr: 0.05, embeddingLr: 0.1, l2: 1e-4, embeddingL2: 0, dropout: 0.5, adagradReset: false, corenlp: false, unkReplace: 0, averageEpochs: 0 } });
    expect(start(['--model', 'rntn', '--corenlp'])).toMatchObject({ options: { corenlp: true, unkReplace: 0, averageEpochs: 0 } });
  }, 120_000);

  test("--tensor-l2 gives the RNTN's tensor V a parameter group of its own at any λ, with any recipe, and is kept on resume", () => {
    const groups = (out: string) =>
      (JSON.parse(readFileSync(join(out, 'train-state', 'state.json'), 'utf8')).optimizer.param_groups as Array<{ weight_decay: number; params: number[] }>)
        .map((g) => [g.weight_decay, g.params.length]);
    const plain = join(dir, 'tensor-l2');
    const r = runBin(['tree', 'train', train, '--model', 'rntn', '--dim', '6', '--tensor-l2', '0.02', '--steps', '1', '--out', plain, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(events(r.stdout)[0]).toMatchObject({ options: { l2: 0.1, tensorL2: 0.02 } });
    // W and its bias at --l2, the classifier's weight, its bias, the words; V alone at --tensor-l2.
    expect(groups(plain)).toEqual([[0.1, 2], [1e-4, 1], [0, 1], [1e-4, 1], [0.02, 1]]);
    // The accumulators in the groups' order: the last is V's, 12 × 12 × 6 values.
    const bytes = readFileSync(join(plain, 'train-state', 'tensors.safetensors'));
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as Record<string, { shape?: number[] }>;
    expect(Object.values(header).flatMap((t) => t.shape ?? []).at(-1)).toBe(12 * 12 * 6);
    // With --corenlp or the per-node recipe (adam), V stays in --l2's group unless the flag is given.
    const run = (name: string, argv: string[]) => {
      const out = join(dir, name);
      expect(runBin(['tree', 'train', train, '--model', 'rntn', '--dim', '6', ...argv, '--steps', '1', '--out', out]).status).toBe(0);
      return groups(out);
    };
    expect(run('tensor-l2-corenlp-none', ['--corenlp'])).toEqual([[1e-3, 3], [1e-4, 1], [0, 1], [1e-4, 1]]);
    expect(run('tensor-l2-corenlp', ['--corenlp', '--tensor-l2', '0.02'])).toEqual([[1e-3, 2], [1e-4, 1], [0, 1], [1e-4, 1], [0.02, 1]]);
    expect(run('tensor-l2-adam-none', ['--optimizer', 'adam'])).toEqual([[1e-3, 5], [0, 1]]);
    expect(run('tensor-l2-adam', ['--optimizer', 'adam', '--tensor-l2', '0.02'])).toEqual([[1e-3, 4], [0, 1], [0.02, 1]]);
    // A resumed run keeps it, and cannot change it.
    expect(runBin(['tree', 'train', '--resume', plain, '--steps', '2']).status).toBe(0);
    expect(groups(plain)).toEqual([[0.1, 2], [1e-4, 1], [0, 1], [1e-4, 1], [0.02, 1]]);
    const change = runBin(['tree', 'train', '--resume', plain, '--tensor-l2', '0.1']);
    expect(change.status).toBe(2);
    expect(change.stderr).toMatch(/--tensor-l2 cannot change when resuming/);
  }, 120_000);

  test('--unk-replace trains the unknown word\'s vector from rare training words; at 0 it stays as initialised', () => {
    // Row 1 of the word vectors is <unk>; the RNTN's default decays only the rows a batch uses.
    const unkRow = (out: string) => {
      const bytes = readFileSync(join(dir, out, 'model.safetensors'));
      const n = Number(bytes.readBigUInt64LE(0));
      const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { shape: number[]; data_offsets: [number, number] }>;
      const { shape, data_offsets: [from] } = header['embedding.weight'];
      const at = 8 + n + from + shape[1] * 4;
      return Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + shape[1] * 4)));
    };
    const run = (out: string, argv: string[]) => {
      const r = runBin(['tree', 'train', train, '--model', 'rntn', '--dim', '6', ...argv, '--out', join(dir, out), '--json']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return events(r.stdout)[0];
    };
    expect(run('unk-off-1', ['--unk-replace', '0', '--steps', '1'])).toMatchObject({ options: { unkReplace: 0 } });
    run('unk-off-10', ['--unk-replace', '0', '--steps', '10']);
    expect(run('unk-on-10', ['--unk-replace', '20', '--steps', '10'])).toMatchObject({ options: { unkReplace: 20 } });
    const initial = unkRow('unk-off-1');
    expect(unkRow('unk-off-10')).toEqual(initial);
    const trained = unkRow('unk-on-10');
    expect(trained).toHaveLength(6);
    expect(trained.some((v, i) => Math.abs(v - initial[i]) > 1e-4)).toBe(true);
    // The other rows moved in both runs, but not alike: replaced words changed what was learned.
    expect(readFileSync(join(dir, 'unk-on-10', 'model.safetensors')).equals(readFileSync(join(dir, 'unk-off-10', 'model.safetensors')))).toBe(false);
    const bad = runBin(['tree', 'train', train, '--unk-replace', '-1', '--steps', '1', '--out', join(dir, 'unk-bad')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--unk-replace/);
  }, 120_000);

  test("--average-epochs K validates and keeps in best/ the mean of the last K epochs' weights, trains on from the last, and resumes exactly", () => {
    // 400 trees in batches of 100: 4 steps per epoch.
    const common = [train, '--model', 'rntn', '--dim', '6', '--batch', '100'];
    const run = (out: string, argv: string[]) => {
      const r = runBin(['tree', 'train', ...common, ...argv, '--out', join(dir, out), '--json']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return events(r.stdout);
    };
    for (const e of [1, 2, 3, 4]) run(`raw-${e}`, ['--average-epochs', '0', '--epochs', String(e)]);
    const start = run('averaged', ['--average-epochs', '3', '--epochs', '4'])[0];
    expect(start).toMatchObject({ options: { averageEpochs: 3 } });
    // Training is the same as without averaging …
    expect(readFileSync(join(dir, 'averaged', 'model.safetensors')).equals(readFileSync(join(dir, 'raw-4', 'model.safetensors')))).toBe(true);
    // … and best/ (no --valid: written at every checkpoint) holds the mean of epochs 2–4, summed in double precision.
    const raws = [2, 3, 4].map((e) => tensorsOf(join(dir, `raw-${e}`, 'model.safetensors')));
    const best = tensorsOf(join(dir, 'averaged', 'best', 'model.safetensors'));
    expect(Object.keys(best).sort()).toEqual(Object.keys(raws[0]).sort());
    for (const [name, values] of Object.entries(best)) {
      const mean = values.map((_, k) => Math.fround((raws[0][name][k] + raws[1][name][k] + raws[2][name][k]) / 3));
      expect(values).toEqual(mean);
      expect(values).not.toEqual(raws[2][name]);
    }
    // The snapshots travel in train-state: three after four epochs.
    const snapshots = Object.keys(tensorsOf(join(dir, 'averaged', 'train-state', 'tensors.safetensors'))).filter((k) => k.startsWith('average.'));
    expect(new Set(snapshots.map((k) => k.split('.')[1]))).toEqual(new Set(['0', '1', '2']));

    // With --valid the averaged weights are validated: best/ evaluates to the best validation accuracy.
    const valided = run('averaged-valid', ['--valid', valid, '--average-epochs', '2', '--epochs', '4']);
    expect(valided.find((e) => e.event === 'eval')).toBeDefined();
    const done = valided.at(-1)!;
    const evaluated = runBin(['tree', 'eval', join(dir, 'averaged-valid'), valid, '--json']);
    expect(evaluated.status).toBe(0);
    expect(JSON.parse(evaluated.stdout).rootAccuracy).toBeCloseTo(done.bestValAccuracy as number, 12);
    // Two epochs, then two more resumed: every file as the unbroken run's.
    run('averaged-split', ['--valid', valid, '--average-epochs', '2', '--epochs', '2']);
    const resumed = runBin(['tree', 'train', '--resume', join(dir, 'averaged-split'), '--epochs', '4']);
    expect(resumed.status).toBe(0);
    for (const f of ['model.safetensors', 'best/model.safetensors', 'train-state/tensors.safetensors']) {
      expect(readFileSync(join(dir, 'averaged-split', f)).equals(readFileSync(join(dir, 'averaged-valid', f)))).toBe(true);
    }
    const change = runBin(['tree', 'train', '--resume', join(dir, 'averaged-split'), '--average-epochs', '3']);
    expect(change.status).toBe(2);
    expect(change.stderr).toMatch(/--average-epochs cannot change when resuming/);
    const bad = runBin(['tree', 'train', train, '--average-epochs', '-1', '--steps', '1', '--out', join(dir, 'average-bad')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--average-epochs/);
  }, 120_000);

  test("--corenlp trains the RNTN with CoreNLP's values unless a flag is given, its own parameter groups and a per-tree loss", () => {
    const out = join(dir, 'corenlp');
    const r = runBin(['tree', 'train', train, '--model', 'rntn', '--corenlp', '--lr', '0.02', '--steps', '3', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const ev = events(r.stdout);
    expect(ev[0]).toMatchObject({
      model: { type: 'EddyRNTN', hiddenSize: 25, dropout: 0 },
      options: { batch: 27, lr: 0.02, embeddingLr: 0.01, l2: 1e-3, embeddingL2: 1e-4, dropout: 0, adagradReset: true, corenlp: true, unkReplace: 0 },
    });
    const state = JSON.parse(readFileSync(join(out, 'train-state', 'state.json'), 'utf8'));
    // Composition (W, V) at --l2, the classifier's weights at 1e-4, its bias unregularised, the words.
    expect(state.optimizer.param_groups.map((g: { lr: number; weight_decay: number; eps: number }) => [g.lr, g.weight_decay, g.eps])).toEqual([
      [0.02, 1e-3, 1e-3], [0.02, 1e-4, 1e-3], [0.02, 0, 1e-3], [0.01, 1e-4, 1e-3],
    ]);
    // --classifier-l2 sets the classifier weights' own λ.
    const own = join(dir, 'corenlp-classifier');
    expect(runBin(['tree', 'train', train, '--model', 'rntn', '--corenlp', '--classifier-l2', '0.03', '--steps', '1', '--out', own]).status).toBe(0);
    const groups = JSON.parse(readFileSync(join(own, 'train-state', 'state.json'), 'utf8')).optimizer.param_groups as Array<{ weight_decay: number }>;
    expect(groups.map((g) => g.weight_decay)).toEqual([1e-3, 0.03, 0, 1e-4]);
  }, 120_000);

  test('--fast trains on the relaxed-SIMD core and records it; a resumed --corenlp run keeps it and continues exactly', () => {
    const eddy = (argv: string[]) => runBin(argv, { installed: true }); // the command enables relaxed SIMD on Node 20
    const straight = join(dir, 'fast-straight');
    const split = join(dir, 'fast-split');
    const common = [train, '--valid', valid, '--model', 'rntn', '--corenlp', '--dim', '8', '--fast'];
    const first = eddy(['tree', 'train', ...common, '--epochs', '2', '--out', straight, '--json']);
    expect(first.stderr).toBe('');
    expect(events(first.stdout)[0]).toMatchObject({ event: 'start', core: 'relaxed', options: { fast: true, corenlp: true } });
    expect(eddy(['tree', 'train', ...common, '--epochs', '1', '--out', split]).status).toBe(0);
    const resumed = eddy(['tree', 'train', '--resume', split, '--epochs', '2']);
    expect(resumed.stderr).toMatch(/resuming .* at step 15: .*, on the relaxed-SIMD core \(--fast\)/);
    expect(resumed.status).toBe(0);
    for (const f of ['model.safetensors', 'train-state/tensors.safetensors']) {
      expect(readFileSync(join(split, f)).equals(readFileSync(join(straight, f)))).toBe(true);
    }
    const again = runBin(['tree', 'train', '--resume', split, '--fast']);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/--fast cannot change when resuming/);
    // Without --fast: the deterministic core.
    const plain = runBin(['tree', 'train', train, ...SMALL, '--steps', '1', '--out', join(dir, 'plain'), '--json']);
    expect(events(plain.stdout)[0]).toMatchObject({ event: 'start', core: 'simd', options: { fast: false } });
  }, 120_000);

  test('bad input ends in one sentence naming the line, with a non-zero exit', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['brackets.txt', '(3 (2 a) (4 b))\n(3 (2 a) (4 b)\n', /the training file .*brackets\.txt has a bad tree: line 2, column 15: expected '\)'/],
      ['range.txt', '(3 (2 a) (4 b))\n(3 (2 a) (7 b))\n', /has the label 7 on line 2, but the labels must be 0 … 4 \(--classes 5\)/],
      ['blank.txt', '(3 (2 a) (4 b))\n\n(1 c)\n', /has a bad tree: line 2 is empty/],
      ['nothing.txt', '\n\n', /the training file .*nothing\.txt holds only whitespace/],
    ];
    for (const [name, text, message] of cases) {
      const r = runBin(['tree', 'train', writeText(dir, name, text), '--out', join(dir, 'x')]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const usage: Array<[string[], RegExp]> = [
      [['--binary', '--classes', '3'], /--binary maps SST's five labels to two, so it needs --classes 5/],
      [['--optimizer', 'adam', '--adagrad-reset'], /--adagrad-reset resets AdaGrad's accumulators, so it needs --optimizer adagrad/],
      [['--model', 'rntn', '--hidden', '4'], /--model rntn has one size for words and nodes: give --dim, not --hidden/],
      [['--corenlp'], /--corenlp is CoreNLP's recipe for its RNTN and recursive network, so it needs --model rntn or rnn, got --model tree-lstm/],
      [['--model', 'rntn', '--corenlp', '--optimizer', 'adam'], /--corenlp trains with CoreNLP's AdaGrad, so it needs --optimizer adagrad/],
      [['--model', 'rntn', '--optimizer', 'adam', '--classifier-l2', '0.1'], /--classifier-l2 sets the classifier's own L2 of CoreNLP's objective \(--corenlp, or --model rntn with adagrad\); otherwise the classifier takes --l2/],
      [['--model', 'rnn', '--classifier-l2', '0.1'], /--classifier-l2 sets the classifier's own L2 of CoreNLP's objective/],
      [['--model', 'rnn', '--tensor-l2', '0.1'], /--tensor-l2 regularises the RNTN's tensor V, so it needs --model rntn, got --model rnn/],
    ];
    const unrooted = runBin(['tree', 'train', writeText(dir, 'unrooted.txt', '(3 (2 a) (4 b))\n((2 a) (4 b))\n'), '--root-only', '--out', join(dir, 'x')]);
    expect(unrooted.status).toBe(1);
    expect(unrooted.stderr).toMatch(/has a tree without a root label on line 2, but --root-only learns from root labels/);
    for (const [flags, message] of usage) {
      const r = runBin(['tree', 'train', train, ...flags, '--out', join(dir, 'x')]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const out = join(dir, 'tiny');
    expect(runBin(['tree', 'train', train, ...SMALL, '--steps', '1', '--out', out]).status).toBe(0);
    const p = runBin(['tree', 'predict', out, '--input', writeText(dir, 'in.txt', 'good\n\n')]);
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/^eddy: the input file .*in\.txt line 2 is empty; give one bracketed tree or one sentence per line\.\n$/);
    const q = runBin(['tree', 'predict', out, '--input', writeText(dir, 'in2.txt', '(2 (2 a) (3 b)\n')]);
    expect(q.status).toBe(1);
    expect(q.stderr).toMatch(/line 1 is not a tree: column 15: expected '\)'/);
    const e = runBin(['tree', 'eval', out, writeText(dir, 'high.txt', '(9 a)\n'), '--json']);
    expect(e.status).toBe(1);
    expect(JSON.parse(e.stdout).error.code).toBe('E_INPUT');
    const c = runBin(['tree', 'eval', join(dir, 'nope'), valid]);
    expect(c.stderr).toMatch(/the checkpoint directory .*nope does not exist; train one first with eddy tree train/);
  }, 120_000);
});
