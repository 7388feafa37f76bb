import { main } from '@eddy/cli';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, openBrowser, type BrowserSession } from './chromium.js';

// `eddy inspect --report` writes one self-contained page: in Chromium it must load with no console
// error and no request beyond the page itself, and its cell picker must recolour the heatmap.

const quiet = { stdout: { write: () => true }, stderr: { write: () => true, isTTY: false } };

describe.runIf(browserTestsEnabled)('the eddy inspect report in Chromium', () => {
  let dir: string;
  let session: BrowserSession;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eddy-report-'));
    const corpus = join(dir, 'train.txt');
    writeFileSync(corpus, 'the quick brown fox jumps over the lazy dog. "yes" (no)\n'.repeat(20));
    const tiny = ['--hidden', '16', '--layers', '2', '--batch', '4', '--seq-len', '16', '--eval-every', '10', '--steps', '10'];
    expect(await main(['train', corpus, ...tiny, '--out', join(dir, 'run')], quiet)).toBe(0);
    expect(await main(['inspect', join(dir, 'run'), '--report', join(dir, 'report.html')], quiet)).toBe(0);
    session = await openBrowser({ '/r/': dir });
  });
  afterAll(async () => {
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads offline, without errors, and the picker recolours the text', async () => {
    // A page of its own: the session's first page asked the server for a favicon (a 404).
    const context = await session.page.context().browser()!.newContext();
    const page = await context.newPage();
    const origin = session.origin;
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${origin}/r/report.html`);
    expect(requests).toEqual([`${origin}/r/report.html`]);
    const backgrounds = (): Promise<string[]> => page.$$eval('#heatmap span[data-t]', (spans) => spans.map((s) => (s as HTMLElement).style.background));
    const before = await backgrounds();
    expect(before.length).toBeGreaterThan(10);
    await page.selectOption('#cell-pick', { index: 1 });
    const after = await backgrounds();
    expect(after).toHaveLength(before.length);
    expect(after).not.toEqual(before);
    expect(await page.locator('[data-testid="gradient-plot"] polyline').count()).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  });
});
