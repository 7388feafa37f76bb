import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closestName } from '@eddy/autograd/internal';
import { runBench } from './commands/bench/bench.js';
import { BENCH_SPEC } from './commands/bench/spec.js';
import { EVAL_SPEC } from './commands/eval/spec.js';
import { EXPORT_SPEC } from './commands/export/spec.js';
import { runExport } from './commands/export/export.js';
import { runEval } from './commands/eval/eval.js';
import { SAMPLE_SPEC } from './commands/sample/spec.js';
import { runSample } from './commands/sample/sample.js';
import { TRAIN_SPEC } from './commands/train/spec.js';
import { runTrain } from './commands/train/train.js';
import { packageRoot } from './corpus.js';
import { UsageError, userMessage } from './errors.js';
import { helpText, parseArgs, type CommandSpec, type ParsedArgs } from './options.js';
import type { Io } from './progress.js';

interface Command {
  spec: CommandSpec;
  run(args: ParsedArgs, io: Io, signal: AbortSignal): Promise<number>;
}

/** The commands, by name; each folder under commands/ holds one (spec.ts + its runner + tests). */
export const COMMANDS: Readonly<Record<string, Command>> = {
  train: { spec: TRAIN_SPEC, run: runTrain },
  sample: { spec: SAMPLE_SPEC, run: (a, io) => runSample(a, io) },
  eval: { spec: EVAL_SPEC, run: (a, io) => runEval(a, io) },
  bench: { spec: BENCH_SPEC, run: (a, io) => runBench(a, io) },
  export: { spec: EXPORT_SPEC, run: (a, io) => runExport(a, io) },
};

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function topHelp(): string {
  const lines = ['Usage: eddy <command> [options]', '', 'Train and sample recurrent language models (char-rnn for npm).', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${c.spec.short}`);
  lines.push('', 'Run eddy <command> --help for its options. Every command takes --json.', '');
  return lines.join('\n');
}

/**
 * Runs the eddy command line `argv` (the words after `eddy`) and returns the exit code. Nothing
 * escapes: any error becomes one sentence on stderr (and `{"error":…}` on stdout with --json).
 */
export async function main(argv: readonly string[], io: Io, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const json = argv.includes('--json');
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const target = name === 'help' ? rest[0] : undefined;
      io.stdout.write(target !== undefined && COMMANDS[target] ? helpText(COMMANDS[target].spec) : topHelp());
      return 0;
    }
    if (name === '--version' || name === '-v') {
      io.stdout.write(version() + '\n');
      return 0;
    }
    const command = COMMANDS[name];
    if (command === undefined) {
      const guess = closestName(name, Object.keys(COMMANDS));
      throw new UsageError(`unknown command '${name}'${guess ? `; did you mean eddy ${guess}?` : `; the commands are ${Object.keys(COMMANDS).join(', ')} (see eddy --help).`}`);
    }
    const args = parseArgs(command.spec, rest);
    if (args.flag('help')) {
      io.stdout.write(helpText(command.spec));
      return 0;
    }
    return await command.run(args, io, signal);
  } catch (error) {
    const { message, exitCode, code } = userMessage(error);
    io.stderr.write(`eddy: ${message}\n`);
    if (process.env.EDDY_DEBUG && error instanceof Error && error.stack) io.stderr.write(error.stack + '\n');
    if (json) io.stdout.write(JSON.stringify({ error: { code, message } }) + '\n');
    return exitCode;
  }
}
