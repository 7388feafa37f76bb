import { describe, expect, test } from 'vitest';
import { tokenizerConfigTarget, vocabTarget } from './test-fuzz-configs.js';
import { assertFuzz } from './test-fuzz.js';

// Property-based: every vocabulary or tokenizer config, valid or hostile, ends in a working
// tokenizer or E_FORMAT, within the watchdog (budgets sized for CI; `npm run bench -- fuzz` runs more).
describe('fuzz: vocabulary and tokenizer configs', () => {
  test('Vocab.fromJSON', () => {
    const counts = assertFuzz(vocabTarget, 3000);
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.typed).toBeGreaterThan(0);
  });

  test('tokenizerFromConfig (char, word, bpe)', () => {
    const counts = assertFuzz(tokenizerConfigTarget, 3000);
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.typed).toBeGreaterThan(0);
  });
});
