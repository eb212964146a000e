/**
 * The core's Store on PostgreSQL through the generated Prisma client. Publishing a deliverable domain event writes
 * the outbox row, one delivery row per active thread link and each link's entry in the drain queue that sends them
 * (src/infra/sync/drain-queue.ts), all in the caller's transaction: a committed change is always delivered, a
 * rolled-back one never.
 */
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client.ts';
import { inTransaction, sqlOf, type Db } from '../db/prisma.ts';
import { rawThrough } from '../db/direct-sql.ts';
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
import type { Role } from '../../core/tickets/ticket-types.ts';
import { requestDrainsSql } from '../sync/drain-queue.ts';
import { announcedSql } from '../live/announced.ts';
import { z } from 'zod';
import { copyTicket, POLICY_COLUMNS, POLICY_JOIN, policyOf, TICKET_COLUMNS, ticketFrom, ticketViewOf } from './ticket-row-sql.ts';
import type { SlaPolicy } from '../../core/sla/sla-rules.ts';
import { attachUploads, insertCommentAttachments, toAttachmentView } from '../attachments/attachment-repo.ts';
import { countTicketsSql, listTicketIds } from './ticket-list-sql.ts';
import { agentWorkTx } from './agent-work-tx.ts';

export { decodeCursor, encodeCursor };

type Tx = Prisma.TransactionClient;
type NewUser = Parameters<StoreTx['findOrInsertUser']>[0];

const userSelect = { id: true, email: true, name: true } as const;

export const userInclude = { organization: { select: { id: true, name: true } } } as const;
type UserRow = Pick<
  Prisma.UserGetPayload<{ include: typeof userInclude }>,
  'id' | 'email' | 'name' | 'phone' | 'locale' | 'role' | 'organization' | 'deactivatedAt' | 'createdAt' | 'emailReplies'
>;
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
    emailReplies: u.emailReplies,
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
  // P2002 from the client's own queries; P2010 with PostgreSQL's 23505 from raw SQL through Prisma.
  const cause = (e as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } }).meta?.driverAdapterError?.cause;
  const raw = e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2010' && cause?.originalCode === '23505';
  // 23505 itself from a statement sent through pg directly (src/infra/db/direct-sql.ts).
  const direct = e instanceof Error && (e as { code?: unknown }).code === '23505' && !(e instanceof Prisma.PrismaClientKnownRequestError);
  if ((e instanceof Prisma.PrismaClientKnownRequestError && (e.code === 'P2002' || raw)) || direct) {
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

/** Tickets by id, in the order of `ids` (one raw statement; a ticket deleted meanwhile is left out). */
export async function readTicketsInOrder(db: Db, ids: string[]): Promise<TicketView[]> {
  const rows = ids.length ? await readTickets(db, Prisma.sql`t.id = ANY(${ids}::uuid[])`) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}

async function readTickets(db: Db, where: Prisma.Sql): Promise<TicketView[]> {
  const rows = await sqlOf(db).rows(Prisma.sql`SELECT ${TICKET_COLUMNS} FROM ${ticketFrom(Prisma.sql`tickets`)} WHERE ${where}`);
  return rows.map(ticketViewOf);
}

const identityUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  phone: z.string().nullable(),
  locale: z.string(),
  role: z.string(),
  deactivated_at: z.date().nullable(),
  created_at: z.date(),
  email_replies: z.boolean(),
  org_id: z.string().nullable(),
  org_name: z.string().nullable(),
});

/** A user's columns for a raw read (the users table as `u`, joined to USER_ORG), decoded by userOf. */
export const USER_COLUMNS = Prisma.sql`u.id::text AS id, u.email, u.name, u.phone, u.locale, u.role, u.deactivated_at, u.created_at, u.email_replies,
  o.id::text AS org_id, o.name AS org_name`;
