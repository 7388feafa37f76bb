import { EddyError } from '@eddy/autograd';

/** Exit codes: 1 bad input or a failed run, 2 bad command line, 130 stopped by Ctrl-C (shell convention 128 + SIGINT). */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/**
 * The codes the CLI itself reports (`--json` output's `code`): E_USAGE (a bad command line, exit 2),
 * E_INPUT (bad input the CLI found: files, corpus, checkpoint; exit 1), E_INTERNAL (a bug in Eddy).
 * Errors of the libraries keep their own codes (ModelsErrorCode, TextErrorCode, …), and failed
 * system calls keep Node's (ENOENT, EACCES, …).
 */
export type CliErrorCode = 'E_USAGE' | 'E_INPUT' | 'E_INTERNAL';

/**
 * A failure the user can act on: `message` is ONE sentence saying what was wrong and what to do,
 * printed as is (no stack); `exitCode` is what the process ends with.
 */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A bad command line (unknown or malformed flag, missing argument): exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = 'UsageError';
  }
}

/** The message of anything thrown, without a trailing full stop (so it can sit inside a sentence). */
export function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/[.\s]+$/, '');
}

/**
 * Turns anything thrown into the one line the user sees. CliErrors are already sentences; typed
 * library errors (EddyError) name the argument and what came, so they are shown with their code;
 * anything else is a bug in Eddy, said as such (the stack only with EDDY_DEBUG=1).
 */
export function userMessage(error: unknown): { message: string; exitCode: number; code: string } {
  if (error instanceof CliError) {
    const code: CliErrorCode = error instanceof UsageError ? 'E_USAGE' : 'E_INPUT';
    return { message: error.message, exitCode: error.exitCode, code };
  }
  if (error instanceof EddyError) {
    return { message: `${reason(error)} (${error.code}); check the options and files given, or run with --help.`, exitCode: EXIT_FAILURE, code: error.code };
  }
  const err = error as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.syscall === 'string') {
    return { message: `${err.syscall} failed on ${err.path ?? 'a file'} (${err.code}); check that the path exists and is writable.`, exitCode: EXIT_FAILURE, code: err.code };
  }
  const code: CliErrorCode = 'E_INTERNAL';
  return { message: `internal error: ${reason(error)}; this is a bug in eddy, please report it (set EDDY_DEBUG=1 for the stack).`, exitCode: EXIT_FAILURE, code };
}
