import { threadCount } from '../../threads.js';
import { getCore, loadCore, useCore, type Core } from '@eddy/autograd';
import type { ParsedArgs } from '../../options.js';
import type { Io } from '../../progress.js';
import { describeWorkload, workloadCorpus, workloadSampler, workloadTrainer, WORKLOADS, type StepPhases, type Workload } from '@eddy/models/workloads';
import { LmBatcher } from '@eddy/text';
import type { Quantization } from '@eddy/models';
import { UsageError } from '../../errors.js';
import { quantization } from '../../quantize.js';

/** The median of `xs` (not empty): the machines are shared and noisy, so timings report medians. */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Un-timed steps before the measured ones: the first steps pay for allocation and JIT tiering. */
const WARMUP = { training: 2, sampling: 50 } as const;

/** What `eddy bench --json` prints, one line per workload. */
export interface BenchResult {
  workload: Workload['name'];
  /** `eddy` on the plain SIMD core, `eddy-relaxed` on the relaxed one (the bench package's peer names). */
  peer: 'eddy' | 'eddy-relaxed';
  /** W1–W3: T·B over the median step time. */
  tokensPerSec?: number;
  /** W4: the median time to draw one character. */
  microsecondsPerChar?: number;
  /** Measured steps (characters for W4). */
  steps: number;
  /** Threads the core ran on (`--threads`; batch-1 sampling, W4, runs on one whatever the count). */
  threads: number;
  /** The weights' storage: 'int8' for W4 with `--quantize int8`, else 'none' (float32). */
  quantize: Quantization | 'none';
  /** W1–W3: the median milliseconds per step of each phase (forward, backward, clip, optimizer, other). */
  phasesMs?: Record<keyof Omit<StepPhases, 'total'>, number>;
}

/** Times `steps` steps of `w` on the active core, after a warm-up. */
function measure(w: Workload, steps: number, quantize: Quantization | null): Pick<BenchResult, 'tokensPerSec' | 'microsecondsPerChar' | 'phasesMs'> {
  if (w.kind === 'sampling') {
    const sampler = workloadSampler(w.config, quantize === null ? {} : { quantize });
    try {
      const ms = timeSteps(steps, WARMUP.sampling, () => sampler.step());
      return { microsecondsPerChar: Math.round(median(ms) * 1e4) / 10 };
    } finally {
      sampler.dispose();
    }
  }
  const { V, B, T } = w.config;
  const windows = new LmBatcher(workloadCorpus(V), { batchSize: B, seqLen: T, dropLast: true });
  const trainer = workloadTrainer(w.config, () => windows.next());
  try {
    const phases: StepPhases[] = [];
    const ms = timeSteps(steps, WARMUP.training, (measured) => {
      const { phases: p } = trainer.step();
      if (measured) phases.push(p);
    });
    const phaseMs = (k: keyof StepPhases): number => Math.round(median(phases.map((p) => p[k])) * 100) / 100;
    return {
      tokensPerSec: Math.round((T * B) / (median(ms) / 1e3)),
      phasesMs: { forward: phaseMs('forward'), backward: phaseMs('backward'), clip: phaseMs('clip'), optimizer: phaseMs('optimizer'), other: phaseMs('other') },
    };
  } finally {
    trainer.dispose();
  }
}

/** Milliseconds of each of `steps` calls of `step` after `warmup` untimed ones (told whether it is measured). */
function timeSteps(steps: number, warmup: number, step: (measured: boolean) => void): number[] {
  const ms: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now();
    step(i >= warmup);
    if (i >= warmup) ms.push(performance.now() - t0);
  }
  return ms;
}

/**
 * The core to run on: the deterministic default (plain SIMD), or with `fast` the relaxed-SIMD build
 * when the engine has it; `note` says why `fast` could not be honoured.
 */
async function chooseCore(fast: boolean, threads: number): Promise<{ core: Core; note: string | null }> {
  const plain = getCore();
  if ((!fast || plain.variant === 'relaxed') && threads === 1) return { core: plain, note: null };
  if (fast && !plain.features.relaxedSimd) {
    return {
      core: threads === 1 ? plain : await loadCore({ threads }),
      note: 'this JavaScript engine has no relaxed SIMD (Node 20 needs node --experimental-wasm-relaxed-simd), so --fast runs on the plain SIMD core.',
    };
  }
  return { core: await loadCore(fast ? { variant: 'relaxed', deterministic: false, threads } : { threads }), note: null };
}

function coreLabel(core: Core): string {
  return core.variant === 'relaxed' ? 'relaxed SIMD (--fast: not bit-identical across machines)' : `plain SIMD (${core.variant === 'simd' ? 'deterministic' : core.variant})`;
}

/** `eddy bench`: W1–W4 (or the --workload ones) in order; a table on stdout, or JSON lines with --json. */
export async function runBench(args: ParsedArgs, io: Io): Promise<number> {
  const json = args.flag('json');
  const wanted = args.list('workload');
  const chosen = WORKLOADS.filter((w) => wanted.length === 0 || wanted.includes(w.name));
  const quantize = quantization(args);
  const training = chosen.filter((w) => w.kind === 'training').map((w) => w.name);
  if (quantize !== null && training.length > 0) {
    throw new UsageError(`--quantize ${quantize} applies to sampling only and ${training.join(', ')} train${training.length === 1 ? 's' : ''} (a quantized model cannot be trained); pass --workload W4.`);
  }
  const { core, note } = await chooseCore(args.flag('fast'), threadCount(args));
  if (note !== null) io.stderr.write(`eddy bench: ${note}\n`);
  const peer = core.variant === 'relaxed' ? 'eddy-relaxed' : 'eddy';
  const previous = getCore();
  useCore(core);
  const results: BenchResult[] = [];
  try {
    for (const w of chosen) {
      const steps = args.optionalNumber('steps') ?? w.steps;
      if (!json) io.stderr.write(`${w.name}: ${describeWorkload(w)}, ${WARMUP[w.kind]} warm-up + ${steps} measured ${w.kind === 'sampling' ? 'characters' : 'steps'}…\n`);
      const result: BenchResult = { workload: w.name, peer, ...measure(w, steps, quantize), steps, threads: core.threads, quantize: quantize ?? 'none' };
      results.push(result);
      if (json) io.stdout.write(JSON.stringify(result) + '\n');
    }
  } finally {
    useCore(previous);
    if (core !== previous) core.close();
  }
  const weights = quantize === null ? '' : `, ${quantize} weights`;
  if (!json) io.stdout.write(table(results) + `core: ${coreLabel(core)}, ${core.threads} thread${core.threads === 1 ? '' : 's'}${weights}\n`);
  return 0;
}

function table(results: readonly BenchResult[]): string {
  const rows = [['workload', 'what', 'result', 'unit', 'steps']];
  for (const r of results) {
    const w = WORKLOADS.find((x) => x.name === r.workload)!;
    const sampling = r.microsecondsPerChar !== undefined;
    rows.push([r.workload, describeWorkload(w), String(sampling ? r.microsecondsPerChar : r.tokensPerSec), sampling ? 'µs/char' : 'tokens/s', String(r.steps)]);
  }
  const widths = rows[0].map((_, j) => Math.max(...rows.map((row) => row[j].length)));
  // Numbers right-aligned, words left-aligned.
  return rows.map((row) => row.map((cell, j) => (j === 2 ? cell.padStart(widths[j]) : cell.padEnd(widths[j]))).join('  ').trimEnd()).join('\n') + '\n';
}
