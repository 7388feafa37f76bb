// The fuzz harness every package's property tests and the bench's long mode share (not exported
// from the package): a target names an entry point that reads untrusted input, how to generate
// inputs, and which errors that entry point documents.
import { EddyError, getCore } from '@eddy/autograd';
import fc from 'fast-check';

/** A fuzzed entry point. */
export interface FuzzTarget<T> {
  name: string;
  /** Inputs, valid and hostile. */
  arbitrary: fc.Arbitrary<T>;
  /** Runs one input and checks the result when there is one (throws on a wrong result); frees what it made. */
  run(input: T): void;
  /** Whether `error` is one the entry point documents (a typed error); anything else is a bug. */
  typed(error: unknown): boolean;
}

/** How one case ended when it ended well. */
export type FuzzOutcome = 'ok' | 'typed';

/**
 * Generous bound on one case: a real hang runs for minutes, a slow machine for fractions of a
 * second; this is a watchdog against the first, not a timing assertion.
 */
export const WATCHDOG_MS = 5000;

/** A typed error of `codes`: the EddyErrors a file reader may throw. */
export function eddyErrorOf(codes: readonly string[]): (error: unknown) => boolean {
  return (error) => error instanceof EddyError && codes.includes(error.code);
}

/**
 * Runs one case: 'ok' (a checked result) or 'typed' (a documented error). Throws on anything else:
 * a generic error (rethrown as is), a case past the watchdog, or bytes left behind in the arena.
 */
export function fuzzCase<T>(target: FuzzTarget<T>, input: T): FuzzOutcome {
  const arena = getCore().arena;
  const before = arena.used;
  const start = performance.now();
  let outcome: FuzzOutcome = 'ok';
  try {
    target.run(input);
  } catch (e) {
    if (!target.typed(e)) throw e;
    outcome = 'typed';
  }
  const ms = performance.now() - start;
  if (ms > WATCHDOG_MS) throw new FuzzFailure('hang', `${target.name}: one case took ${ms.toFixed(0)} ms, past the ${WATCHDOG_MS} ms watchdog`);
  if (arena.used !== before) throw new FuzzFailure('leak', `${target.name}: ${arena.used - before} bytes left in the arena after the case`);
  return outcome;
}

/** A case that ended without a generic error but too late, or leaving arena bytes behind. */
export class FuzzFailure extends Error {
  constructor(readonly kind: 'hang' | 'leak', message: string) {
    super(message);
    this.name = 'FuzzFailure';
  }
}

/**
 * Checks `target` on `numRuns` inputs (fast-check shrinks a failure to a small input and prints its
 * seed); returns how many ended in a result and how many in a typed error.
 */
export function assertFuzz<T>(target: FuzzTarget<T>, numRuns: number): Record<FuzzOutcome, number> {
  const counts = { ok: 0, typed: 0 };
  fc.assert(
    fc.property(target.arbitrary, (input) => {
      counts[fuzzCase(target, input)]++;
    }),
    { numRuns },
  );
  return counts;
}

/**
 * A hostile JSON value, as a file can hold it: anything JSON, the values that broke readers before
 * (null, inherited keys, a crafted `constructor.name`, arrays nested thousands deep, over-long
 * strings, out-of-range numbers, a backtracking regex, an empty-match lookahead).
 */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(null, [], {}, '', -1, 0, 1.5, 2 ** 31) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 53, 1e308, true, '<unk>', 'constructor', '__proto__', 'toString', '(\\w+\\s?)+$', '(?=a)', '\\S+') },
  { weight: 1, arbitrary: fc.constant(null).map(() => JSON.parse('{"constructor":{"name":{"toString":1}}}') as unknown) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 5000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown) },
  { weight: 1, arbitrary: fc.integer({ min: 4000, max: 20_000 }).map((n) => 'x'.repeat(n)) },
);

/**
 * The places inside `root`, grouped by their container (8 levels deep at most): each group holds
 * the paths of one object's or array's entries. Picking a group first, then an entry, reaches the
 * few top-level fields as often as the many vocabulary symbols.
 */
function places(root: unknown): (string | number)[][][] {
  const groups: (string | number)[][][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (path.length >= 8 || v === null || typeof v !== 'object') return;
    const keys: (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
    if (keys.length > 0) groups.push(keys.map((k) => [...path, k]));
    for (const k of keys) walk((v as Record<string | number, unknown>)[k], [...path, k]);
  };
  walk(root, []);
  return groups;
}

/** One edit of a JSON document: at a place chosen by `at`, set a value or delete the entry (or replace the whole document). */
export interface JsonEdit {
  at: number;
  value: unknown;
  remove: boolean;
}

export const jsonEdits: fc.Arbitrary<JsonEdit[]> = fc.array(fc.record({ at: fc.nat(), value: hostileJson, remove: fc.boolean() }), { maxLength: 3 });

/** `root` (a JSON document, not changed) with `edits` applied. */
export function applyEdits(root: unknown, edits: readonly JsonEdit[]): unknown {
  let doc = structuredClone(root);
  for (const edit of edits) {
    const groups = places(doc);
    if (groups.length === 0 || edit.at % 50 === 0) {
      doc = edit.value;
      continue;
    }
    const group = groups[edit.at % groups.length];
    const path = group[Math.floor(edit.at / groups.length) % group.length];
    const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], doc) as Record<string | number, unknown>;
    const key = path[path.length - 1];
    if (edit.remove && Array.isArray(parent)) parent.splice(key as number, 1);
    else if (edit.remove) delete parent[key];
    else Object.defineProperty(parent, key, { value: edit.value, enumerable: true, writable: true, configurable: true });
  }
  return doc;
}
