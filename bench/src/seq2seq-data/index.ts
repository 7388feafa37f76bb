// Generated and filtered data of the seq2seq benchmarks (issue 12): 3-digit addition, date
// normalisation and the PyTorch tutorial's eng-fra subset, each with a seeded held-out split.
export { heldOutSplit, toTsv, type TextPair, type HeldOutSplit } from './split.js';
export { additionPairs } from './addition.js';
export { datePairs, DATE_FORMATS } from './dates.js';
export { engFraPairs, readEngFra, normalizeString, keepPair, ENG_PREFIXES, MAX_LENGTH } from './eng-fra.js';
