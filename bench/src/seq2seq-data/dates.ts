import { Generator } from '@eddy/autograd';
import type { TextPair } from './split.js';

// Date normalisation: the same day written the ways people write it, to ISO 8601. Every format is
// unambiguous on its own (the separator tells the order: '/' is US month/day/year, '.' is European
// day.month.year), so a model can be exactly right.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const ordinal = (d: number): string => `${d}${d % 10 === 1 && d !== 11 ? 'st' : d % 10 === 2 && d !== 12 ? 'nd' : d % 10 === 3 && d !== 13 ? 'rd' : 'th'}`;

/** The input formats, each a function of (year, month 1–12, day, weekday 0–6). */
export const DATE_FORMATS: Readonly<Record<string, (y: number, m: number, d: number, w: number) => string>> = {
  'd MMMM yyyy': (y, m, d) => `${d} ${MONTHS[m - 1]} ${y}`, // 3 May 1999
  'MMMM d, yyyy': (y, m, d) => `${MONTHS[m - 1]} ${d}, ${y}`, // May 3, 1999
  'MM/dd/yy': (y, m, d) => `${pad(m)}/${pad(d)}/${pad(y % 100)}`, // 05/03/99
  'd.M.yyyy': (y, m, d) => `${d}.${m}.${y}`, // 3.5.1999
  'EEEE, MMMM d, yyyy': (y, m, d, w) => `${DAYS[w]}, ${MONTHS[m - 1]} ${d}, ${y}`, // Monday, May 3, 1999
  'd MMM yy': (y, m, d) => `${d} ${MONTHS[m - 1].slice(0, 3).toLowerCase()} ${pad(y % 100)}`, // 3 may 99
  'the do of MMMM yyyy': (y, m, d) => `the ${ordinal(d)} of ${MONTHS[m - 1]} ${y}`, // the 3rd of May 1999
  'yyyy/MM/dd': (y, m, d) => `${y}/${pad(m)}/${pad(d)}`, // 1999/05/03
};

/** Two-digit years read as 1950–2049, so the dates are drawn from that century. */
const FIRST = Date.UTC(1950, 0, 1);
const DAYS_SPANNED = (Date.UTC(2050, 0, 1) - FIRST) / 86_400_000;

/**
 * `count` distinct (source, ISO date) pairs: a day drawn uniformly from 1950–2049 and a format from
 * DATE_FORMATS. Hold out by target (`heldOutSplit(pairs, { key: (p) => p.target })`) so that test
 * dates are unseen in any format.
 */
export function datePairs(options: { count?: number; seed: number }): TextPair[] {
  const count = options.count ?? 20_000;
  const formats = Object.values(DATE_FORMATS);
  const rng = new Generator(options.seed);
  const seen = new Set<string>();
  const pairs: TextPair[] = [];
  while (pairs.length < count) {
    const date = new Date(FIRST + rng.nextInt(DAYS_SPANNED) * 86_400_000);
    const [y, m, d, w] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCDay()];
    const source = formats[rng.nextInt(formats.length)](y, m, d, w);
    if (seen.has(source)) continue;
    seen.add(source);
    pairs.push({ source, target: `${y}-${pad(m)}-${pad(d)}` });
  }
  return pairs;
}
