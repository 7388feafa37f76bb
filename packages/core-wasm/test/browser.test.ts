import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as eddy from '../src/index.node.js';
import { chromiumPath, openBrowser, type BrowserSession } from './browser/harness.js';
import { gemmScenario, lstmScenario } from './browser/scenarios.js';

// In CI Chromium must be there (.ci/run installs Debian's package); elsewhere a missing browser
// skips this file with a note instead of failing every developer without it.
const run = chromiumPath !== undefined || process.env.CI === 'true';
if (!run) console.warn('browser tests skipped: Chromium not found (apt-get install chromium)');

/* eslint-disable @typescript-eslint/no-explicit-any */
describe.runIf(run)('the core in Chromium', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await openBrowser();
  }, 60_000);
  afterAll(async () => {
    await session?.close();
  });

  /** Loads the browser entry in the page (compileStreaming from 127.0.0.1) and runs a scenario. */
  // Page code is passed as source text: vitest rewrites dynamic imports in functions it transforms.
  async function inBrowser<T>(scenario: (eddy: any, core: any) => T): Promise<T> {
    return session.page.evaluate(`(async () => {
      const eddy = await import('/dist/index.browser.js');
      const core = await eddy.loadCore();
      return (${scenario.toString()})(eddy, core);
    })()`) as Promise<T>;
  }

  it('loads the plain SIMD build through compileStreaming', async () => {
    expect(await inBrowser((_eddy, core) => core.variant)).toBe('simd');
  });

  it('computes GEMM bit-identically to Node', async () => {
    const node = gemmScenario(eddy, eddy.loadCoreSync());
    const browser = await inBrowser(gemmScenario);
    expect(browser).toEqual(node);
  });

  it('computes a fused bidirectional LSTM forward with ragged lengths bit-identically to Node', async () => {
    const node = lstmScenario(eddy, eddy.loadCoreSync());
    expect(node.flat().every(Number.isFinite)).toBe(true);
    const browser = await inBrowser(lstmScenario);
    expect(browser).toEqual(node);
  });
});
