// Fuzz target for command-line parsing (see packages/text/src/test-fuzz.ts for the harness): every
// command's real schema, argument lists mixing its flags, values in and out of range, and noise.
import fc from 'fast-check';
import type { FuzzTarget } from '../../../text/src/test-fuzz.js';
import { CliError } from '../errors.js';
import { COMMANDS } from '../main.js';
import { parseArgs, type CommandSpec, type OptionSpec, type OptionValue } from '../options.js';

const SPECS = Object.values(COMMANDS).flatMap((c) => [c.spec, ...Object.values(c.subcommands ?? {}).map((s) => s.spec)]);

/** A value for `o` that is usually in its range (and sometimes just outside, or empty). */
function valueFor(o: OptionSpec): fc.Arbitrary<string> {
  const lo = o.min ?? -1e6;
  const hi = o.max ?? 1e6;
  switch (o.type) {
    case 'int':
      return fc.integer({ min: Math.ceil(lo) - 1, max: Math.min(Math.floor(hi) + 1, 2 ** 31) }).map(String);
    case 'number':
      return fc.oneof(fc.double({ min: lo, max: hi, noNaN: true }), fc.constantFrom(lo, hi)).map(String);
    case 'choice':
      return fc.oneof(fc.constantFrom(...o.choices!), fc.subarray([...o.choices!]).map((c) => c.join(',')), fc.constant(`${o.choices![0]},,`));
    default:
      return fc.string({ maxLength: 12 });
  }
}

/** Words no schema expects: malformed numbers, lone dashes, unknown and over-long flags, noise. */
const noise: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0x10', ' ', '', 'NaN', 'Infinity', '1e309', '1e-400', '+3', '.5', '5.', '--1', '-', '=', '--', '-h', '--=', '---', '--__proto__', '--constructor', '-json'),
  fc.double().map(String),
  fc.string({ maxLength: 20 }),
  fc.string({ maxLength: 20 }).map((s) => `--${s}`),
  fc.integer({ min: 1000, max: 130_000 }).map((n) => `--${'x'.repeat(n)}`), // Linux caps one word at 128 KB
);

/** Words of a command line for `spec`: mostly its own flags with values (`--name v`, `--name=v`), some noise. */
function words(spec: CommandSpec): fc.Arbitrary<string[]> {
  const pair = fc.constantFrom(...spec.options).chain((o): fc.Arbitrary<string[]> =>
    o.type === 'flag' ? fc.constant([`--${o.name}`]) : fc.tuple(valueFor(o), fc.boolean()).map(([v, joined]) => (joined ? [`--${o.name}=${v}`] : [`--${o.name}`, v])),
  );
  const item = fc.oneof({ weight: 6, arbitrary: pair }, { weight: 1, arbitrary: noise.map((w) => [w]) });
  return fc.array(item, { maxLength: 6 }).map((items) => items.flat());
}

interface Case {
  spec: CommandSpec;
  argv: string[];
}

function checkValue(o: OptionSpec, v: OptionValue | undefined): void {
  const bad = () => new Error(`--${o.name}: parsed ${JSON.stringify(v)}, which its schema does not allow`);
  if (v === undefined) return;
  if (o.type === 'flag' && typeof v !== 'boolean') throw bad();
  if (o.type === 'string' && (typeof v !== 'string' || v === '')) throw bad();
  if (o.type === 'choice') {
    const items = o.list ? v : [v];
    if (!Array.isArray(items) || !items.every((x) => o.choices!.includes(x as string)) || new Set(items).size !== items.length) throw bad();
  }
  if (o.type === 'int' || o.type === 'number') {
    if (v === o.default) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || (o.type === 'int' && !Number.isSafeInteger(v))) throw bad();
    if (o.min !== undefined && (o.minOpen ? v <= o.min : v < o.min)) throw bad();
    if (o.max !== undefined && (o.maxOpen ? v >= o.max : v > o.max)) throw bad();
  }
}

/** parseArgs on every command's schema: a UsageError (a CliError), or values the schema allows. */
export const argsTarget: FuzzTarget<Case> = {
  name: 'parseArgs',
  arbitrary: fc.constantFrom(...SPECS).chain((spec) => words(spec).map((argv) => ({ spec, argv }))),
  run: ({ spec, argv }) => {
    const a = parseArgs(spec, argv);
    for (const o of spec.options) checkValue(o, a.values[o.name]);
    if (a.values.help !== true && a.positionals.length > spec.positionals.length) throw new Error(`${a.positionals.length} positionals accepted`);
  },
  typed: (e) => e instanceof CliError,
};