export const USER_ORG = Prisma.sql`LEFT JOIN organizations o ON o.id = u.organization_id`;
export function userOf(row: unknown): UserRecord {
  const { org_id, org_name, deactivated_at, created_at, email_replies, ...u } = identityUserSchema.parse(row);
  const organization = org_id ? { id: org_id, name: org_name! } : null;
  return toUser({ ...u, organization, deactivatedAt: deactivated_at, createdAt: created_at, emailReplies: email_replies });
}

const commentRowSchema = z.object({
  id: z.string(),
  body: z.string(),
  public: z.boolean(),
  via: z.string(),
  author_id: z.string(),
  author_name: z.string(),
  author_role: z.string(),
  created_at: z.date(),
  ticket_updated_at: z.date(),
  ticket_version: z.number().int(),
  ticket_number: z.number().int(),
});

/** The columns updateTicket may set, with their types (the store port's patch). */
const TICKET_PATCH_COLUMNS = {
  status: ['status', 'text'],
  priority: ['priority', 'text'],
  visibility: ['visibility', 'text'],
  descriptionPublic: ['description_public', 'boolean'],
  assigneeId: ['assignee_id', 'uuid'],
  solvedAt: ['solved_at', 'timestamptz'],
  closedAt: ['closed_at', 'timestamptz'],
  tags: ['tags', 'text[]'],
  firstReplyAt: ['first_reply_at', 'timestamptz'],
  waitingSince: ['waiting_since', 'timestamptz'],
  firstReplyDueAt: ['first_reply_due_at', 'timestamptz'],
  nextReplyDueAt: ['next_reply_due_at', 'timestamptz'],
  resolutionDueAt: ['resolution_due_at', 'timestamptz'],
  slaDueAt: ['sla_due_at', 'timestamptz'],
  slaCheckAt: ['sla_check_at', 'timestamptz'],
} as const satisfies Record<keyof Parameters<StoreTx['updateTicket']>[1], readonly [string, string]>;
const updatedSchema = z.object({ updated_at: z.date(), version: z.number().int(), number: z.number().int() });

const insertedRowSchema = z.object({ drafts_marked: z.number().int() });
const publishedSchema = z.array(z.object({ drains: z.number().int() }));

type PendingEvent = Parameters<StoreTx['recordEvents']>[3][number] & { ticketId: string; actorId: string | null; via: string };

/** The INSERT of audit events as the body of a CTE (an empty one when there are none). */
function eventsInsertSql(events: PendingEvent[]): Prisma.Sql {
  const col = (f: (e: PendingEvent) => string | null | undefined) => events.map((e) => f(e) ?? null);
  return Prisma.sql`INSERT INTO ticket_events (ticket_id, actor_id, via, kind, field, from_value, to_value, created_at)
    SELECT e.ticket_id::uuid, e.actor_id::uuid, e.via, e.kind, e.field, e.from_value, e.to_value, clock_timestamp()
    FROM unnest(${col((e) => e.ticketId)}::text[], ${col((e) => e.actorId)}::text[], ${col((e) => e.via)}::text[],
                ${col((e) => e.kind)}::text[], ${col((e) => e.field)}::text[], ${col((e) => e.from)}::text[], ${col((e) => e.to)}::text[])
      WITH ORDINALITY AS e(ticket_id, actor_id, via, kind, field, from_value, to_value, n)
    ORDER BY e.n`;
}

/** What a transaction's publishes did, for the store to act on once it has committed. */
interface TxOutcome {
  /** Some publish asked for a drain of a thread (a delivery was written). */
  drains: boolean;
  /** The tickets whose change the store announces once committed (their triggers were told so). */
  tickets: Set<number>;
  /** The agents with a new notification, announced the same way. */
  agents: Set<string>;
}

function txApi(tx: Tx, outcome: TxOutcome): { api: StoreTx; flush: () => Promise<void> } {
  const pendingEvents: PendingEvent[] = [];
  /** The pending audit events as a CTE named `ev` (writing them), and none pending any more. */
  const takeEventsSql = () => Prisma.sql`ev AS (${eventsInsertSql(pendingEvents.splice(0))} RETURNING 1)`;
  const flush = async () => {
    if (pendingEvents.length) await tx.$executeRaw`${eventsInsertSql(pendingEvents.splice(0))}`;
  };
  return { api: txMethods(tx, pendingEvents, takeEventsSql, outcome), flush };
}

