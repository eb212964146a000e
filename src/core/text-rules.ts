/**
 * What text the database can hold. PostgreSQL's text columns refuse U+0000 (NUL), and its jsonb refuses the
 * `\u0000` escape and an unpaired surrogate escape (`\ud800`), which JSON.stringify writes for a lone surrogate.
 *
 * Two rules follow, one per kind of sender:
 * - A person at one of our own forms or API calls can fix what they send: NUL is refused with a 400 naming the
 *   field (`nulPath` finds it).
 * - A chat platform cannot: its event must be stored, acknowledged and processed, or the platform retries it
 *   forever. Such text is made storable (`storable`): NUL and lone surrogates become U+FFFD, the replacement
 *   character. Replacing rather than dropping keeps every length and offset as it was (U+FFFD, like NUL and like
 *   a lone surrogate, is one UTF-16 unit, so Telegram's entity offsets still point at the right text), keeps two
 *   keys that differ only by a NUL apart, and shows an agent that something was there.
 */

export const REPLACEMENT_CHARACTER = '\uFFFD';

const SUSPECT = /[\u0000\uD800-\uDFFF]/;
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(s: string): string {
  return SUSPECT.test(s) ? s.replace(UNSTORABLE, REPLACEMENT_CHARACTER) : s;
}

/** Plain data: `{}` objects, and the dictionaries query-string parsers make (no prototype, or one that has none). */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
}

/** A copy of `value` whose every string and object key is storable; other values (numbers, dates) as they are. */
export function storable<T>(value: T): T {
  if (typeof value === 'string') return storableText(value) as T;
  if (Array.isArray(value)) return value.map((v) => storable(v)) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[storableText(k)] = storable(v);
    return out as T;
  }
  return value;
}

/**
 * Where the first NUL in `value` is, as a field path (`name`, `attachments.0.name`); a key that holds one is
 * named with the NUL shown as `\0`. Null when there is none.
 */
export function nulPath(value: unknown, path: (string | number)[] = []): string | null {
  const shown = (p: (string | number)[]) => p.map((x) => String(x).replaceAll('\u0000', '\\0')).join('.');
  if (typeof value === 'string') return value.includes('\u0000') ? shown(path) : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const at = nulPath(v, [...path, i]);
      if (at !== null) return at;
    }
    return null;
  }
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\u0000')) return shown([...path, k]);
      const at = nulPath(v, [...path, k]);
      if (at !== null) return at;
    }
  }
  return null;
}

export const NUL_MESSAGE = 'must not contain a NUL character (U+0000)';
