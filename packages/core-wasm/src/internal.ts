// @eddy/core-wasm/internal: helpers the Eddy packages above share but users should not build on.
// Internal: no semver promise. Nothing here is re-exported from the public entries.
export { closestName, editDistance } from './closest-name.js';
export { unknownKeyError, optionKeys, checkOptions, intOption, boolOption, rangeOption, choiceOption } from './options.js';
