/**
 * One in-memory implementation of the core's repositories (Store and its transactions, drafts, the inbox, the
 * drain's), for tests that run the real ticket, directory and chat services without a database: every channel's
 * unit-level tests use it instead of a fake core of their own. It keeps what the database keeps for the core's
 * sake: unique keys (emails, comment refs, source keys, identities) raise `unique_violation`, a transaction that
 * throws leaves nothing behind, a delivery is claimed with a lease.
 *
 * PostgreSQL itself is tested by the integration and end-to-end suites; this is not a substitute for them.
 */
import { randomUUID } from 'node:crypto';
import type { ChatOutcome } from '../../../src/core/chat/chat-service.ts';
import type { InboxPort } from '../../../src/core/ports/inbox-port.ts';
import type { DraftRepo, StoredDraft } from '../../../src/core/ports/draft-repo.ts';
import type { AttachmentView, CommentView, NewUserInput, Store, StoreTx, ThreadKey, TicketView, UserRecord } from '../../../src/core/ports/store-port.ts';
import type { InboundScheduler, InboxRepo, InboxRow } from '../../../src/core/sync/inbound-processor.ts';
import type { DrainRepo, DrainScheduler, PendingDelivery, ThreadLinkRow } from '../../../src/core/sync/thread-drain.ts';
import type { TicketPriority, TicketStatus, Visibility } from '../../../src/core/tickets/ticket-types.ts';

interface UserRow extends Omit<UserRecord, 'organization'> {
  organizationId: string | null;
  passwordHash: string | null;
}
interface TicketRow {
  id: string;
  number: number;
  subject: string;
  description: string;
  descriptionPublic: boolean;
  status: TicketStatus;
  priority: TicketPriority;
  visibility: Visibility;
  via: string;
  requesterId: string;
  submitterId: string;
  assigneeId: string | null;
  serviceId: string | null;
  organizationId: string | null;
  followUpOfId: string | null;
  sourceUrl: string | null;
  sourceKey: string | null;
  solvedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  tags: string[];
  firstReplyAt: Date | null;
  waitingSince: Date | null;
  firstReplyDueAt: Date | null;
  nextReplyDueAt: Date | null;
  resolutionDueAt: Date | null;
  slaDueAt: Date | null;
  slaCheckAt: Date | null;
}
interface CommentRow {
  id: string;
  ticketId: string;
  authorId: string;
  body: string;
  public: boolean;
  via: string;
  externalRef: string | null;
  attachments: AttachmentView[];
  editedAt: Date | null;
  deletedAt: Date | null;
  createdAt: Date;
  seq: number;
}
interface LinkRow extends ThreadLinkRow {
  createdAt: Date;
}
interface DeliveryRow {
  id: string;
  outboxId: string;
  threadLinkId: string;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  claimedUntil: Date | null;
  lastError: string | null;
  platformMessageId: string | null;
}
interface OutboxRow {
  id: string;
  ticketId: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}
interface InboundRow extends InboxRow {
  lastError: string | null;
}

/** The whole state, cloned for a transaction and put back if it throws. */
interface State {
  users: UserRow[];
  orgs: { id: string; name: string }[];
  services: { id: string; name: string; description: string | null; active: boolean }[];
  tickets: TicketRow[];
  comments: CommentRow[];
  events: { id: number; ticketId: string; actorId: string | null; via: string; kind: string; field: string | null; from: string | null; to: string | null; createdAt: Date }[];
  ratings: { ticketId: string; raterId: string; score: number; comment: string | null; createdAt: Date }[];
  identities: { platform: string; workspaceId: string; platformUserId: string; userId: string; displayName: string; locale: string; createdAt: Date }[];
  codes: { codeHash: string; userId: string; expiresAt: Date; usedAt: Date | null }[];
  links: LinkRow[];
  outbox: OutboxRow[];
  deliveries: DeliveryRow[];
  chatConfigs: { platform: string; workspaceId: string; chatId: string; serviceId: string }[];
  dialogs: { key: string; state: Record<string, unknown>; updatedAt: Date }[];
  drafts: StoredDraft[];
  inbound: InboundRow[];
  seq: number;
}

