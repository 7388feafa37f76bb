import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './corpus.js';

// The installed command (bin/eddy.js), not just main(): on Node 20 it must enable relaxed SIMD
// itself, so that `eddy bench --fast` runs the relaxed core without `node --experimental-…`.
describe('bin/eddy.js', () => {
  it('runs `bench --fast` on the relaxed-SIMD core without any node flag', () => {
    const bin = join(packageRoot(), 'bin', 'eddy.js');
    const r = spawnSync(process.execPath, [bin, 'bench', '--workload', 'W4', '--steps', '5', '--fast', '--json'], {
      encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(r.status, r.stderr).toBe(0);
    const row = JSON.parse(r.stdout.trim().split('\n')[0]) as { workload: string; peer: string; microsecondsPerChar: number };
    expect(row).toMatchObject({ workload: 'W4', peer: 'eddy-relaxed' });
    expect(row.microsecondsPerChar).toBeGreaterThan(0);
  });

  it('keeps the deterministic plain-SIMD core by default', () => {
    const bin = join(packageRoot(), 'bin', 'eddy.js');
    const r = spawnSync(process.execPath, [bin, 'bench', '--workload', 'W4', '--steps', '5', '--json'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n')[0])).toMatchObject({ workload: 'W4', peer: 'eddy' });
  });
});
