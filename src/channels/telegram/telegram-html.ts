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

/** A tag (no visible length) or one visible character: an entity counts one, a surrogate pair two. */
interface Token {
  raw: string;
  /** The tag's name, for an opening tag. */
  open?: string;
  close?: true;
  length: number;
  /** How good a place to cut it is: a line break 2, a space 1, anything else 0. */
  rank: number;
}

function tokenize(html: string): Token[] {
  return [...html.matchAll(/<\/?[a-zA-Z][^>]*>|&(?:#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);|[\s\S]/gu)].map(([raw]) => {
    const tag = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/.exec(raw);
    if (tag?.[1]) return { raw, close: true, length: 0, rank: 0 };
    if (tag) return { raw, open: tag[2]!.toLowerCase(), length: 0, rank: 0 };
    if (raw.startsWith('&') && raw.length > 1) return { raw, length: 1, rank: 0 };
    return { raw, length: raw.length, rank: raw === '\n' ? 2 : /\s/.test(raw) ? 1 : 0 };
  });
}

/**
 * Splits HTML into chunks of at most `max` visible characters. Cuts prefer a line break, then a space, in the
 * second half of the window; a cut inside <b>...</b> closes the tag and reopens it in the next chunk.
 */
export function splitHtml(html: string, max = TELEGRAM_TEXT_LIMIT): string[] {
  const tokens = tokenize(html);
  const chunks: string[] = [];
  // The tags open where the chunk starts.
  let reopen: Token[] = [];
  for (let start = 0; start < tokens.length; ) {
    const open = [...reopen];
    let visible = 0;
    // Where the chunk ends, where the next one starts (past a break that is dropped), and the tags open there.
    let end = { at: tokens.length, next: tokens.length, open: [] as Token[] };
    let best: { at: number; open: Token[]; rank: number } | null = null;
    for (let i = start; i < tokens.length; i += 1) {
      const tok = tokens[i]!;
      if (tok.open) open.push(tok);
      else if (tok.close) open.pop();
      else if (visible + tok.length > max) {
        end = best ? { at: best.at, next: best.at + 1, open: best.open } : { at: i, next: i, open: [...open] };
        break;
      } else {
        const better = tok.rank > 0 && visible >= max / 2 && tok.rank >= (best?.rank ?? 0);
        if (better) best = { at: i, open: [...open], rank: tok.rank };
        visible += tok.length;
      }
    }
    const body = tokens.slice(start, end.at);
    if (body.some((tok) => !tok.open && !tok.close && tok.raw.trim() !== '')) {
      const closing = [...end.open].reverse().map((tok) => `</${tok.open}>`);
      chunks.push([...reopen, ...body].map((tok) => tok.raw).join('') + closing.join(''));
    }
    reopen = end.open;
    start = end.next;
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
