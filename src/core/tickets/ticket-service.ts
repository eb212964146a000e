/**
 * Ticket use cases. Every change runs in one transaction: lock the ticket, ask the rules, write the change, its
 * audit events and its domain event (the outbox the sync engine delivers from).
 */
import { DomainError } from '../errors.ts';
import type { Store, StoreTx, TicketView, UserRecord, ThreadKey, CommentView, DomainEventInput, NewAttachment, DialogKey } from '../ports/store-port.ts';
import * as rules from './ticket-rules.ts';
import { isStaff, type TicketPriority, type TicketStatus, type Visibility } from './ticket-types.ts';
import { applyTagChange, normaliseTags, sameTags, type TagChange } from './tag-rules.ts';
import { trackSla, type SlaTracker } from '../sla/sla-tracker.ts';
import { clockAtCreation } from '../sla/sla-rules.ts';
import { onAssigned, onCustomerMessage } from '../notifications/notification-rules.ts';
import { addressReceives, newAddressToken, type AddressChannel } from './address-rules.ts';

export interface Actor {
  id: string;
  role: UserRecord['role'];
}

export interface CreateTicketInput {
  subject: string;
  description: string;
  via: string;
  submitter: Actor;
  requesterId?: string;
  requesterEmail?: string;
  requesterName?: string;
  priority?: TicketPriority;
  visibility?: Visibility;
  status?: TicketStatus;
  serviceId?: string | null;
  assigneeId?: string | null;
  sourceUrl?: string | null;
  sourceKey?: string | null;
  threads?: (ThreadKey & { locale: string })[];
  followUpOfId?: string | null;
  /** The platform message the description came from, and its files. */
  firstComment?: { externalRef: string | null; attachments: NewAttachment[] };
  tags?: string[];
  /**
   * The chat request draft it is made of: marked with the ticket, and the dialog named ended, in its transaction
   * (a crash after the commit cannot leave a draft that looks unsubmitted, nor a submit that half happened).
   */
  draft?: { id: string; endDialog: DialogKey | null } | null;
}

export interface CommentInput {
  body: string;
  public: boolean;
  via: string;
  externalRef?: string | null;
  /** Files that came with it (a chat message's, a mail's). */
  attachments?: NewAttachment[];
  /** Uploads to attach (an agent's, or the requester's on their public reply): only their own, unattached ones. */
  attachmentIds?: string[];
  /**
   * The sender could not be vouched for and is not the requester (e.g. an address anyone can write from): the
   * comment is an internal note for agents to judge, never the requester's words, and changes nothing else.
   */
  unverified?: boolean;
  /** Where a follow-up lives if the comment arrives on a closed ticket (e.g. the chat thread it was written in). */
  followUpThreads?: (ThreadKey & { locale: string })[];
  /** The chat thread the comment was written in: it is not echoed back there. */
  origin?: ThreadKey;
  /** An agent's "then set status": applied with the comment, or (refused) neither is. */
  status?: TicketStatus;
  /** Refuse (stale_ticket) unless the ticket is still at this version. */
  expectedVersion?: number;
}

export interface TicketPatch {
  status?: TicketStatus;
  priority?: TicketPriority;
  assigneeId?: string | null;
  visibility?: Visibility;
  tags?: TagChange;
}

/** Refuse (stale_ticket) unless the ticket is still at this version: the caller has not seen a newer change. */
export interface ChangeOptions {
  expectedVersion?: number;
}

