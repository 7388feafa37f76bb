import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, packPublished, published, repoRoot, run } from './packages.js';

// Each published package as packed: what publint (--strict) and arethetypeswrong (--profile
// esm-only: ESM for Node 16+ and bundlers) say about it, and what a user finds inside.

describe('the packed packages', () => {
  let work: string;
  let tarballs: Map<string, string>;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'eddy-packs-'));
    tarballs = await packPublished(work);
  }, 60_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Unpacks a tarball (into `<work>/<name>/package/`) and returns that folder. */
  async function unpacked(name: string): Promise<string> {
    const dir = join(work, name.replace('/', '+'));
    mkdirSync(dir, { recursive: true });
    await run('tar', ['-xzf', tarballs.get(name)!, '-C', dir], { cwd: work });
    return join(dir, 'package');
  }

  it('are every published workspace', () => {
    expect([...tarballs.keys()].sort()).toEqual([...published.keys()].sort());
    expect(tarballs.size).toBeGreaterThanOrEqual(5);
  });

  describe.each([...published.keys()])('%s', (name) => {
    it('passes publint --strict', async () => {
      const { stdout } = await run(bin('publint'), ['run', tarballs.get(name)!, '--strict'], { cwd: work });
      expect(stdout).toContain('All good!');
    });

    it('passes arethetypeswrong --profile esm-only', async () => {
      await run(bin('attw'), [tarballs.get(name)!, '--profile', 'esm-only', '--format', 'ascii'], { cwd: work });
    });

    it('ships the MIT LICENSE and says where it comes from', async () => {
      const dir = await unpacked(name);
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(repoRoot, 'LICENSE'), 'utf8'));
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      expect(pkg.license).toBe('MIT');
      expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/eddy-rnn/eddy.git', directory: published.get(name) });
      expect(pkg.homepage).toMatch(/^https:\/\/github\.com\/eddy-rnn\/eddy\//);
      expect(pkg.bugs).toEqual({ url: 'https://github.com/eddy-rnn/eddy/issues' });
      expect(pkg.author).toBe('Eddy contributors');
      expect(pkg.keywords.length).toBeGreaterThan(2);
    });

    it('publishes source maps only with their sources inside', async () => {
      const dir = await unpacked(name);
      const maps = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.map'));
      for (const file of maps) {
        const map = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
        expect(map.sourcesContent?.length, file).toBe(map.sources.length);
        expect(map.sourcesContent!.every((s) => typeof s === 'string' && s.length > 0), file).toBe(true);
      }
    });
  });
});
