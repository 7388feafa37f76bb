// eddy classify train | predict | eval through the built bin, on small generated files: the order
// task (a bag of words cannot tell "good not bad" from "bad not good"), bad lines, unknown labels,
// a missing checkpoint, --threads, and exact resumption.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runBin, tempDir, writeText } from '../../test/helpers.js';

/** Lines "label text": pos when "good" comes before "bad", neg otherwise; filler words around. */
function orderTask(n: number, seed: number): string {
  let s = seed;
  const rand = (k: number): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % k;
  };
  const filler = ['the', 'food', 'was', 'not', 'at', 'all', 'really', 'and'];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: 2 + rand(4) }, () => filler[rand(filler.length)]);
    const first = rand(2) === 0 ? 'good' : 'bad';
    const second = first === 'good' ? 'bad' : 'good';
    words.splice(rand(words.length), 0, first);
    words.splice(words.indexOf(first) + 1 + rand(words.length - words.indexOf(first)), 0, second);
    lines.push(`${first === 'good' ? 'pos' : 'neg'} ${words.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

const FAST = ['--dim', '16', '--hidden', '16', '--batch', '16', '--dropout', '0', '--word-dropout', '0', '--lr', '0.01', '--lr-decay', '1'];
const FAST_DROPOUT = FAST.map((v, i) => (FAST[i - 1] === '--dropout' ? '0.3' : FAST[i - 1] === '--word-dropout' ? '0.2' : FAST[i - 1] === '--batch' ? '32' : v));

describe('eddy classify', () => {
  let dir: string;
  let train: string;
  let valid: string;
  beforeAll(() => {
    dir = tempDir();
    train = writeText(dir, 'train.txt', orderTask(400, 1));
    valid = writeText(dir, 'valid.txt', orderTask(100, 2));
  });

  test('train learns word order, keeps best/, and predict and eval read it', () => {
    const out = join(dir, 'order');
    const r = runBin(['classify', 'train', train, '--valid', valid, ...FAST, '--epochs', '12', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const evals = events.filter((e) => e.event === 'eval');
    expect(evals).toHaveLength(12);
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.bestValAccuracy as number).toBeGreaterThan(0.9);
    const config = JSON.parse(readFileSync(join(out, 'best', 'config.json'), 'utf8'));
    expect(config.labels).toEqual(['neg', 'pos']);
    expect(config.progress.bestValAccuracy).toBe(done.bestValAccuracy);

    const ev = runBin(['classify', 'eval', out, valid, '--json']);
    expect(ev.status).toBe(0);
    const m = JSON.parse(ev.stdout);
    expect(m.accuracy).toBe(done.bestValAccuracy);
    expect(m.examples).toBe(100);
    expect(m.labels).toEqual(['neg', 'pos']);
    expect(m.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(100);
    expect(m.confusion[0][0] + m.confusion[1][1]).toBe(Math.round(m.accuracy * 100));
    expect(m.macroF1).toBeGreaterThan(0.9);

    // predict labels the same texts as eval did, line by line in order; an empty line gets an answer too.
    const gold = readFileSync(valid, 'utf8').trim().split('\n').map((l) => l.split(' ')[0]);
    const texts = readFileSync(valid, 'utf8').trim().split('\n').map((l) => l.slice(l.indexOf(' ') + 1));
    const input = writeText(dir, 'texts.txt', [...texts, ''].join('\n') + '\n');
    const p = runBin(['classify', 'predict', out, '--input', input]);
    expect(p.status).toBe(0);
    const lines = p.stdout.split('\n').slice(0, -1).map((l) => l.split('\t'));
    expect(lines).toHaveLength(101);
    const right = gold.filter((g, i) => lines[i][0] === g).length;
    expect(right / 100).toBe(m.accuracy);
    for (const [label, prob] of lines) {
      expect(label).toMatch(/^(pos|neg)$/);
      expect(Number(prob)).toBeGreaterThanOrEqual(0.5);
      expect(Number(prob)).toBeLessThanOrEqual(1);
    }
  }, 120_000);

  test('bad lines, unknown labels and a missing checkpoint end in one sentence', () => {
    const bad = writeText(dir, 'bad.txt', 'pos good bad\nnolabel\n');
    let r = runBin(['classify', 'train', bad, '--out', join(dir, 'x')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^eddy: the training file .*bad\.txt has a bad line: line 2: .*\(or give --format\)\.\n$/);

    r = runBin(['classify', 'eval', join(dir, 'nope'), valid]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^eddy: the checkpoint directory .*nope does not exist; train one first with eddy classify train/);

    const out = join(dir, 'tiny');
    expect(runBin(['classify', 'train', train, ...FAST, '--steps', '2', '--out', out]).status).toBe(0);
    const unknown = writeText(dir, 'unknown.txt', 'pos good bad\nmeh fine\n');
    r = runBin(['classify', 'eval', out, unknown, '--json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/has the label "meh" \(example 2\), which the classifier does not know: its labels are "neg", "pos"/);
    expect(JSON.parse(r.stdout).error.code).toBe('E_INPUT');

    r = runBin(['sample', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/holds a EddySequenceClassifier model, not a language model/);

    r = runBin(['classify', 'tran']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/did you mean eddy classify train\?/);
  }, 120_000);

  test('--resume continues exactly, on any thread count: 2 + 2 epochs give the weights of 4', () => {
    const straight = join(dir, 'straight');
    const split = join(dir, 'split');
    const common = [train, '--valid', valid, ...FAST_DROPOUT];
    expect(runBin(['classify', 'train', ...common, '--epochs', '4', '--threads', '1', '--out', straight]).status).toBe(0);
    expect(runBin(['classify', 'train', ...common, '--epochs', '2', '--threads', '2', '--out', split]).status).toBe(0);
    const resumed = runBin(['classify', 'train', '--resume', split, '--epochs', '4', '--threads', '3']);
    expect(resumed.stderr).toMatch(/resuming .* at step 26/);
    expect(resumed.status).toBe(0);
    for (const f of ['model.safetensors', 'best/model.safetensors']) expect(readFileSync(join(split, f)).equals(readFileSync(join(straight, f)))).toBe(true);
    const a = JSON.parse(readFileSync(join(split, 'config.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(straight, 'config.json'), 'utf8'));
    expect(a.progress).toEqual(b.progress);

    const again = runBin(['classify', 'train', '--resume', split, '--lr', '0.1']);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/--lr cannot change when resuming/);
  }, 120_000);

  test('a diverging run is warned about once, as eddy train warns (the shared training driver)', () => {
    const fastLr1000 = FAST.map((v, i) => (FAST[i - 1] === '--lr' ? '1000' : v));
    const argv = ['classify', 'train', train, ...fastLr1000, '--clip', '0', '--optimizer', 'sgd', '--steps', '30'];
    const events = runBin([...argv, '--out', join(dir, 'diverging-json'), '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const [rise, ...more] = events.filter((e) => e.event === 'warning');
    expect(more).toEqual([]);
    expect(rise).toMatchObject({ kind: 'loss-rising', window: 20 });
    expect(rise.meanLoss / rise.firstLoss).toBeGreaterThan(2);
    const plain = runBin([...argv, '--out', join(dir, 'diverging')]);
    expect(plain.status).toBe(0);
    expect(plain.stderr).toMatch(/^warning: the training loss averaged [\d.e+]+ over the last 20 steps, more than 2× its first value 0\.\d+: the run is diverging; stop it \(Ctrl-C\) and lower --lr \(now 1000\) or set --clip$/m);
  });
});
