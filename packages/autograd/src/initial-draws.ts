// Whether parameter initialisers draw. A module built only to receive a state dict (a trained
// model being loaded) would draw every initial weight from the RNG just to overwrite it: for a
// seq2seq model with a word vocabulary that is most of the time `translate` spends loading. Inside
// `withoutInitialDraws` the initialisers leave tensors as they are (zeros from the constructors)
// and the generator does not advance.

let skipping = 0;

/**
 * Runs `fn` with random initialisers off (`init.uniform`, `init.normal`, `init.orthogonal` and
 * those built on them, Embedding's normal draw): they leave their tensor as it is and draw
 * nothing. For building modules whose every parameter is then loaded (`Module.fromConfig`'s
 * `init: false`). Nests; restored when `fn` throws.
 */
export function withoutInitialDraws<T>(fn: () => T): T {
  skipping++;
  try {
    return fn();
  } finally {
    skipping--;
  }
}

/** False inside `withoutInitialDraws`: an initialiser then leaves its tensor alone. */
export function drawsInitialValues(): boolean {
  return skipping === 0;
}
