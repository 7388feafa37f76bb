import { machine } from './machine.js';
import { Report } from './report.js';
import { autograd } from './suites/autograd.js';
import { kernels } from './suites/kernels.js';
import { LM_VALUE_FLAGS, lm } from './suites/language-models.js';
import { soak } from './suites/soak.js';

// npm run bench -w bench -- <suite> [--json] [--quick]
const SUITES = { kernels, autograd, soak, lm } as const;

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const names = args.filter((a, i) => !a.startsWith('--') && !LM_VALUE_FLAGS.includes(args[i - 1]));
const unknown = names.filter((n) => !(n in SUITES));
if (unknown.length > 0) {
  console.error(`bench: unknown suite ${unknown.join(', ')}; choose from ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}

const report = new Report(json);
report.header(machine());
for (const name of names.length ? names : Object.keys(SUITES)) {
  await SUITES[name as keyof typeof SUITES](report, { quick });
}