function txMethods(tx: Tx, pendingEvents: PendingEvent[], takeEventsSql: () => Prisma.Sql, outcome: TxOutcome): StoreTx {
  /**
   * The tickets this transaction read or wrote, as they now stand: the writes below keep them current (each write
   * returns what it changed), so reading a ticket again after changing it costs no statement. A write whose effect
   * is not known here drops the ticket, and the next read goes to the database.
   */
  const known = new Map<string, TicketView>();
  /** The SLA policy of each priority a ticket read here had, read with it (a policy changes outside tickets' transactions). */
  const policies = new Map<string, SlaPolicy | null>();
  const remember = (row: unknown) => {
    const t = ticketViewOf(row);
    known.set(t.id, t);
    policies.set(t.priority, policyOf(row));
    return copyTicket(t);
  };
  const selectTicket = async (where: Prisma.Sql, lock: boolean) => {
    const rows = await tx.$queryRaw<unknown[]>`SELECT ${TICKET_COLUMNS}, ${POLICY_COLUMNS} FROM ${ticketFrom(Prisma.sql`tickets`)} ${POLICY_JOIN}
      WHERE ${where} ${lock ? Prisma.sql`FOR UPDATE OF t` : Prisma.empty}`;
    return rows[0] ? remember(rows[0]) : null;
  };
  const bumped = (id: string, updatedAt: Date | null, version: number) => {
    const t = known.get(id);
    if (!t) return;
    t.version = version;
    if (updatedAt) t.updatedAt = updatedAt;
  };
  const work = agentWorkTx(tx, (agentIds) => agentIds.forEach((a) => outcome.agents.add(a)));
  return {
    lockTicket: (number) => selectTicket(Prisma.sql`t.number = ${number}`, true),
    async readTicket(id) {
      const t = known.get(id);
      return t ? copyTicket(t) : (await selectTicket(Prisma.sql`t.id = ${id}::uuid`, false))!;
    },
    lockTicketById: (id) => selectTicket(Prisma.sql`t.id = ${id}::uuid`, true),
    async insertTicket(input) {
      // One statement: the row (the requester's organization read in it, the clock it starts at its creation time),
      // its first comment, its thread links, its draft marked and the draft owner's dialog ended, and the ticket as
      // the core sees it. A ticket of this source that exists, or that a concurrent transaction is writing (waited
      // for), makes it write nothing at all: every other write here hangs on the inserted row. One text whatever
      // is given (absent parts match no row), so it is prepared once.
      const starts = input.clockStarts ?? { firstReplyAt: false, waitingSince: false };
      const first = input.firstComment ?? null;
      const commentId = randomUUID();
      const threads = input.threads ?? [];
      const draft = input.draft ?? null;
      const dialog = draft?.endDialog ?? null;
      const ticketId = randomUUID();
      const rows = await tx.$queryRaw<unknown[]>`
        WITH at AS (SELECT clock_timestamp() AS at),
        ins AS (
          INSERT INTO tickets (id, subject, description, description_public, status, priority, visibility, via, requester_id, submitter_id,
                               assignee_id, service_id, organization_id, follow_up_of_id, source_url, source_key, tags,
                               first_reply_at, waiting_since, version, updated_at)
          SELECT ${ticketId}::uuid, ${input.subject}, ${input.description}, ${input.descriptionPublic}, ${input.status}, ${input.priority},
                 ${input.visibility}, ${input.via}, u.id, ${input.submitterId}::uuid, ${input.assigneeId}::uuid, ${input.serviceId}::uuid,
                 u.organization_id, ${input.followUpOfId}::uuid, ${input.sourceUrl}, ${input.sourceKey}, ${input.tags ?? []}::text[],
                 CASE WHEN ${starts.firstReplyAt}::boolean THEN now() END, CASE WHEN ${starts.waitingSince}::boolean THEN now() END,
                 -- as insertComment leaves a ticket: one version more, updated when the comment was made
                 ${first ? 2 : 1}::int, at.at
          FROM users u, at WHERE u.id = ${input.requesterId}::uuid AND ${announcedSql(ticketId)}
          ON CONFLICT (source_key) DO NOTHING
          RETURNING *),
        c AS (
          INSERT INTO comments (id, ticket_id, author_id, body, public, via, external_ref, created_at)
          SELECT ${commentId}::uuid, ins.id, ${first?.authorId ?? null}::uuid, ${first?.body ?? null}, ${first?.public ?? null}::boolean, ${first?.via ?? null},
                 ${first?.externalRef ?? null}, at.at
          FROM ins, at WHERE ${first !== null}::boolean),
        links AS (
          INSERT INTO chat_thread_links (id, ticket_id, platform, workspace_id, chat_id, thread_ref, direct_user_id, locale)
          SELECT gen_random_uuid(), ins.id, x.platform, x.workspace_id, x.chat_id, x.thread_ref, x.direct_user_id, x.locale
          FROM ins, unnest(${threads.map((t) => t.platform)}::text[], ${threads.map((t) => t.workspaceId)}::text[], ${threads.map((t) => t.chatId)}::text[],
                           ${threads.map((t) => t.threadRef)}::text[], ${threads.map((t) => t.directUserId ?? null)}::text[], ${threads.map((t) => t.locale)}::text[])
            AS x(platform, workspace_id, chat_id, thread_ref, direct_user_id, locale)
          ON CONFLICT DO NOTHING),
        marked AS (
          UPDATE request_drafts d SET ticket_number = ins.number, updated_at = now() FROM ins
          WHERE d.id = ${draft?.id ?? null}::uuid AND d.ticket_number IS NULL
          RETURNING 1),
        ended AS (
          DELETE FROM dialog_states g USING ins
          WHERE g.platform = ${dialog?.platform ?? null}::text AND g.workspace_id = ${dialog?.workspaceId ?? null}::text
            AND g.chat_id = ${dialog?.chatId ?? null}::text AND g.platform_user_id = ${dialog?.platformUserId ?? null}::text)
        SELECT ${TICKET_COLUMNS}, ${POLICY_COLUMNS}, (SELECT count(*) FROM marked)::int AS drafts_marked
        FROM ${ticketFrom(Prisma.sql`ins`)} ${POLICY_JOIN}`;
      if (!rows[0]) return null;
      // The draft was submitted meanwhile (its row was locked by that submit, then found marked): this ticket is
      // not to be, and failing here rolls it back.
      if (draft && insertedRowSchema.parse(rows[0]).drafts_marked === 0)
        throw Object.assign(new Error(`draft ${draft.id} was submitted already`), { code: 'draft_submitted' });
      const ticket = remember(rows[0]);
      outcome.tickets.add(ticket.number);
      // Its files are rows of their own; a description without any (the hot path) writes nothing more.
      if (first?.attachments.length) await insertCommentAttachments(tx, { commentId, ticketId: ticket.id, uploaderId: first.authorId }, first.attachments);
      return ticket;
    },
    async updateTicket(id, patch) {
      // On pg directly, not through the client's update (its pipeline costs 0.3-0.5 ms of CPU per statement against
      // 0.03-0.1 ms here, README "Measured"): an agent's first reply opens the ticket and starts its clock, two updates.
      const sets = Object.entries(patch).flatMap(([k, v]) => {
        const c = TICKET_PATCH_COLUMNS[k as keyof typeof TICKET_PATCH_COLUMNS];
        if (!c) throw new Error(`updateTicket: no column for ${k}`);
        return v === undefined ? [] : [Prisma.sql`${Prisma.raw(c[0])} = ${v}::${Prisma.raw(c[1])}`];
      });
      const rows = await tx.$queryRaw<unknown[]>`UPDATE tickets SET ${Prisma.join([...sets, Prisma.sql`version = version + 1, updated_at = clock_timestamp()`])}
        WHERE id = ${id}::uuid AND ${announcedSql(id)} RETURNING updated_at, version, number`;
      if (!rows[0]) throw new Error(`updateTicket: ticket ${id} not found`);
      const r = updatedSchema.parse(rows[0]);
      outcome.tickets.add(r.number);
      const t = known.get(id);
      if (!t) return;
      // The assignee is a person the view shows by name: read it again when it changes.
      if ('assigneeId' in patch) return void known.delete(id);
      const { firstReplyAt, waitingSince, firstReplyDueAt, nextReplyDueAt, resolutionDueAt, slaDueAt, slaCheckAt, ...plain } = patch;
      Object.assign(t, plain, { updatedAt: r.updated_at, version: r.version });
      const sla = { firstReplyAt, waitingSince, firstReplyDueAt, nextReplyDueAt, resolutionDueAt, dueAt: slaDueAt, checkAt: slaCheckAt };
      for (const [k, v] of Object.entries(sla)) if (v !== undefined) (t.sla as unknown as Record<string, unknown>)[k] = v;
    },
    async insertComment({ attachments, ...input }) {
      // One statement: the comment, the ticket's new version, and the author as the view shows them.
      const rows = await tx.$queryRaw<unknown[]>`
        WITH c AS (
          INSERT INTO comments (id, ticket_id, author_id, body, public, via, external_ref, created_at)
          VALUES (${randomUUID()}::uuid, ${input.ticketId}::uuid, ${input.authorId}::uuid, ${input.body}, ${input.public}, ${input.via},
                  ${input.externalRef}, clock_timestamp())
          RETURNING *),
        u AS (UPDATE tickets SET updated_at = (SELECT created_at FROM c), version = version + 1
              WHERE id = ${input.ticketId}::uuid AND ${announcedSql(input.ticketId)} RETURNING updated_at, version, number)
        SELECT c.id::text AS id, c.body, c.public, c.via, a.id::text AS author_id, a.name AS author_name, a.role AS author_role,
               c.created_at, u.updated_at AS ticket_updated_at, u.version AS ticket_version, u.number AS ticket_number
        FROM c JOIN users a ON a.id = c.author_id, u`;
      const c = commentRowSchema.parse(rows[0]);
      bumped(input.ticketId, c.ticket_updated_at, c.ticket_version);
      outcome.tickets.add(c.ticket_number);
      // Files are rows of their own; a comment without any (the hot path) reads nothing more.
      const files = attachments?.length
        ? (await insertCommentAttachments(tx, { commentId: c.id, ticketId: input.ticketId, uploaderId: input.authorId }, attachments),
          await tx.attachment.findMany({ where: { commentId: c.id }, orderBy: [{ position: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }] }))
        : [];
      return {
        id: c.id,
        body: c.body,
        public: c.public,
        via: c.via,
        author: { id: c.author_id, name: c.author_name, role: c.author_role as Role },
        attachments: files.map(toAttachmentView),
        editedAt: null,
        deletedAt: null,
        createdAt: c.created_at,
      };
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
      const t = await tx.ticket.update({ where: { id: c.ticketId }, data: { version: { increment: 1 } }, select: { updatedAt: true, version: true } });
      bumped(c.ticketId, t.updatedAt, t.version);
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
      known.delete(input.ticketId);
    },
    async updateRatingComment(ticketId, comment) {
      const r = await tx.rating.updateMany({ where: { ticketId }, data: { comment } });
      if (r.count > 0) await tx.ticket.update({ where: { id: ticketId }, data: { version: { increment: 1 } } });
      known.delete(ticketId);
      return r.count > 0;
    },
    async recordEvents(ticketId, actorId, via, events) {
      if (events.length === 0) return;
      // Written by the next publish of this transaction (a change is nearly always recorded, then published), else
      // just before the commit: no statement of a transaction reads audit events or removes what they refer to.
      pendingEvents.push(...events.map((e) => ({ ticketId, actorId, via, ...e })));
    },
    async publish(ticketId, event) {
      // One statement: the audit events recorded before it, the outbox row; when delivered, one delivery per active
      // link (but the threads it came from) and each link's drain asked for (thread_drains). The other instances'
      // drain queues hear of it after the commit (the store's `announce`), not from a NOTIFY in the transaction.
      const ex = event.except === undefined ? [] : Array.isArray(event.except) ? event.except : [event.except];
      const rows = await tx.$queryRaw<unknown[]>`
        WITH ${takeEventsSql()},
        o AS (
          INSERT INTO outbox_events (ticket_id, type, payload, created_at)
          VALUES (${ticketId}::uuid, ${event.type}, ${JSON.stringify(event.payload)}::jsonb, clock_timestamp()) RETURNING id),
        l AS (
          SELECT id FROM chat_thread_links c
          WHERE ${event.deliver} AND c.ticket_id = ${ticketId}::uuid AND c.status = 'active'
            AND NOT EXISTS (
              SELECT 1 FROM jsonb_to_recordset(${JSON.stringify(ex)}::jsonb) AS x(platform text, "workspaceId" text, "chatId" text, "threadRef" text)
              WHERE x.platform = c.platform AND x."workspaceId" = c.workspace_id AND x."chatId" = c.chat_id
                AND x."threadRef" IS NOT DISTINCT FROM c.thread_ref)),
        d AS (INSERT INTO deliveries (outbox_event_id, thread_link_id, created_at) SELECT o.id, l.id, clock_timestamp() FROM o, l RETURNING thread_link_id),
        q AS (${requestDrainsSql(Prisma.sql`SELECT DISTINCT thread_link_id FROM d`)} RETURNING 1)
        SELECT (SELECT count(*) FROM q)::int AS drains`;
      if (publishedSchema.parse(rows)[0]?.drains) outcome.drains = true;
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
    async listThreadLinks(ticketId) {
      const rows = await tx.chatThreadLink.findMany({ where: { ticketId }, orderBy: { createdAt: 'asc' } });
      return rows.map((l) => ({ platform: l.platform, workspaceId: l.workspaceId, chatId: l.chatId, threadRef: l.threadRef, directUserId: l.directUserId, active: l.status === 'active', locale: l.locale }));
    },
    async setThreadLocale(ticketId, th, locale) {
      await tx.chatThreadLink.updateMany({ where: { ticketId, platform: th.platform, workspaceId: th.workspaceId, chatId: th.chatId, threadRef: th.threadRef }, data: { locale } });
    },
    ...work,
    async getSlaPolicy(priority) {
      if (!policies.has(priority)) policies.set(priority, await work.getSlaPolicy(priority));
      return policies.get(priority) ?? null;
    },
    async setSlaCheckAt(ticketId, at) {
      // Raw SQL: the client would also move updated_at, and this is bookkeeping, not a change of the ticket.
      const rows = await tx.$queryRaw<{ number: number }[]>`UPDATE tickets SET sla_check_at = ${at} WHERE id = ${ticketId}::uuid AND ${announcedSql(ticketId)} RETURNING number`;
      if (rows[0]) outcome.tickets.add(rows[0].number);
      const t = known.get(ticketId);
      if (t) t.sla.checkAt = at;
    },
  };
}

export interface PrismaStoreOptions {
  /**
   * Called after a transaction that wrote deliveries has committed: the drain queue of this process starts on them
   * at once (the other instances hear of them through `announce`).
   */
  onDeliveries?: () => void;
  /**
   * Called after each commit with the tickets it changed and the agents it notified whose triggers were told to
   * stay silent, and whether it wrote deliveries: the service announces them on its live bus (coalesced, outside any transaction).
   */
  announce?: (committed: { tickets: number[]; agents: string[]; drains: boolean }) => void;
}

export function createPrismaStore(db: Db, opts: PrismaStoreOptions = {}): Store {
  return {
    async tx(fn) {
      try {
        const outcome: TxOutcome = { drains: false, tickets: new Set(), agents: new Set() };
        const result = await inTransaction(
          db,
          async (tx, sql) => {
            // The raw statements of the transaction (every hot one) go to its connection through pg directly.
            const { api, flush } = txApi(rawThrough(tx, sql, (strings, values) => Prisma.sql(strings, ...values)), outcome);
            const result = await fn(api);
            await flush();
            return result;
          },
          { timeout: 20_000, maxWait: 10_000 },
        );
        if (outcome.drains) opts.onDeliveries?.();
        if (outcome.drains || outcome.tickets.size || outcome.agents.size)
          opts.announce?.({ tickets: [...outcome.tickets], agents: [...outcome.agents], drains: outcome.drains });
        return result;
      } catch (e) {
        return translate(e);
      }
    },

    // A ticket by number, by source (every request asks whether its message has one) and a page of the queue: the
    // same one-statement read as the transactions' (ticket-row-sql), not the client's include.
    getTicket: (number) => readTickets(db, Prisma.sql`t.number = ${number}`).then((r) => r[0] ?? null),
    findTicketBySourceKey: (sourceKey) => readTickets(db, Prisma.sql`t.source_key = ${sourceKey}`).then((r) => r[0] ?? null),
    async listTickets(f: TicketFilter, page): Promise<Page<TicketView>> {
      const { ids, nextCursor } = await listTicketIds(db, f, page);
      return { items: await readTicketsInOrder(db, ids), nextCursor };
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
    // The tickets of a thread: every chat message in a ticket's thread asks, so one raw statement (ticket-row-sql).
    // `= ANY(ARRAY(...))`, not `IN (...)`: the links are found first and each ticket by its key. With `IN`, the
    // generic plan of the prepared statement hash-joined every ticket (1 ms and 59 buffers per message at 400
    // tickets in the bench, and growing with the table).
    findTicketsByThread: (th) =>
      readTickets(db, Prisma.sql`t.id = ANY(ARRAY(SELECT l.ticket_id FROM chat_thread_links l WHERE l.platform = ${th.platform}
        AND l.workspace_id = ${th.workspaceId} AND l.chat_id = ${th.chatId} AND l.thread_ref = ${th.threadRef}))`),

    async findTicketsByThreadRef(platform, workspaceId, threadRef) {
      if (threadRef === '') return [];
      return readTickets(db, Prisma.sql`t.id = ANY(ARRAY(SELECT l.ticket_id FROM chat_thread_links l
        WHERE l.platform = ${platform} AND l.workspace_id = ${workspaceId} AND l.thread_ref = ${threadRef} LIMIT 20))`);
    },

    async findTicketByDeliveredMessage(platform, workspaceId, messageId) {
      const rows = await readTickets(db, Prisma.sql`t.id = (SELECT l.ticket_id FROM deliveries d JOIN chat_thread_links l ON l.id = d.thread_link_id
        WHERE d.platform_message_id = ${messageId} AND l.platform = ${platform} AND l.workspace_id = ${workspaceId} ORDER BY d.id LIMIT 1)`);
      return rows[0] ?? null;
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
    // Who a chat account is: asked for every chat message, so one raw statement.
    async findIdentity(platform, workspaceId, platformUserId) {
      const rows = await sqlOf(db).rows(Prisma.sql`
        SELECT ${USER_COLUMNS} FROM chat_identities i JOIN users u ON u.id = i.user_id ${USER_ORG}
        WHERE i.platform = ${platform} AND i.workspace_id = ${workspaceId} AND i.platform_user_id = ${platformUserId}`);
      return rows[0] ? userOf(rows[0]) : null;
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
