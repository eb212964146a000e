/**
 * Telegram's HTML parse mode: escaping user text, and splitting long HTML at Telegram's 4096-character limit.
 * The limit counts the text AFTER entity parsing (tags removed, &amp; as one character), in UTF-16 code units, so
 * the splitter counts the same way and closes/reopens the tags that are open at a cut.
 */

export const TELEGRAM_TEXT_LIMIT = 4096;

/** Escapes text for HTML parse mode: Telegram requires only &, < and > to be escaped in text. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value (href), where a double quote would end the value. */
export function escapeAttr(value: string): string {
  return escapeHtml(value).replace(/"/g, '&quot;');
}

type Token =
  | { kind: 'open'; raw: string; name: string }
  | { kind: 'close'; raw: string }
  | { kind: 'text'; raw: string; length: number; breakable: 'newline' | 'space' | null };

function tokenize(html: string): Token[] {
  const tokens: Token[] = [];
  const re = /<\/?[a-zA-Z][^>]*>|&(?:#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|[\s\S]/gu;
  for (const m of html.matchAll(re)) {
    const raw = m[0];
    if (raw.startsWith('</')) tokens.push({ kind: 'close', raw });
    else if (raw.startsWith('<') && raw.length > 1) {
      tokens.push({ kind: 'open', raw, name: /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(raw)![1]!.toLowerCase() });
    } else if (raw.startsWith('&') && raw.length > 1) tokens.push({ kind: 'text', raw, length: 1, breakable: null });
    else {
      const breakable = raw === '\n' ? 'newline' : /\s/.test(raw) ? 'space' : null;
      tokens.push({ kind: 'text', raw, length: raw.length, breakable });
    }
  }
  return tokens;
}

function visibleText(tokens: Token[]): string {
  return tokens.map((t) => (t.kind === 'text' ? t.raw : '')).join('');
}

/**
 * Splits HTML into chunks of at most `max` visible characters. Cuts prefer a line break, then a space, in the
 * second half of the window; a cut inside <b>...</b> closes the tag and reopens it in the next chunk.
 */
export function splitHtml(html: string, max = TELEGRAM_TEXT_LIMIT): string[] {
  const tokens = tokenize(html);
  const chunks: string[] = [];
  let openAtStart: Extract<Token, { kind: 'open' }>[] = [];
  let start = 0;
  while (start < tokens.length) {
    const stack = [...openAtStart];
    let visible = 0;
    let cut = tokens.length;
    let resume = tokens.length;
    let best: { at: number; stack: typeof stack; rank: number } | null = null;
    let stackAtCut = stack;
    for (let i = start; i < tokens.length; i += 1) {
      const tok = tokens[i]!;
      if (tok.kind === 'open') {
        stack.push(tok);
        continue;
      }
      if (tok.kind === 'close') {
        stack.pop();
        continue;
      }
      if (visible + tok.length > max) {
        if (best) {
          cut = best.at;
          resume = best.at + 1;
          stackAtCut = best.stack;
        } else {
          cut = i;
          resume = i;
          stackAtCut = [...stack];
        }
        break;
      }
      if (tok.breakable && visible >= max / 2) {
        const rank = tok.breakable === 'newline' ? 2 : 1;
        if (!best || rank >= best.rank) best = { at: i, stack: [...stack], rank };
      }
      visible += tok.length;
    }
    if (cut === tokens.length) stackAtCut = [];
    const body = tokens.slice(start, cut);
    if (visibleText(body).trim().length > 0) {
      const closing = [...stackAtCut].reverse().map((t) => `</${t.name}>`);
      chunks.push(openAtStart.map((t) => t.raw).join('') + body.map((t) => t.raw).join('') + closing.join(''));
    }
    openAtStart = stackAtCut;
    start = resume;
  }
  return chunks;
}

/** Cuts plain text to `max` characters (UTF-16) without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  if (/[\uD800-\uDBFF]/.test(text[cut - 1] ?? '')) cut -= 1;
  return `${text.slice(0, cut)}…`;
}
