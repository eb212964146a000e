/**
 * The core's Store on PostgreSQL through the generated Prisma client. Publishing a deliverable domain event writes
 * the outbox row, one delivery row per active thread link and the graphile-worker job that sends them, all in the
 * caller's transaction: a committed change is always delivered, a rolled-back one never.
 */
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../db/prisma.ts';
import { decodeCursor, encodeCursor } from '../../core/pagination.ts';
import type {
  CommentView,
  Page,
  Store,
  StoreTx,
  TicketFilter,
  TicketView,
  UserRecord,
} from '../../core/ports/store-port.ts';
import type { Role, TicketPriority, TicketStatus, Visibility } from '../../core/tickets/ticket-types.ts';
import { enqueueThreadDrain } from '../queue/jobs.ts';
import { attachUploads, insertCommentAttachments, toAttachmentView } from '../attachments/attachment-repo.ts';
import { countTicketsSql, listTicketIds } from './ticket-list-sql.ts';
import { agentWorkTx } from './agent-work-tx.ts';

export { decodeCursor, encodeCursor };

type Tx = Prisma.TransactionClient;
type NewUser = Parameters<StoreTx['findOrInsertUser']>[0];

const userSelect = { id: true, email: true, name: true } as const;
export const ticketInclude = {
  requester: { select: userSelect },
  submitter: { select: userSelect },
  assignee: { select: userSelect },
  service: { select: { id: true, name: true } },
  organization: { select: { id: true, name: true } },
  followUpOf: { select: { number: true } },
  rating: true,
} satisfies Prisma.TicketInclude;

type TicketRow = Prisma.TicketGetPayload<{ include: typeof ticketInclude }>;

export function toTicket(r: TicketRow): TicketView {
  return {
    id: r.id,
    number: r.number,
    subject: r.subject,
    description: r.description,
    descriptionPublic: r.descriptionPublic,
    status: r.status as TicketStatus,
    priority: r.priority as TicketPriority,
    visibility: r.visibility as Visibility,
    via: r.via,
    requester: r.requester,
    submitter: r.submitter,
    assignee: r.assignee,
    service: r.service,
    organization: r.organization,
    followUpOf: r.followUpOf?.number ?? null,
    sourceUrl: r.sourceUrl,
    solvedAt: r.solvedAt,
    closedAt: r.closedAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    rating: r.rating ? { score: r.rating.score, comment: r.rating.comment, createdAt: r.rating.createdAt } : null,
    version: r.version,
    tags: r.tags,
    sla: {
      firstReplyAt: r.firstReplyAt,
      waitingSince: r.waitingSince,
      firstReplyDueAt: r.firstReplyDueAt,
      nextReplyDueAt: r.nextReplyDueAt,
      resolutionDueAt: r.resolutionDueAt,
      dueAt: r.slaDueAt,
      checkAt: r.slaCheckAt,
    },
  };
}

export const userInclude = { organization: { select: { id: true, name: true } } } as const;
type UserRow = Prisma.UserGetPayload<{ include: typeof userInclude }>;
export function toUser(u: UserRow): UserRecord {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    phone: u.phone,
    locale: u.locale,
    role: u.role as Role,
    organization: u.organization,
    active: u.deactivatedAt === null,
    createdAt: u.createdAt,
  };
}

const commentInclude = {
  author: { select: { id: true, name: true, role: true } },
  attachments: { orderBy: [{ position: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }] },
} as const satisfies Prisma.CommentInclude;
type CommentRow = Prisma.CommentGetPayload<{ include: typeof commentInclude }>;
function toComment(c: CommentRow): CommentView {
  return {
    id: c.id,
    body: c.body,
    public: c.public,
    via: c.via,
    author: { id: c.author.id, name: c.author.name, role: c.author.role as Role },
    attachments: c.attachments.map(toAttachmentView),
    editedAt: c.editedAt,
    deletedAt: c.deletedAt,
    createdAt: c.createdAt,
  };
}


/** Unique violations surface as `code: 'unique_violation'` so the core can recognise a lost race. */
function translate(e: unknown): never {
  if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') {
    throw Object.assign(new Error('unique violation'), { code: 'unique_violation', cause: e });
  }
  throw e;
}

