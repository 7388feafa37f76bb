import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser, type BrowserSession } from './chromium.js';

const wasmDir = fileURLToPath(new URL('../../packages/core-wasm/wasm/', import.meta.url));

/**
 * Bundles page.ts for the browser (the browser conditions pick @eddy/core-wasm's compileStreaming
 * entry, as a user's bundler would), serves it at /build/ and the core's builds at /wasm/, and waits
 * until `eddyPage` is defined. `isolated` serves every response with COOP/COEP.
 */
export async function openEddyPage({ isolated = false } = {}): Promise<BrowserSession> {
  const bundleDir = mkdtempSync(join(tmpdir(), 'eddy-page-'));
  try {
    await build({
      entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
      outfile: join(bundleDir, 'page.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      logLevel: 'warning',
    });
    const session = await openBrowser({ '/build/': bundleDir, '/wasm/': wasmDir }, { isolated });
    await session.page.addScriptTag({ url: '/build/page.js', type: 'module' });
    await session.page.waitForFunction('globalThis.eddyPage !== undefined');
    return {
      ...session,
      async close() {
        await session.close();
        rmSync(bundleDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(bundleDir, { recursive: true, force: true });
    throw e;
  }
}
