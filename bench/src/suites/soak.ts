import { arenaFigures, charLm } from '../workloads/char-lm.js';
import type { Report } from '../report.js';

/**
 * 10 000 training steps of a small LSTM language model, every step inside `scope`, reporting the
 * arena's live bytes, high-water mark and claimed span every 1 000 steps: they must stay flat.
 * Not a CI test (it takes tens of seconds); `npm run bench -- soak`.
 */
export async function soak(report: Report, options: { quick: boolean }): Promise<void> {
  const steps = options.quick ? 2000 : 10_000;
  const model = charLm();
  const started = performance.now();
  let first: ReturnType<typeof arenaFigures> | null = null;
  let loss = NaN;
  for (let step = 1; step <= steps; step++) {
    loss = model.step();
    if (step % 1000 === 0) {
      const figures = arenaFigures();
      first ??= figures;
      report.row({
        bench: 'soak', step, loss: Math.round(loss * 1000) / 1000,
        usedBytes: figures.used, highWaterBytes: figures.highWater, reservedBytes: figures.reserved,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      });
    }
  }
  const last = arenaFigures();
  const flat = first !== null && last.reserved === first.reserved && last.used === first.used;
  report.row({ bench: 'soak', verdict: flat ? 'flat' : 'GROWING', steps });
  report.table(`Soak: ${steps} scoped training steps of a 1×64 LSTM char model (arena bytes every 1 000 steps)`, [
    'step', 'loss', 'usedBytes', 'highWaterBytes', 'reservedBytes', 'seconds', 'verdict',
  ]);
  if (!flat) process.exitCode = 1;
}
