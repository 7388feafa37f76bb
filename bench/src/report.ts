/** One measurement: printed as a table row, or as one JSON object per line with --json. */
export type Row = Record<string, string | number | boolean | null>;

export class Report {
  private readonly rows: Row[] = [];
  constructor(readonly json: boolean) {}

  header(info: Row): void {
    if (this.json) console.log(JSON.stringify({ bench: 'machine', ...info }));
    else console.log(Object.entries(info).map(([k, v]) => `${k}: ${v}`).join(' · '));
  }

  row(row: Row): void {
    this.rows.push(row);
    if (this.json) console.log(JSON.stringify(row));
  }

  /** Prints the rows gathered so far as an aligned table, then forgets them. */
  table(title: string, columns: string[]): void {
    if (this.json) return;
    const cells = this.rows.map((r) => columns.map((c) => format(r[c])));
    const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
    console.log(`\n${title}`);
    console.log(columns.map((c, i) => c.padStart(widths[i])).join('  '));
    for (const r of cells) console.log(r.map((v, i) => v.padStart(widths[i])).join('  '));
    this.rows.length = 0;
  }

  clear(): void {
    this.rows.length = 0;
  }
}

function format(v: Row[string] | undefined): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v.toFixed(2);
  return String(v);
}
