import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, openBrowser, type BrowserSession } from './chromium.js';
import { bin, packPublished, run } from './packages.js';

// A user's app, as a user makes it: the packed packages installed from their tarballs into a scratch
// app (test/fixtures/scratch-app), whose page does `await ready()` and trains an LSTM, bundled by
// esbuild, Vite and webpack with their default settings, run unbundled and bundled in Node, and
// served as is from a CDN-style folder. Nothing is copied and no loader is configured.

const fixture = fileURLToPath(new URL('../fixtures/scratch-app/', import.meta.url));
const APP_PACKAGES = ['@eddy/core-wasm', '@eddy/autograd', '@eddy/models', '@eddy/text'];
/** The budget for the minified esbuild bundle of the page, wasm included, gzipped. */
const BUDGET_GZIP_BYTES = 80_000;

interface Result {
  losses?: number[];
  relaxed?: string;
  variant?: string;
  error?: string;
}

describe('an app built from the packed packages', () => {
  let work: string;
  let app: string;
  let installed: Promise<void>;
  /** The losses of the unbundled Node run: every other build must reproduce them bit for bit. */
  let reference: Promise<Result>;
  const builds = new Map<string, Promise<unknown>>();
  let session: BrowserSession | undefined;

  const esbuild = (...args: string[]) => run(bin('esbuild'), args, { cwd: app });
  /** Runs a build once the app is installed; each test awaits its own, so one failure fails one test. */
  function build(name: string, steps: () => Promise<unknown>): Promise<unknown> {
    const done = installed.then(steps);
    done.catch(() => {}); // reported by the test that awaits it
    builds.set(name, done);
    return done;
  }
  function html(dir: string, script: string) {
    writeFileSync(join(app, dir, 'index.html'), `<!doctype html><meta charset="utf-8"><title>eddy</title>${script}`);
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'eddy-app-'));
    app = join(work, 'app');
    mkdirSync(join(work, 'packs'));
    cpSync(fixture, app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
    installed = packPublished(join(work, 'packs')).then(async (tarballs) => {
      const files = APP_PACKAGES.map((name) => tarballs.get(name)!);
      await run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...files], { cwd: app });
    });
    installed.catch(() => {});
    reference = installed.then(() => run('node', ['src/index.js'], { cwd: app })).then(({ stdout }) => JSON.parse(stdout));
    reference.catch(() => {});

    build('esm', () => esbuild('src/index.js', '--bundle', '--format=esm', '--outfile=out/esm/main.js').then(
      (out) => (html('out/esm', '<script type="module" src="main.js"></script>'), out)));
    build('iife', () => esbuild('src/index.js', '--bundle', '--format=iife', '--outfile=out/iife/main.js').then(
      (out) => (html('out/iife', '<script src="main.js"></script>'), out)));
    build('relaxed', () => esbuild('src/relaxed.js', '--bundle', '--format=esm', '--outfile=out/relaxed/main.js').then(
      (out) => (html('out/relaxed', '<script type="module" src="main.js"></script>'), out)));
    build('node', () => esbuild('src/index.js', '--bundle', '--platform=node', '--outfile=out/node/main.cjs'));
    build('minified', () => esbuild('src/index.js', '--bundle', '--format=esm', '--minify', '--outfile=out/minified/main.js'));
    // Vite and webpack both build into dist/ by default: one after the other.
    const vite = build('vite', async () => {
      const out = await run(bin('vite'), ['build'], { cwd: app });
      renameSync(join(app, 'dist'), join(app, 'out/vite'));
      return out;
    });
    build('webpack', async () => {
      await vite.catch(() => {});
      const out = await run(bin('webpack'), ['--mode', 'production'], { cwd: app });
      renameSync(join(app, 'dist'), join(app, 'out/webpack'));
      html('out/webpack', '<script src="main.js"></script>');
      return out;
    });

    if (browserTestsEnabled) {
      session = await openBrowser({
        '/esm/': join(app, 'out/esm/'),
        '/iife/': join(app, 'out/iife/'),
        '/relaxed/': join(app, 'out/relaxed/'),
        '/vite/': join(app, 'out/vite/'),
        '/assets/': join(app, 'out/vite/assets/'), // Vite's default base is the server's root
        '/webpack/': join(app, 'out/webpack/'),
        '/app/': `${app}/`,
        '/cdn/': join(app, 'node_modules/'),
      });
    }
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** A build's console output, which must carry no warning: "just works" includes "says nothing". */
  async function built(name: string): Promise<void> {
    const { stdout, stderr } = (await builds.get(name)) as { stdout: string; stderr: string };
    expect(`${stdout}\n${stderr}`).not.toMatch(/warn/i);
  }

  /** Opens a page, waits for its result, and lists the requests that failed. */
  async function visit(path: string): Promise<{ result: Result; failed: string[] }> {
    const { page } = session!;
    const failed: string[] = [];
    const onResponse = (r: Response) => void (r.status() >= 400 && failed.push(`${r.status()} ${new URL(r.url()).pathname}`));
    const onError = (e: Error) => void failed.push(`page error: ${e.message}`);
    page.on('response', onResponse).on('pageerror', onError);
    try {
      await page.goto(`${session!.origin}${path}`);
      await page.waitForFunction('globalThis.eddyResult !== undefined', null, { timeout: 60_000 });
      return { result: (await page.evaluate('globalThis.eddyResult')) as Result, failed };
    } catch (e) {
      throw new Error(`${path} gave no result (${failed.join('; ') || 'no failed request'}): ${(e as Error).message}`, { cause: e });
    } finally {
      page.off('response', onResponse).off('pageerror', onError);
    }
  }

  async function expectLearnsAsInNode(result: Result) {
    expect(result.error).toBeUndefined();
    expect(result.losses).toEqual((await reference).losses);
  }

  /** What a bundled page gets when it asks for the relaxed build by default: an error saying what to do. */
  const RELAXED_ADVICE =
    /^E_LOAD: loadCore: .*; serve a copy of @eddy\/core-wasm\/wasm\/eddy-core\.relaxed\.wasm and pass its address as url, or pass wasm: relaxedWasm from '@eddy\/core-wasm\/relaxed'$/;

  it('unbundled in Node: await ready() and the loss falls', async () => {
    const { losses, error } = await reference;
    expect(error).toBeUndefined();
    expect(losses).toHaveLength(8);
    expect(losses!.every(Number.isFinite)).toBe(true);
    expect(losses![7]).toBeLessThan(0.75 * losses![0]);
  });

  it('in a Node bundle (esbuild --platform=node), run away from node_modules', async () => {
    await built('node');
    const bundle = join(work, 'main.cjs');
    renameSync(join(app, 'out/node/main.cjs'), bundle);
    const { stdout } = await run('node', [bundle], { cwd: work });
    await expectLearnsAsInNode(JSON.parse(stdout));
  });

  it(`the minified esbuild bundle of the page, wasm included, is at most ${BUDGET_GZIP_BYTES / 1000} KB gzipped`, async () => {
    await built('minified');
    const bytes = readFileSync(join(app, 'out/minified/main.js'));
    const gzipped = gzipSync(bytes, { level: 9 }).length;
    console.log(`bundle size: esbuild --minify, esm: ${bytes.length} bytes, ${gzipped} gzipped`);
    expect(gzipped).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  describe.runIf(browserTestsEnabled)('in Chromium', () => {
    it.each([
      ['esbuild --bundle --format=esm', 'esm', '/esm/index.html'],
      ['esbuild --bundle --format=iife', 'iife', '/iife/index.html'],
      ['vite build', 'vite', '/vite/index.html'],
      ['webpack --mode production', 'webpack', '/webpack/index.html'],
    ])('a page bundled by %s', async (_, name, path) => {
      await built(name);
      const { result, failed } = await visit(path);
      await expectLearnsAsInNode(result);
      expect(result.relaxed).toMatch(RELAXED_ADVICE);
      // The default build is embedded: the only request that may fail is the relaxed build's.
      expect(failed.filter((f) => !f.endsWith('/wasm/eddy-core.relaxed.wasm'))).toEqual([]);
    });

    it('a page bundled by esbuild that trains on the relaxed build from @eddy/core-wasm/relaxed', async () => {
      await built('relaxed');
      const { result, failed } = await visit('/relaxed/index.html');
      expect(result.error).toBeUndefined();
      expect(result.variant).toBe('relaxed');
      expect(result.losses![7]).toBeLessThan(0.75 * result.losses![0]);
      expect(failed).toEqual([]);
    });

    it('a <script type=module> page over the packages served as published (an import map to a CDN-style folder)', async () => {
      await installed;
      const { result, failed } = await visit('/app/cdn.html');
      await expectLearnsAsInNode(result);
      expect(result.relaxed).toBe('relaxed'); // found beside the package, fetched by default
      expect(failed).toEqual([]);
    });
  });
});
