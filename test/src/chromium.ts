import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// Runs pages in Debian's Chromium (driven by playwright-core; never a downloaded browser), served
// from 127.0.0.1 by a server this process starts and stops. Playwright gives the browser a fresh,
// empty profile.

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];

/** The flags every test launch passes (as root, on a closed network; see TOOLCHAIN.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** The Chromium binary, if installed. */
export const chromiumPath = CANDIDATES.find((p) => existsSync(p));

/**
 * Whether browser tests run here: in CI Chromium must exist (.ci/run installs Debian's package),
 * elsewhere a missing browser skips them with a note instead of failing every developer without it.
 */
export const browserTestsEnabled = chromiumPath !== undefined || process.env.CI === 'true';
if (!browserTestsEnabled) console.warn('browser tests skipped: Chromium not found (apt-get install chromium)');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.html': 'text/html',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, threads). */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Serves `routes` (URL path → file) and `/` as an empty page; `isolated` adds the COOP/COEP headers. */
function serve(routes: Record<string, string>, isolated: boolean): Promise<Server> {
  const server = createServer((req, res) => {
    if (isolated) for (const [name, value] of Object.entries(ISOLATION)) res.setHeader(name, value);
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>eddy</title>');
      return;
    }
    const mount = Object.keys(routes).find((prefix) => path.startsWith(prefix));
    const file = mount ? join(routes[mount], path.slice(mount.length)) : undefined;
    if (!file || !file.startsWith(routes[mount!]) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

export interface BrowserSession {
  page: Page;
  origin: string;
  close(): Promise<void>;
}

/**
 * Starts the server for `routes` (URL prefix → folder) and opens a page at its root; with
 * `isolated`, every response carries COOP/COEP so the page is cross-origin isolated.
 */
export async function openBrowser(routes: Record<string, string>, { isolated = false } = {}): Promise<BrowserSession> {
  if (!chromiumPath) throw new Error('Chromium not found: apt-get install chromium (or set CHROMIUM_PATH)');
  const server = await serve(routes, isolated);
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: CHROMIUM_ARGS,
    });
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    return {
      page,
      origin,
      async close() {
        await browser?.close();
        await new Promise((r) => server.close(r));
      },
    };
  } catch (e) {
    await browser?.close();
    server.close();
    throw e;
  }
}