export interface TicketServiceDeps {
  store: Store;
  clock?: () => Date;
  /** Called after a ticket is committed (metrics). */
  onTicketCreated?: (t: TicketView) => void;
  /** How long before an SLA target's due time its assignee is warned. */
  slaWarningMinutes?: number;
  /** The channel that reaches requesters at their own address, when one is on (see address-rules.ts). */
  addressChannel?: AddressChannel;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Thrown inside a create's transaction when its source already has a ticket: nothing was written, the caller gets that one. */
class SourceTaken extends Error {}

export function createTicketService(deps: TicketServiceDeps) {
  const { store } = deps;
  const now = deps.clock ?? (() => new Date());
  const sla = (tx: StoreTx, t: TicketView): SlaTracker => trackSla(tx, t, deps.slaWarningMinutes ?? 30);

  async function requireTicket(tx: StoreTx, number: number): Promise<TicketView> {
    const t = await tx.lockTicket(number);
    if (!t) throw new DomainError('ticket_not_found', `ticket ${number} does not exist`);
    return t;
  }

  /** A comment an agent may change: on this open ticket, not deleted, theirs (an admin may change anyone's agent comment). */
  async function ownComment(tx: StoreTx, number: number, actor: Actor, commentId: string): Promise<{ t: TicketView; c: CommentView }> {
    if (!isStaff(actor.role)) throw new DomainError('forbidden', 'only agents change comments');
    const t = await requireTicket(tx, number);
    const c = await tx.findCommentById(commentId);
    if (!c || c.ticketId !== t.id || c.deletedAt) throw new DomainError('comment_not_found', 'no such comment on this ticket');
    if (t.status === 'closed') throw new DomainError('ticket_closed', 'a closed ticket cannot be changed');
    const mine = c.author.id === actor.id;
    if (!mine && !(actor.role === 'admin' && isStaff(c.author.role))) throw new DomainError('forbidden', 'only its author (or an admin) changes an agent comment');
    return { t, c };
  }

  async function notifyDirectly(tx: StoreTx, ticketId: string, userId: string): Promise<void> {
    for (const id of await tx.listIdentities(userId)) {
      await tx.linkThread(ticketId, {
        platform: id.platform,
        workspaceId: id.workspaceId,
        chatId: id.platformUserId,
        threadRef: '',
        directUserId: id.platformUserId,
        locale: id.locale,
      });
    }
  }

  /**
   * Publishes a domain event. When it leaves the help center and an address channel is on, the requester's
   * address thread gets it or not by the address rules; the first time it does, the thread is linked with a new
   * token (kept for every later mail of the ticket).
   */
  async function publishOut(tx: StoreTx, ticketId: string, requesterId: string, event: DomainEventInput, opened?: { submitterId: string; via: string }): Promise<void> {
    const addr = deps.addressChannel;
    if (!addr || !event.deliver) return tx.publish(ticketId, event);
    const u = await tx.getUser(requesterId);
    if (!u) return tx.publish(ticketId, event);
    const email = normaliseEmail(u.email);
    const mine = (await tx.listThreadLinks(ticketId)).filter((l) => l.platform === addr.platform && l.workspaceId === addr.workspaceId && l.chatId === email);
    const wants = addressReceives(addr, event.type, { requester: { id: u.id, role: u.role, emailReplies: u.emailReplies ?? true }, opened });
    const except = [event.except ?? []].flat();
    if (!wants) except.push(...mine);
    // Mails follow the language the requester chose since (their help-center preference).
    else if (mine[0] && mine[0].locale !== u.locale) await tx.setThreadLocale(ticketId, mine[0], u.locale);
    else if (mine.length === 0) await tx.linkThread(ticketId, { platform: addr.platform, workspaceId: addr.workspaceId, chatId: email, threadRef: newAddressToken(), locale: u.locale });
    await tx.publish(ticketId, { ...event, ...(except.length ? { except } : {}) });
  }

  /** The requester's id; one given by id is checked by the insert itself (createIn), which reads the user anyway. */
  async function resolveRequester(tx: StoreTx, input: CreateTicketInput): Promise<string> {
    if (input.requesterId) return input.requesterId;
    if (input.requesterEmail) {
      const email = normaliseEmail(input.requesterEmail);
      if (!EMAIL_RE.test(email)) throw new DomainError('invalid_email', 'requesterEmail is not an email address', 'requesterEmail');
      // Inside the transaction a failed INSERT would abort it: the store's find-or-insert cannot fail on a race.
      const { user } = await tx.findOrInsertUser({ email, name: input.requesterName?.trim() || email.split('@')[0]!, role: 'end_user' });
      return user.id;
    }
    return input.submitter.id;
  }

  async function createIn(tx: StoreTx, input: CreateTicketInput): Promise<TicketView> {
    const requesterId = await resolveRequester(tx, input);
    const visibility = input.visibility ?? 'public';
    if (visibility === 'private' && !isStaff(input.submitter.role))
      throw new DomainError('forbidden', 'only agents create private tickets', 'visibility');
    if (input.assigneeId) {
      const a = await tx.getUser(input.assigneeId);
      if (!a || !isStaff(a.role)) throw new DomainError('validation_failed', 'assigneeId must be an agent', 'assigneeId');
    }
    const status = input.status ?? 'new';
    if (status === 'closed') throw new DomainError('forbidden_transition', 'a ticket cannot be created closed', 'status');
    const staff = isStaff(input.submitter.role);
    const inserted = await tx.insertTicket({
      subject: input.subject.trim(),
      description: input.description,
      descriptionPublic: visibility === 'public',
      status,
      priority: input.priority ?? 'normal',
      visibility,
      via: input.via,
      requesterId,
      submitterId: input.submitter.id,
      assigneeId: input.assigneeId ?? null,
      serviceId: input.serviceId ?? null,
      followUpOfId: input.followUpOfId ?? null,
      sourceUrl: input.sourceUrl ?? null,
      sourceKey: input.sourceKey ?? null,
      tags: normaliseTags(input.tags ?? []),
      // A customer's request starts the SLA clock; an agent opening a public ticket has made the first reply: at
      // its creation, so the row is written with them (the tracker below then finds the clock already there).
      clockStarts: clockAtCreation({ byStaff: staff, public: visibility === 'public' }, status),
      // The description is the first comment: public, or internal on a private ticket.
      firstComment: {
        authorId: staff ? input.submitter.id : requesterId,
        body: input.description,
        public: visibility === 'public',
        via: input.via,
        externalRef: input.firstComment?.externalRef ?? null,
        attachments: input.firstComment?.attachments ?? [],
      },
      threads: input.threads ?? [],
      draft: input.draft ?? null,
    });
    if (!inserted) {
      if (input.requesterId && !(await tx.getUser(input.requesterId))) throw new DomainError('user_not_found', 'requester does not exist', 'requesterId');
      if (input.sourceKey) throw new SourceTaken(`a ticket of ${input.sourceKey} exists`);
      throw new Error('insertTicket wrote nothing');
    }
    const ticket = inserted;
    if (ticket.tags.length) await tx.rememberTags(ticket.tags);
    if (status === 'solved') await tx.updateTicket(ticket.id, { solvedAt: now() });
    // A public ticket an agent opens on someone's behalf notifies them in their own chats; a private one does not.
    if (visibility === 'public' && (input.threads ?? []).length === 0 && requesterId !== input.submitter.id) await notifyDirectly(tx, ticket.id, requesterId);
    await tx.recordEvents(ticket.id, input.submitter.id, input.via, [
      { kind: 'created', to: status },
      ...(visibility === 'private' ? [{ kind: 'visibility', field: 'visibility', to: 'private' }] : []),
      ...(input.followUpOfId ? [{ kind: 'follow_up', field: 'followUpOf', to: input.followUpOfId }] : []),
    ]);
    // The clock is told what the row was written with (changing nothing): the due times follow from it.
    const clock = sla(tx, ticket);
    clock.message({ byStaff: staff, public: visibility === 'public', at: ticket.createdAt });
    clock.status(status);
    await clock.finish();
    await tx.insertNotifications(onAssigned(ticket.id, input.assigneeId ?? null, input.submitter.id));
    await publishOut(
      tx,
      ticket.id,
      requesterId,
      { type: 'ticket.created', payload: { number: ticket.number, status }, deliver: rules.leavesHelpCenter({ visibility }, { kind: 'created' }) },
      { submitterId: input.submitter.id, via: input.via },
    );
    return tx.readTicket(ticket.id);
  }

  async function changeStatus(tx: StoreTx, t: TicketView, to: TicketStatus, actorId: string | null, via: string, clock?: SlaTracker): Promise<void> {
    if (to === t.status) return;
    clock?.status(to);
    await tx.updateTicket(t.id, {
      status: to,
      // Closing keeps when it was solved (the resolution target was met then); reopening clears it.
      ...(to === 'solved' ? { solvedAt: now() } : t.status === 'solved' && to !== 'closed' ? { solvedAt: null } : {}),
      ...(to === 'closed' ? { closedAt: now() } : {}),
    });
    await tx.recordEvents(t.id, actorId, via, [{ kind: 'status', field: 'status', from: t.status, to }]);
    const deliver = rules.leavesHelpCenter(t, { kind: 'status' });
    await publishOut(tx, t.id, t.requester.id, { type: 'ticket.status_changed', payload: { number: t.number, from: t.status, to }, deliver });
    if (to === 'solved') await publishOut(tx, t.id, t.requester.id, { type: 'ticket.solved', payload: { number: t.number }, deliver });
  }

  async function commentIn(
    tx: StoreTx,
    t: TicketView,
    author: Actor,
    input: CommentInput,
    clock: SlaTracker,
  ): Promise<{ comment: CommentView | null; followUp: TicketView | null }> {
    const staff = isStaff(author.role);
    const d = input.unverified ? rules.unverifiedArrives(t) : rules.commentArrives(t, staff, input.public, author.id === t.requester.id);
    if (d.followUp) {
      const followUp = await createIn(tx, {
        subject: t.subject,
        description: input.body,
        via: input.via,
        submitter: author,
        requesterId: t.requester.id,
        priority: t.priority,
        serviceId: t.service?.id ?? null,
        followUpOfId: t.id,
        threads: input.followUpThreads,
        firstComment: { externalRef: input.externalRef ?? null, attachments: input.attachments ?? [] },
      });
      return { comment: null, followUp };
    }
    if (d.becomesPublic) {
      await tx.updateTicket(t.id, { visibility: 'public' });
      // Only now, made public by a reply, does the requester hear of it.
      if ((await tx.countThreadLinks(t.id)) === 0) await notifyDirectly(tx, t.id, t.requester.id);
      await tx.recordEvents(t.id, author.id, input.via, [{ kind: 'visibility', field: 'visibility', from: 'private', to: 'public' }]);
      await tx.publish(t.id, { type: 'ticket.visibility_changed', payload: { number: t.number, to: 'public' }, deliver: false });
    }
    let comment = await tx.insertComment({
      ticketId: t.id,
      authorId: author.id,
      body: input.body,
      public: d.public,
      via: input.via,
      externalRef: input.externalRef ?? null,
      attachments: input.attachments ?? [],
    });
    const uploads = [...new Set(input.attachmentIds ?? [])];
    if (uploads.length) {
      // Agents attach their uploads; a requester only to their own public reply (the help-center reply form).
      if (!staff && !(d.public && author.id === t.requester.id)) throw new DomainError('forbidden', 'only agents and the requester replying attach uploads', 'attachmentIds');
      const n = await tx.attachUploads(comment.id, t.id, author.id, uploads);
      if (n !== uploads.length) throw new DomainError('attachment_not_found', 'attachmentIds must name your own uploads not attached yet', 'attachmentIds');
      comment = (await tx.findCommentById(comment.id))!;
    }
    await tx.recordEvents(t.id, author.id, input.via, [{ kind: 'comment_added', field: d.public ? 'public' : 'internal', to: comment.id }]);
    clock.message({ byStaff: staff, public: d.public, at: comment.createdAt });
    await tx.insertNotifications(onCustomerMessage(t.id, t.assignee?.id ?? null, { id: author.id, staff }, comment.id));
    const visibleNow = { visibility: d.becomesPublic ? ('public' as const) : t.visibility };
    await publishOut(tx, t.id, t.requester.id, {
      type: 'comment.added',
      payload: { number: t.number, commentId: comment.id, public: d.public, byStaff: staff, via: input.via },
      deliver: rules.leavesHelpCenter(visibleNow, { kind: 'comment', public: d.public, byStaff: staff }),
      ...(input.origin ? { except: input.origin } : {}),
    });
    // Its files follow its text into every thread, as their own delivery (an internal note's never leave).
    if (uploads.length && d.public)
      await tx.publish(t.id, {
        type: 'comment.files',
        payload: { number: t.number, commentId: comment.id },
        deliver: rules.leavesHelpCenter(visibleNow, { kind: 'comment', public: d.public, byStaff: staff }),
        ...(input.origin ? { except: input.origin } : {}),
      });
    await changeStatus(tx, { ...t, ...visibleNow }, d.status, author.id, input.via, clock);
    return { comment, followUp: null };
  }

  async function updateIn(tx: StoreTx, t: TicketView, actor: Actor, patch: TicketPatch, via: string, clock: SlaTracker): Promise<void> {
    const number = t.number;
    if (t.status === 'closed') throw new DomainError('ticket_closed', 'a closed ticket cannot be changed');
    if (patch.visibility === 'public') rules.makePublic(t);
    if (patch.visibility === 'private') {
      const ids = await tx.publicCommentIds(t.id);
      if (rules.makePrivate(t, ids.length)) {
        await tx.makeCommentsInternal(ids);
        await tx.updateTicket(t.id, { visibility: 'private', descriptionPublic: false });
        await tx.recordEvents(t.id, actor.id, via, [
          { kind: 'visibility', field: 'visibility', from: 'public', to: 'private' },
          { kind: 'comment_made_internal', to: ids[0] ?? null },
        ]);
        await tx.publish(t.id, { type: 'ticket.visibility_changed', payload: { number, to: 'private' }, deliver: false });
        t.visibility = 'private';
      }
    }
    if (patch.priority && patch.priority !== t.priority) {
      await tx.updateTicket(t.id, { priority: patch.priority });
      await tx.recordEvents(t.id, actor.id, via, [{ kind: 'priority', field: 'priority', from: t.priority, to: patch.priority }]);
      clock.priority(patch.priority);
    }
    if (patch.assigneeId !== undefined && patch.assigneeId !== (t.assignee?.id ?? null)) {
      if (patch.assigneeId !== null) {
        const a = await tx.getUser(patch.assigneeId);
        if (!a || !isStaff(a.role)) throw new DomainError('validation_failed', 'assigneeId must be an agent', 'assigneeId');
      }
      await tx.updateTicket(t.id, { assigneeId: patch.assigneeId });
      await tx.recordEvents(t.id, actor.id, via, [{ kind: 'assignee', field: 'assignee', from: t.assignee?.id ?? null, to: patch.assigneeId }]);
      await tx.insertNotifications(onAssigned(t.id, patch.assigneeId, actor.id));
    }
    if (patch.tags) {
      const tags = applyTagChange(t.tags, patch.tags);
      if (!sameTags(tags, t.tags)) {
        await tx.updateTicket(t.id, { tags });
        await tx.rememberTags(tags);
        await tx.recordEvents(t.id, actor.id, via, [{ kind: 'tags', field: 'tags', from: t.tags.join(' '), to: tags.join(' ') }]);
      }
    }
    if (patch.status) await changeStatus(tx, t, rules.agentSetsStatus(t, patch.status), actor.id, via, clock);
  }

  return {
    /**
     * A ticket of a source (a chat message, a draft) is made once: the insert itself finds one that exists (a
     * re-delivery, a second submit) or waits for one being made (two submits racing), and then writes nothing.
     */
    async create(input: CreateTicketInput): Promise<{ ticket: TicketView; created: boolean }> {
      try {
        const ticket = await store.tx((tx) => createIn(tx, input));
        deps.onTicketCreated?.(ticket);
        return { ticket, created: true };
      } catch (e) {
        if (input.sourceKey && (e instanceof SourceTaken || (e as { code?: string }).code === 'unique_violation')) {
          const existing = await store.findTicketBySourceKey(input.sourceKey);
          if (existing) return { ticket: existing, created: false };
        }
        throw e;
      }
    },

    async get(number: number): Promise<TicketView> {
      const t = await store.getTicket(number);
      if (!t) throw new DomainError('ticket_not_found', `ticket ${number} does not exist`);
      return t;
    },

    async update(number: number, actor: Actor, patch: TicketPatch, via = 'api', opts: ChangeOptions = {}): Promise<TicketView> {
      return store.tx(async (tx) => {
        const t = await requireTicket(tx, number);
        rules.assertFresh(t, opts.expectedVersion);
        const clock = sla(tx, t);
        await updateIn(tx, t, actor, patch, via, clock);
        await clock.finish();
        return tx.readTicket(t.id);
      });
    },

    /**
     * Several changes as one: an optional comment (a macro's reply), then the properties, in one transaction
     * with one version check, so that either all of it happens or none.
     */
    async applyChanges(
      number: number,
      actor: Actor,
      change: { comment?: { body: string; public: boolean }; patch: TicketPatch },
      via = 'api',
      opts: ChangeOptions = {},
    ): Promise<{ ticket: TicketView; comment: CommentView | null }> {
      return store.tx(async (tx) => {
        let t = await requireTicket(tx, number);
        rules.assertFresh(t, opts.expectedVersion);
        const clock = sla(tx, t);
        let comment: CommentView | null = null;
        if (change.comment) {
          comment = (await commentIn(tx, t, actor, { ...change.comment, via }, clock)).comment;
          t = await tx.readTicket(t.id);
        }
        await updateIn(tx, t, actor, change.patch, via, clock);
        await clock.finish();
        return { ticket: await tx.readTicket(t.id), comment };
      });
    },

    async comment(
      number: number,
      author: Actor,
      input: CommentInput,
    ): Promise<{ ticket: TicketView; comment: CommentView | null; followUp: TicketView | null }> {
      const r = await store.tx(async (tx) => {
        const t = await requireTicket(tx, number);
        rules.assertFresh(t, input.expectedVersion);
        if (input.status !== undefined) {
          if (!isStaff(author.role)) throw new DomainError('forbidden', 'only agents set a status with a comment', 'status');
          rules.agentSetsStatus(t, input.status);
        }
        const clock = sla(tx, t);
        const out = await commentIn(tx, t, author, input, clock);
        // One transaction: a status the rules refuse leaves no comment behind, so a retry cannot double it.
        if (input.status !== undefined) await changeStatus(tx, await tx.readTicket(t.id), input.status, author.id, input.via, clock);
        await clock.finish();
        return { ticket: await tx.readTicket(t.id), ...out };
      });
      if (r.followUp) deps.onTicketCreated?.(r.followUp);
      return r;
    },

    /** Edits a synced chat reply: new text with an "edited" mark; the old text stays in the audit trail. */
    async editExternalComment(externalRef: string, body: string, via: string): Promise<boolean> {
      return store.tx(async (tx) => {
        const c = await tx.findCommentByExternalRef(externalRef);
        if (!c || c.deletedAt || c.body === body) return false;
        await tx.updateComment(c.id, { body, editedAt: now() });
        await tx.recordEvents(c.ticketId, c.author.id, via, [{ kind: 'comment_edited', field: c.id, from: c.body, to: body }]);
        await tx.publish(c.ticketId, { type: 'comment.edited', payload: { commentId: c.id }, deliver: false });
        return true;
      });
    },

    /**
     * An agent edits a comment of theirs (an admin, anyone's). A public reply that reached the chat threads is
     * edited there too; the old text stays in the audit trail.
     */
    async editComment(number: number, actor: Actor, commentId: string, body: string, via: string): Promise<CommentView> {
      return store.tx(async (tx) => {
        const { t, c } = await ownComment(tx, number, actor, commentId);
        const text = body.trim();
        if (text === '') throw new DomainError('validation_failed', 'a comment needs text', 'body');
        if (text !== c.body) {
          await tx.updateComment(c.id, { body: text, editedAt: now() });
          await tx.recordEvents(t.id, actor.id, via, [{ kind: 'comment_edited', field: c.id, from: c.body, to: text }]);
          await publishOut(tx, t.id, t.requester.id, { type: 'comment.edited', payload: { number, commentId: c.id }, deliver: rules.leavesHelpCenter(t, { kind: 'comment', public: c.public, byStaff: true }) });
        }
        return (await tx.findCommentById(c.id))!;
      });
    },

    /** An agent deletes a comment of theirs (an admin, anyone's); a public reply is removed from the chat threads. */
    async deleteComment(number: number, actor: Actor, commentId: string, via: string): Promise<void> {
      await store.tx(async (tx) => {
        const { t, c } = await ownComment(tx, number, actor, commentId);
        await tx.updateComment(c.id, { deletedAt: now() });
        await tx.recordEvents(t.id, actor.id, via, [{ kind: 'comment_deleted', field: c.id, from: c.body }]);
        await publishOut(tx, t.id, t.requester.id, { type: 'comment.deleted', payload: { number, commentId: c.id }, deliver: rules.leavesHelpCenter(t, { kind: 'comment', public: c.public, byStaff: true }) });
      });
    },

    async deleteExternalComment(externalRef: string, via: string): Promise<boolean> {
      return store.tx(async (tx) => {
        const c = await tx.findCommentByExternalRef(externalRef);
        if (!c || c.deletedAt) return false;
        await tx.updateComment(c.id, { deletedAt: now() });
        await tx.recordEvents(c.ticketId, c.author.id, via, [{ kind: 'comment_deleted', field: c.id, from: c.body }]);
        await tx.publish(c.ticketId, { type: 'comment.deleted', payload: { commentId: c.id }, deliver: false });
        return true;
      });
    },

    async rate(number: number, rater: Actor, score: number, comment: string | null, via: string): Promise<TicketView> {
      return store.tx(async (tx) => {
        const t = await requireTicket(tx, number);
        if (t.requester.id !== rater.id) throw new DomainError('ticket_not_found', `ticket ${number} does not exist`);
        const to = rules.rate(t, score);
        await tx.insertRating({ ticketId: t.id, raterId: rater.id, score, comment: comment?.trim() || null });
        await tx.recordEvents(t.id, rater.id, via, [{ kind: 'rated', field: 'rating', to: String(score) }]);
        await tx.publish(t.id, { type: 'ticket.rated', payload: { number, score }, deliver: false });
        const clock = sla(tx, t);
        await changeStatus(tx, t, to, rater.id, via, clock);
        await clock.finish();
        return tx.readTicket(t.id);
      });
    },

    async commentRating(number: number, rater: Actor, comment: string, via = 'api'): Promise<void> {
      await store.tx(async (tx) => {
        const t = await requireTicket(tx, number);
        if (t.requester.id !== rater.id || !t.rating) throw new DomainError('ticket_not_found', `ticket ${number} has no rating of yours`);
        await tx.updateRatingComment(t.id, comment.trim());
        await tx.recordEvents(t.id, rater.id, via, [{ kind: 'rating_comment', field: 'rating', to: comment.trim() }]);
      });
    },

    async reopen(number: number, requester: Actor, reason: string, via: string): Promise<TicketView> {
      return store.tx(async (tx) => {
        const t = await requireTicket(tx, number);
        if (t.requester.id !== requester.id) throw new DomainError('ticket_not_found', `ticket ${number} does not exist`);
        rules.reopen(t, reason);
        await tx.recordEvents(t.id, requester.id, via, [{ kind: 'reopened', to: 'open' }]);
        await tx.publish(t.id, { type: 'ticket.reopened', payload: { number }, deliver: false });
        // The reason is the customer's public comment; a customer comment on a solved ticket reopens it.
        const clock = sla(tx, t);
        await commentIn(tx, t, requester, { body: reason.trim(), public: true, via }, clock);
        await clock.finish();
        return tx.readTicket(t.id);
      });
    },

    async linkThread(number: number, thread: ThreadKey & { locale: string }, via: string): Promise<void> {
      await store.tx(async (tx) => {
        const t = await requireTicket(tx, number);
        await tx.linkThread(t.id, thread);
        await tx.recordEvents(t.id, null, via, [{ kind: 'thread_linked', to: `${thread.platform}:${thread.chatId}` }]);
      });
    },

    /** Closes solved tickets older than `days` days; returns how many it closed. */
    async closeStaleSolved(days: number): Promise<number> {
      const cutoff = new Date(now().getTime() - days * 86_400_000);
      let closed = 0;
      for (const number of await store.solvedBefore(cutoff, 500)) {
        await store.tx(async (tx) => {
          const t = await tx.lockTicket(number);
          if (t && rules.closesAutomatically(t, now(), days)) {
            const clock = sla(tx, t);
            await changeStatus(tx, t, 'closed', null, 'api', clock);
            await clock.finish();
            closed++;
          }
        });
      }
      return closed;
    },
  };
}

export type TicketService = ReturnType<typeof createTicketService>;
