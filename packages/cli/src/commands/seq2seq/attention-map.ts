// An attention heatmap as a self-contained SVG (no scripts, fonts or links): for each translated
// line, a grid with the source tokens as columns and the output tokens (EOS included) as rows, each
// cell shaded by the weight the model gave that source token when it wrote that output token.

/** One heatmap: the tokens along each axis and weights[row][column]. */
export interface AttentionPanel {
  sourceTokens: string[];
  outputTokens: string[];
  weights: ArrayLike<number>[];
}

const CELL = 22;
const FONT = 11;
/** Room for the labels (longer tokens are cut, the whole token is in the cell's tooltip). */
const LABEL = 90;
const GAP = 30;
const MAX_LABEL_CHARS = 12;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A token as a label: spaces made visible, control characters escaped, long ones cut. */
function label(token: string): string {
  const shown = token.replace(/ /g, '␣').replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return shown.length > MAX_LABEL_CHARS ? `${shown.slice(0, MAX_LABEL_CHARS - 1)}…` : shown;
}

/** The SVG document of `panels`, stacked top to bottom. */
export function attentionSvg(panels: readonly AttentionPanel[]): string {
  const width = LABEL + Math.max(1, ...panels.map((p) => p.sourceTokens.length)) * CELL + 10;
  let y = 10;
  const parts: string[] = [];
  panels.forEach((p, i) => {
    parts.push(`<text x="0" y="${y + FONT}" font-size="${FONT + 1}" font-weight="bold">line ${i}</text>`);
    y += FONT + 6;
    // Source tokens along the top, written upwards, in as much height as the longest needs.
    const top = y + Math.min(LABEL, 8 + 7 * Math.max(1, ...p.sourceTokens.map((t) => label(t).length)));
    p.sourceTokens.forEach((t, s) => {
      const x = LABEL + s * CELL + CELL / 2 + FONT / 3;
      parts.push(`<text transform="translate(${x} ${top - 4}) rotate(-90)" font-size="${FONT}">${escape(label(t))}</text>`);
    });
    p.outputTokens.forEach((t, r) => {
      const rowY = top + r * CELL;
      parts.push(`<text x="${LABEL - 4}" y="${rowY + CELL / 2 + FONT / 3}" font-size="${FONT}" text-anchor="end">${escape(label(t))}</text>`);
      p.sourceTokens.forEach((source, s) => {
        const w = Math.min(1, Math.max(0, Number(p.weights[r]?.[s] ?? 0)));
        // White (0) to dark blue (1).
        const shade = (v: number): number => Math.round(255 - w * v);
        parts.push(
          `<rect x="${LABEL + s * CELL}" y="${rowY}" width="${CELL}" height="${CELL}" fill="rgb(${shade(225)},${shade(190)},${shade(100)})" stroke="#ddd">` +
            `<title>${escape(`${t} ← ${source}: ${w.toFixed(3)}`)}</title></rect>`,
        );
      });
    });
    y = top + p.outputTokens.length * CELL + GAP;
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="monospace">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`
  );
}
