/// <reference lib="webworker" />
// The attention page's worker: trains DateTranslator and rewrites the reader's date with its attention map.
import { DateTranslator } from './dates.js';
import { servePredictingModel } from './predicting-worker.js';

servePredictingModel(() => new DateTranslator(), (model, text) => ({ type: 'translation', translation: model.translate(text) }));
