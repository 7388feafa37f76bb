// The page-side entry, bundled for the browser by the tests: Eddy's packages through their browser
// exports, and the scenarios that the Node side runs too.
import * as ag from '@eddy/autograd';
import { loadCore } from '@eddy/core-wasm';
import * as models from '@eddy/models';
import * as text from '@eddy/text';
import { predictFromBytes, type Kind } from './scenarios/from-bytes.js';
import { bidirectionalLstm } from './scenarios/bilstm.js';
import { SPLITTING, seededTrainingLosses } from './scenarios/training.js';

declare global {
  // eslint-disable-next-line no-var
  var eddyPage: {
    training(wasmUrl: string, steps: number): Promise<{ variant: string; losses: number[] }>;
    bidirectionalLstm(wasmUrl: string): Promise<number[][]>;
    predictFromBytes(wasmUrl: string, kind: Kind, config: unknown, base64: string): Promise<number[]>;
    threadedTraining(
      wasmUrl: string, threadsUrl: string, steps: number,
    ): Promise<{ threads: number; fallback: string | null; splitCalls: number; losses: number[] }>;
  };
}

async function useServedCore(wasmUrl: string) {
  const core = await loadCore({ url: wasmUrl });
  ag.useCore(core);
  return core;
}

globalThis.eddyPage = {
  async training(wasmUrl, steps) {
    const core = await useServedCore(wasmUrl);
    return { variant: core.variant, losses: seededTrainingLosses(ag, steps) };
  },
  async bidirectionalLstm(wasmUrl) {
    await useServedCore(wasmUrl);
    return bidirectionalLstm(ag, models);
  },
  async predictFromBytes(wasmUrl, kind, config, base64) {
    await useServedCore(wasmUrl);
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return predictFromBytes(ag, models, text, kind, config, bytes);
  },
  async threadedTraining(wasmUrl, threadsUrl, steps) {
    const core = await loadCore({ url: wasmUrl, threadsUrl, threads: 2 });
    ag.useCore(core);
    try {
      const losses = seededTrainingLosses(ag, steps, 2024, SPLITTING);
      return { threads: core.threads, fallback: core.threadsFallback ?? null, splitCalls: core.pool?.runs ?? 0, losses };
    } finally {
      core.close();
    }
  },
};
