// Adds up the vitest JSON reports of every workspace and prints one closing line,
// "tests: N passed, N failed, N skipped", failing when no test ran at all.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const { workspaces } = JSON.parse(readFileSync('package.json', 'utf8'));
let passed = 0, failed = 0, skipped = 0, reports = 0;
for (const dir of workspaces) {
  const file = join(dir, '.vitest', 'results.json');
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  reports++;
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (reports === 0 || passed === 0) {
  console.error('ci: no test results were found');
  process.exit(1);
}
process.exit(failed > 0 ? 1 : 0);
