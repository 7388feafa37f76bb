#!/usr/bin/env node
// The `eddy` bin: runs main() with the process's streams, turns Ctrl-C into a clean stop (train
// writes a checkpoint first; a second Ctrl-C quits at once), and sets the exit code without
// process.exit so piped output is flushed.
import { main } from './main.js';

const stop = new AbortController();
process.on('SIGINT', () => {
  if (stop.signal.aborted) process.exit(130);
  stop.abort();
});
// `eddy sample run | head`: the reader went away; stop quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, stop.signal);
// Train's SIGINT listener would keep nothing alive, but sample/eval never need it: let the process end.
process.removeAllListeners('SIGINT');
