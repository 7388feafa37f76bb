import * as ag from '@eddy/autograd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, type BrowserSession } from './chromium.js';
import { openEddyPage } from './page-session.js';
import { SPLITTING, seededTrainingLosses } from './scenarios/training.js';

// A threaded core in Chromium: a cross-origin-isolated page (COOP/COEP) trains on 2 threads (Web
// Workers on a shared memory) and gets Node's one-thread losses bit for bit; the same page without
// the headers falls back to one thread, says why, and gets them too.

type Run = { threads: number; fallback: string | null; splitCalls: number; losses: number[] };
const STEPS = 6;
const train = (session: BrowserSession) =>
  session.page.evaluate(`eddyPage.threadedTraining('/wasm/eddy-core.wasm', '/wasm/eddy-core.threads.wasm', ${STEPS})`) as Promise<Run>;

describe.runIf(browserTestsEnabled)('threads in Chromium', () => {
  let node: number[];
  beforeAll(() => {
    node = seededTrainingLosses(ag, STEPS, 2024, SPLITTING);
    expect(node.every(Number.isFinite)).toBe(true);
    expect(node[STEPS - 1]).toBeLessThan(node[0]); // it learns: the comparison covers real updates
  });

  describe('a cross-origin-isolated page', () => {
    let session: BrowserSession;
    beforeAll(async () => {
      session = await openEddyPage({ isolated: true });
    });
    afterAll(async () => {
      await session?.close();
    });

    it('trains on 2 threads, splitting its GEMMs, with the losses of one thread in Node', async () => {
      const run = await train(session);
      expect(run.fallback).toBeNull();
      expect(run.threads).toBe(2);
      expect(run.splitCalls).toBeGreaterThanOrEqual(STEPS * 3); // the readout forward, its dX and dW, every step
      expect(run.losses).toEqual(node);
    });
  });

  describe('a page without COOP/COEP', () => {
    let session: BrowserSession;
    beforeAll(async () => {
      session = await openEddyPage();
    });
    afterAll(async () => {
      await session?.close();
    });

    it('falls back to one thread, says why, and trains to the same losses', async () => {
      const run = await train(session);
      expect(run.threads).toBe(1);
      expect(run.fallback).toMatch(/2 threads were asked for, but the page is not cross-origin isolated/);
      expect(run.splitCalls).toBe(0);
      expect(run.losses).toEqual(node);
    });
  });
});
