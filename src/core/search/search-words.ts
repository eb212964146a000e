/**
 * How a search box's text becomes a query: words separated by white space (any script's, the ideographic space
 * included), each of which must match somewhere in a ticket (subject, a comment, the requester or their
 * organization). Inside one word the database matches a phrase with a prefix at its end (see the ticket_search
 * migration), so "ольг" finds Ольга and 故障 finds 印刷機が故障しました.
 */
export const MAX_SEARCH_WORDS = 8;
const MAX_WORD_LENGTH = 100;

export function searchWords(query: string): string[] {
  const seen = new Set<string>();
  const words: string[] = [];
  for (const raw of query.normalize('NFKC').split(/\s+/u)) {
    const w = raw.slice(0, MAX_WORD_LENGTH);
    const key = w.toLowerCase();
    if (w === '' || seen.has(key)) continue;
    seen.add(key);
    words.push(w);
    if (words.length === MAX_SEARCH_WORDS) break;
  }
  return words;
}

/** "#123" or "123": also the ticket with that number. */
export function ticketNumberIn(query: string): number | null {
  const m = /^#?(\d{1,9})$/.exec(query.trim());
  return m ? Number(m[1]) : null;
}
