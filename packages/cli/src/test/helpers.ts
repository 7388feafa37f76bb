// Helpers shared by the CLI's tests: run main() in-process with captured streams, run the built
// bin as a child process, make temp folders and small corpora.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../main.js';
import { packageRoot } from '../corpus.js';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** main() in this process, stdout and stderr captured (stderr is not a TTY: plain lines). */
export async function runMain(argv: string[]): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
  });
  return { code, stdout, stderr };
}

/** The built bin (npm run build makes it; turbo builds before testing). */
export function binPath(): string {
  const bin = join(packageRoot(), 'dist', 'cli.js');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build in packages/cli first`);
  return bin;
}

/**
 * Runs `eddy argv…` as a child process: the built dist/cli.js, or with `installed` the command npm
 * links (bin/eddy.js, which also enables relaxed SIMD on Node 20 for --fast).
 */
export function runBin(argv: string[], options: { cwd?: string; installed?: boolean } = {}): SpawnSyncReturns<string> {
  const bin = options.installed ? join(packageRoot(), 'bin', 'eddy.js') : binPath();
  return spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8', cwd: options.cwd, timeout: 120_000 });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'eddy-cli-'));
}

export function writeText(dir: string, name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** One sentence, repeated: small enough to overfit in seconds. */
export const SENTENCE = 'the quick brown fox jumps over the lazy dog. ';

/** Flags of a tiny, fast model for tests. */
export const TINY = ['--hidden', '32', '--layers', '1', '--batch', '4', '--seq-len', '16', '--eval-every', '5'];
