/**
 * The queue's SQL: filters, full-text search and keyset pages in every sort order, each shaped so that one index
 * serves it at a million tickets (bench/queries.ts prints the plans).
 *
 * Search: see ticket-search-sql.ts. Sorting: every order has an index on (key, number) in one
 * direction, and a page continues after the row comparison (key, number) > or < the cursor's, so that a later
 * page is one index range, not a skip over earlier ones.
 */
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../db/prisma.ts';
import type { TicketFilter } from '../../core/ports/store-port.ts';
import { NATURAL_ORDER, TICKET_SORTS, type TicketSort } from '../../core/tickets/ticket-types.ts';
import { planSearch, searchCondition, type SearchPlan } from './ticket-search-sql.ts';
import { decodeCursor, encodeCursor } from '../../core/pagination.ts';

type SortKey = { sql: Prisma.Sql; type: 'timestamptz' | 'int' };
interface KeyRow {
  id: string;
  number: number;
  /** the sort key as text: an ISO time, "infinity", or a rank */
  k: string | null;
}

/** The sort expressions exactly as the indexes of the version-tags and SLA migrations are written. */
const KEYS: Record<Exclude<TicketSort, 'number' | 'created'>, SortKey> = {
  updated: { sql: Prisma.sql`t.updated_at`, type: 'timestamptz' },
  priority: { sql: Prisma.sql`priority_rank(t.priority)`, type: 'int' },
  waiting: { sql: Prisma.sql`coalesce(t.waiting_since, 'infinity'::timestamptz)`, type: 'timestamptz' },
  due: { sql: Prisma.sql`coalesce(t.sla_due_at, 'infinity'::timestamptz)`, type: 'timestamptz' },
};

/** The key as text that casts back to the same value, whatever the session's DateStyle. */
const keyText = (key: SortKey) =>
  key.type === 'int'
    ? Prisma.sql`${key.sql}::text`
    : Prisma.sql`CASE WHEN isfinite(${key.sql}) THEN to_char(${key.sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') ELSE 'infinity' END`;

const BREACHING = Prisma.sql`coalesce(t.sla_due_at, 'infinity'::timestamptz) < now()`;

function conditions(f: TicketFilter, search: SearchPlan | null): Prisma.Sql[] {
  const c: Prisma.Sql[] = [];
  if (f.status?.length) c.push(Prisma.sql`t.status IN (${Prisma.join(f.status)})`);
  if (f.requesterId) c.push(Prisma.sql`t.requester_id = ${f.requesterId}::uuid`);
  if (f.requesterEmail) c.push(Prisma.sql`t.requester_id = (SELECT id FROM users WHERE email = ${f.requesterEmail.trim().toLowerCase()})`);
  if (f.publicOnly) c.push(Prisma.sql`t.visibility = 'public'`);
  if (f.assigneeId === null) c.push(Prisma.sql`t.assignee_id IS NULL`);
  else if (f.assigneeId) c.push(Prisma.sql`t.assignee_id = ${f.assigneeId}::uuid`);
  if (f.serviceId) c.push(Prisma.sql`t.service_id = ${f.serviceId}::uuid`);
  if (f.via) c.push(Prisma.sql`t.via = ${f.via}`);
  if (f.priority) c.push(Prisma.sql`t.priority = ${f.priority}`);
  if (f.tags?.length) c.push(Prisma.sql`t.tags @> ${f.tags}::text[]`);
  if (f.breaching) c.push(BREACHING);
  // "waiting" in the terms of the waiting sort's index, so that the index serves the filter too
  if (f.waiting) c.push(Prisma.sql`coalesce(t.waiting_since, 'infinity'::timestamptz) < 'infinity'::timestamptz`);
  if (search) c.push(searchCondition(search, f.publicOnly ?? false));
  return c;
}

const whereOf = (c: Prisma.Sql[]) => (c.length ? Prisma.sql`WHERE ${Prisma.join(c, ' AND ')}` : Prisma.empty);

