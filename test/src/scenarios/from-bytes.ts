import type * as Autograd from '@eddy/autograd';
import type * as Models from '@eddy/models';
import type * as Text from '@eddy/text';

// A trained model as a page receives it — its config (JSON) and its weights (safetensors bytes) — is
// rebuilt and run there: a sequence classifier predicts class probabilities, a Tree-LSTM labels every
// node of parsed trees (and so does an RNTN), a language model gives its next-token logits, a seq2seq
// model translates (beam search: tokens, scores and attention weights). The same function runs in Node
// and in Chromium, so the two can be compared bit for bit.

export type Kind = 'classifier' | 'tree' | 'rntn' | 'language-model' | 'seq2seq';

/** Fixed inputs of each kind (ids below every model's vocabulary of 12). */
const TREES = '(1 (0 not) (1 good))\n(0 (1 (1 very) (1 good)) (0 bad))';
const WORD_IDS = { id: (w: string) => (w.length * 5 + w.charCodeAt(0)) % 12 };

/** Rebuilds a model from `config` and `bytes` and returns its predictions as plain numbers. */
export function predictFromBytes(ag: typeof Autograd, models: typeof Models, text: typeof Text, kind: Kind, config: unknown, bytes: Uint8Array): number[] {
  const model = models.Module.fromConfig(config as Models.ModuleConfig);
  try {
    const weights = models.loadSafetensors(bytes);
    try {
      model.loadStateDict(weights);
    } finally {
      for (const t of Object.values(weights)) t.dispose();
    }
    return predict(ag, models, text, kind, model);
  } finally {
    model.dispose();
  }
}

/** What `kind` predicts on its fixed inputs. */
export function predict(ag: typeof Autograd, models: typeof Models, text: typeof Text, kind: Kind, model: Models.Module): number[] {
  model.eval();
  if (kind === 'classifier') {
    const ids = ag.tensor(Int32Array.from([3, 4, 5, 6, 7, 0, 8, 9, 0, 10, 0, 0]), [4, 3], { dtype: 'int32' });
    const out = (model as Models.SequenceClassifier).predict(ids, [4, 3, 1]);
    ids.dispose();
    return Array.from(out.probabilities);
  }
  if (kind === 'tree' || kind === 'rntn') {
    const batch = text.levelSchedule(text.parseTrees(TREES).map((t) => text.binarize(t, 'right')), WORD_IDS);
    return Array.from((model as Models.TreeModel).predict(batch));
  }
  if (kind === 'seq2seq') {
    const out = (model as Models.Seq2Seq).translate([Int32Array.of(4, 5, 6), Int32Array.of(7)], { beam: 2, nBest: 2 });
    return out.flat().flatMap((t) => [...t.tokens, t.score, ...t.attention.flatMap((a) => Array.from(a))]);
  }
  const r = (model as Models.LanguageModel).advance([1, 5, 7], null);
  models.disposeState(r.state);
  return Array.from(r.logits);
}

/** A small model of `kind`, trained a few steps in Node: its config and safetensors bytes. */
export async function trainedModel(ag: typeof Autograd, models: typeof Models, text: typeof Text, kind: Kind): Promise<{ config: unknown; bytes: Uint8Array; predictions: number[] }> {
  ag.manualSeed(5);
  let model: Models.Module;
  let loss: () => Autograd.Tensor;
  if (kind === 'classifier') {
    const m = new models.SequenceClassifier({ vocabSize: 12, numClasses: 3, embeddingSize: 6, hiddenSize: 5, bidirectional: true, pooling: 'attention' });
    const ids = ag.tensor(Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 0]), [3, 3], { dtype: 'int32' });
    loss = () => m.loss(ids, [3, 3, 2], Int32Array.from([0, 1, 2]));
    model = m;
  } else if (kind === 'tree' || kind === 'rntn') {
    const m = kind === 'tree' ? new models.BinaryTreeLSTM({ vocabSize: 12, numClasses: 2, embeddingSize: 6, hiddenSize: 5 }) : new models.RNTN({ vocabSize: 12, numClasses: 2, hiddenSize: 4 });
    const batch = text.levelSchedule(text.parseTrees(TREES).map((t) => text.binarize(t, 'right')), WORD_IDS);
    loss = () => m.loss(batch);
    model = m;
  } else if (kind === 'seq2seq') {
    const m = new models.Seq2Seq({ sourceVocabSize: 12, targetVocabSize: 12, hiddenSize: 6, embeddingSize: 5, bidirectional: true, attention: 'bahdanau' });
    // Two pairs, time-major: sources [4 5 6] and [7], targets BOS 8 9 EOS and BOS 10 EOS.
    const batch = {
      source: Int32Array.of(4, 7, 5, 0, 6, 0), sourceLengths: Int32Array.of(3, 1), sourceSteps: 3,
      target: Int32Array.of(2, 2, 8, 10, 9, 3, 3, 0), targetLengths: Int32Array.of(4, 3), targetSteps: 4,
      batchSize: 2, indices: Int32Array.of(0, 1),
    };
    loss = () => m.loss(batch).loss;
    model = m;
  } else {
    const m = new models.LanguageModel({ vocabSize: 12, hiddenSize: 8, numLayers: 2, cell: 'gru' });
    const w = { inputs: Int32Array.from([1, 2, 3, 4, 5, 6]), targets: Int32Array.from([2, 3, 4, 5, 6, 7]), steps: 3, batchSize: 2 };
    loss = () => m.windowLoss(w, null).loss;
    model = m;
  }
  await models.trainLoop({ optimizer: new ag.optim.Adam(model.parameters(), { lr: 0.05 }), steps: 5, loss });
  const predictions = predict(ag, models, text, kind, model);
  const result = { config: model.toConfig(), bytes: models.saveSafetensors(model.stateDict()), predictions };
  model.dispose();
  return result;
}