/**
 * An organization by name, created when new. ON CONFLICT waits for a concurrent creator and then does nothing,
 * and the SELECT after it (a new statement, so a new snapshot) sees that creator's row: never a unique violation,
 * which inside a transaction would abort it.
 */
async function organizationId(db: Tx | Db, name: string): Promise<string> {
  await db.$executeRaw`INSERT INTO organizations (id, name) VALUES (${randomUUID()}::uuid, ${name}) ON CONFLICT (name) DO NOTHING`;
  return (await db.organization.findUniqueOrThrow({ where: { name }, select: { id: true } })).id;
}

/** The user with this email: inserted when new, else the existing one untouched. Race-safe like organizationId. */
async function findOrInsertUser(db: Tx | Db, input: NewUser): Promise<{ user: UserRecord; created: boolean }> {
  const email = input.email.toLowerCase();
  const existing = await db.user.findUnique({ where: { email }, include: userInclude });
  if (existing) return { user: toUser(existing), created: false };
  const org = input.organization?.trim() ? await organizationId(db, input.organization.trim()) : null;
  const inserted = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO users (id, email, email_domain, name, phone, role, locale, organization_id, password_hash, updated_at)
    VALUES (${randomUUID()}::uuid, ${email}, ${email.split('@')[1] ?? ''}, ${input.name}, ${input.phone ?? null}, ${input.role},
            ${input.locale ?? 'en'}, ${org}::uuid, ${input.passwordHash ?? null}, now())
    ON CONFLICT (email) DO NOTHING
    RETURNING id::text`;
  const row = await db.user.findUniqueOrThrow({ where: inserted[0] ? { id: inserted[0].id } : { email }, include: userInclude });
  return { user: toUser(row), created: inserted.length === 1 };
}

function txApi(tx: Tx): StoreTx {
  const loadTicket = async (id: string) => {
    const r = await tx.ticket.findUnique({ where: { id }, include: ticketInclude });
    return r ? toTicket(r) : null;
  };
  return {
    async lockTicket(number) {
      const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM tickets WHERE number = ${number} FOR UPDATE`;
      return rows[0] ? loadTicket(rows[0].id) : null;
    },
    readTicket: async (id) => (await loadTicket(id))!,
    async lockTicketById(id) {
      await tx.$queryRaw`SELECT id FROM tickets WHERE id = ${id}::uuid FOR UPDATE`;
      return loadTicket(id);
    },
    async insertTicket(input) {
      const requester = await tx.user.findUniqueOrThrow({ where: { id: input.requesterId }, select: { organizationId: true } });
      const r = await tx.ticket.create({
        data: { ...input, organizationId: requester.organizationId },
        include: ticketInclude,
      });
      return toTicket(r);
    },
    async updateTicket(id, patch) {
      await tx.ticket.update({ where: { id }, data: { ...patch, version: { increment: 1 } } });
    },
    async insertComment({ attachments, ...input }) {
      const created = await tx.comment.create({ data: input, select: { id: true } });
      await insertCommentAttachments(tx, { commentId: created.id, ticketId: input.ticketId, uploaderId: input.authorId }, attachments);
      await tx.ticket.update({ where: { id: input.ticketId }, data: { updatedAt: new Date(), version: { increment: 1 } } });
      return toComment(await tx.comment.findUniqueOrThrow({ where: { id: created.id }, include: commentInclude }));
    },
    attachUploads: (commentId, ticketId, uploaderId, ids) => attachUploads(tx, commentId, ticketId, uploaderId, ids),
    async findCommentByExternalRef(externalRef) {
      const c = await tx.comment.findUnique({ where: { externalRef }, include: commentInclude });
      return c ? { ...toComment(c), ticketId: c.ticketId } : null;
    },
    async findCommentById(id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const c = await tx.comment.findUnique({ where: { id }, include: commentInclude });
      return c ? { ...toComment(c), ticketId: c.ticketId } : null;
    },
    async updateComment(id, patch) {
      const c = await tx.comment.update({ where: { id }, data: patch, select: { ticketId: true } });
      await tx.ticket.update({ where: { id: c.ticketId }, data: { version: { increment: 1 } } });
    },
    async publicCommentIds(ticketId) {
      const rows = await tx.comment.findMany({ where: { ticketId, public: true, deletedAt: null }, select: { id: true } });
      return rows.map((r) => r.id);
    },
    async makeCommentsInternal(ids) {
      await tx.comment.updateMany({ where: { id: { in: ids } }, data: { public: false } });
    },
    async insertRating(input) {
      await tx.rating.create({ data: input });
      await tx.ticket.update({ where: { id: input.ticketId }, data: { version: { increment: 1 } } });
    },
    async updateRatingComment(ticketId, comment) {
      const r = await tx.rating.updateMany({ where: { ticketId }, data: { comment } });
      if (r.count > 0) await tx.ticket.update({ where: { id: ticketId }, data: { version: { increment: 1 } } });
      return r.count > 0;
    },
    async recordEvents(ticketId, actorId, via, events) {
      if (events.length === 0) return;
      await tx.ticketEvent.createMany({
        data: events.map((e) => ({ ticketId, actorId, via, kind: e.kind, field: e.field ?? null, fromValue: e.from ?? null, toValue: e.to ?? null })),
      });
    },
    async publish(ticketId, event) {
      const row = await tx.outboxEvent.create({ data: { ticketId, type: event.type, payload: event.payload as Prisma.InputJsonValue } });
      if (!event.deliver) return;
      const ex = event.except;
      const links = await tx.chatThreadLink.findMany({
        where: {
          ticketId,
          status: 'active',
          ...(ex ? { NOT: { platform: ex.platform, workspaceId: ex.workspaceId, chatId: ex.chatId, threadRef: ex.threadRef } } : {}),
        },
        select: { id: true },
      });
      if (links.length === 0) return;
      await tx.delivery.createMany({ data: links.map((l) => ({ outboxEventId: row.id, threadLinkId: l.id })) });
      for (const l of links) await enqueueThreadDrain(tx, l.id);
    },
    async linkThread(ticketId, th) {
      await tx.chatThreadLink.upsert({
        where: { platform_workspaceId_chatId_threadRef_ticketId: { platform: th.platform, workspaceId: th.workspaceId, chatId: th.chatId, threadRef: th.threadRef, ticketId } },
        create: { ticketId, platform: th.platform, workspaceId: th.workspaceId, chatId: th.chatId, threadRef: th.threadRef, locale: th.locale, directUserId: th.directUserId ?? null },
        update: { status: 'active', brokenReason: null },
      });
    },
    async getUser(id) {
      const u = await tx.user.findUnique({ where: { id }, include: userInclude });
      return u ? toUser(u) : null;
    },
    async findUserByEmail(email) {
      const u = await tx.user.findUnique({ where: { email: email.toLowerCase() }, include: userInclude });
      return u ? toUser(u) : null;
    },
    findOrInsertUser: (input) => findOrInsertUser(tx, input),
    async listIdentities(userId) {
      return tx.chatIdentity.findMany({ where: { userId }, select: { platform: true, workspaceId: true, platformUserId: true, locale: true }, orderBy: { createdAt: 'asc' } });
    },
    countThreadLinks: (ticketId) => tx.chatThreadLink.count({ where: { ticketId } }),
    ...agentWorkTx(tx),
  };
}

