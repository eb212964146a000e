/** Request drafts on PostgreSQL (the core's DraftRepo). */
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../db/prisma.ts';
import type { DraftRepo, StoredDraft } from '../../core/ports/draft-repo.ts';
import type { SourceMessage } from '../../core/chat/chat-events.ts';
import type { TicketPriority } from '../../core/tickets/ticket-types.ts';

type Row = Prisma.RequestDraftGetPayload<object>;

function toDraft(r: Row): StoredDraft {
  return {
    id: r.id,
    owner: { platform: r.platform, workspaceId: r.workspaceId, platformUserId: r.platformUserId },
    place: { platform: r.platform, workspaceId: r.workspaceId, chatId: r.chatId, threadRef: r.threadRef, direct: r.direct },
    source: (r.source as SourceMessage | null) ?? null,
    subject: r.subject,
    description: r.description,
    priority: r.priority as TicketPriority,
    serviceId: r.serviceId,
    priorityChosen: r.priorityChosen,
    serviceChosen: r.serviceChosen,
    ticketNumber: r.ticketNumber,
    cancelled: r.cancelled,
    createdAt: r.createdAt,
  };
}

const json = (v: unknown) => (v === null || v === undefined ? Prisma.DbNull : (v as Prisma.InputJsonValue));

export function createDraftRepo(db: Db): DraftRepo {
  return {
    async insertDraft(d) {
      const r = await db.requestDraft.create({
        data: {
          platform: d.owner.platform,
          workspaceId: d.owner.workspaceId,
          platformUserId: d.owner.platformUserId,
          chatId: d.place.chatId,
          threadRef: d.place.threadRef,
          direct: d.place.direct,
          source: json(d.source),
          subject: d.subject,
          description: d.description,
          priority: d.priority,
          serviceId: d.serviceId,
          priorityChosen: d.priorityChosen,
          serviceChosen: d.serviceChosen,
        },
      });
      return toDraft(r);
    },
    async getDraft(id, notBefore) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const r = await db.requestDraft.findFirst({ where: { id, createdAt: { gte: notBefore } } });
      return r ? toDraft(r) : null;
    },
    async updateDraft(id, patch) {
      const { source, ...rest } = patch;
      await db.requestDraft.update({ where: { id }, data: { ...rest, ...(source !== undefined ? { source: json(source) } : {}) } });
    },
  };
}
