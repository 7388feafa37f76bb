import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * PyTorch as a peer: bench/scripts/pytorch_workloads.py run by Debian's /usr/bin/python3
 * (python3-torch 1.13; the first python3 on PATH may lack torch), one thread, in two BLAS
 * configurations chosen per process by LD_LIBRARY_PATH (torch links libblas.so.3, which Debian's
 * alternatives point at one implementation for the whole machine):
 *
 * - `pytorch-refblas`: Netlib's reference BLAS (libblas3) — Debian's default build configuration.
 * - `pytorch-openblas`: OpenBLAS 0.3.21 (libopenblas0-pthread) with OPENBLAS_CORETYPE set from the
 *   CPU's flags (SkylakeX with AVX-512, Haswell — also Zen's kernels — with AVX2 and FMA: 0.3.21 does
 *   not recognise these virtual CPUs and would fall back to SSE3 kernels; forcing SkylakeX on a CPU
 *   without AVX-512 would crash) and OPENBLAS_NUM_THREADS=1.
 *
 * The script reports which libblas it actually mapped and a 512 GEMM's GFLOP/s, so a run that got
 * the wrong BLAS shows.
 */
export const PYTHON = '/usr/bin/python3';
const MULTIARCH = '/usr/lib/x86_64-linux-gnu';

export interface PytorchConfig {
  peer: 'pytorch-refblas' | 'pytorch-openblas';
  env: Record<string, string>;
}

export type PytorchRow = Record<string, string | number | boolean | null>;

/** Whether /usr/bin/python3 can import torch (null) or why not. */
export function pytorchMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? null : `${PYTHON} cannot import torch (install python3-torch)`;
}

/**
 * The BLAS configurations available on this machine, and notes for the missing ones. The reference
 * BLAS is looked for in EDDY_REFBLAS_DIR, then where libblas3 installs it.
 */
export function pytorchConfigs(): { configs: PytorchConfig[]; notes: string[] } {
  const configs: PytorchConfig[] = [];
  const notes: string[] = [];
  const threads = { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const refblas = [process.env.EDDY_REFBLAS_DIR, `${MULTIARCH}/blas`].find((d) => d && existsSync(join(d, 'libblas.so.3')));
  if (refblas) configs.push({ peer: 'pytorch-refblas', env: { ...threads, LD_LIBRARY_PATH: refblas } });
  else {
    notes.push(
      'pytorch-refblas skipped: no reference libblas.so.3 (install libblas3, or unpack its .deb and set EDDY_REFBLAS_DIR ' +
        'to the folder holding libblas.so.3)',
    );
  }
  const openblas = `${MULTIARCH}/openblas-pthread`;
  if (existsSync(join(openblas, 'libblas.so.3'))) {
    configs.push({
      peer: 'pytorch-openblas',
      env: { ...threads, LD_LIBRARY_PATH: openblas, ...openblasCoreType(), OPENBLAS_NUM_THREADS: '1' },
    });
  } else notes.push('pytorch-openblas skipped: libopenblas0-pthread is not installed');
  return { configs, notes };
}

/** The OpenBLAS kernels this CPU can run: the widest its flags allow, else OpenBLAS's own choice. */
function openblasCoreType(): Record<string, string> {
  let flags = '';
  try {
    flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '';
  } catch {
    return {};
  }
  const has = (f: string): boolean => new RegExp(`\\b${f}\\b`).test(flags);
  if (has('avx512f')) return { OPENBLAS_CORETYPE: 'SkylakeX' };
  if (has('avx2') && has('fma')) return { OPENBLAS_CORETYPE: 'Haswell' };
  return {};
}

/**
 * The configuration at `threads` threads (torch.set_num_threads, OpenMP, MKL and OpenBLAS alike): the
 * peer stays the same, its rows carry the count, and a suite takes the best count per round.
 */
export function withThreads(config: PytorchConfig, threads: number): PytorchConfig & { threads: number } {
  const n = String(threads);
  const env: Record<string, string> = { ...config.env, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
  if (config.peer === 'pytorch-openblas') env.OPENBLAS_NUM_THREADS = n;
  return { ...config, env, threads };
}

function script(): string {
  // dist/main.js → ../scripts; src/peers/pytorch.ts → ../../scripts
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '../scripts/pytorch_workloads.py'), join(here, '../../scripts/pytorch_workloads.py')];
  return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

/** Runs the script in one configuration; resolves with its JSON lines. */
export function runPytorch(config: PytorchConfig & { threads?: number }, options: { quick: boolean; only?: string[] }): Promise<PytorchRow[]> {
  const args = [script(), '--peer', config.peer, '--threads', String(config.threads ?? 1)];
  if (options.quick) args.push('--quick');
  if (options.only) args.push('--only', options.only.join(','));
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { env: { ...process.env, ...config.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`${config.peer}: ${PYTHON} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' ')}`));
        return;
      }
      resolve(out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as PytorchRow));
    });
  });
}
