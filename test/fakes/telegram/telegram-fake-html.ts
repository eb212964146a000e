/**
 * The fake's parse_mode=HTML parser: what Telegram accepts, what it rejects, and the plain text plus entities it
 * stores. Lengths and offsets are UTF-16 code units, as in real entities.
 */

export interface ParsedEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
}

export type HtmlParseResult = { ok: true; text: string; entities: ParsedEntity[] } | { ok: false; description: string };

const TAG_TYPES: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function byteOffset(s: string, index: number): number {
  return Buffer.byteLength(s.slice(0, index), 'utf8');
}

function cantParse(reason: string): HtmlParseResult {
  return { ok: false, description: `Bad Request: can't parse entities: ${reason}` };
}

function parseAttributes(raw: string): Record<string, string> | null {
  const attrs: Record<string, string> = {};
  const re = /\s*([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gy;
  let rest = raw.trim();
  while (rest.length > 0) {
    re.lastIndex = 0;
    const m = re.exec(rest);
    if (!m) return null;
    attrs[(m[1] ?? '').toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
    rest = rest.slice(m[0].length).trim();
  }
  return attrs;
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (all, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return NAMED_ENTITIES[body.toLowerCase()] ?? all;
  });
}

/** Parses Telegram's HTML subset. Unknown or unclosed tags and a bare "<" are errors, as on the real API. */
export function parseTelegramHtml(html: string): HtmlParseResult {
  let text = '';
  const entities: ParsedEntity[] = [];
  const open: { name: string; type: string; offset: number; url?: string }[] = [];
  let i = 0;
  while (i < html.length) {
    const ch = html[i];
    if (ch === '&') {
      const m = /^&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/.exec(html.slice(i, i + 12));
      if (m) {
        text += decodeEntities(m[0]);
        i += m[0].length;
        continue;
      }
      text += ch;
      i += 1;
      continue;
    }
    if (ch !== '<') {
      text += ch;
      i += 1;
      continue;
    }
    const close = html.indexOf('>', i);
    if (close < 0) return cantParse(`Unclosed start tag at byte offset ${byteOffset(html, i)}`);
    const inner = html.slice(i + 1, close);
    if (inner.startsWith('/')) {
      const name = inner.slice(1).trim().toLowerCase();
      const top = open.pop();
      if (!top) return cantParse(`Unexpected end tag at byte offset ${byteOffset(html, i)}`);
      if (top.name !== name) {
        return cantParse(
          `Unmatched end tag at byte offset ${byteOffset(html, i)}, expected "</${top.name}>", found "</${name}>"`,
        );
      }
      const length = text.length - top.offset;
      if (length > 0) {
        entities.push({ type: top.type, offset: top.offset, length, ...(top.url ? { url: top.url } : {}) });
      }
      i = close + 1;
      continue;
    }
    const nameMatch = /^[a-zA-Z][a-zA-Z0-9-]*/.exec(inner);
    const name = (nameMatch?.[0] ?? '').toLowerCase();
    const type = TAG_TYPES[name];
    if (!type) return cantParse(`Unsupported start tag "${name}" at byte offset ${byteOffset(html, i)}`);
    const attrs = parseAttributes(inner.slice(name.length).replace(/\/$/, ''));
    if (!attrs) return cantParse(`Can't parse attributes of tag "${name}" at byte offset ${byteOffset(html, i)}`);
    if (name === 'span' && attrs['class'] !== 'tg-spoiler') {
      return cantParse(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(html, i)}`);
    }
    let url: string | undefined;
    if (name === 'a') {
      url = attrs['href'];
      if (!url) return cantParse(`Can't find href attribute of tag "a" at byte offset ${byteOffset(html, i)}`);
    }
    open.push({ name, type, offset: text.length, ...(url ? { url } : {}) });
    i = close + 1;
  }
  const unclosed = open.pop();
  if (unclosed) return cantParse(`Can't find end tag corresponding to start tag "${unclosed.name}"`);
  return { ok: true, text, entities: entities.sort((a, b) => a.offset - b.offset) };
}