export function createPrismaStore(db: Db): Store {
  return {
    async tx(fn) {
      try {
        return await db.$transaction((tx) => fn(txApi(tx)), { timeout: 20_000, maxWait: 10_000 });
      } catch (e) {
        return translate(e);
      }
    },

    async getTicket(number) {
      const r = await db.ticket.findUnique({ where: { number }, include: ticketInclude });
      return r ? toTicket(r) : null;
    },
    async findTicketBySourceKey(sourceKey) {
      const r = await db.ticket.findUnique({ where: { sourceKey }, include: ticketInclude });
      return r ? toTicket(r) : null;
    },
    async listTickets(f: TicketFilter, page): Promise<Page<TicketView>> {
      const { ids, nextCursor } = await listTicketIds(db, f, page);
      const rows = ids.length ? await db.ticket.findMany({ where: { id: { in: ids } }, include: ticketInclude }) : [];
      const byId = new Map(rows.map((r) => [r.id, r]));
      // A ticket deleted between the two reads is left out; the order is the first read's.
      return { items: ids.flatMap((id) => (byId.has(id) ? [toTicket(byId.get(id)!)] : [])), nextCursor };
    },
    countTickets: (f, cap) => countTicketsSql(db, f, cap),
    async listComments(ticketId, opts) {
      const rows = await db.comment.findMany({
        where: { ticketId, ...(opts.publicOnly ? { public: true } : {}) },
        include: commentInclude,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      return rows.map(toComment);
    },
    async listTicketEvents(ticketId) {
      const rows = await db.ticketEvent.findMany({ where: { ticketId }, include: { actor: { select: userSelect } }, orderBy: { id: 'asc' } });
      return rows.map((e) => ({ id: String(e.id), kind: e.kind, field: e.field, from: e.fromValue, to: e.toValue, via: e.via, actor: e.actor, createdAt: e.createdAt }));
    },
    async findTicketsByThread(th) {
      const links = await db.chatThreadLink.findMany({
        where: { platform: th.platform, workspaceId: th.workspaceId, chatId: th.chatId, threadRef: th.threadRef },
        include: { ticket: { include: ticketInclude } },
      });
      return links.map((l) => toTicket(l.ticket));
    },

    async findTicketByDeliveredMessage(platform, workspaceId, messageId) {
      const d = await db.delivery.findFirst({
        where: { platformMessageId: messageId, threadLink: { platform, workspaceId } },
        include: { threadLink: { include: { ticket: { include: ticketInclude } } } },
      });
      return d ? toTicket(d.threadLink.ticket) : null;
    },
    async getUser(id) {
      const u = await db.user.findUnique({ where: { id }, include: userInclude });
      return u ? toUser(u) : null;
    },
    async findUserByEmail(email) {
      const u = await db.user.findUnique({ where: { email: email.toLowerCase() }, include: userInclude });
      return u ? toUser(u) : null;
    },
    async searchUsers(prefix, page) {
      const raw = decodeCursor<unknown>(page.cursor);
      const after = typeof raw === 'string' && raw.length <= 254 ? raw : null;
      const take = page.limit + 1;
      let rows: { id: string }[];
      if (prefix === '') {
        rows = await db.$queryRaw<{ id: string }[]>`
          SELECT id FROM users WHERE (${after}::text IS NULL OR email > ${after}::text) ORDER BY email LIMIT ${take}`;
      } else {
        const like = prefix.replace(/[\\%_]/g, (m) => `\\${m}`) + '%';
        // One arm per searchable field, each served by its own prefix index (text_pattern_ops, see the migration);
        // an OR across them would make PostgreSQL scan the whole table.
        rows = await db.$queryRaw<{ id: string }[]>`
          SELECT id FROM (
            (SELECT id, email FROM users WHERE lower(name COLLATE search_fold) LIKE ${like} AND (${after}::text IS NULL OR email > ${after}::text) ORDER BY email LIMIT ${take})
            UNION (SELECT id, email FROM users WHERE email LIKE ${like} AND (${after}::text IS NULL OR email > ${after}::text) ORDER BY email LIMIT ${take})
            UNION (SELECT id, email FROM users WHERE email_domain LIKE ${like} AND (${after}::text IS NULL OR email > ${after}::text) ORDER BY email LIMIT ${take})
            UNION (SELECT id, email FROM users WHERE lower(phone) LIKE ${like} AND (${after}::text IS NULL OR email > ${after}::text) ORDER BY email LIMIT ${take})
            UNION (SELECT u.id, u.email FROM users u JOIN organizations o ON o.id = u.organization_id
                   WHERE lower(o.name COLLATE search_fold) LIKE ${like} AND (${after}::text IS NULL OR u.email > ${after}::text) ORDER BY u.email LIMIT ${take})
          ) hits ORDER BY email LIMIT ${take}`;
      }
      const users = await db.user.findMany({ where: { id: { in: rows.map((r) => r.id) } }, include: userInclude, orderBy: { email: 'asc' } });
      const items = users.slice(0, page.limit).map(toUser);
      return { items, nextCursor: users.length > page.limit ? encodeCursor(items[items.length - 1]!.email) : null };
    },
    findOrInsertUser: (input) => findOrInsertUser(db, input),
    async setPasswordHash(userId, passwordHash) {
      await db.user.update({ where: { id: userId }, data: { passwordHash } });
    },
    async findStaffCredentials(email) {
      const u = await db.user.findUnique({ where: { email: email.trim().toLowerCase() }, include: userInclude });
      if (!u || u.role === 'end_user' || u.deactivatedAt) return null;
      return { user: toUser(u), passwordHash: u.passwordHash };
    },

    async listServices() {
      return db.service.findMany({ where: { active: true }, select: { id: true, name: true, description: true }, orderBy: { name: 'asc' } });
    },
    async getService(id) {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      return db.service.findUnique({ where: { id }, select: { id: true, name: true } });
    },
    async insertServiceIfNew(input) {
      const rows = await db.$queryRaw<{ id: string }[]>`
        INSERT INTO services (id, name, description) VALUES (${randomUUID()}::uuid, ${input.name}, ${input.description})
        ON CONFLICT (name) DO NOTHING RETURNING id::text`;
      return rows[0] ? db.service.findUniqueOrThrow({ where: { id: rows[0].id }, select: { id: true, name: true, description: true } }) : null;
    },

    async insertLinkCode(userId, codeHash, expiresAt) {
      await db.linkCode.create({ data: { userId, codeHash, expiresAt } });
    },
    async consumeLinkCode(codeHash, now) {
      const used = await db.linkCode.updateMany({ where: { codeHash, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
      const row = await db.linkCode.findUnique({ where: { codeHash } });
      if (!row) return 'invalid';
      if (used.count === 1) return { userId: row.userId };
      return row.usedAt ? 'used' : 'expired';
    },
    async findIdentity(platform, workspaceId, platformUserId) {
      const i = await db.chatIdentity.findUnique({
        where: { platform_workspaceId_platformUserId: { platform, workspaceId, platformUserId } },
        include: { user: { include: userInclude } },
      });
      return i ? toUser(i.user) : null;
    },
    async upsertIdentity(i) {
      await db.chatIdentity.upsert({
        where: { platform_workspaceId_platformUserId: { platform: i.platform, workspaceId: i.workspaceId, platformUserId: i.platformUserId } },
        create: { platform: i.platform, workspaceId: i.workspaceId, platformUserId: i.platformUserId, userId: i.userId, displayName: i.displayName, locale: i.locale },
        update: { userId: i.userId, displayName: i.displayName, locale: i.locale },
      });
    },

    async getChatService(platform, workspaceId, chatId) {
      const c = await db.chatConfig.findUnique({
        where: { platform_workspaceId_chatId: { platform, workspaceId, chatId } },
        include: { service: { select: { id: true, name: true } } },
      });
      return c?.service ?? null;
    },
    async setChatService(platform, workspaceId, chatId, serviceId) {
      await db.chatConfig.upsert({
        where: { platform_workspaceId_chatId: { platform, workspaceId, chatId } },
        create: { platform, workspaceId, chatId, serviceId },
        update: { serviceId },
      });
    },
    async getDialogState(key, notBefore) {
      const d = await db.dialogState.findUnique({ where: { platform_workspaceId_chatId_platformUserId: key } });
      return d && d.updatedAt >= notBefore ? (d.state as Record<string, unknown>) : null;
    },
    async setDialogState(key, state) {
      if (state === null) {
        await db.dialogState.deleteMany({ where: key });
        return;
      }
      await db.dialogState.upsert({
        where: { platform_workspaceId_chatId_platformUserId: key },
        create: { ...key, state: state as Prisma.InputJsonValue },
        update: { state: state as Prisma.InputJsonValue },
      });
    },

    async solvedBefore(before, limit) {
      const rows = await db.ticket.findMany({ where: { status: 'solved', solvedAt: { lt: before } }, select: { number: true }, take: limit });
      return rows.map((r) => r.number);
    },
  };
}
