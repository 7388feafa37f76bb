import { useCore } from '@eddy/autograd';
import { loadCore } from '@eddy/core-wasm';
import { charRnnConfig, windowsPerEpoch, zarembaSmallConfig, type LmConfig } from '../lm/config.js';
import { LmDataError, pennTreebank, tinyShakespeare, writeIds, type LmCorpus } from '../lm/data.js';
import { runEddy, type LmRunResult } from '../lm/eddy.js';
import { LmOptionError, parseLmOptions, type LmOptions } from '../lm/options.js';
import { pytorchMissing, runPytorch, type PytorchResult } from '../lm/pytorch.js';
import { pytorchConfigs, withThreads } from '../peers/pytorch.js';
import type { Report } from '../report.js';

export { LM_VALUE_FLAGS } from '../lm/options.js';

/**
 * Language models end to end, Eddy against PyTorch in the same run (not CI; minutes):
 * - char-rnn's defaults on tinyshakespeare (2×128 LSTM on one-hot characters, seq 50, batch 50,
 *   RMSprop 2e-3 α 0.95, gradient clamped to ±5, seed 123) for `--steps` steps, then the
 *   validation loss over the whole held-out 5%. Targets: |Δ loss| ≤ 0.03 nats, Eddy faster.
 * - Zaremba et al.'s small PTB model for `--ptb-epochs` epochs (or `--ptb-steps` steps):
 *   validation perplexity and time per epoch.
 * Options: --data DIR, --steps N, --ptb-epochs N, --ptb-steps N, --tasks char,ptb, --python PATH,
 * --seed N, --no-pytorch, --relaxed (Eddy's relaxed-SIMD build), --blas openblas|refblas|both (PyTorch's
 * BLAS, default openblas), --threads N (Eddy's threads, default 1), --torch-threads LIST (PyTorch's thread
 * counts, one run each, default 1), --quick (50 char steps, 100 PTB steps).
 */
