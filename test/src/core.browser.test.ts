import * as eddy from '@eddy/core-wasm';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, openBrowser, type BrowserSession } from './chromium.js';
import { gemmScenario, lstmScenario } from './scenarios/core.js';

// The package is served as it is published (dist/ and wasm/ side by side, no bundler), so the
// browser entry finds its .wasm at its default URL.
const packageDir = fileURLToPath(new URL('../../packages/core-wasm/', import.meta.url));

/* eslint-disable @typescript-eslint/no-explicit-any */
describe.runIf(browserTestsEnabled)('the core in Chromium', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await openBrowser({ '/core-wasm/': packageDir });
  }, 60_000);
  afterAll(async () => {
    await session?.close();
  });

  /** Loads the browser entry in the page (compileStreaming from 127.0.0.1) and runs a scenario. */
  // Page code is passed as source text: vitest rewrites dynamic imports in functions it transforms.
  async function inBrowser<T>(scenario: (eddy: any, core: any) => T): Promise<T> {
    return session.page.evaluate(`(async () => {
      const eddy = await import('/core-wasm/dist/index.browser.js');
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
