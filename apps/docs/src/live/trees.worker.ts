/// <reference lib="webworker" />
// The sentiment-tree page's worker: trains SentimentTrees and draws the reader's sentence with the
// model's prediction at every node.
import { SentimentTrees } from './sentiment-trees.js';
import { servePredictingModel } from './predicting-worker.js';

servePredictingModel(() => new SentimentTrees(), (model, text) => ({ type: 'tree', text, nodes: model.predict(text) }));