/**
 * A cursor names its sort and the last row's (key, number); a cursor of another sort, or one we did not make,
 * starts from the first page. The default order keeps its cursor a bare ticket number, as it always was.
 */
function readCursor(sort: TicketSort, raw: string | null): { k: string | null; n: number } | null {
  const v = decodeCursor<unknown>(raw);
  const okNumber = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647;
  if (sort === 'number' || sort === 'created') return okNumber(v) ? { k: null, n: v } : null;
  if (typeof v !== 'object' || v === null) return null;
  const { s, k, n } = v as { s?: unknown; k?: unknown; n?: unknown };
  if (s !== sort || !okNumber(n)) return null;
  if (typeof k !== 'string') return null;
  if (KEYS[sort].type === 'int') return /^\d$/.test(k) ? { k, n } : null;
  return k === 'infinity' || (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(k) && !Number.isNaN(Date.parse(k))) ? { k, n } : null;
}

/** The page query: ids, numbers and sort keys in order, one row more than the page to tell if another follows. */
/** The search plan a filter needs (see ticket-search-sql.ts), or null without a query. */
export async function searchPlanOf(db: Db, f: TicketFilter): Promise<SearchPlan | null> {
  const q = f.query?.trim();
  return q ? planSearch(db, q, f.publicOnly ?? false) : null;
}

export function listTicketSql(f: TicketFilter, page: { limit: number; cursor: string | null }, search: SearchPlan | null): { query: Prisma.Sql; sort: TicketSort } {
  const sort: TicketSort = f.sort && TICKET_SORTS.includes(f.sort) ? f.sort : 'number';
  const desc = (f.order ?? NATURAL_ORDER[sort]) === 'desc';
  const dir = desc ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  const cmp = desc ? Prisma.sql`<` : Prisma.sql`>`;
  const cursor = readCursor(sort, page.cursor);
  const c = conditions(f, search);
  const take = page.limit + 1;
  if (sort === 'number' || sort === 'created') {
    if (cursor) c.push(Prisma.sql`t.number ${cmp} ${cursor.n}`);
    return { sort, query: Prisma.sql`SELECT t.id, t.number, NULL::text AS k FROM tickets t ${whereOf(c)} ORDER BY t.number ${dir} LIMIT ${take}` };
  }
  const key = KEYS[sort];
  if (cursor) {
    const k = key.type === 'int' ? Prisma.sql`${cursor.k}::int` : Prisma.sql`${cursor.k}::timestamptz`;
    c.push(Prisma.sql`(${key.sql}, t.number) ${cmp} (${k}, ${cursor.n})`);
  }
  return { sort, query: Prisma.sql`SELECT t.id, t.number, ${keyText(key)} AS k FROM tickets t ${whereOf(c)} ORDER BY ${key.sql} ${dir}, t.number ${dir} LIMIT ${take}` };
}

export async function listTicketIds(db: Db, f: TicketFilter, page: { limit: number; cursor: string | null }): Promise<{ ids: string[]; nextCursor: string | null }> {
  const { query, sort } = listTicketSql(f, page, await searchPlanOf(db, f));
  const rows = await db.$queryRaw<KeyRow[]>(query);
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  let nextCursor: string | null = null;
  if (rows.length > page.limit && last) nextCursor = sort === 'number' || sort === 'created' ? encodeCursor(last.number) : encodeCursor({ s: sort, k: last.k, n: last.number });
  return { ids: items.map((r) => r.id), nextCursor };
}

export function countTicketSql(f: TicketFilter, cap: number, search: SearchPlan | null): Prisma.Sql {
  return Prisma.sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM tickets t ${whereOf(conditions(f, search))} LIMIT ${cap + 1}) x`;
}

export async function countTicketsSql(db: Db, f: TicketFilter, cap: number): Promise<{ count: number; capped: boolean }> {
  const rows = await db.$queryRaw<{ n: number }[]>(countTicketSql(f, cap, await searchPlanOf(db, f)));
  const n = rows[0]?.n ?? 0;
  return { count: Math.min(n, cap), capped: n > cap };
}