const unique = (what: string) => Object.assign(new Error(`unique violation: ${what}`), { code: 'unique_violation' });
const DIALOG_KEY = ['platform', 'workspaceId', 'chatId', 'platformUserId'];
const keyOf = (k: { platform: string; workspaceId: string; chatId: string; platformUserId: string }) => {
  // The database refuses a key with fields its table does not have (a person's profile lookup, say): so does this.
  const extra = Object.keys(k).filter((f) => !DIALOG_KEY.includes(f));
  if (extra.length) throw new Error(`unknown argument(s) in a dialog key: ${extra.join(', ')}`);
  return `${k.platform}|${k.workspaceId}|${k.chatId}|${k.platformUserId}`;
};
const sameThread = (l: ThreadKey, t: ThreadKey) => l.platform === t.platform && l.workspaceId === t.workspaceId && l.chatId === t.chatId && l.threadRef === t.threadRef;

/** The jobs the core asked for (drains and inbound retries), for the test to run when it wants. */
export interface MemoryJobs {
  drains: { threadLinkId: string; runAt: Date | null }[];
  inbound: { id: string; runAt: Date }[];
}

export function createMemoryStore(opts: { clock?: () => Date } = {}) {
  const now = opts.clock ?? (() => new Date());
  let s: State = {
    users: [], orgs: [], services: [], tickets: [], comments: [], events: [], ratings: [], identities: [], codes: [],
    links: [], outbox: [], deliveries: [], chatConfigs: [], dialogs: [], drafts: [], inbound: [], seq: 0,
  };
  const jobs: MemoryJobs = { drains: [], inbound: [] };
  const id = () => randomUUID();
  const next = () => ++s.seq;

  const userRef = (uid: string) => {
    const u = s.users.find((x) => x.id === uid)!;
    return { id: u.id, email: u.email, name: u.name };
  };
  const toUser = (u: UserRow): UserRecord => {
    const org = u.organizationId ? s.orgs.find((o) => o.id === u.organizationId)! : null;
    return { id: u.id, email: u.email, name: u.name, phone: u.phone, locale: u.locale, role: u.role, active: u.active, organization: org ? { ...org } : null, createdAt: u.createdAt };
  };
  const toTicket = (t: TicketRow): TicketView => {
    const service = t.serviceId ? s.services.find((x) => x.id === t.serviceId)! : null;
    const org = t.organizationId ? s.orgs.find((o) => o.id === t.organizationId)! : null;
    const rating = s.ratings.find((r) => r.ticketId === t.id);
    return {
      id: t.id, number: t.number, subject: t.subject, description: t.description, descriptionPublic: t.descriptionPublic, status: t.status,
      priority: t.priority, visibility: t.visibility, via: t.via, requester: userRef(t.requesterId), submitter: userRef(t.submitterId),
      assignee: t.assigneeId ? userRef(t.assigneeId) : null, service: service ? { id: service.id, name: service.name } : null,
      organization: org ? { ...org } : null, followUpOf: t.followUpOfId ? s.tickets.find((x) => x.id === t.followUpOfId)!.number : null,
      sourceUrl: t.sourceUrl, solvedAt: t.solvedAt, closedAt: t.closedAt, createdAt: t.createdAt, updatedAt: t.updatedAt,
      rating: rating ? { score: rating.score, comment: rating.comment, createdAt: rating.createdAt } : null,
      version: t.version, tags: [...t.tags],
      sla: { firstReplyAt: t.firstReplyAt, waitingSince: t.waitingSince, firstReplyDueAt: t.firstReplyDueAt, nextReplyDueAt: t.nextReplyDueAt, resolutionDueAt: t.resolutionDueAt, dueAt: t.slaDueAt, checkAt: t.slaCheckAt },
    };
  };
  const toComment = (c: CommentRow): CommentView => {
    const a = s.users.find((u) => u.id === c.authorId)!;
    return { id: c.id, body: c.body, public: c.public, via: c.via, author: { id: a.id, name: a.name, role: a.role }, attachments: [...c.attachments], editedAt: c.editedAt, deletedAt: c.deletedAt, createdAt: c.createdAt };
  };

  function findOrInsertUser(input: NewUserInput): { user: UserRecord; created: boolean } {
    const email = input.email.toLowerCase();
    const found = s.users.find((u) => u.email === email);
    if (found) return { user: toUser(found), created: false };
    let organizationId: string | null = null;
    const orgName = input.organization?.trim();
    if (orgName) {
      let org = s.orgs.find((o) => o.name === orgName);
      if (!org) s.orgs.push((org = { id: id(), name: orgName }));
      organizationId = org.id;
    }
    const u: UserRow = { id: id(), email, name: input.name, phone: input.phone ?? null, locale: input.locale ?? 'en', role: input.role, organizationId, passwordHash: input.passwordHash ?? null, active: true, createdAt: now() };
    s.users.push(u);
    return { user: toUser(u), created: true };
  }
  const ticketById = (tid: string) => s.tickets.find((t) => t.id === tid)!;

  const tx: StoreTx = {
    lockTicket: async (number) => {
      const t = s.tickets.find((x) => x.number === number);
      return t ? toTicket(t) : null;
    },
    lockTicketById: async (tid) => {
      const t = s.tickets.find((x) => x.id === tid);
      return t ? toTicket(t) : null;
    },
    readTicket: async (tid) => toTicket(ticketById(tid)),
    async insertTicket({ clockStarts, firstComment, threads, draft, ...input }) {
      // Like the database's: a ticket of this source, or no such requester, writes nothing at all.
      if (input.sourceKey && s.tickets.some((t) => t.sourceKey === input.sourceKey)) return null;
      const requester = s.users.find((u) => u.id === input.requesterId);
      if (!requester) return null;
      const created = now();
      const t: TicketRow = {
        ...input, tags: [...(input.tags ?? [])], id: id(), number: s.tickets.length + 1, organizationId: requester.organizationId, solvedAt: null, closedAt: null, createdAt: created, updatedAt: created,
        version: 1, firstReplyAt: clockStarts?.firstReplyAt ? created : null, waitingSince: clockStarts?.waitingSince ? created : null,
        firstReplyDueAt: null, nextReplyDueAt: null, resolutionDueAt: null, slaDueAt: null, slaCheckAt: null,
      };
      s.tickets.push(t);
      if (firstComment) await tx.insertComment({ ticketId: t.id, ...firstComment });
      for (const th of threads ?? []) await tx.linkThread(t.id, th);
      if (draft) {
        const d = s.drafts.find((x) => x.id === draft.id);
        if (!d || d.ticketNumber !== null) throw Object.assign(new Error(`draft ${draft.id} was submitted already`), { code: 'draft_submitted' });
        d.ticketNumber = t.number;
        if (draft.endDialog) await store.setDialogState(draft.endDialog, null);
      }
      return toTicket(t);
    },
    async updateTicket(tid, patch) {
      const t = ticketById(tid);
      Object.assign(t, patch, { updatedAt: now(), version: t.version + 1 });
    },
    // No SLA policies, alerts or notifications in memory: the chat and channel tests do not exercise them.
    getSlaPolicy: async () => null,
    recordSlaAlert: async () => false,
    async setSlaCheckAt(tid, at) {
      ticketById(tid).slaCheckAt = at;
    },
    insertNotifications: async () => {},
    rememberTags: async () => {},
    async insertComment(input) {
      if (input.externalRef && s.comments.some((c) => c.externalRef === input.externalRef)) throw unique('comments.external_ref');
      // Files are kept as their rows would read back (the worker that fetches them is PostgreSQL's).
      const attachments: AttachmentView[] = input.attachments.map((a) => ({
        id: id(), name: a.name, size: a.stored?.size ?? a.declaredSize, contentType: a.stored?.contentType ?? null,
        state: a.stored ? 'stored' : a.state, reason: a.reason, platformUrl: a.platformUrl, createdAt: now(),
      }));
      const c: CommentRow = { ...input, attachments, id: id(), editedAt: null, deletedAt: null, createdAt: now(), seq: next() };
      s.comments.push(c);
      const t = ticketById(input.ticketId);
      Object.assign(t, { updatedAt: now(), version: t.version + 1 });
      return toComment(c);
    },
    // No uploads here: the API and PostgreSQL have them.
    async attachUploads() {
      return 0;
    },
    async findCommentByExternalRef(ref) {
      const c = s.comments.find((x) => x.externalRef === ref);
      return c ? { ...toComment(c), ticketId: c.ticketId } : null;
    },
    async findCommentById(cid) {
      const c = s.comments.find((x) => x.id === cid);
      return c ? { ...toComment(c), ticketId: c.ticketId } : null;
    },
    async updateComment(cid, patch) {
      Object.assign(s.comments.find((c) => c.id === cid)!, patch);
    },
    publicCommentIds: async (tid) => s.comments.filter((c) => c.ticketId === tid && c.public && !c.deletedAt).map((c) => c.id),
    async makeCommentsInternal(ids) {
      for (const c of s.comments) if (ids.includes(c.id)) c.public = false;
    },
    async insertRating(input) {
      if (s.ratings.some((r) => r.ticketId === input.ticketId)) throw unique('ratings.ticket_id');
      s.ratings.push({ ...input, createdAt: now() });
    },
    async updateRatingComment(tid, comment) {
      const r = s.ratings.find((x) => x.ticketId === tid);
      if (r) r.comment = comment;
      return Boolean(r);
    },
    async recordEvents(ticketId, actorId, via, events) {
      for (const e of events) s.events.push({ id: next(), ticketId, actorId, via, kind: e.kind, field: e.field ?? null, from: e.from ?? null, to: e.to ?? null, createdAt: now() });
    },
    async publish(ticketId, event) {
      const row: OutboxRow = { id: String(next()), ticketId, type: event.type, payload: structuredClone(event.payload), createdAt: now() };
      s.outbox.push(row);
      if (!event.deliver) return;
      for (const l of s.links.filter((x) => x.ticketId === ticketId && x.status === 'active' && ![event.except ?? []].flat().some((ex) => sameThread(x, ex)))) {
        s.deliveries.push({ id: String(next()), outboxId: row.id, threadLinkId: l.id, status: 'pending', attempts: 0, claimedUntil: null, lastError: null, platformMessageId: null });
        jobs.drains.push({ threadLinkId: l.id, runAt: null });
      }
    },
    async linkThread(ticketId, th) {
      const found = s.links.find((l) => l.ticketId === ticketId && sameThread(l, th));
      if (found) Object.assign(found, { status: 'active', brokenReason: null });
      else s.links.push({ id: id(), ticketId, platform: th.platform, workspaceId: th.workspaceId, chatId: th.chatId, threadRef: th.threadRef, directUserId: th.directUserId ?? null, locale: th.locale, status: 'active', brokenReason: null, createdAt: now() });
    },
    getUser: async (uid) => {
      const u = s.users.find((x) => x.id === uid);
      return u ? toUser(u) : null;
    },
    findUserByEmail: async (email) => {
      const u = s.users.find((x) => x.email === email.toLowerCase());
      return u ? toUser(u) : null;
    },
    findOrInsertUser: async (input) => findOrInsertUser(input),
    listIdentities: async (uid) => s.identities.filter((i) => i.userId === uid).map((i) => ({ platform: i.platform, workspaceId: i.workspaceId, platformUserId: i.platformUserId, locale: i.locale })),
    countThreadLinks: async (tid) => s.links.filter((l) => l.ticketId === tid).length,
    listThreadLinks: async (tid) =>
      s.links
        .filter((l) => l.ticketId === tid)
        .map((l) => ({ platform: l.platform, workspaceId: l.workspaceId, chatId: l.chatId, threadRef: l.threadRef, directUserId: l.directUserId ?? null, active: l.status === 'active', locale: l.locale })),
    setThreadLocale: async (tid, th, locale) => {
      for (const l of s.links) if (l.ticketId === tid && sameThread(l, th)) l.locale = locale;
    },
  };

  const store: Store = {
    async tx(fn) {
      const before = structuredClone(s);
      const jobsBefore = jobs.drains.length;
      try {
        return await fn(tx);
      } catch (e) {
        s = before;
        jobs.drains.length = jobsBefore;
        throw e;
      }
    },
    getTicket: async (number) => {
      const t = s.tickets.find((x) => x.number === number);
      return t ? toTicket(t) : null;
    },
    findTicketBySourceKey: async (key) => {
      const t = s.tickets.find((x) => x.sourceKey === key);
      return t ? toTicket(t) : null;
    },
    async listTickets(f, page) {
      const q = f.query?.trim().toLowerCase();
      const items = s.tickets
        .filter((t) => !f.status || f.status.includes(t.status))
        .filter((t) => !f.requesterId || t.requesterId === f.requesterId)
        .filter((t) => !f.requesterEmail || s.users.find((u) => u.id === t.requesterId)!.email === f.requesterEmail.toLowerCase())
        .filter((t) => !f.publicOnly || t.visibility === 'public')
        .filter((t) => !f.assigneeId || t.assigneeId === f.assigneeId)
        .filter((t) => !q || t.subject.toLowerCase().includes(q) || t.description.toLowerCase().includes(q))
        .sort((a, b) => b.number - a.number)
        .slice(0, page.limit)
        .map(toTicket);
      return { items, nextCursor: null };
    },
    countTickets: async (f, cap) => {
      const n = (await store.listTickets(f, { limit: cap + 1, cursor: null })).items.length;
      return { count: Math.min(n, cap), capped: n > cap };
    },
    listComments: async (tid, o) => s.comments.filter((c) => c.ticketId === tid && (!o.publicOnly || c.public)).sort((a, b) => a.seq - b.seq).map(toComment),
    listTicketEvents: async (tid) =>
      s.events.filter((e) => e.ticketId === tid).map((e) => ({ id: String(e.id), kind: e.kind, field: e.field, from: e.from, to: e.to, via: e.via, actor: e.actorId ? userRef(e.actorId) : null, createdAt: e.createdAt })),
    findTicketsByThread: async (th) => s.links.filter((l) => sameThread(l, th)).map((l) => toTicket(ticketById(l.ticketId))),
    findTicketsByThreadRef: async (platform, workspaceId, threadRef) =>
      s.links.filter((l) => threadRef !== '' && l.platform === platform && l.workspaceId === workspaceId && l.threadRef === threadRef).map((l) => toTicket(ticketById(l.ticketId))),
    async findTicketByDeliveredMessage(platform, workspaceId, messageId) {
      const d = s.deliveries.find((x) => x.platformMessageId === messageId && s.links.some((l) => l.id === x.threadLinkId && l.platform === platform && l.workspaceId === workspaceId));
      return d ? toTicket(ticketById(s.links.find((l) => l.id === d.threadLinkId)!.ticketId)) : null;
    },
    getUser: tx.getUser,
    findUserByEmail: tx.findUserByEmail,
    async searchUsers(prefix, page) {
      const p = prefix.toLowerCase();
      const items = s.users.filter((u) => u.email.startsWith(p) || u.name.toLowerCase().startsWith(p)).sort((a, b) => a.email.localeCompare(b.email)).slice(0, page.limit).map(toUser);
      return { items, nextCursor: null };
    },
    findOrInsertUser: async (input) => findOrInsertUser(input),
    async setPasswordHash(uid, hash) {
      s.users.find((u) => u.id === uid)!.passwordHash = hash;
    },
    async findStaffCredentials(email) {
      const u = s.users.find((x) => x.email === email.trim().toLowerCase() && x.role !== 'end_user' && x.active);
      return u ? { user: toUser(u), passwordHash: u.passwordHash } : null;
    },
    listServices: async () => s.services.filter((x) => x.active).sort((a, b) => a.name.localeCompare(b.name)).map((x) => ({ id: x.id, name: x.name, description: x.description })),
    getService: async (sid) => {
      const x = s.services.find((v) => v.id === sid);
      return x ? { id: x.id, name: x.name } : null;
    },
    async insertServiceIfNew(input) {
      if (s.services.some((x) => x.name === input.name)) return null;
      const row = { id: id(), name: input.name, description: input.description, active: true };
      s.services.push(row);
      return { id: row.id, name: row.name, description: row.description };
    },
    async insertLinkCode(userId, codeHash, expiresAt) {
      s.codes.push({ userId, codeHash, expiresAt, usedAt: null });
    },
    async consumeLinkCode(codeHash, at) {
      const c = s.codes.find((x) => x.codeHash === codeHash);
      if (!c) return 'invalid';
      if (c.usedAt) return 'used';
      if (c.expiresAt <= at) return 'expired';
      c.usedAt = at;
      return { userId: c.userId };
    },
    async findIdentity(platform, workspaceId, platformUserId) {
      const i = s.identities.find((x) => x.platform === platform && x.workspaceId === workspaceId && x.platformUserId === platformUserId);
      return i ? toUser(s.users.find((u) => u.id === i.userId)!) : null;
    },
    async upsertIdentity(i) {
      const found = s.identities.find((x) => x.platform === i.platform && x.workspaceId === i.workspaceId && x.platformUserId === i.platformUserId);
      if (found) Object.assign(found, { userId: i.userId, displayName: i.displayName, locale: i.locale });
      else s.identities.push({ ...i, createdAt: now() });
    },
    async getChatService(platform, workspaceId, chatId) {
      const c = s.chatConfigs.find((x) => x.platform === platform && x.workspaceId === workspaceId && x.chatId === chatId);
      return c ? (await store.getService(c.serviceId)) : null;
    },
    async setChatService(platform, workspaceId, chatId, serviceId) {
      const c = s.chatConfigs.find((x) => x.platform === platform && x.workspaceId === workspaceId && x.chatId === chatId);
      if (c) c.serviceId = serviceId;
      else s.chatConfigs.push({ platform, workspaceId, chatId, serviceId });
    },
    async getDialogState(key, notBefore) {
      // Like the database: a key is data (a person passed with its profile lookup would not serialise).
      structuredClone(key);
      const d = s.dialogs.find((x) => x.key === keyOf(key));
      return d && d.updatedAt >= notBefore ? structuredClone(d.state) : null;
    },
    async setDialogState(key, state) {
      structuredClone(key);
      s.dialogs = s.dialogs.filter((x) => x.key !== keyOf(key));
      if (state) s.dialogs.push({ key: keyOf(key), state: structuredClone(state), updatedAt: now() });
    },
    solvedBefore: async (before, limit) => s.tickets.filter((t) => t.status === 'solved' && t.solvedAt && t.solvedAt < before).slice(0, limit).map((t) => t.number),
  };

  const drafts: DraftRepo = {
    async insertDraft(d) {
      const row: StoredDraft = { ...structuredClone(d), id: id(), ticketNumber: null, cancelled: false, createdAt: now() };
      s.drafts.push(row);
      return structuredClone(row);
    },
    getDraft: async (did, notBefore) => {
      const d = s.drafts.find((x) => x.id === did && x.createdAt >= notBefore);
      return d ? structuredClone(d) : null;
    },
    async updateDraft(did, patch) {
      Object.assign(s.drafts.find((x) => x.id === did)!, structuredClone(patch));
    },
  };

  const inbox: InboxPort & InboxRepo & InboundScheduler = {
    async record(e) {
      const found = s.inbound.find((x) => x.platform === e.platform && x.externalId === e.externalId);
      if (found) return { id: found.id, duplicate: true };
      const row: InboundRow = { id: String(next()), platform: e.platform, externalId: e.externalId, orderingKey: e.orderingKey ?? null, payload: structuredClone(e.payload), status: 'pending', attempts: 0, failingSince: null, receivedAt: now(), outcome: null, repliesSent: 0, lastError: null };
      s.inbound.push(row);
      jobs.inbound.push({ id: row.id, runAt: now() });
      return { id: row.id, duplicate: false };
    },
    loadInbound: async (iid) => {
      const r = s.inbound.find((x) => x.id === iid);
      return r ? structuredClone(r) : null;
    },
    async completeInbound(iid) {
      Object.assign(s.inbound.find((x) => x.id === iid)!, { status: 'done', outcome: null, lastError: null });
    },
    async saveInboundOutcome(iid, outcome: ChatOutcome) {
      Object.assign(s.inbound.find((x) => x.id === iid)!, { outcome: structuredClone(outcome), repliesSent: 0 });
    },
    async noteRepliesSent(iid, count) {
      s.inbound.find((x) => x.id === iid)!.repliesSent = count;
    },
    async failInbound(iid, f) {
      Object.assign(s.inbound.find((x) => x.id === iid)!, { attempts: f.attempts, lastError: f.error, failingSince: f.failingSince, ...(f.dead ? { status: 'dead' } : {}) });
    },
    async processLater(row, runAt) {
      jobs.inbound.push({ id: row.id, runAt });
    },
  };

  const drain: DrainRepo & DrainScheduler = {
    loadThreadLink: async (lid) => {
      const l = s.links.find((x) => x.id === lid);
      return l ? { ...l } : null;
    },
    async nextDelivery(lid) {
      const d = s.deliveries.filter((x) => x.threadLinkId === lid && (x.status === 'pending' || x.status === 'sending')).sort((a, b) => Number(a.id) - Number(b.id))[0];
      if (!d) return null;
      const ev = s.outbox.find((o) => o.id === d.outboxId)!;
      const t = ticketById(ev.ticketId);
      const cid = typeof ev.payload.commentId === 'string' ? ev.payload.commentId : null;
      const c = cid ? s.comments.find((x) => x.id === cid) : undefined;
      const original = cid && (ev.type === 'comment.edited' || ev.type === 'comment.deleted')
        ? s.deliveries.find((x) => x.threadLinkId === lid && x.status === 'sent' && x.platformMessageId && s.outbox.find((o) => o.id === x.outboxId)?.type === 'comment.added' && s.outbox.find((o) => o.id === x.outboxId)?.payload.commentId === cid)
        : undefined;
      const row: PendingDelivery = {
        id: d.id, status: d.status as PendingDelivery['status'], attempts: d.attempts, claimedUntil: d.claimedUntil,
        event: { type: ev.type, payload: structuredClone(ev.payload), createdAt: ev.createdAt },
        ticket: { number: t.number, subject: t.subject, status: t.status, priority: t.priority, visibility: t.visibility },
        comment: c ? { body: c.body, authorName: s.users.find((u) => u.id === c.authorId)!.name, public: c.public, deleted: c.deletedAt !== null } : null,
        deliveredMessageId: original?.platformMessageId ?? null,
      };
      return row;
    },
    async claimDelivery(did, until) {
      const d = s.deliveries.find((x) => x.id === did)!;
      const free = d.status === 'pending' || (d.status === 'sending' && (d.claimedUntil === null || d.claimedUntil <= now()));
      if (!free) return false;
      Object.assign(d, { status: 'sending', attempts: d.attempts + 1, claimedUntil: until });
      return true;
    },
    async markDeliverySent(did, mid, note) {
      Object.assign(s.deliveries.find((x) => x.id === did)!, { status: 'sent', claimedUntil: null, lastError: note ?? null, ...(mid ? { platformMessageId: mid } : {}) });
    },
    async markDeliveryFailed(did, reason) {
      Object.assign(s.deliveries.find((x) => x.id === did)!, { status: 'failed', claimedUntil: null, lastError: reason });
    },
    async noteDeliveryError(did, reason, nothingSent) {
      Object.assign(s.deliveries.find((x) => x.id === did)!, { lastError: reason, claimedUntil: null, ...(nothingSent ? { status: 'pending' } : {}) });
    },
    async breakThreadLink(lid, reason) {
      Object.assign(s.links.find((x) => x.id === lid)!, { status: 'broken', brokenReason: reason });
      for (const d of s.deliveries) if (d.threadLinkId === lid && (d.status === 'pending' || d.status === 'sending')) Object.assign(d, { status: 'failed', lastError: `thread link broken: ${reason}` });
    },
    async moveThreadLink(lid, chatId) {
      s.links.find((x) => x.id === lid)!.chatId = chatId;
    },
    async drainLater(threadLinkId, runAt) {
      jobs.drains.push({ threadLinkId, runAt });
    },
  };

  return {
    store,
    drafts,
    inbox,
    drain,
    jobs,
    /** Read-only views for assertions. */
    peek: {
      tickets: () => s.tickets.map(toTicket),
      comments: (number: number) => {
        const t = s.tickets.find((x) => x.number === number);
        return t ? s.comments.filter((c) => c.ticketId === t.id).sort((a, b) => a.seq - b.seq).map((c) => ({ ...toComment(c), externalRef: c.externalRef })) : [];
      },
      events: (number: number) => s.events.filter((e) => e.ticketId === s.tickets.find((x) => x.number === number)?.id),
      users: () => s.users.map(toUser),
      identities: () => s.identities.map((i) => ({ ...i })),
      links: (number: number) => s.links.filter((l) => l.ticketId === s.tickets.find((x) => x.number === number)?.id).map((l) => ({ ...l })),
      deliveries: () => s.deliveries.map((d) => ({ ...d, type: s.outbox.find((o) => o.id === d.outboxId)!.type })),
      inbound: () => s.inbound.map((r) => ({ ...r })),
      drafts: () => s.drafts.map((d) => structuredClone(d)),
    },
  };
}

export type MemoryStore = ReturnType<typeof createMemoryStore>;
