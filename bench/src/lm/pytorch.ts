import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { LmConfig } from './config.js';
import type { LmRunResult } from './eddy.js';
import { repositoryRoot } from './options.js';

export interface PytorchResult extends LmRunResult {
  torch: string;
  threads: number;
  torchBlas: string;
  openblasConfig: string | null;
  openblasCore: string | null;
  env: Record<string, string | null>;
}

/**
 * The environment PyTorch runs in: one thread everywhere (torch.set_num_threads(1) in the script as
 * well), and OpenBLAS — which Debian's torch reaches through libblas.so.3 (BLAS_INFO=generic, the
 * alternatives point at openblas-pthread) — pinned to its AVX-512 SkylakeX kernels. OpenBLAS 0.3.21
 * detects SkylakeX on this machine by itself too (OPENBLAS_VERBOSE=2); the pin makes that explicit.
 */
export const PYTORCH_ENV = { OPENBLAS_CORETYPE: 'SkylakeX', OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

/** Null when `python` has torch; otherwise why PyTorch is skipped. */
export function pytorchMissing(python: string): string | null {
  const probe = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.error) return `${python} not found (${probe.error.message})`;
  if (probe.status !== 0) return `${python} cannot import torch and numpy (install Debian's python3-torch)`;
  return null;
}

const SCRIPT = join(repositoryRoot(), 'bench', 'scripts', 'pytorch_lm.py');

/** Runs bench/scripts/pytorch_lm.py on the same ids and configuration; progress lines go to `progress`. */
export function runPytorch(
  python: string, cfg: LmConfig, files: { trainIds: string; valIds: string }, progress: (line: string) => void,
): Promise<PytorchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT, JSON.stringify({ ...cfg, ...files })], {
      env: { ...process.env, ...PYTORCH_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const lines = err.split('\n');
      err = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('pytorch ')) progress(line);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`pytorch_lm.py exited with ${code}: ${(err || out).trim().slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(last) as PytorchResult);
    });
  });
}
