import { getCore, manualSeed, optim } from '@eddy/autograd';
import { LanguageModel, trainLoop, windowTraining } from '@eddy/models';
import { LmBatcher } from '@eddy/text';
import type { Report } from '../report.js';

/** Arena figures of the active core. */
function arenaFigures() {
  const { arena } = getCore();
  return { used: arena.used, highWater: arena.highWater, reserved: arena.reserved };
}

/**
 * A deterministic corpus with some structure but not memorisable in 10⁴ steps: a pangram whose
 * characters are replaced by a pseudo-random symbol one time in four, so the loss stays well above
 * zero and the gradients keep realistic sizes for the whole soak.
 */
function noisyCorpus(V: number, length = 1 << 16): Int32Array {
  const text = 'the quick brown fox jumps over the lazy dog. ';
  let lcg = 12345;
  return Int32Array.from({ length }, (_, i) => {
    lcg = (Math.imul(lcg, 1103515245) + 12345) >>> 0;
    return (lcg >>> 30) === 0 ? (lcg >>> 8) % V : text.charCodeAt(i % text.length) % V;
  });
}

/**
 * 10 000 steps of the library's training loop (`trainLoop`) on a small `LanguageModel` (LSTM 1×64,
 * V 32, B 8, T 16, Adam, clip 5, the state carried across windows by `windowTraining`), reporting the arena's live bytes,
 * high-water mark and claimed span every 1 000 steps: they must stay flat.
 * Not a CI test (it takes tens of seconds); `npm run bench -- soak`.
 */
export async function soak(report: Report, options: { quick: boolean }): Promise<void> {
  const steps = options.quick ? 2000 : 10_000;
  const V = 32, B = 8, T = 16;
  manualSeed(1234);
  const model = new LanguageModel({ vocabSize: V, hiddenSize: 64, embeddingSize: 16 });
  const batcher = new LmBatcher(noisyCorpus(V), { batchSize: B, seqLen: T, dropLast: true });
  const windows = windowTraining(model, () => batcher.next());
  // Read inside the step's scope, at the same point of every 1 000th step.
  let first = null as ReturnType<typeof arenaFigures> | null;
  let last = null as ReturnType<typeof arenaFigures> | null;
  const started = performance.now();
  await trainLoop({
    optimizer: new optim.Adam(model.parameters(), { lr: 2e-3 }),
    clip: 5,
    steps,
    loss: windows.loss,
    afterStep: (step, loss) => {
      windows.afterStep();
      if (step % 1000 !== 0) return;
      const figures = arenaFigures();
      first ??= figures;
      last = figures;
      report.row({
        bench: 'soak', step, loss: Math.round(loss * 1000) / 1000,
        usedBytes: figures.used, highWaterBytes: figures.highWater, reservedBytes: figures.reserved,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      });
    },
  });
  const [a, b] = [first as ReturnType<typeof arenaFigures> | null, last as ReturnType<typeof arenaFigures> | null];
  const flat = a !== null && b !== null && b.reserved === a.reserved && b.used === a.used;
  report.row({ bench: 'soak', verdict: flat ? 'flat' : 'GROWING', steps });
  report.table(`Soak: ${steps} steps of trainLoop on a 1×64 LSTM LanguageModel (arena bytes every 1 000 steps)`, [
    'step', 'loss', 'usedBytes', 'highWaterBytes', 'reservedBytes', 'seconds', 'verdict',
  ]);
  windows.dispose();
  model.dispose();
  if (!flat) process.exitCode = 1;
}
