/**
 * Opaque list cursors: a value (a ticket number, an email, an id) as base64url JSON. Whoever decodes one checks
 * what it got: a cursor is client input, and a foreign one just starts from the first page.
 */
export function encodeCursor(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

export function decodeCursor<T>(c: string | null): T | null {
  if (!c) return null;
  try {
    return JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as T;
  } catch {
    return null;
  }
}
