import { machine } from './machine.js';
import { Report } from './report.js';
import { autograd } from './suites/autograd.js';
import { kernels } from './suites/kernels.js';
import { soak } from './suites/soak.js';
import { workloads } from './suites/workloads.js';

// npm run bench -w bench -- <suite> [--json] [--quick] [--only=W1,W4] [--peers=eddy,tfjs-wasm]
const SUITES = { kernels, autograd, soak, workloads } as const;

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const list = (flag: string) => args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1).split(',');
const only = list('--only');
const peers = list('--peers');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(n in SUITES));
if (unknown.length > 0) {
  console.error(`bench: unknown suite ${unknown.join(', ')}; choose from ${Object.keys(SUITES).join(', ')}`);
  process.exit(2);
}

const report = new Report(json);
report.header(machine());
for (const name of names.length ? names : Object.keys(SUITES)) {
  await SUITES[name as keyof typeof SUITES](report, { quick, only, peers });
}
