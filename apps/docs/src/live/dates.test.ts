import { Generator } from '@eddy/autograd';
import { describe, expect, it } from 'vitest';
import { DateTranslator, MONTHS, randomDate } from './dates.js';

describe('the attention page\'s dates', () => {
  it('draws a date and its ISO form, the same for the same seed', () => {
    const rng = new Generator(4);
    for (let i = 0; i < 50; i++) {
      const { source, target } = randomDate(rng);
      const [day, month, year] = source.split(' ');
      expect(target).toBe(`${year}-${String(MONTHS.indexOf(month) + 1).padStart(2, '0')}-${day.padStart(2, '0')}`);
    }
    expect(randomDate(new Generator(9))).toEqual(randomDate(new Generator(9)));
  });

  it('learns: the loss falls and the reader\'s date gets an attention row per output step', async () => {
    const dates = new DateTranslator({ pairs: 320, seed: 1 });
    const losses: number[] = [];
    await dates.train({ steps: 30, onEvent: (e) => e.type === 'step' && losses.push(e.loss) });
    expect(losses.at(-1)!).toBeLessThan(0.6 * losses[0]);
    const t = dates.translate('3 May 1999')!;
    expect(t.attention.length).toBe(t.output.length + (t.ended ? 1 : 0));
    for (const row of t.attention) {
      expect(row.length).toBe('3 May 1999'.length);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    expect(dates.translate('')).toBeNull();
  });

  it('the page\'s model, trained 100 steps, rewrites a date and its map lines the year and month up with the source\'s', async () => {
    const dates = new DateTranslator();
    await dates.train({ steps: 100 });
    const t = dates.translate('3 May 1999')!;
    expect(t.output).toBe('1999-05-03');
    const argmax = (row: Float32Array) => row.indexOf(Math.max(...row));
    // Source positions: 0 '3', 2–4 'May', 6–9 '1999'. Output 0–3 is the year, 5–6 the month.
    for (const i of [0, 1, 2, 3]) expect(argmax(t.attention[i])).toBeGreaterThanOrEqual(6);
    for (const i of [5, 6]) expect([2, 3, 4, 5]).toContain(argmax(t.attention[i]));
  });
});