export async function lm(report: Report, options: { quick: boolean }): Promise<void> {
  let opts: LmOptions;
  try {
    opts = parseLmOptions(process.argv.slice(2), options.quick);
  } catch (e) {
    if (!(e instanceof LmOptionError)) throw e;
    console.error(e.message);
    process.exitCode = 2;
    return;
  }
  const core = opts.relaxed || opts.threads > 1 ? await loadCore({ deterministic: !opts.relaxed, threads: opts.threads }) : null;
  if (core !== null) {
    useCore(core);
    if (core.threads !== opts.threads) console.error(`lm: Eddy runs on ${core.threads} thread(s), not ${opts.threads}: ${core.threadsFallback}`);
  }
  const progress = (line: string) => console.error(`  ${line}`);
  let python = opts.python;
  if (python !== null) {
    const missing = pytorchMissing(python);
    if (missing !== null) {
      console.error(`lm: skipping PyTorch: ${missing}`);
      python = null;
    }
  }
  const available = pytorchConfigs();
  const torchConfigs = available.configs.filter((c) => opts.blas.includes(c.peer === 'pytorch-openblas' ? 'openblas' : 'refblas'));
  if (python !== null) {
    for (const b of opts.blas) {
      if (!torchConfigs.some((c) => c.peer === `pytorch-${b}`)) console.error(`lm: ${available.notes.find((n) => n.startsWith(`pytorch-${b}`)) ?? `pytorch-${b} is not available`}`);
    }
  }

  for (const task of opts.tasks) {
    let corpus: LmCorpus;
    try {
      corpus = task === 'char' ? tinyShakespeare(opts.data) : pennTreebank(opts.data);
    } catch (e) {
      if (!(e instanceof LmDataError)) throw e;
      console.error(e.message);
      process.exitCode = 2;
      return;
    }
    const epochWindows = windowsPerEpoch(corpus.train.length, task === 'char' ? 50 : 20, task === 'char' ? 50 : 20);
    const steps = task === 'char' ? opts.steps : Math.min(opts.ptbSteps ?? Infinity, opts.ptbEpochs * epochWindows);
    const cfg: LmConfig = {
      ...(task === 'char' ? charRnnConfig(corpus.vocabSize, steps) : zarembaSmallConfig(corpus.vocabSize, steps)),
      seed: opts.seed,
    };
    progress(
      `${task}: ${corpus.name}, ${corpus.train.length} train / ${corpus.val.length} validation tokens, ` +
        `vocabulary ${corpus.vocabSize} (${corpus.symbols} symbols), ${steps} steps (${epochWindows} per epoch)`,
    );
    const results: LmRunResult[] = [];
    results.push(runEddy(cfg, corpus.train, corpus.val, progress));
    if (python !== null && torchConfigs.length > 0) {
      const files = writeIds(corpus);
      try {
        for (const config of torchConfigs.flatMap((c) => opts.torchThreads.map((t) => withThreads(c, t)))) {
          const py = await runPytorch(python, { ...cfg, threads: config.threads }, files, progress, config);
          results.push(py);
          progress(
            `${config.peer}: torch ${py.torch}, ${py.threads} thread(s), BLAS ${py.torchBlas}` +
              (py.openblasConfig ? ` → ${py.openblasConfig} (core ${py.openblasCore})` : '') +
              `, env ${Object.entries(config.env).map(([k, v]) => `${k}=${v}`).join(' ')}`,
          );
        }
      } finally {
        files.cleanup();
      }
    }
    for (const r of results) {
      const tokens = r.steps * cfg.seqLen * cfg.batch;
      const phases = r.phasesSeconds;
      report.row({
        bench: 'lm', task, corpus: corpus.name, peer: r.peer, threads: 'torchBlas' in r ? (r as PytorchResult).threads : core?.threads ?? 1, steps: r.steps, epochs: round(r.steps / epochWindows, 3),
        valLoss: round(r.valLoss, 4),
        nats: r.valLoss.toFixed(4),
        bitsPerChar: task === 'char' ? round(r.valLoss / Math.LN2, 4) : null,
        perplexity: task === 'ptb' ? round(Math.exp(r.valLoss), 2) : null,
        trainSeconds: round(r.trainSeconds, 2),
        msPerStep: round((1000 * r.trainSeconds) / r.steps, 2),
        tokensPerSec: Math.round(tokens / r.trainSeconds),
        secondsPerEpoch: round((r.trainSeconds / r.steps) * epochWindows, 1),
        evalSeconds: round(r.evalSeconds, 2),
        lastTrainLoss: r.lastTrainLoss === null ? null : round(r.lastTrainLoss, 4),
        ...Object.fromEntries(Object.entries(phases).map(([k, v]) => [`${k}Ms`, round((1000 * v) / r.steps, 2)])),
        ...('torchBlas' in r ? { blas: String((r as PytorchResult).openblasCore ?? (r as PytorchResult).torchBlas) } : {}),
      });
    }
    const metric = task === 'char' ? 'bitsPerChar' : 'perplexity';
    report.table(
      task === 'char'
        ? `char-rnn defaults on tinyshakespeare (2×128 LSTM, one-hot input, seq 50, batch 50, RMSprop 2e-3, clamp 5, seed ${cfg.seed})`
        : `Zaremba small on PTB (2×200 LSTM, embedding 200, unroll 20, batch 20, SGD lr 1, norm clip 5, U(±0.1), seed ${cfg.seed})`,
      ['peer', 'threads', 'steps', 'nats', metric, 'trainSeconds', 'msPerStep', 'tokensPerSec', 'secondsPerEpoch', 'evalSeconds',
        'batchingMs', 'forwardMs', 'backwardMs', 'clipMs', 'optimizerMs', 'otherMs'],
    );
    const [eddy, ...torches] = results;
    for (const torch of torches) {
      const delta = eddy.valLoss - torch.valLoss;
      const speedup = torch.trainSeconds / eddy.trainSeconds;
      const lossOk = task === 'char' ? Math.abs(delta) <= 0.03 : null;
      const timeOk = eddy.trainSeconds < torch.trainSeconds;
      report.row({
        bench: 'lm-compare', task, vs: torch.peer, vsThreads: (torch as PytorchResult).threads, steps: eddy.steps, valLossDelta: round(delta, 4),
        perplexityRatio: task === 'ptb' ? round(Math.exp(delta), 3) : null,
        speedup: round(speedup, 2), lossTarget: lossOk, timeTarget: timeOk,
      });
      if (!report.json) {
        console.log(
          `${task} vs ${torch.peer} on ${(torch as PytorchResult).threads} thread(s): Δ valLoss (eddy − pytorch) ${delta >= 0 ? '+' : ''}${delta.toFixed(4)} nats` +
            (task === 'ptb' ? ` (perplexity ratio ${Math.exp(delta).toFixed(3)})` : ` (target |Δ| ≤ 0.03: ${lossOk ? 'met' : 'MISSED'})`) +
            `; training time pytorch / eddy ${speedup.toFixed(2)}× (target > 1: ${timeOk ? 'met' : 'MISSED'})`,
        );
      }
    }
    report.clear();
  }
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
