// Sequence classification (many-to-one) and tagging (aligned many-to-many) on the recurrent layers.
export { SequenceClassifier, type SequenceClassifierOptions, type ClassifierOutput, type ClassifierPrediction } from './sequence-classifier.js';
export { SequenceTagger, NO_TAG, type SequenceTaggerOptions } from './sequence-tagger.js';
export { AttentionPooling, attentionPool, maxPool, meanPool, type Pooling, type AttentionPoolingOptions } from './pooling.js';
export { loadPretrained, type PretrainedResult } from './pretrained.js';
export type { EncoderOptions } from './encoder.js';
