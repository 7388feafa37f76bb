import { loadSafetensors } from '@eddy/models';
import { tokenizerFromConfig, Vocab } from '@eddy/text';
import fc from 'fast-check';
import { argsTarget } from '../../../packages/cli/src/test/fuzz-args.js';
import { safetensorsTarget } from '../../../packages/models/src/test/fuzz-safetensors.js';
import { labelledTarget, wordVectorsTarget } from '../../../packages/text/src/test-fuzz-classification.js';
import { tokenizerConfigTarget, vocabTarget } from '../../../packages/text/src/test-fuzz-configs.js';
import { bleuTarget, parallelLinesTarget } from '../../../packages/text/src/test-fuzz-parallel.js';
import { treesTarget } from '../../../packages/text/src/test-fuzz-trees.js';
import { eddyErrorOf, FuzzFailure, fuzzCase, type FuzzTarget } from '../../../packages/text/src/test-fuzz.js';
import type { Report } from '../report.js';

// The long mode of the property-based fuzz tests (the same targets the packages' suites run with
// CI budgets), and the hostile files of issue 16 at full size. Reports, per target: inputs tried,
// results, typed errors, generic errors (must be 0), hangs (cases past the watchdog), leaks, the
// slowest case; and the process's peak RSS. `npm run bench -- fuzz [--quick]`.

const TARGETS: FuzzTarget<never>[] = [
  safetensorsTarget, vocabTarget, tokenizerConfigTarget, argsTarget, treesTarget, labelledTarget, wordVectorsTarget,
  parallelLinesTarget, bleuTarget,
] as FuzzTarget<never>[];

/** Inputs generated at a time (a batch is sampled up front; new seed per batch). */
const BATCH = 500;

interface Tally {
  inputs: number;
  ok: number;
  typed: number;
  generic: number;
  hangs: number;
  leaks: number;
  slowestMs: number;
  firstGeneric: string | null;
}

function runCase(target: FuzzTarget<never>, input: never, t: Tally): void {
  const start = performance.now();
  try {
    t[fuzzCase(target, input)]++;
  } catch (e) {
    if (e instanceof FuzzFailure) t[e.kind === 'hang' ? 'hangs' : 'leaks']++;
    else {
      t.generic++;
      t.firstGeneric ??= `${(e as Error)?.name}: ${(e as Error)?.message}`.slice(0, 200);
    }
  }
  t.inputs++;
  t.slowestMs = Math.max(t.slowestMs, performance.now() - start);
}

const enc = new TextEncoder();
function safetensorsFile(header: string): Uint8Array {
  const h = enc.encode(header);
  const out = new Uint8Array(8 + h.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  return out;
}

/** The hostile files issue 16 reports, at the sizes it reports them (each built only when run). */
const ISSUE_CASES: Array<[string, FuzzTarget<never>['typed'], () => () => unknown]> = [
  ['safetensors: 99 MB header of "["', eddyErrorOf(['E_FORMAT']), () => {
    const bytes = safetensorsFile(`{"w":${'['.repeat(99_000_000)}`);
    return () => loadSafetensors(bytes);
  }],
  ['safetensors: 10⁶ zero-size tensors', eddyErrorOf(['E_FORMAT']), () => {
    const bytes = safetensorsFile(`{${Array.from({ length: 1_000_000 }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`).join(',')}}`);
    return () => loadSafetensors(bytes);
  }],
  ['safetensors: 99 MB metadata string', eddyErrorOf([]), () => {
    const bytes = safetensorsFile(`{"__metadata__":{"k":"${'x'.repeat(99_000_000)}"}}`);
    return () => loadSafetensors(bytes);
  }],
  ['vocab: 2 000 symbols of 16 384 units', eddyErrorOf(['E_FORMAT']), () => {
    const json = { format: 'eddy-vocab', version: 1, symbols: ['<pad>', '<unk>', '<bos>', '<eos>', ...Array.from({ length: 2000 }, (_, i) => String(i).padEnd(16_384, 'x'))] };
    return () => Vocab.fromJSON(json);
  }],
  ['bpe: 2 × 10⁶ merges of 256-byte tokens', eddyErrorOf(['E_FORMAT']), () => {
    const merges: [number, number][] = [[4, 4]];
    for (let i = 1; i < 2_000_000; i++) merges.push([260 + Math.min(i - 1, 6), 260 + Math.min(i - 1, 6)]);
    const config = { type: 'bpe', version: 1, vocab: { format: 'eddy-vocab', version: 1, symbols: ['<pad>', '<unk>', '<bos>', '<eos>'] }, merges };
    return () => tokenizerFromConfig(config);
  }],
  ['word: pattern (\\w+\\s?)+$ from a file', eddyErrorOf(['E_FORMAT']), () => {
    const config = { type: 'word', version: 1, vocab: { format: 'eddy-vocab', version: 1, symbols: ['<pad>', '<unk>', '<bos>', '<eos>'] }, pattern: '(\\w+\\s?)+$', lowercase: false, separator: ' ', newlineAsEos: false };
    return () => tokenizerFromConfig(config).encode('a'.repeat(40) + '!');
  }],
];

export async function fuzz(report: Report, options: { quick: boolean }): Promise<void> {
  const perTarget = options.quick ? 2_000 : 20_000;
  const started = performance.now();
  for (const target of TARGETS) {
    const t: Tally = { inputs: 0, ok: 0, typed: 0, generic: 0, hangs: 0, leaks: 0, slowestMs: 0, firstGeneric: null };
    for (let seed = 1; t.inputs < perTarget; seed++) {
      for (const input of fc.sample(target.arbitrary, { numRuns: Math.min(BATCH, perTarget - t.inputs), seed })) runCase(target, input, t);
    }
    report.row({ bench: 'fuzz', target: target.name, inputs: t.inputs, ok: t.ok, typed: t.typed, generic: t.generic, hangs: t.hangs, leaks: t.leaks, slowest_ms: Math.round(t.slowestMs), first_generic: t.firstGeneric });
  }
  for (const [name, typed, build] of ISSUE_CASES) {
    const t: Tally = { inputs: 0, ok: 0, typed: 0, generic: 0, hangs: 0, leaks: 0, slowestMs: 0, firstGeneric: null };
    runCase({ name, arbitrary: fc.constant(null), run: build(), typed } as unknown as FuzzTarget<never>, null as never, t);
    report.row({ bench: 'fuzz', target: name, inputs: t.inputs, ok: t.ok, typed: t.typed, generic: t.generic, hangs: t.hangs, leaks: t.leaks, slowest_ms: Math.round(t.slowestMs), first_generic: t.firstGeneric });
  }
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  report.table(`Fuzz: every input ends in a result or a typed error (${((performance.now() - started) / 1000).toFixed(0)} s; peak RSS ${peakMb} MB)`, ['target', 'inputs', 'ok', 'typed', 'generic', 'hangs', 'leaks', 'slowest_ms', 'first_generic']);
  report.row({ bench: 'fuzz', target: 'process', peak_rss_mb: peakMb });
  report.clear();
}
