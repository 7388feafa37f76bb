import { getCore } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { runBin, runMain } from '../../test/helpers.js';
import { parseArgs } from '../../options.js';
import { threadCount } from '../../threads.js';
import { BENCH_SPEC } from './spec.js';
import { WORKLOAD_NAMES } from '@eddy/models/workloads';

// Tiny step counts: these check the command's interface, never its speed.
describe('eddy bench', () => {
  test('--workload W4 --steps 2 --json prints one JSON line with the sampling latency', async () => {
    const r = await runMain(['bench', '--workload', 'W4', '--steps', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['workload', 'peer', 'microsecondsPerChar', 'steps', 'threads', 'quantize']);
    expect(out).toMatchObject({ workload: 'W4', peer: 'eddy', steps: 2, threads: threadCount(parseArgs(BENCH_SPEC, [])), quantize: 'none' });
    expect(out.microsecondsPerChar).toBeGreaterThan(0);
  });

  test('a comma list runs those workloads in W1–W4 order; training reports tokens/s; a table and the core at the end', async () => {
    const core = getCore();
    const r = await runMain(['bench', '--workload', 'W4,W2', '--steps', '1']);
    expect(r.code, r.stderr).toBe(0);
    // One progress line per workload on stderr, in order.
    expect(r.stderr.split('\n').filter(Boolean).map((l) => l.slice(0, 3))).toEqual(['W2:', 'W4:']);
    expect(r.stdout).toMatch(/^workload +what +result +unit +steps\n/);
    expect(r.stdout).toMatch(/\nW2 +GRU 1×256 training step \(V 65, B 32, T 64\) +\d+ +tokens\/s +1\n/);
    expect(r.stdout).toMatch(/\nW4 +LSTM 2×512 sampling at batch 1 \(V 65\) +\d+(\.\d)? +µs\/char +1\n/);
    expect(r.stdout).toMatch(/\ncore: plain SIMD \(deterministic\), \d+ threads?\n$/);
    // The command hands the process's core back as it found it.
    expect(getCore()).toBe(core);
  });

  test('--fast runs on the relaxed core, or says in one sentence that the engine has none and runs on the plain one', async () => {
    const r = await runMain(['bench', '--workload', 'W4', '--steps', '1', '--fast', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { peer: string };
    if (getCore().features.relaxedSimd) {
      expect(out.peer).toBe('eddy-relaxed');
      expect(r.stderr).toBe('');
    } else {
      expect(out.peer).toBe('eddy');
      expect(r.stderr).toMatch(/^eddy bench: this JavaScript engine has no relaxed SIMD \(Node 20 needs node --experimental-wasm-relaxed-simd\), so --fast runs on the plain SIMD core\.\n$/);
    }
  });

  test('--threads N runs on N threads and says so in every JSON line', async () => {
    for (const threads of [1, 2]) {
      const r = await runMain(['bench', '--workload', 'W2', '--steps', '1', '--threads', String(threads), '--json']);
      expect(r.code, r.stderr).toBe(0);
      const line = JSON.parse(r.stdout) as { workload: string; threads: number; tokensPerSec: number; phasesMs: Record<string, number> };
      expect(line).toMatchObject({ workload: 'W2', threads });
      // A training line carries the step's phases: forward and backward take time, and the phases fit in the step.
      expect(Object.keys(line.phasesMs)).toEqual(['forward', 'backward', 'clip', 'optimizer', 'other']);
      expect(line.phasesMs.forward).toBeGreaterThan(0);
      expect(line.phasesMs.backward).toBeGreaterThan(0);
      const stepMs = (1000 * 32 * 64) / line.tokensPerSec;
      expect(Object.values(line.phasesMs).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(stepMs * 1.01 + 0.05);
    }
    expect(runBin(['bench', '--threads', '0']).status).toBe(2);
  });

  test('--quantize int8 samples W4 on int8 weights and says so; training workloads and unknown kinds are refused (exit 2)', async () => {
    const r = await runMain(['bench', '--workload', 'W4', '--steps', '2', '--quantize', 'int8', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ workload: 'W4', quantize: 'int8', steps: 2 });
    expect(out.microsecondsPerChar).toBeGreaterThan(0);
    const training = runBin(['bench', '--quantize', 'int8']);
    expect(training.status).toBe(2);
    expect(training.stderr).toBe('eddy: --quantize int8 applies to sampling only and W1, W2, W3 train (a quantized model cannot be trained); pass --workload W4.\n');
    const bad = runBin(['bench', '--workload', 'W4', '--quantize', 'int4']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("eddy: --quantize expects one of none, int8, got 'int4'; did you mean int8?\n");
  });

  test('an unknown workload is one sentence with a did-you-mean and exit code 2', () => {
    const r = runBin(['bench', '--workload', 'W1,w4']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("eddy: --workload expects one of W1, W2, W3, W4, got 'w4'; did you mean W4?\n");
    expect(r.stdout).toBe('');
    const tie = runBin(['bench', '--workload', 'W5', '--json']);
    expect(tie.status).toBe(2);
    expect(tie.stderr).toBe("eddy: --workload expects one of W1, W2, W3, W4, got 'W5'.\n");
    expect(JSON.parse(tie.stdout)).toEqual({ error: { code: 'E_USAGE', message: "--workload expects one of W1, W2, W3, W4, got 'W5'." } });
  });

  test('--help lists the options, the workloads and their default steps', async () => {
    const r = await runMain(['bench', '--help']);
    expect(r.code).toBe(0);
    for (const o of BENCH_SPEC.options) expect(r.stdout).toContain(`--${o.name}`);
    expect(r.stdout).toContain(`--workload ${WORKLOAD_NAMES.join('|')}`);
    expect(r.stdout).toMatch(/W1 20, W2 20, W3 8, W4 1000/);
    expect((await runMain(['--help'])).stdout).toMatch(/\n  bench +Time the canonical workloads/);
  });
});
