import { join } from 'node:path';
import { noGrad, ready, scope, tensor, type Tensor } from '@eddy/autograd';
import { beforeAll, describe, expect, test } from 'vitest';
import { readCheckpoint } from '../../checkpoint/checkpoint.js';
import { disposeState, type LmState } from '@eddy/models';
import { runBin, runMain, SENTENCE, tempDir, TINY, writeText } from '../../test/helpers.js';

let dir: string;
let ck: string;

beforeAll(async () => {
  dir = tempDir();
  const corpus = writeText(dir, 'train.txt', SENTENCE.repeat(20));
  ck = join(dir, 'run');
  expect((await runMain(['train', corpus, ...TINY, '--steps', '30', '--out', ck])).code).toBe(0);
});

/** Reference: the file one token at a time (T = 1, B = 1), log-softmax in float64 here. */
async function referenceLoss(text: string): Promise<{ loss: number; tokens: number }> {
  await ready();
  const { model, tokenizer } = readCheckpoint(ck);
  model.eval();
  const ids = tokenizer.encode(text);
  let state: LmState | null = null;
  let nats = 0;
  for (let i = 0; i + 1 < ids.length; i++) {
    const previous: LmState | null = state;
    const r: { logits: Tensor; state: LmState } = noGrad(() => scope(() => model.forward(tensor(Int32Array.of(ids[i]), [1, 1], { dtype: 'int32' }), previous)));
    const logits = Float64Array.from(r.logits.toFloat32Array());
    r.logits.dispose();
    disposeState(previous);
    state = r.state;
    const max = Math.max(...logits);
    const logSum = Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    nats += logSum - logits[ids[i + 1]];
  }
  disposeState(state);
  model.dispose();
  return { loss: nats / (ids.length - 1), tokens: ids.length - 1 };
}

describe('eddy eval', () => {
  test('--json gives loss, bits per character, perplexity and tokens, equal to a step-by-step reference', async () => {
    // Longer than one window (seq-len 16), so the state must carry across windows.
    const text = 'the lazy dog jumps over the quick brown fox. ' + SENTENCE;
    const file = writeText(dir, 'test.txt', text);
    const r = await runMain(['eval', ck, file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { loss: number; bitsPerChar: number; perplexity: number; tokens: number; unknownTokens: number };
    expect(Object.keys(out)).toEqual(['loss', 'bitsPerChar', 'perplexity', 'tokens', 'unknownTokens']);
    expect(out.unknownTokens).toBe(0);
    const ref = await referenceLoss(text);
    expect(out.tokens).toBe(ref.tokens);
    expect(out.loss).toBeCloseTo(ref.loss, 4);
    expect(out.bitsPerChar).toBeCloseTo(out.loss / Math.LN2, 10);
    expect(out.perplexity).toBeCloseTo(Math.exp(out.loss), 8);
  });

  test('--quantize int8 evaluates the int8 copy: the same tokens, a loss close to float32 but not the same', async () => {
    const file = writeText(dir, 'int8.txt', SENTENCE.repeat(3));
    const [f32, int8] = [await runMain(['eval', ck, file, '--json']), await runMain(['eval', ck, file, '--json', '--quantize', 'int8'])];
    expect(int8.code, int8.stderr).toBe(0);
    const a = JSON.parse(f32.stdout) as { loss: number; tokens: number }, b = JSON.parse(int8.stdout) as { loss: number; tokens: number };
    expect(b.tokens).toBe(a.tokens);
    expect(b.loss).not.toBe(a.loss);
    expect(Math.abs(b.loss - a.loss)).toBeLessThan(0.05);
  });

  test('plain output names the file and the three measures', async () => {
    const file = writeText(dir, 'plain.txt', SENTENCE.repeat(2));
    const r = await runMain(['eval', ck, file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/plain\.txt: loss \d+\.\d{4} nats per token, \d+\.\d{4} bits per character, perplexity \d+\.\d{2}, 89 tokens\n$/);
  });

  test('a word model reports perplexity and no bits per character', async () => {
    const corpus = writeText(dir, 'words.txt', SENTENCE.repeat(60));
    const wk = join(dir, 'words');
    expect((await runMain(['train', corpus, ...TINY, '--tokenizer', 'word', '--steps', '5', '--out', wk])).code).toBe(0);
    const r = await runMain(['eval', wk, writeText(dir, 'w.txt', SENTENCE.repeat(3)), '--json']);
    const out = JSON.parse(r.stdout) as { bitsPerChar: number | null; perplexity: number; tokens: number };
    expect(out.bitsPerChar).toBe(null);
    expect(out.tokens).toBe(26);
    expect(out.perplexity).toBeGreaterThan(1);
  });
});

describe('eddy eval (the bin): unknown symbols and bad files', () => {
  test('symbols of the file the vocabulary lacks are counted: a warning on stderr and unknownTokens in --json', () => {
    const file = writeText(dir, 'greek.txt', 'the ΩΩΩ fox. ' + SENTENCE);
    const r = runBin(['eval', ck, file, '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(`eddy: warning: 3 of the 58 characters of ${file} are not in the vocabulary of ${ck} and were read as <unk>.\n`);
    expect(JSON.parse(r.stdout)).toMatchObject({ tokens: 57, unknownTokens: 3 });
  });

  test('errors name the evaluated file and eddy eval, never a corpus or training', () => {
    const bad = (file: string, message: RegExp): void => {
      const r = runBin(['eval', ck, file]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/corpus|train/);
    };
    bad(join(dir, 'missing.txt'), /^eddy: the file .*missing\.txt does not exist or cannot be read; check the path of the text file to evaluate on\.\n$/);
    bad(dir, /^eddy: the file .* is a directory; give eddy eval a UTF-8 text file to evaluate on\.\n$/);
    bad(writeText(dir, 'empty.txt', ''), /^eddy: the file .*empty\.txt is empty; give a UTF-8 text file with some text in it\.\n$/);
    bad(writeText(dir, 'bin.dat', new Uint8Array([0x45, 0, 1])), /^eddy: the file .*bin\.dat looks binary \(a NUL byte at offset 1\); evaluate a UTF-8 text file\.\n$/);
    bad(writeText(dir, 'latin1.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9])), /^eddy: the file .*latin1\.txt is not valid UTF-8 text/);
    bad(writeText(dir, 'one.txt', 't'), /^eddy: the file .*one\.txt has 1 token for this char tokenizer but evaluation needs at least 2; give eddy eval a longer file\.\n$/);
  });
});
