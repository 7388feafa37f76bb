// Sequence classification and tagging data: labelled lines, padded batches, metrics, word vectors.
export { parseLabelledLines, type LabelledLinesOptions, type LabelledLines } from './labelled-lines.js';
export { classificationBatches, type ClassificationExample, type ClassificationBatchOptions, type ClassificationBatch } from './batches.js';
export { accuracy, macroF1, confusionMatrix, perTagAccuracy, type Labels, type PerTagAccuracyOptions, type PerTagAccuracy } from './metrics.js';
export { parseWordVectors, MAX_VECTOR_DIM, MAX_WORD_VECTORS, type WordVectorOptions, type WordVectors } from './word-vectors.js';
