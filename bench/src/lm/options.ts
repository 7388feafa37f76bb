import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options of the `lm` suite, parsed from the command line (`--steps 300` or `--steps=300`). */
export interface LmOptions {
  /** Folder holding tinyshakespeare/ and ptb/ (default: ../shared/data from the repository root). */
  data: string;
  /** Training steps of the char-rnn run (default 300). */
  steps: number;
  /** PTB epochs (default 1). */
  ptbEpochs: number;
  /** Cap on PTB training steps, for quick runs (default: none). */
  ptbSteps: number | null;
  /** Which tasks to run. */
  tasks: Array<'char' | 'ptb'>;
  /** The Python interpreter that has torch (default /usr/bin/python3); null: skip PyTorch. */
  python: string | null;
  /** Seed of both peers (default 123, char-rnn's). */
  seed: number;
  /** Eddy's relaxed-SIMD build (fused multiply-add; not bit-reproducible across machines). */
  relaxed: boolean;
  /** PyTorch's BLAS: OpenBLAS (AVX-512, the default), Netlib's reference BLAS (Debian's build default), or both. */
  blas: Array<'openblas' | 'refblas'>;
  /** Eddy's thread count (default 1). */
  threads: number;
  /** PyTorch's thread counts, one run each (default [1]). */
  torchThreads: number[];
}

/** Flags of this suite that take a value: main.ts must not read their values as suite names. */
export const LM_VALUE_FLAGS = ['--data', '--steps', '--ptb-epochs', '--ptb-steps', '--tasks', '--python', '--seed', '--blas', '--threads', '--torch-threads'];

/** The repository root: bench/dist/main.js (or bench/src/lm/*.ts) lives two or three levels below. */
export function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  // dist/main.js → bench/dist; walk up to the folder that holds bench/.
  while (!dir.endsWith('/bench') && dirname(dir) !== dir) dir = dirname(dir);
  return dirname(dir);
}

export class LmOptionError extends Error {}

export function parseLmOptions(argv: string[], quick: boolean): LmOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (!LM_VALUE_FLAGS.includes(flag)) continue;
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value.startsWith('--')) throw new LmOptionError(`lm: ${flag} needs a value`);
    values.set(flag, value);
  }
  const int = (flag: string, fallback: number, min: number): number => {
    const v = values.get(flag);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new LmOptionError(`lm: ${flag} must be an integer ≥ ${min}, got ${v}`);
    return n;
  };
  const data = values.get('--data');
  const tasks = (values.get('--tasks') ?? 'char,ptb').split(',').map((t) => t.trim());
  for (const t of tasks) if (t !== 'char' && t !== 'ptb') throw new LmOptionError(`lm: --tasks takes char, ptb or char,ptb, got ${t}`);
  const python = argv.includes('--no-pytorch') ? null : values.get('--python') ?? '/usr/bin/python3';
  const blasArg = values.get('--blas') ?? 'openblas';
  const blas = blasArg === 'both' ? ['openblas', 'refblas'] : [blasArg];
  if (!blas.every((b) => b === 'openblas' || b === 'refblas')) throw new LmOptionError(`lm: --blas takes openblas, refblas or both, got ${blasArg}`);
  const torchThreadsArg = values.get('--torch-threads') ?? '1';
  const torchThreads = torchThreadsArg.split(',').map(Number);
  if (!torchThreads.every((n) => Number.isInteger(n) && n >= 1)) throw new LmOptionError(`lm: --torch-threads takes integers ≥ 1 separated by commas, got ${torchThreadsArg}`);
  return {
    data: data === undefined ? resolve(repositoryRoot(), '../shared/data') : isAbsolute(data) ? data : resolve(process.cwd(), data),
    steps: int('--steps', quick ? 50 : 300, 1),
    ptbEpochs: int('--ptb-epochs', 1, 1),
    ptbSteps: values.has('--ptb-steps') ? int('--ptb-steps', 0, 1) : quick ? 100 : null,
    tasks: tasks as LmOptions['tasks'],
    python,
    seed: int('--seed', 123, 0),
    relaxed: argv.includes('--relaxed'),
    blas: blas as LmOptions['blas'],
    threads: int('--threads', 1, 1),
    torchThreads,
  };
}
