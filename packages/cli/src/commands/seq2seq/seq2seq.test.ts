// eddy seq2seq train | translate | eval through the built bin, on a tiny generated corpus: reversing
// strings of letters at the character level (the default tokenizer), which a small attention model
// learns in a few epochs. Also the n-best and JSON formats, the attention map, exact resumption, and
// the error paths (bad TSV line, empty side, unknown flag, missing checkpoint).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runBin, tempDir, writeText } from '../../test/helpers.js';

/** `n` lines "abc<TAB>cba": 3 to 7 letters of a–h, reversed. */
function reverseTask(n: number, seed: number): string {
  let s = seed;
  const rand = (k: number): number => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s >>> 8) % k;
  };
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const word = Array.from({ length: 3 + rand(5) }, () => 'abcdefgh'[rand(8)]).join('');
    lines.push(`${word}\t${[...word].reverse().join('')}`);
  }
  return lines.join('\n') + '\n';
}

const FAST = ['--hidden', '32', '--batch', '16', '--lr', '0.01'];

describe('eddy seq2seq', () => {
  let dir: string;
  let train: string;
  let valid: string;
  let model: string;
  beforeAll(() => {
    dir = tempDir();
    train = writeText(dir, 'train.tsv', reverseTask(300, 1));
    valid = writeText(dir, 'valid.tsv', reverseTask(40, 2));
    model = join(dir, 'reverse');
  });

  test('train learns to reverse, validating by loss and BLEU; eval and translate read best/', () => {
    const r = runBin(['seq2seq', 'train', train, '--valid', valid, ...FAST, '--epochs', '8', '--out', model, '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events[0]).toMatchObject({ event: 'start', trainPairs: 300, validPairs: 40, vocabSize: 12 });
    const evals = events.filter((e) => e.event === 'eval');
    expect(evals).toHaveLength(8);
    for (const e of evals) {
      expect(e.valLoss).toBeTypeOf('number');
      expect(e.valBleu as number).toBeGreaterThanOrEqual(0);
      expect(e.valBleu as number).toBeLessThanOrEqual(100);
    }
    const done = events.at(-1)!;
    expect(done).toMatchObject({ event: 'done', stopped: 'done' });
    expect(done.bestValLoss as number).toBeLessThan((evals[0].valLoss as number) / 3);
    const config = JSON.parse(readFileSync(join(model, 'best', 'config.json'), 'utf8'));
    expect(config.model).toMatchObject({ type: 'EddySeq2Seq', attention: 'luong-general', hiddenSize: 32 });
    expect(config.progress.bestValLoss).toBe(done.bestValLoss);

    const ev = runBin(['seq2seq', 'eval', model, valid, '--json']);
    expect(ev.status).toBe(0);
    const m = JSON.parse(ev.stdout);
    expect(Object.keys(m)).toEqual(['exactMatch', 'bleu', 'tokenAccuracy', 'loss', 'sentences']);
    expect(m.sentences).toBe(40);
    expect(m.exactMatch).toBeGreaterThan(0.8);
    expect(m.tokenAccuracy).toBeGreaterThanOrEqual(m.exactMatch - 0.05);
    expect(m.loss).toBeCloseTo(done.bestValLoss as number, 5);
    // Beam search keeps what greedy finds (it once stopped at its first K finished, short outputs).
    const beam = JSON.parse(runBin(['seq2seq', 'eval', model, valid, '--json', '--beam', '4']).stdout);
    expect(beam.exactMatch).toBeGreaterThanOrEqual(m.exactMatch - 0.05);

    // translate writes one line per input line, in order, and agrees with eval's exact match;
    // an empty line gets an output in its place.
    const pairs = readFileSync(valid, 'utf8').trim().split('\n').map((l) => l.split('\t'));
    const input = writeText(dir, 'sources.txt', [...pairs.map((p) => p[0]), ''].join('\n') + '\n');
    const t = runBin(['seq2seq', 'translate', model, '--input', input]);
    expect(t.status).toBe(0);
    const lines = t.stdout.split('\n').slice(0, -1);
    expect(lines).toHaveLength(41);
    expect(pairs.filter((p, i) => lines[i] === p[1]).length / 40).toBe(m.exactMatch);
    const text = runBin(['seq2seq', 'eval', model, valid]);
    expect(text.stdout).toMatch(/^exact match \d+\.\d\d%  BLEU \d+\.\d\d  token accuracy \d+\.\d\d%  loss \d\.\d{4}  on 40 sentences of .*valid\.tsv \(beam 1\)\n$/);
  }, 180_000);

  test('--n-best, --json and --attention-map formats', () => {
    const input = writeText(dir, 'two.txt', 'abcd\nhg\n');
    const n = runBin(['seq2seq', 'translate', model, '--input', input, '--beam', '4', '--n-best', '3']);
    expect(n.status).toBe(0);
    const rows = n.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(rows).toHaveLength(6);
    rows.forEach((row, k) => {
      expect(row).toHaveLength(4);
      expect([Number(row[0]), Number(row[1])]).toEqual([Math.floor(k / 3), k % 3]);
      expect(Number(row[2])).toBeLessThanOrEqual(0);
    });
    for (const at of [0, 3]) expect(Number(rows[at][2])).toBeGreaterThanOrEqual(Number(rows[at + 1][2]));
    expect(new Set(rows.slice(0, 3).map((r) => r[3])).size).toBe(3);

    const svg = join(dir, 'attention.svg');
    const j = runBin(['seq2seq', 'translate', model, '--input', input, '--json', '--attention-map', svg]);
    expect(j.status).toBe(0);
    const objects = j.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(objects.map((o) => o.index)).toEqual([0, 1]);
    for (const [i, o] of objects.entries()) {
      expect(o.outputs).toHaveLength(1);
      const { text, score, attention } = o.outputs[0];
      expect(typeof text).toBe('string');
      expect(score).toBeLessThanOrEqual(0);
      // One row per output character and one for EOS, each a distribution over the source characters.
      expect(attention).toHaveLength([...text].length + 1);
      for (const row of attention) {
        expect(row).toHaveLength(i === 0 ? 4 : 2);
        expect(row.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
      }
    }
    const drawn = readFileSync(svg, 'utf8');
    expect(drawn).toMatch(/^<\?xml[^]*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^]*<\/svg>\n$/);
    expect(drawn).not.toMatch(/<script|href=/);
    const cells = objects.reduce((s, o, i) => s + o.outputs[0].attention.length * (i === 0 ? 4 : 2), 0);
    expect(drawn.match(/<rect x=/g)).toHaveLength(cells);
  });

  test('--resume continues exactly: 2 + 2 epochs give the weights of 4', () => {
    const straight = join(dir, 'straight');
    const split = join(dir, 'split');
    const common = [train, '--valid', valid, ...FAST, '--dropout', '0.2', '--teacher-forcing', '0.7'];
    expect(runBin(['seq2seq', 'train', ...common, '--epochs', '4', '--out', straight]).status).toBe(0);
    expect(runBin(['seq2seq', 'train', ...common, '--epochs', '2', '--out', split]).status).toBe(0);
    const resumed = runBin(['seq2seq', 'train', '--resume', split, '--epochs', '4']);
    expect(resumed.stderr).toMatch(/resuming .* at step 38/);
    expect(resumed.status).toBe(0);
    for (const f of ['model.safetensors', 'best/model.safetensors']) expect(readFileSync(join(split, f)).equals(readFileSync(join(straight, f)))).toBe(true);
    const a = JSON.parse(readFileSync(join(split, 'config.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(straight, 'config.json'), 'utf8'));
    expect(a.progress).toEqual(b.progress);
    const again = runBin(['seq2seq', 'train', '--resume', split, '--attention', 'bahdanau']);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/--attention cannot change when resuming/);
  }, 180_000);

  test('bad TSV lines, an empty side, unknown flags and a missing checkpoint end in one sentence', () => {
    const noTab = writeText(dir, 'no-tab.tsv', 'abc\tcba\nabc cba\n');
    let r = runBin(['seq2seq', 'train', noTab, '--out', join(dir, 'x')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^eddy: the training file .*no-tab\.tsv:2: expected source<TAB>target, got a line without a tab: "abc cba"; each line must be source<TAB>target, both sides non-empty\.\n$/);
    const empty = writeText(dir, 'empty-side.tsv', 'abc\tcba\n\n\t cba\n');
    r = runBin(['seq2seq', 'eval', model, empty, '--json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/empty-side\.tsv:3: the source side \(before the tab\) is empty/);
    expect(JSON.parse(r.stdout).error.code).toBe('E_INPUT');
    r = runBin(['seq2seq', 'train', train, '--attenton', 'bahdanau']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option --attenton for eddy seq2seq train; did you mean --attention\?/);
    r = runBin(['seq2seq', 'translate', join(dir, 'nope'), '--input', train]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^eddy: the checkpoint directory .*nope does not exist; train one first with eddy seq2seq train/);
    r = runBin(['seq2seq', 'translate', model, '--beam', '2', '--n-best', '3', '--input', train]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--n-best 3 needs at least that many hypotheses: give --beam 3 or more/);
    r = runBin(['seq2seq', 'tranlsate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/did you mean eddy seq2seq translate\?/);
    r = runBin(['classify', 'eval', model, valid]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/holds a EddySeq2Seq model, not a sequence classifier/);
  });
});
