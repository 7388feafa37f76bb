// The root README's "library in ten lines" runs as written: its code block is read from the
// README, its imports are bound to the real packages, and the rest runs on a small text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as autograd from '@eddy/autograd';
import * as models from '@eddy/models';
import * as text from '@eddy/text';
import { expect, test } from 'vitest';
import { packageRoot } from './corpus.js';

test("the root README's library example trains a language model and saves PyTorch-named weights", async () => {
  const readme = readFileSync(join(packageRoot(), '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The library in ten lines'));
  const code = section.slice(section.indexOf('```ts') + 5, section.indexOf('```', section.indexOf('```ts') + 5));
  const imports: Record<string, unknown> = {};
  for (const m of code.matchAll(/^import \{([^}]+)\} from '(@eddy\/\w+)';$/gm)) {
    const pkg = { '@eddy/autograd': autograd, '@eddy/models': models, '@eddy/text': text }[m[2]] as Record<string, unknown>;
    for (const name of m[1].split(',').map((s) => s.trim())) {
      expect(pkg[name], `${name} from ${m[2]}`).toBeDefined();
      imports[name] = pkg[name];
    }
  }
  const body = code.replace(/^import .*$/gm, '') + '\nreturn { bytes, lm, sample, windows, tok };';
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<{ bytes: Uint8Array; lm: models.LanguageModel; sample: { logits: Float32Array; state: models.LmState }; windows: models.WindowTraining; tok: text.CharTokenizer }>;
  const run = new AsyncFunction(...Object.keys(imports), 'text', body);
  const { bytes, lm, sample, windows, tok } = await run(...Object.values(imports), 'hello world, hello eddy. '.repeat(20));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)))));
  expect(Object.keys(header).filter((k) => k !== '__metadata__').sort()).toEqual([
    'decoder.bias', 'decoder.weight', 'encoder.weight', 'rnn.bias_hh_l0', 'rnn.bias_ih_l0', 'rnn.weight_hh_l0', 'rnn.weight_ih_l0',
  ]);
  // It learned: the text is one repeated phrase, so after "hello" the model expects " ".
  expect(sample.logits.length).toBe(lm.vocabSize);
  const best = sample.logits.indexOf(Math.max(...sample.logits));
  expect(tok.decode([best])).toBe(' ');
  models.disposeState(sample.state);
  windows.dispose();
  lm.dispose();
});
