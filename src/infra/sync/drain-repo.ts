/**
 * The thread drain's repository and scheduler on PostgreSQL (the algorithm is the core's:
 * src/core/sync/thread-drain.ts).
 */
import { z } from 'zod';
import { Prisma } from '../../generated/prisma/client.ts';
import { directRaw, type Db } from '../db/prisma.ts';
import { CLAIM_MS, type DrainRepo, type DrainScheduler, type PendingDelivery, type ThreadLinkRow } from '../../core/sync/thread-drain.ts';
import type { TicketPriority, TicketStatus, Visibility } from '../../core/tickets/ticket-types.ts';
import { drainThreadLater, drainThreadLaterSql, threadLinkColumns } from './drain-queue.ts';
import { claimedRows } from './claim-loop.ts';
import { announcedSql } from '../live/announced.ts';

const linkSchema = z.object({
  id: z.string(),
  ticketId: z.string(),
  platform: z.string(),
  workspaceId: z.string(),
  chatId: z.string(),
  threadRef: z.string(),
  directUserId: z.string().nullable(),
  locale: z.string(),
  status: z.enum(['active', 'broken']),
  brokenReason: z.string().nullable(),
});

const deliveryRowSchema = z.object({
  id: z.string(),
  status: z.string(),
  attempts: z.number().int(),
  claimed_until: z.date().nullable(),
  claimed: z.number().int(),
  type: z.string(),
  payload: z.unknown(),
  created_at: z.date(),
  number: z.number().int(),
  ticket_id: z.string(),
  subject: z.string(),
  ticket_status: z.string(),
  priority: z.string(),
  visibility: z.string(),
  comment_body: z.string().nullable(),
  comment_public: z.boolean().nullable(),
  comment_deleted_at: z.date().nullable(),
  comment_author: z.string().nullable(),
  delivered_message_id: z.string().nullable(),
});

/**
 * `announce`: told the ticket of each delivery marked sent, after the statement that marked it. The mark names its
 * ticket as announced by the service (the delivery's trigger stays silent for it: migration live_after_commit), so
 * that the deliveries' commits do not queue on the cluster's notification lock; the service announces it on its
 * live bus, coalesced.
 */
