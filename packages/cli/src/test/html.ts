// A strict HTML well-formedness check for pages Eddy writes (the inspect report): every element
// closed in order (void elements excepted, SVG elements may self-close), attributes quoted, text
// free of stray '<' and of '&' that starts no entity, script and style bodies that do not close
// early. Stricter than the HTML parser (which repairs all of these), so a page that passes renders
// as written.

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const RAW_TEXT = new Set(['script', 'style']);

/** The problems found in `html` (empty when well-formed), each with its character offset. */
export function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  if (!/^<!DOCTYPE html>\n/i.test(html)) problems.push('0: the page does not start with <!DOCTYPE html>');
  let i = html.indexOf('>') + 1;
  const textProblems = (text: string, at: number): void => {
    for (const m of text.matchAll(/&(?!(?:[a-z]+|#\d+|#x[0-9a-f]+);)/gi)) problems.push(`${at + m.index!}: '&' starts no entity`);
  };
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      textProblems(html.slice(i), i);
      break;
    }
    textProblems(html.slice(i, lt), i);
    const close = /^<\/([a-zA-Z][\w-]*)\s*>/.exec(html.slice(lt));
    if (close) {
      const name = close[1].toLowerCase();
      const top = open.pop();
      if (top !== name) problems.push(`${lt}: </${name}> closes <${top ?? 'nothing'}>`);
      i = lt + close[0].length;
      continue;
    }
    const tag = /^<([a-zA-Z][\w-]*)((?:\s+[a-zA-Z_:][\w:.-]*(?:="[^"<]*")?)*)\s*(\/?)>/.exec(html.slice(lt));
    if (!tag) {
      problems.push(`${lt}: malformed tag or stray '<': ${JSON.stringify(html.slice(lt, lt + 40))}`);
      i = lt + 1;
      continue;
    }
    const name = tag[1].toLowerCase();
    const selfClosed = tag[3] === '/';
    i = lt + tag[0].length;
    for (const m of tag[2].matchAll(/&(?!(?:[a-z]+|#\d+|#x[0-9a-f]+);)/gi)) problems.push(`${lt + tag[1].length + 1 + m.index!}: '&' in an attribute starts no entity`);
    if (RAW_TEXT.has(name)) {
      const end = html.toLowerCase().indexOf(`</${name}>`, i);
      if (end < 0) {
        problems.push(`${lt}: <${name}> is never closed`);
        break;
      }
      if (name === 'script' && /<!--|<script/i.test(html.slice(i, end))) problems.push(`${i}: a script body holds '<!--' or '<script'`);
      i = end + name.length + 3;
      continue;
    }
    if (VOID.has(name) || selfClosed) continue;
    open.push(name);
  }
  if (open.length > 0) problems.push(`end: unclosed <${open.join('>, <')}>`);
  return problems;
}

/** Every URL-like reference in `html` that would make a browser fetch something (a `#fragment` or a `data:` URL does not). */
export function externalReferences(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/\b(?:src|href|action|poster|srcset|xlink:href)\s*=\s*"([^"]*)"/gi)) if (!/^(#|data:)/.test(m[1])) found.push(m[0]);
  for (const m of html.matchAll(/(?:https?:|ftp:|wss?:)\/\/[^\s"'<>)]*/gi)) found.push(m[0]);
  for (const m of html.matchAll(/url\(|@import|<iframe\b|<object\b|<embed\b|\bfetch\(|XMLHttpRequest|import\(/gi)) found.push(m[0]);
  return found;
}
