import { noGrad, scope } from '@eddy/autograd';
import type { Seq2Seq, Translation } from '@eddy/models';
import { bleu, exactMatch, parallelBatches, tokenAccuracy, type ParallelExample, type Tokenizer } from '@eddy/text';

/** What `eddy seq2seq eval` reports (and training's evaluations): fractions in [0, 1], BLEU 0–100. */
export interface Seq2SeqMeasures {
  exactMatch: number;
  bleu: number;
  tokenAccuracy: number;
  /** Mean cross-entropy per target token (EOS included), teacher forced. */
  loss: number;
  sentences: number;
}

/**
 * The mean per-token loss of `examples` (teacher forced, eval mode: no dropout), over all their
 * target tokens: each batch's mean weighted by its tokens.
 */
export function meanLoss(model: Seq2Seq, examples: readonly ParallelExample[], batchSize: number): number {
  const wasTraining = model.training;
  model.eval();
  try {
    let sum = 0;
    let tokens = 0;
    for (const b of parallelBatches(examples, { batchSize, shuffle: false })) {
      noGrad(() => scope(() => {
        const l = model.loss(b);
        sum += l.loss.item() * l.tokens;
        tokens += l.tokens;
      }));
    }
    return sum / tokens;
  } finally {
    model.train(wasTraining);
  }
}

/** The best translation of each source (beam K, `batchSize` sources decoded together). */
export function translateAll(model: Seq2Seq, sources: readonly Int32Array[], options: { beam: number; batchSize: number; nBest?: number; lengthPenalty?: number; coveragePenalty?: number; maxLength?: number }): Translation[][] {
  return model.translate(sources, {
    beam: options.beam, nBest: options.nBest ?? 1, batchSize: options.batchSize, lengthPenalty: options.lengthPenalty ?? 0, coveragePenalty: options.coveragePenalty ?? 0,
    ...(options.maxLength === undefined ? {} : { maxLength: options.maxLength }),
  });
}

/**
 * Exact match, BLEU and token accuracy of the model's translations of `examples` against
 * `references` (the target texts as written: outputs are decoded and compared after trimming), and
 * the teacher-forced loss. One computation for `eddy seq2seq eval` and training's evaluations.
 */
export function seq2seqMeasures(model: Seq2Seq, tokenizer: Tokenizer, examples: readonly ParallelExample[], references: readonly string[], options: { beam: number; batchSize: number }): Seq2SeqMeasures {
  const outputs = translateAll(model, examples.map((e) => e.source), options).map((n) => n[0].tokens);
  const hypotheses = outputs.map((ids) => tokenizer.decode(ids));
  return {
    exactMatch: exactMatch(hypotheses, references),
    bleu: bleu(hypotheses, references).score,
    tokenAccuracy: tokenAccuracy(outputs, examples.map((e) => e.target)),
    loss: meanLoss(model, examples, options.batchSize),
    sentences: examples.length,
  };
}
