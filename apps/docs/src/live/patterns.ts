/** A pattern the cell page looks for: a value per character of the text. */
export interface Pattern {
  key: string;
  label: string;
  values(text: string): Float64Array;
}

/** 1 inside a pair of the given delimiters (the delimiters themselves included), else 0. */
function inside(open: string, close: string) {
  return (text: string): Float64Array => {
    const chars = [...text];
    const v = new Float64Array(chars.length);
    let depth = 0;
    chars.forEach((ch, t) => {
      if (open === close) {
        if (ch === open) depth = depth === 0 ? 1 : 0;
        v[t] = depth > 0 || ch === open ? 1 : 0;
      } else {
        if (ch === open) depth++;
        v[t] = depth > 0 ? 1 : 0;
        if (ch === close && depth > 0) depth--;
      }
    });
    return v;
  };
}

/** The patterns the lectures found cells for (Karpathy et al. 2015): quotes, brackets, position in line. */
export const PATTERNS: Pattern[] = [
  { key: 'quotes', label: 'inside "quotes"', values: inside('"', '"') },
  { key: 'brackets', label: 'inside (brackets)', values: inside('(', ')') },
  {
    key: 'column',
    label: 'position in line',
    values(text) {
      const chars = [...text];
      const v = new Float64Array(chars.length);
      let column = 0;
      chars.forEach((ch, t) => {
        v[t] = column;
        column = ch === '\n' ? 0 : column + 1;
      });
      return v;
    },
  },
];

/** Pearson's r of two series of equal length (0 where either is constant). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma, db = b[i] - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/**
 * Every cell's correlation with `pattern`, best |r| first: `cells` is [T, H] row-major (the value of
 * cell j after character t at t·H + j).
 */
export function rankCells(cells: Float32Array, H: number, pattern: Float64Array): { cell: number; r: number }[] {
  const T = pattern.length;
  const column = new Float64Array(T);
  const ranked = [];
  for (let j = 0; j < H; j++) {
    for (let t = 0; t < T; t++) column[t] = cells[t * H + j];
    ranked.push({ cell: j, r: correlation(column, pattern) });
  }
  return ranked.sort((x, y) => Math.abs(y.r) - Math.abs(x.r));
}
