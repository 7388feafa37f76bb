import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The published packages as a user gets them: packed by `npm pack` from their built workspaces,
// and the tools a user would run on them, spawned as a user would.

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The workspaces that are published (not private), e.g. `packages/core-wasm`, by package name. */
export const published: Map<string, string> = (() => {
  const { workspaces } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] };
  const entries = workspaces.map((dir) => [JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')), dir] as const);
  return new Map(entries.filter(([pkg]) => pkg.private !== true).map(([pkg, dir]) => [pkg.name as string, dir]));
})();

/** Packs every published package into `dir`; returns the tarball of each, by package name. */
export async function packPublished(dir: string): Promise<Map<string, string>> {
  const workspaces = [...published.values()].flatMap((w) => ['-w', w]);
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir, ...workspaces], { cwd: repoRoot });
  const packed = JSON.parse(stdout) as { name: string; filename: string }[];
  return new Map(packed.map((p) => [p.name, join(dir, p.filename)]));
}

/** A bin of this workspace's dev dependencies (hoisted to the root by npm workspaces, or not). */
export function bin(name: string): string {
  const local = fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
  return existsSync(local) ? local : join(repoRoot, 'node_modules/.bin', name);
}

/**
 * Runs a command to completion; rejects with its output when it exits non-zero. The npm settings
 * that `npm test` puts into the environment (the monorepo's prefix among them) are left out, so a
 * command run in a scratch app sees only that app.
 */
export function run(command: string, args: string[], options: { cwd: string }): Promise<{ stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${stdout}\n${stderr}`));
    });
  });
}
