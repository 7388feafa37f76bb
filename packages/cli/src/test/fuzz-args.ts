// Fuzz target for command-line parsing (see packages/text/src/test-fuzz.ts for the harness): every
// command's real schema, argument lists mixing its flags, values in and out of range, and noise.
import fc from 'fast-check';
import type { FuzzTarget } from '../../../text/src/test-fuzz.js';
import { CliError } from '../errors.js';
import { COMMANDS } from '../main.js';
import { parseArgs, type CommandSpec, type OptionSpec, type OptionValue } from '../options.js';

const SPECS = Object.values(COMMANDS).map((c) => c.spec);

/** One word of a command line: a flag of the command (alone or `=value`), a value, or noise. */
function word(spec: CommandSpec): fc.Arbitrary<string> {
  const flags = spec.options.map((o) => `--${o.name}`);
  const value = fc.oneof(
    fc.integer({ min: -5, max: 100_000 }).map(String),
    fc.double().map(String),
    fc.constantFrom('0', '1', '-1', '0.5', '1e309', '1e-400', '0x10', ' ', '', 'NaN', 'Infinity', '+3', '.5', '5.', '1e3', '--1', '-', '='),
    ...spec.options.filter((o) => o.choices).map((o) => fc.constantFrom(...o.choices!, o.choices!.join(','), `${o.choices![0]},,`)),
    fc.string({ maxLength: 12 }),
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...flags) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...flags), value).map(([f, v]) => `${f}=${v}`) },
    { weight: 4, arbitrary: value },
    { weight: 1, arbitrary: fc.constantFrom('--', '-h', '-', '--=', '---', '--__proto__', '--constructor', '-json') },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => `--${s}`) },
    { weight: 1, arbitrary: fc.integer({ min: 1000, max: 50_000 }).map((n) => `--${'x'.repeat(n)}`) },
  );
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
  arbitrary: fc.constantFrom(...SPECS).chain((spec) => fc.array(word(spec), { maxLength: 10 }).map((argv) => ({ spec, argv }))),
  run: ({ spec, argv }) => {
    const a = parseArgs(spec, argv);
    for (const o of spec.options) checkValue(o, a.values[o.name]);
    if (a.values.help !== true && a.positionals.length > spec.positionals.length) throw new Error(`${a.positionals.length} positionals accepted`);
  },
  typed: (e) => e instanceof CliError,
};
