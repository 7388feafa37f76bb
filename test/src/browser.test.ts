import * as ag from '@eddy/autograd';
import * as models from '@eddy/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, type BrowserSession } from './chromium.js';
import { openEddyPage } from './page-session.js';
import * as text from '@eddy/text';
import { bidirectionalLstm } from './scenarios/bilstm.js';
import { predictFromBytes, trainedModel, type Kind } from './scenarios/from-bytes.js';
import { seededTrainingLosses } from './scenarios/training.js';

describe.runIf(browserTestsEnabled)('autograd and models in Chromium', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await openEddyPage();
  });
  afterAll(async () => {
    await session?.close();
  });

  it('a seeded 20-step training run gives bit-identical losses in Node and Chromium', async () => {
    const node = seededTrainingLosses(ag, 20);
    expect(node.every(Number.isFinite)).toBe(true);
    expect(node[19]).toBeLessThan(node[0]); // it learns, so the comparison covers real updates
    const browser = (await session.page.evaluate('eddyPage.training("/wasm/eddy-core.wasm", 20)')) as {
      variant: string;
      losses: number[];
    };
    expect(browser.variant).toBe('simd');
    expect(browser.losses).toEqual(node);
  });

  it('a 2-layer bidirectional LSTM with ragged lengths gives the same outputs as in Node', async () => {
    const node = bidirectionalLstm(ag, models);
    expect(node[0].length).toBe(7 * 3 * 12);
    expect(node.flat().every(Number.isFinite)).toBe(true);
    const browser = await session.page.evaluate('eddyPage.bidirectionalLstm("/wasm/eddy-core.wasm")');
    expect(browser).toEqual(node);
  });

  it.each(['classifier', 'tree', 'rntn', 'language-model', 'seq2seq'] as Kind[])('a %s trained in Node loads from its config and bytes in the page and predicts the same', async (kind) => {
    const trained = await trainedModel(ag, models, text, kind);
    const node = predictFromBytes(ag, models, text, kind, trained.config, trained.bytes);
    expect(node).toEqual(trained.predictions); // the bytes hold the whole trained model
    const base64 = Buffer.from(trained.bytes).toString('base64');
    const browser = await session.page.evaluate(([k, c, b]) => (globalThis as unknown as { eddyPage: { predictFromBytes(u: string, k: string, c: unknown, b: string): Promise<number[]> } }).eddyPage.predictFromBytes('/wasm/eddy-core.wasm', k, c, b), [kind, trained.config, base64] as const);
    expect(browser).toEqual(node);
  });

  it('another seed gives other losses (the comparison is not vacuous)', () => {
    expect(seededTrainingLosses(ag, 3, 7)).not.toEqual(seededTrainingLosses(ag, 3, 2024));
  });
});
