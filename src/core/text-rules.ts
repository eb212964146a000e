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

/** Sets an own property, so that a key named `__proto__` stays data instead of replacing the prototype. */
function put(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A copy of `value` whose every string and object key is storable; other values (numbers, dates) as they are.
 * Iterative, so that a deeply nested body cannot exhaust the call stack.
 */
export function storable<T>(value: T): T {
  const root: Record<string, unknown> = {};
  const todo: [Record<string | number, unknown>, string | number, unknown][] = [[root, 'v', value]];
  for (let item = todo.pop(); item; item = todo.pop()) {
    const [parent, key, v] = item;
    if (typeof v === 'string') put(parent, key, storableText(v));
    else if (Array.isArray(v)) {
      const copy: unknown[] = new Array(v.length);
      put(parent, key, copy);
      v.forEach((x, i) => todo.push([copy as unknown as Record<number, unknown>, i, x]));
    } else if (isPlainObject(v)) {
      const copy: Record<string, unknown> = {};
      put(parent, key, copy);
      for (const [k, x] of Object.entries(v)) {
        const clean = storableText(k);
        put(copy, clean, undefined); // keeps the keys in their order; the value follows
        todo.push([copy, clean, x]);
      }
    } else put(parent, key, v);
  }
  return root['v'] as T;
}

interface PathNode {
  key: string | number;
  up: PathNode | null;
}

function shownPath(node: PathNode | null): string {
  const parts: string[] = [];
  for (let n = node; n; n = n.up) parts.unshift(String(n.key).replaceAll('\u0000', '\\0'));
  const path = parts.join('.');
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}

/**
 * Where the first NUL in `value` is, as a field path (`name`, `attachments.0.name`); a key that holds one is
 * named with the NUL shown as `\0`. Null when there is none. Iterative, like `storable`.
 */
export function nulPath(value: unknown): string | null {
  const todo: [unknown, PathNode | null][] = [[value, null]];
  for (let item = todo.pop(); item; item = todo.pop()) {
    const [v, at] = item;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return shownPath(at);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) todo.push([v[i], { key: i, up: at }]);
    } else if (isPlainObject(v)) {
      const entries = Object.entries(v);
      for (const [k] of entries) if (k.includes('\u0000')) return shownPath({ key: k, up: at });
      for (let i = entries.length - 1; i >= 0; i--) todo.push([entries[i]![1], { key: entries[i]![0], up: at }]);
    }
  }
  return null;
}

export const NUL_MESSAGE = 'must not contain a NUL character (U+0000)';

/** An id of ours (a uuid, any case): anything else names nothing, and is refused before it reaches a query. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
