// Parallel corpora for sequence-to-sequence models: TSV pairs, padded batches, BLEU and other measures.
export { parseParallelLines, type ParallelLinesOptions, type ParallelLines, type ParallelPair } from './parallel-lines.js';
export { parallelBatches, type ParallelExample, type ParallelBatchOptions, type ParallelBatch } from './batches.js';
export { bleu, tokenize13a, type BleuOptions, type BleuScore } from './bleu.js';
export { exactMatch, tokenAccuracy } from './metrics.js';
