// CPU time of Seq2Seq training batches and decoding on the built package (run `npm run build`
// first): `node scripts/seq2seq-speed.mjs [small|add|engfra|large ...] [--reps N] [--only train|greedy|beam]`. It reports the
// process's CPU time (process.cpuUsage, user + system) per training batch (loss, backward, Adam
// step) and per decode of one batch of sources (greedy and beam 5), so that runs on a shared
// machine compare; wall time would not. Profile a size with `node --cpu-prof scripts/seq2seq-speed.mjs add`.
import { manualSeed, optim, scope } from '@eddy/autograd';
import { Seq2Seq } from '@eddy/models';

/** The sizes the seq2seq speed work is measured at (issue 12). */
const SIZES = {
  // The toy copy/reverse size of the learning tests.
  small: { hiddenSize: 32, batch: 32, vocab: 10, source: 10, target: 10 },
  // The 3-digit addition task: a character vocabulary, "123+45" → "168".
  add: { hiddenSize: 128, batch: 32, vocab: 20, source: 8, target: 5 },
  // The eng-fra bench: the CLI's defaults (hidden 128, batch 32) on a shared word vocabulary of ~7 000.
  engfra: { hiddenSize: 128, batch: 32, vocab: 7000, source: 10, target: 10 },
  // eng-fra sized at twice the width: a word vocabulary, sentences of up to 10 words.
  large: { hiddenSize: 256, batch: 64, vocab: 2000, source: 10, target: 10 },
};

const args = process.argv.slice(2);
const repsAt = args.indexOf('--reps');
const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 5;
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : null;
const names = args.filter((a, i) => !a.startsWith('--') && (repsAt < 0 || i !== repsAt + 1) && (onlyAt < 0 || i !== onlyAt + 1));
const chosen = names.length > 0 ? names : Object.keys(SIZES);

/**
 * Milliseconds of CPU this process spent in `fn`: the median of `n` calls after one warm-up (NaN
 * when `--only` skips it). The median, not the mean: on a shared core a few calls are slowed by
 * the neighbours' cache traffic, and it keeps before/after comparisons steady.
 */
function cpuMs(what, n, fn) {
  if (only !== null && only !== what) return NaN;
  fn();
  const times = [];
  for (let i = 0; i < n; i++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return n % 2 === 1 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
}

/** A time-major batch of B random pairs, source lengths in [S/2, S], target lengths in [T/2, T]. */
function randomBatch(B, S, T, V, seed) {
  let x = seed >>> 0;
  const next = (n) => ((x = (x * 1664525 + 1013904223) >>> 0) % n);
  const token = () => 4 + next(V - 4);
  const sourceLengths = Int32Array.from({ length: B }, () => Math.ceil(S / 2) + next(S - Math.ceil(S / 2) + 1));
  const lengths = Int32Array.from({ length: B }, () => Math.ceil(T / 2) + next(T - Math.ceil(T / 2) + 1));
  const sourceSteps = Math.max(...sourceLengths);
  const targetSteps = Math.max(...lengths) + 2;
  const source = new Int32Array(sourceSteps * B);
  const target = new Int32Array(targetSteps * B);
  const sources = [];
  for (let b = 0; b < B; b++) {
    const s = Int32Array.from({ length: sourceLengths[b] }, token);
    sources.push(s);
    s.forEach((id, t) => (source[t * B + b] = id));
    target[b] = 2;
    for (let t = 1; t <= lengths[b]; t++) target[t * B + b] = token();
    target[(lengths[b] + 1) * B + b] = 3;
  }
  const targetLengths = lengths.map((n) => n + 2);
  const batch = { source, sourceLengths, sourceSteps, target, targetLengths, targetSteps, batchSize: B, indices: Int32Array.from({ length: B }, (_, i) => i) };
  return { batch, sources, tokens: targetLengths.reduce((a, n) => a + n - 1, 0) };
}

for (const name of chosen) {
  const size = SIZES[name];
  if (size === undefined) throw new Error(`unknown size ${name}: one of ${Object.keys(SIZES).join(', ')}`);
  manualSeed(1);
  const model = new Seq2Seq({ sourceVocabSize: size.vocab, targetVocabSize: size.vocab, hiddenSize: size.hiddenSize });
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const { batch, sources, tokens } = randomBatch(size.batch, size.source, size.target, size.vocab, 7);
  const trainMs = cpuMs('train', reps, () =>
    scope(() => {
      const { loss } = model.loss(batch);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }),
  );
  // Decoding runs on a fresh model, not the one trained above: an untrained model rarely emits
  // EOS, so every output runs to its cap (2·source length + 5), the worst case, however many
  // training batches ran (a few Adam steps on one batch already teach it to stop early).
  manualSeed(1);
  const fresh = new Seq2Seq({ sourceVocabSize: size.vocab, targetVocabSize: size.vocab, hiddenSize: size.hiddenSize });
  const greedyMs = cpuMs('greedy', reps, () => fresh.translate(sources, { batchSize: size.batch }));
  const beamMs = cpuMs('beam', reps, () => fresh.translate(sources, { batchSize: size.batch, beam: 5 }));
  console.log(
    `${name} (H ${size.hiddenSize}, B ${size.batch}, V ${size.vocab}, S ${size.source}, T ${size.target}): ` +
      `train ${trainMs.toFixed(1)} ms/batch (${Math.round((tokens / trainMs) * 1000)} tokens/s), ` +
      `greedy ${greedyMs.toFixed(1)} ms, beam 5 ${beamMs.toFixed(1)} ms per ${size.batch} sentences`,
  );
}
