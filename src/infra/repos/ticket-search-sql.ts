/**
 * Search SQL. Each word of a query must match somewhere in a ticket: its subject, any comment, its requester's name
 * or email, or their organization, each found through the GIN index on that table's `search_doc` (see the
 * ticket_search migration).
 *
 * How the matches become a page depends on how common the words are, which PostgreSQL cannot know from its
 * statistics (it guesses a word's hits wrong by orders of magnitude, and then reads every ticket). So the words are
 * counted first, each up to COMMON, through their indexes:
 *   - a rare word (fewer than COMMON hits): its tickets are the candidates, fetched by primary key; the other
 *     words are checked on each candidate through the per-ticket indexes;
 *   - only common words: the queue is walked in its sort order through its index, and each ticket checked until
 *     the page is full (with every word on at least COMMON tickets, that takes a few thousand at most).
 */
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../db/prisma.ts';
import { searchWords, ticketNumberIn } from '../../core/search/search-words.ts';

/** Hits from which a word counts as common (~0.5% of a million tickets). */
export const COMMON = 5000;

export type SearchPlan =
  | { kind: 'candidates'; rare: string; others: string[]; number: number | null }
  | { kind: 'scan'; words: string[]; number: number | null }
  | { kind: 'number'; number: number }
  | { kind: 'nothing' };

const q = (word: string) => Prisma.sql`search_query(${word})`;
const publicComment = (publicOnly: boolean) => (publicOnly ? Prisma.sql` AND c.public AND c.deleted_at IS NULL` : Prisma.empty);

/** The tickets a word matches, as four index scans (with repeats when `all`: for counting). */
function hits(word: string, publicOnly: boolean, all = false): Prisma.Sql {
  const union = all ? Prisma.sql`UNION ALL` : Prisma.sql`UNION`;
  return Prisma.sql`
    SELECT id FROM tickets WHERE search_doc @@ ${q(word)}
    ${union} SELECT c.ticket_id FROM comments c WHERE c.search_doc @@ ${q(word)}${publicComment(publicOnly)}
    ${union} SELECT rt.id FROM users u JOIN tickets rt ON rt.requester_id = u.id WHERE u.search_doc @@ ${q(word)}
    ${union} SELECT ot.id FROM organizations o JOIN users ou ON ou.organization_id = o.id JOIN tickets ot ON ot.requester_id = ou.id
      WHERE o.search_doc @@ ${q(word)}`;
}

/**
 * Whether ticket `t` matches a word, by the indexes of one ticket's comments, requester and organization. OFFSET 0
 * keeps each EXISTS a probe per ticket: without it PostgreSQL turns them into a hash of every match in the table
 * (all 33,000 comments with "printer" at a million tickets), which is what the walk is there to avoid.
 */
function matches(word: string, publicOnly: boolean): Prisma.Sql {
  return Prisma.sql`(t.search_doc @@ ${q(word)}
    OR EXISTS (SELECT 1 FROM comments c WHERE c.ticket_id = t.id AND c.search_doc @@ ${q(word)}${publicComment(publicOnly)} OFFSET 0)
    OR EXISTS (SELECT 1 FROM users u WHERE u.id = t.requester_id AND u.search_doc @@ ${q(word)} OFFSET 0)
    OR EXISTS (SELECT 1 FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.id = t.requester_id AND o.search_doc @@ ${q(word)} OFFSET 0))`;
}

export async function planSearch(db: Db, query: string, publicOnly: boolean): Promise<SearchPlan> {
  const number = ticketNumberIn(query);
  const words = searchWords(query);
  if (words.length === 0) return number === null ? { kind: 'nothing' } : { kind: 'number', number };
  const counted = Prisma.join(
    words.map((w) => Prisma.sql`json_build_array(${q(w)} IS NULL, (SELECT count(*) FROM (SELECT 1 FROM (${hits(w, publicOnly, true)}) h LIMIT ${COMMON}) x))`),
  );
  const [row] = await db.$queryRaw<{ r: [boolean, number][] }[]>`SELECT json_build_array(${counted}) AS r`;
  return choosePlan(words.map((word, i) => ({ word, empty: row!.r[i]![0], hits: Number(row!.r[i]![1]) })), number);
}

/** The strategy for words counted up to COMMON (`empty`: the word has nothing to search for, e.g. "!!!"). */
export function choosePlan(words: { word: string; empty: boolean; hits: number }[], number: number | null): SearchPlan {
  const live = words.filter((x) => !x.empty);
  if (live.length === 0) return number === null ? { kind: 'nothing' } : { kind: 'number', number };
  const rarest = live.reduce((a, b) => (b.hits < a.hits ? b : a));
  if (rarest.hits < COMMON) return { kind: 'candidates', rare: rarest.word, others: live.filter((x) => x !== rarest).map((x) => x.word), number };
  return { kind: 'scan', words: live.map((x) => x.word), number };
}

/** The WHERE condition of a planned search on tickets `t`. */
export function searchCondition(plan: SearchPlan, publicOnly: boolean): Prisma.Sql {
  switch (plan.kind) {
    case 'nothing':
      return Prisma.sql`false`;
    case 'number':
      return Prisma.sql`t.number = ${plan.number}`;
    case 'candidates': {
      const byNumber = plan.number !== null ? Prisma.sql` UNION SELECT id FROM tickets WHERE number = ${plan.number}` : Prisma.empty;
      const candidates = Prisma.sql`t.id = ANY(ARRAY(${hits(plan.rare, publicOnly)}${byNumber}))`;
      return plan.others.length ? Prisma.sql`${candidates} AND ${Prisma.join(plan.others.map((w) => matches(w, publicOnly)), ' AND ')}` : candidates;
    }
    case 'scan': {
      const all = Prisma.join(plan.words.map((w) => matches(w, publicOnly)), ' AND ');
      return plan.number !== null ? Prisma.sql`((${all}) OR t.number = ${plan.number})` : all;
    }
  }
}
