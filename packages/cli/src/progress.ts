// How `eddy train` reports progress: a bar redrawn in place on a terminal, plain periodic lines
// when stderr is not a terminal (CI logs, pipes), JSON lines on stdout with --json.

/** Where commands write. Tests pass strings collectors; the bin passes process.stdout/stderr. */
export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

export interface StepReport {
  step: number;
  /** Steps the run stops at, or null when only a time budget bounds it. */
  totalSteps: number | null;
  epoch: number;
  loss: number;
  lr: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
  /** Estimated seconds left, null when unknown. */
  etaSeconds: number | null;
  /** The latest validation loss, null before the first evaluation. */
  valLoss: number | null;
}

export interface Reporter {
  /** Called after every step; reporters decide what to show. */
  step(r: StepReport): void;
  eval(r: { step: number; valLoss: number; bestValLoss: number; improved: boolean }): void;
  checkpoint(r: { step: number; dir: string; reason: string }): void;
  /** A human note (start summary, interruption); JSON reporters emit it as an event. */
  note(event: string, text: string, data: Record<string, unknown>): void;
  /** Ends the bar line, if any. */
  close(): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

function stepLabel(r: StepReport): string {
  return r.totalSteps === null ? `step ${r.step}` : `step ${r.step}/${r.totalSteps}`;
}

function stats(r: StepReport): string {
  const val = r.valLoss === null ? '' : `  val ${r.valLoss.toFixed(4)}`;
  return `loss ${r.loss.toFixed(4)}${val}  ${Math.round(r.tokensPerSecond)} tok/s  ETA ${r.etaSeconds === null ? '?' : formatDuration(r.etaSeconds)}`;
}

/** JSON lines on stdout: one object per event, `event` naming it. */
export class JsonReporter implements Reporter {
  constructor(private readonly io: Io, private readonly every: number) {}
  private emit(o: Record<string, unknown>): void {
    this.io.stdout.write(JSON.stringify(o) + '\n');
  }
  step(r: StepReport): void {
    if (r.step % this.every === 0 || r.step === r.totalSteps) this.emit({ event: 'step', ...r });
  }
  eval(r: { step: number; valLoss: number; bestValLoss: number; improved: boolean }): void {
    this.emit({ event: 'eval', ...r });
  }
  checkpoint(r: { step: number; dir: string; reason: string }): void {
    this.emit({ event: 'checkpoint', ...r });
  }
  note(event: string, _text: string, data: Record<string, unknown>): void {
    this.emit({ event, ...data });
  }
  close(): void {}
}

/** Plain lines on stderr every `every` steps (no control characters: for logs). */
export class LineReporter implements Reporter {
  constructor(private readonly io: Io, private readonly every: number) {}
  step(r: StepReport): void {
    if (r.step % this.every === 0 || r.step === r.totalSteps) this.io.stderr.write(`${stepLabel(r)}  ${stats(r)}\n`);
  }
  eval(r: { step: number; valLoss: number; bestValLoss: number; improved: boolean }): void {
    this.io.stderr.write(`step ${r.step}  val loss ${r.valLoss.toFixed(4)}${r.improved ? '  (best)' : `  (best ${r.bestValLoss.toFixed(4)})`}\n`);
  }
  checkpoint(r: { step: number; dir: string; reason: string }): void {
    if (r.reason !== 'eval') this.io.stderr.write(`checkpoint (step ${r.step}) written to ${r.dir}\n`);
  }
  note(_event: string, text: string): void {
    this.io.stderr.write(text + '\n');
  }
  close(): void {}
}

/** A bar on a terminal's stderr, redrawn in place at most ten times a second. */
export class BarReporter implements Reporter {
  private lastDraw = 0;
  private drawn = false;
  constructor(private readonly io: Io) {}

  private clear(): void {
    if (this.drawn) this.io.stderr.write('\r\x1b[K');
    this.drawn = false;
  }

  step(r: StepReport): void {
    const now = Date.now();
    if (now - this.lastDraw < 100 && r.step !== r.totalSteps) return;
    this.lastDraw = now;
    const width = Math.max(10, Math.min(30, (this.io.stderr.columns ?? 80) - 70));
    // A step count bounds the run, or else a time budget does: then the bar follows the clock.
    const fraction =
      r.totalSteps !== null ? Math.min(1, r.step / r.totalSteps)
      : r.etaSeconds !== null ? r.elapsedSeconds / Math.max(r.elapsedSeconds + r.etaSeconds, 1e-9)
      : null;
    const bar = fraction === null ? '' : `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] `;
    const line = `${bar}${stepLabel(r)}  ${stats(r)}`;
    this.io.stderr.write(`\r\x1b[K${line.slice(0, (this.io.stderr.columns ?? 120) - 1)}`);
    this.drawn = true;
  }

  eval(r: { step: number; valLoss: number; bestValLoss: number; improved: boolean }): void {
    this.clear();
    this.io.stderr.write(`step ${r.step}  val loss ${r.valLoss.toFixed(4)}${r.improved ? '  (best)' : ''}\n`);
  }

  checkpoint(r: { step: number; dir: string; reason: string }): void {
    if (r.reason === 'eval') return;
    this.clear();
    this.io.stderr.write(`checkpoint (step ${r.step}) written to ${r.dir}\n`);
  }

  note(_event: string, text: string): void {
    this.clear();
    this.io.stderr.write(text + '\n');
  }

  close(): void {
    if (this.drawn) this.io.stderr.write('\n');
    this.drawn = false;
  }
}
