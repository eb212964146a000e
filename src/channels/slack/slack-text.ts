/** Text helpers for Slack's mrkdwn and its size limits. */

/** Slack's three control characters; everything else in mrkdwn is safe to show as typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Splits text into escaped pieces of at most `max` characters each (a section block holds 3,000), never cutting an
 * escape sequence and preferring line breaks. Text that is mrkdwn already passes `escape` = as it is.
 */
export function escapedChunks(text: string, max = 3000, escape: (ch: string) => string = escapeMrkdwn): string[] {
  const chunks: string[] = [];
  let current = '';
  let lastBreak = -1;
  for (const ch of text) {
    const piece = escape(ch);
    if (current.length + piece.length > max) {
      if (lastBreak > 0 && current.length - lastBreak - 1 + piece.length <= max) {
        chunks.push(current.slice(0, lastBreak));
        current = current.slice(lastBreak + 1);
      } else {
        chunks.push(current);
        current = '';
      }
      lastBreak = -1;
    }
    if (ch === '\n') lastBreak = current.length;
    current += piece;
  }
  if (current !== '' || chunks.length === 0) chunks.push(current);
  return chunks;
}

/** Prefixes every line with Slack's quote marker. */
export function quote(escaped: string): string {
  return `>${escaped.replaceAll('\n', '\n>')}`;
}

/**
 * Slack's message markup as a person would read it: links as their labels, mentions as @name (or @id), channel
 * references as #name, entities unescaped.
 */
export function slackToPlain(text: string, names: ReadonlyMap<string, string> = new Map()): string {
  return text
    .replace(/<@([UW][A-Z0-9_]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => `@${names.get(id) ?? label ?? id}`)
    .replace(/<#([CG][A-Z0-9_]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => `#${label || id}`)
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, (_m, word: string) => `@${word}`)
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>/g, (_m, label?: string) => label ?? '@group')
    .replace(/<([^>|]+)\|([^>]+)>/g, (_m, _url: string, label: string) => label)
    .replace(/<([^>]+)>/g, (_m, url: string) => url)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The ids of users mentioned as <@U…>, in order of first appearance. */
export function mentionedUsers(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(/<@([UW][A-Z0-9_]+)(?:\|[^>]*)?>/g), (m) => m[1]!))];
}

/** Cuts to at most `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/**
 * What a person sees of a message: its own text, and the text of a message shared or forwarded into it (which
 * Slack carries as an attachment, leaving `text` empty for a plain forward). Link previews are not the person's.
 */
export function visibleText(
  m: { text: string; attachments: { shared: boolean; author: string | null; text: string }[] },
  names: ReadonlyMap<string, string> = new Map(),
): string {
  const shared = m.attachments.filter((a) => a.shared && a.text.trim() !== '').map((a) => `${a.author ? `${a.author}: ` : ''}${slackToPlain(a.text, names)}`);
  return [slackToPlain(m.text, names), ...shared].filter((s) => s.trim() !== '').join('\n');
}
