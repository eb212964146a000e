/**
 * The StoreTx methods of issue 15's features (SLA, notifications, tags), run inside the caller's transaction.
 */
import { Prisma } from '../../generated/prisma/client.ts';
import { announcedSql } from '../live/announced.ts';
import type { StoreTx } from '../../core/ports/store-port.ts';
import { toSlaPolicy } from './sla-repo.ts';

type Tx = Prisma.TransactionClient;

/**
 * `notified`: told the agents of notifications written about one ticket, which the statement names as announced
 * by the caller after the commit (the trigger stays silent for them: migration live_after_commit).
 */
export function agentWorkTx(tx: Tx, notified?: (agentIds: string[]) => void): Pick<StoreTx, 'getSlaPolicy' | 'recordSlaAlert' | 'insertNotifications' | 'rememberTags'> {
  return {
    async getSlaPolicy(priority) {
      const p = await tx.slaPolicy.findUnique({ where: { priority } });
      return p ? toSlaPolicy(p) : null;
    },
    async recordSlaAlert(ticketId, a) {
      const n = await tx.$executeRaw`INSERT INTO sla_alerts (ticket_id, target, kind, due_at) VALUES (${ticketId}::uuid, ${a.target}, ${a.kind}, ${a.dueAt})
        ON CONFLICT (ticket_id, target, kind, due_at) DO NOTHING`;
      return n === 1;
    },
    async insertNotifications(rows) {
      if (rows.length === 0) return;
      // A customer's reply on an assigned ticket writes one: raw (the transaction's statements go to pg directly),
      // not the client's createMany.
      const col = (f: (r: (typeof rows)[number]) => string | null | undefined) => rows.map((r) => f(r) ?? null);
      // All about one ticket (as a comment or a change writes them): announced by the caller once committed.
      const one = notified && rows.every((r) => r.ticketId === rows[0]!.ticketId) ? rows[0]!.ticketId : null;
      await tx.$executeRaw`INSERT INTO agent_notifications (id, agent_id, ticket_id, kind, actor_id, comment_id, detail)
        SELECT gen_random_uuid(), n.agent_id::uuid, n.ticket_id::uuid, n.kind, n.actor_id::uuid, n.comment_id::uuid, n.detail
        FROM unnest(${col((r) => r.agentId)}::text[], ${col((r) => r.ticketId)}::text[], ${col((r) => r.kind)}::text[],
                    ${col((r) => r.actorId)}::text[], ${col((r) => r.commentId)}::text[], ${col((r) => r.detail)}::text[])
          AS n(agent_id, ticket_id, kind, actor_id, comment_id, detail)
        ${one ? Prisma.sql`WHERE ${announcedSql(one)}` : Prisma.empty}`;
      if (one) notified?.([...new Set(rows.map((r) => r.agentId))]);
    },
    async rememberTags(tags) {
      if (tags.length) await tx.tag.createMany({ data: tags.map((name) => ({ name })), skipDuplicates: true });
    },
  };
}
