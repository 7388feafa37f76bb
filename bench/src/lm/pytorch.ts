import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { LmConfig } from './config.js';
import type { LmRunResult } from './eddy.js';
import { repositoryRoot } from './options.js';
import type { PytorchConfig } from '../peers/pytorch.js';

export interface PytorchResult extends LmRunResult {
  /** `pytorch-openblas` or `pytorch-refblas`. */
  peer: string;
  torch: string;
  threads: number;
  torchBlas: string;
  openblasConfig: string | null;
  openblasCore: string | null;
  env: Record<string, string | null>;
}

/**
 * The environment PyTorch runs in comes from the workloads' `pytorchConfigs` (peers/pytorch.ts): one
 * thread everywhere (torch.set_num_threads(1) in the script as well) and the BLAS chosen per process
 * with LD_LIBRARY_PATH — OpenBLAS pinned to its AVX-512 SkylakeX kernels, or Netlib's reference BLAS
 * (Debian's build configuration). The script reports which libblas it actually mapped.
 */
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
  config: PytorchConfig,
): Promise<PytorchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT, JSON.stringify({ ...cfg, ...files })], {
      env: { ...process.env, ...config.env },
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
      resolve({ ...(JSON.parse(last) as PytorchResult), peer: config.peer });
    });
  });
}