export function createDrainRepo(prisma: Db, opts: { announce?: (ticketNumber: number) => void } = {}): DrainRepo & DrainScheduler & { prefetched(rows: { id: string }[]): void } {
  // Every delivery's statements: on pg directly (src/infra/db/direct-sql.ts).
  const db = directRaw(prisma);
  /** The links the delivery queue's claim returned (drain-queue.ts): a drain's read of its link takes it. */
  const links = claimedRows<unknown>();
  /** `unsent`: the read claimed it, but nothing was sent (nothing to send, found delivered): the claim's attempt is taken back. */
  type Mark = { id: bigint; messageId: string | null; note: string | null; ticket: { id: string; number: number } | null; unsent: boolean };
  /**
   * Per thread, the delivery just marked sent, its statement going with the thread's next nextDelivery: the drain
   * asks for the next delivery right after marking one and calls nothing in between (src/core/sync/thread-drain.ts),
   * so the mark costs no statement of its own.
   */
  const sent = new Map<string, Mark>();
  /**
   * Per thread, the delivery its last nextDelivery returned, that delivery's ticket (what a mark announces) and the
   * claim the read took, if it did (for CLAIM_MS, as the drain would claim it next), with what the row was before:
   * the drain's claimDelivery of it then costs no statement, and a drainLater of the thread that comes instead (a
   * pacing wait) gives the claim back in its own statement. The claim counts an attempt, as claimDelivery's does,
   * before anything is sent; a delivery that is then marked without having been sent (nothing to send, found
   * delivered) gets that attempt back in the mark. A crash between the read and the send leaves one attempt
   * counted that was not made.
   */
  type Claim = { until: Date; before: { status: string; attempts: number; claimedUntil: Date | null } };
  const lastRead = new Map<string, { deliveryId: string; ticket: { id: string; number: number }; claim: Claim | null }>();
  /** Free to claim (table alias `a`): pending, or sending with a lease that ran out. */
  const claimable = (alias: string) => {
    const a = Prisma.raw(alias);
    return Prisma.sql`(${a}.status = 'pending' OR (${a}.status = 'sending' AND (${a}.claimed_until IS NULL OR ${a}.claimed_until <= now())))`;
  };
  const markSql = (m: Mark) => Prisma.sql`
    UPDATE deliveries SET status = 'sent', sent_at = clock_timestamp(), claimed_until = NULL, last_error = ${m.note},
           platform_message_id = COALESCE(${m.messageId}, platform_message_id)${m.unsent ? Prisma.sql`, attempts = greatest(attempts - 1, 0)` : Prisma.empty}
    WHERE id = ${m.id}${m.ticket ? Prisma.sql` AND ${announcedSql(m.ticket.id)}` : Prisma.empty}`;
  const announce = (m: Mark | undefined) => {
    if (m?.ticket) opts.announce?.(m.ticket.number);
  };
  /** The read's claim of this delivery, taken off its thread's entry (it is used, or the delivery is done with). */
  const takeClaim = (deliveryId: string): Claim | null => {
    for (const r of lastRead.values())
      if (r.deliveryId === deliveryId) {
        const c = r.claim;
        r.claim = null;
        return c;
      }
    return null;
  };
  /** The delivery is done with: true if the read's claim was never used for a send (attempts counts sends). */
  const unsent = (deliveryId: string) => takeClaim(deliveryId) !== null;
  return {
    prefetched: (rows) => links.keep(rows),
    async loadThreadLink(id) {
      const pre = links.take(id);
      if (pre) return linkSchema.parse(pre) as ThreadLinkRow;
      const rows = await db.$queryRaw<unknown[]>`SELECT ${threadLinkColumns('l')} FROM chat_thread_links l WHERE l.id = ${id}::uuid`;
      return rows[0] ? (linkSchema.parse(rows[0]) as ThreadLinkRow) : null;
    },

    async nextDelivery(threadLinkId) {
      // One statement: the delivery, its event, the ticket, the comment it carries and, for an edit or a delete,
      // the message that carried the comment into this thread; and the mark of the one sent before it. The mark's
      // row still looks unsent to the SELECT (one snapshot), hence the `<>`.
      // The next one is claimed in the same statement, as claimDelivery would (pending, or sending with a lease
      // that ran out); the SELECT shows the row as it was before (one snapshot), which the drain decides on.
      const mark = sent.get(threadLinkId);
      sent.delete(threadLinkId);
      lastRead.delete(threadLinkId);
      const until = new Date(Date.now() + CLAIM_MS);
      const rows = await db.$queryRaw<unknown[]>`
        WITH ${mark ? Prisma.sql`marked AS (${markSql(mark)} RETURNING 1),` : Prisma.empty}
        nx AS (
          SELECT d.id FROM deliveries d
          WHERE d.thread_link_id = ${threadLinkId}::uuid AND d.status IN ('pending', 'sending') AND d.id <> ${mark?.id ?? BigInt(0)}
          ORDER BY d.id LIMIT 1),
        cl AS (
          UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, claimed_until = ${until}
          FROM nx WHERE d.id = nx.id AND ${claimable('d')}
          RETURNING d.id)
        SELECT d.id::text AS id, d.status, d.attempts, d.claimed_until, (SELECT count(*) FROM cl)::int AS claimed, o.type, o.payload, o.created_at,
               t.number, t.id::text AS ticket_id, t.subject, t.status AS ticket_status, t.priority, t.visibility,
               c.body AS comment_body, c.public AS comment_public, c.deleted_at AS comment_deleted_at, a.name AS comment_author,
               CASE WHEN o.type IN ('comment.edited', 'comment.deleted') AND o.payload->>'commentId' IS NOT NULL THEN (
                 SELECT od.platform_message_id FROM deliveries od JOIN outbox_events oo ON oo.id = od.outbox_event_id
                 WHERE od.thread_link_id = d.thread_link_id AND od.status = 'sent' AND od.platform_message_id IS NOT NULL
                   AND oo.type = 'comment.added' AND oo.payload->>'commentId' = o.payload->>'commentId'
                 ORDER BY od.id LIMIT 1) END AS delivered_message_id
        FROM deliveries d
        JOIN outbox_events o ON o.id = d.outbox_event_id
        JOIN tickets t ON t.id = o.ticket_id
        LEFT JOIN comments c ON c.id = CASE WHEN o.payload->>'commentId' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN (o.payload->>'commentId')::uuid END
        LEFT JOIN users a ON a.id = c.author_id
        WHERE d.id = (SELECT id FROM nx)`;
      announce(mark);
      if (!rows[0]) return null;
      const d = deliveryRowSchema.parse(rows[0]);
      lastRead.set(threadLinkId, {
        deliveryId: d.id,
        ticket: { id: d.ticket_id, number: d.number },
        claim: d.claimed === 1 ? { until, before: { status: d.status, attempts: d.attempts, claimedUntil: d.claimed_until } } : null,
      });
      const payload = (d.payload ?? {}) as Record<string, unknown>;
      const row: PendingDelivery = {
        id: d.id,
        status: d.status as PendingDelivery['status'],
        attempts: d.attempts,
        claimedUntil: d.claimed_until,
        event: { type: d.type, payload, createdAt: d.created_at } as PendingDelivery['event'],
        ticket: { number: d.number, subject: d.subject, status: d.ticket_status as TicketStatus, priority: d.priority as TicketPriority, visibility: d.visibility as Visibility },
        comment:
          d.comment_body !== null
            ? { body: d.comment_body, authorName: d.comment_author ?? '', public: d.comment_public ?? false, deleted: d.comment_deleted_at !== null }
            : null,
        deliveredMessageId: d.delivered_message_id,
      };
      return row;
    },

    async claimDelivery(id, until) {
      const held = takeClaim(id);
      if (held) {
        // Claimed by the read: held already, for longer if asked (a comment's files). A pacing wait between the read
        // and this leaves the same claim a little shorter, still far longer than a platform call takes.
        if (until.getTime() <= held.until.getTime() + CLAIM_MS / 2) return true;
        return (await db.$executeRaw`UPDATE deliveries SET claimed_until = ${until} WHERE id = ${BigInt(id)} AND status = 'sending' AND claimed_until = ${held.until}`) === 1;
      }
      const n = await db.$executeRaw`
        UPDATE deliveries d SET status = 'sending', attempts = attempts + 1, claimed_until = ${until}
        WHERE id = ${BigInt(id)} AND ${claimable('d')}`;
      return n === 1;
    },

    async markDeliverySent(id, platformMessageId, note, thenNextOf) {
      const read = thenNextOf ? lastRead.get(thenNextOf) : undefined;
      const m: Mark = { id: BigInt(id), messageId: platformMessageId, note: note ?? null, ticket: read?.deliveryId === id ? read.ticket : null, unsent: unsent(id) };
      const before = thenNextOf ? sent.get(thenNextOf) : undefined;
      if (before) {
        await db.$executeRaw`${markSql(before)}`;
        announce(before);
      }
      if (thenNextOf) sent.set(thenNextOf, m);
      else {
        await db.$executeRaw`${markSql(m)}`;
        announce(m);
      }
    },

    async markDeliveryFailed(id, reason) {
      const back = unsent(id);
      await db.delivery.update({ where: { id: BigInt(id) }, data: { status: 'failed', claimedUntil: null, lastError: reason, ...(back ? { attempts: { decrement: 1 } } : {}) } });
    },

    async noteDeliveryError(id, reason, nothingSent) {
      const back = unsent(id);
      await db.delivery.update({ where: { id: BigInt(id) }, data: { lastError: reason, claimedUntil: null, ...(nothingSent ? { status: 'pending' } : {}), ...(back ? { attempts: { decrement: 1 } } : {}) } });
    },

    async breakThreadLink(threadLinkId, reason) {
      lastRead.delete(threadLinkId);
      await db.$transaction([
        db.chatThreadLink.update({ where: { id: threadLinkId }, data: { status: 'broken', brokenReason: reason.slice(0, 500) } }),
        db.delivery.updateMany({
          where: { threadLinkId, status: { in: ['pending', 'sending'] } },
          data: { status: 'failed', claimedUntil: null, lastError: `thread link broken: ${reason}`.slice(0, 500) },
        }),
      ]);
    },

    async moveThreadLink(threadLinkId, chatId) {
      await db.chatThreadLink.update({ where: { id: threadLinkId }, data: { chatId } }).catch(() => undefined);
    },

    async drainLater(threadLinkId, runAt) {
      const read = lastRead.get(threadLinkId);
      lastRead.delete(threadLinkId);
      if (!read?.claim) return drainThreadLater(db, threadLinkId, runAt);
      // The claim the read took is not used (a pacing wait): the row goes back to what it was, in the statement
      // that asks for the later drain. Nothing a page shows changed, so its trigger is told to stay silent.
      const b = read.claim.before;
      await db.$executeRaw`WITH back AS (
          UPDATE deliveries SET status = ${b.status}, attempts = ${b.attempts}, claimed_until = ${b.claimedUntil}
          WHERE id = ${BigInt(read.deliveryId)} AND status = 'sending' AND claimed_until = ${read.claim.until}
            AND ${announcedSql(read.ticket.id)}
          RETURNING 1)
        ${drainThreadLaterSql(threadLinkId, runAt)}`;
    },
  };
}
