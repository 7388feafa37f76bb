/// <reference lib="webworker" />
// The sentence-classifier page's worker: trains SentimentWords and classifies the reader's sentence.
import { SentimentWords } from './sentiment-words.js';
import { servePredictingModel } from './predicting-worker.js';

servePredictingModel(() => new SentimentWords(), (model, text) => ({ type: 'words', words: model.classify(text) }));
