#!/usr/bin/env node
// The installed `eddy` command. It exists before the TypeScript is built, so that npm links it at
// install time (a bin pointing into dist/ would not be linked on a fresh clone, and `npx eddy`
// would then look for an unrelated package on the registry).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('eddy: the command is not built yet; run `npm run build` in the repository first.\n');
  process.exit(1);
}
await import(cli.href);
