/** SLA policies and the SLA job's work list on PostgreSQL. */
import type { Db } from '../db/prisma.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import type { SlaRepo } from '../../core/ports/agent-work-port.ts';
import type { BusinessHours } from '../../core/sla/business-hours.ts';
import type { SlaPolicy } from '../../core/sla/sla-rules.ts';
import type { TicketPriority } from '../../core/tickets/ticket-types.ts';

type Row = { priority: string; firstReplyMinutes: number | null; nextReplyMinutes: number | null; resolutionMinutes: number | null; businessHours: unknown };

export function toSlaPolicy(r: Row): SlaPolicy {
  return {
    priority: r.priority as TicketPriority,
    firstReplyMinutes: r.firstReplyMinutes,
    nextReplyMinutes: r.nextReplyMinutes,
    resolutionMinutes: r.resolutionMinutes,
    businessHours: (r.businessHours ?? null) as BusinessHours | null,
  };
}

export function createSlaRepo(db: Db): SlaRepo {
  return {
    async listPolicies() {
      const rows = await db.slaPolicy.findMany();
      const rank = ['urgent', 'high', 'normal', 'low'];
      return rows.map(toSlaPolicy).sort((a, b) => rank.indexOf(a.priority) - rank.indexOf(b.priority));
    },
    async upsertPolicy(p) {
      const data = {
        firstReplyMinutes: p.firstReplyMinutes,
        nextReplyMinutes: p.nextReplyMinutes,
        resolutionMinutes: p.resolutionMinutes,
        businessHours: p.businessHours ? (p.businessHours as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
      };
      const r = await db.slaPolicy.upsert({ where: { priority: p.priority }, create: { priority: p.priority, ...data }, update: data });
      return toSlaPolicy(r);
    },
    async deletePolicy(priority) {
      return (await db.slaPolicy.deleteMany({ where: { priority } })).count > 0;
    },
    async ticketsToCheck(now, limit) {
      const rows = await db.$queryRaw<{ id: string }[]>`SELECT id FROM tickets WHERE sla_check_at <= ${now} ORDER BY sla_check_at LIMIT ${limit}`;
      return rows.map((r) => r.id);
    },
  };
}
