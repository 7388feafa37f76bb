import { THREADS_OPTION } from '../../threads.js';
import { withCommonOptions, type CommandSpec } from '../../options.js';
import { QUANTIZE_OPTION } from '../../quantize.js';
import { WORKLOAD_NAMES, WORKLOADS } from '@eddy/models/workloads';

export const BENCH_SPEC: CommandSpec = withCommonOptions({
  name: 'bench',
  short: 'Time the canonical workloads W1–W4 on this machine.',
  summary:
    'Time the canonical workloads on this machine: W1–W3 train a character language model (W1 LSTM 1×256,\n' +
    'W2 GRU 1×256, W3 LSTM 2×512; B 32, T 64, Adam, clip 5) and report tokens/s, W4 samples from a 2×512 LSTM\n' +
    'at batch 1 and reports µs per character. Medians over the measured steps, after a warm-up.',
  positionals: [],
  options: [
    { name: 'workload', type: 'choice', choices: WORKLOAD_NAMES, list: true, valueName: 'W', help: 'workloads to run (default all)' },
    { name: 'steps', type: 'int', min: 1, max: 1_000_000, valueName: 'N', help: `measured steps per workload (default ${WORKLOADS.map((w) => `${w.name} ${w.steps}`).join(', ')}; W4 steps are characters)` },
    { name: 'fast', type: 'flag', help: 'run on the relaxed-SIMD core where the engine has it (faster, not bit-identical across machines)' },
    THREADS_OPTION,
    { ...QUANTIZE_OPTION, help: 'int8: W4 samples on int8 weights, one scale per row (sampling only: W1–W3 train)' },
  ],
  examples: [
    'eddy bench                          # W1–W4 on the deterministic (plain SIMD) core',
    'eddy bench --workload W1,W4 --json  # {"workload":"W1","peer":"eddy","tokensPerSec":…}',
    'eddy bench --fast                   # the relaxed-SIMD core (the eddy command enables it on Node 20)',
    'eddy bench --workload W4 --quantize int8 --json   # {"workload":"W4",…,"quantize":"int8"}',
  ],
});
