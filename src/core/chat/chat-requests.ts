/**
 * Asking for help from a chat: a request wanted about a message (a reaction, a mention, a command) opens a draft
 * and offers its form, or (channels without forms, a mention with a description) creates the ticket at once; a
 * submitted draft becomes a ticket. The requester is always the person who asked, as the help center knows them
 * (chat-identity.ts): never an address typed into a form, and never an agent.
 */
import { DomainError } from '../errors.ts';
import type { StoredDraft } from '../ports/draft-repo.ts';
import type { ThreadKey, TicketView, UserRecord } from '../ports/store-port.ts';
import { isStaff } from '../tickets/ticket-types.ts';
import type { ChatEvent, ChatPerson, ChatPlace, DraftFields, SourceMessage } from './chat-events.ts';
import type { ResolvedPerson } from './chat-identity.ts';
import { notice, type ChatMessage, type DraftErrors, type RequestDraft } from './chat-messages.ts';
import { DRAFT_TTL_MS, NO_REPLIES, type ChatContext, type ChatOutcome, type ReplyBase } from './chat-service.ts';
import { intakeFiles, threadKey } from './chat-thread.ts';
import { checkDraft, cleanText, hasErrors, MIN_DESCRIPTION_LENGTH, nextStep, normaliseFields, subjectFrom } from './request-draft.ts';

const sameOwner = (d: StoredDraft, p: ChatPerson) =>
  d.owner.platform === p.platform && d.owner.workspaceId === p.workspaceId && d.owner.platformUserId === p.platformUserId;

/**
 * The thread a request lives in is the place's: adapters give the thread the source message is in, or the source
 * itself as the root of a new one, or none (the chat itself, e.g. a direct chat without threads).
 */
const threadOf = (place: ChatPlace) => threadKey(place, place.threadRef);

function sourceKeyOf(ctx: ChatContext, place: ChatPlace, source: SourceMessage | null, draftId: string | null): string | null {
  if (source) return ctx.messageRef(place, source.messageId);
  return draftId ? `draft:${draftId}` : null;
}

/** What a person may learn of the ticket a message already has: a public one is in its thread for all to see. */
function existing(ctx: ChatContext, t: TicketView): ChatMessage {
  return { kind: 'request_exists', ticket: t.visibility === 'public' ? ctx.summary(t) : null };
}

/** The person who may file a request from a chat: known to the help center, and not an agent. */
async function requesterOf(who: ResolvedPerson): Promise<UserRecord> {
  const user = await who.user();
  if (!user) throw new DomainError('not_registered', 'this chat account is not linked to a help-center user');
  if (isStaff(user.role)) throw new DomainError('agent_cannot_request', 'agents open tickets in the help center');
  return user;
}

/** checkDraft against the catalog, which only a chosen service needs (and only then is it read). */
export async function checkRequest(ctx: ChatContext, fields: DraftFields): Promise<DraftErrors> {
  const chosen = normaliseFields(fields).serviceId !== null;
  return checkDraft(fields, chosen ? (await ctx.deps.directory.listServices()).map((s) => s.id) : []);
}

async function createFrom(
  ctx: ChatContext,
  who: ResolvedPerson,
  place: ChatPlace,
  fields: DraftFields,
  source: SourceMessage | null,
  draftId: string | null,
): Promise<{ ticket: TicketView; created: boolean }> {
  const user = await requesterOf(who);
  const f = normaliseFields(fields);
  const errors = await checkRequest(ctx, f);
  const first = Object.values(errors)[0];
  if (first) {
    const code = errors.description ? 'description_too_short' : errors.serviceId ? 'service_not_found' : 'validation_failed';
    throw new DomainError(code, first.key, Object.keys(errors)[0]);
  }
  const locale = await who.locale();
  const threads: (ThreadKey & { locale: string })[] = [{ ...threadOf(place), locale }];
  // A group's request is also followed where the requester can be told privately, where the channel wants it.
  if (!place.direct && ctx.deps.capabilities(place.platform).directCopies)
    threads.push({ ...threadKey(place, null), chatId: who.person.platformUserId, threadRef: '', directUserId: who.person.platformUserId, locale });
  const files = await intakeFiles(ctx, place.platform, source?.files ?? []);
  const created = await ctx.deps.tickets.create({
    subject: f.subject,
    description: f.description,
    priority: f.priority,
    serviceId: f.serviceId,
    via: place.platform,
    submitter: { id: user.id, role: user.role },
    requesterId: user.id,
    threads,
    sourceKey: sourceKeyOf(ctx, place, source, draftId),
    sourceUrl: source?.url ?? null,
    firstComment: { externalRef: null, attachments: files.attachments },
    // A submitted draft is marked with its ticket, and ends whatever the bot waited for from its owner, in the
    // ticket's own transaction: a retry after a crash finds it submitted.
    draft: draftId ? { id: draftId, endDialog: ctx.dialog.key(who.person) } : null,
  }).catch(async (err: unknown) => {
    await files.discard();
    throw err;
  });
  // The ticket of this source existed already (a re-delivery, a second submit): nothing of this try is kept.
  if (!created.created) await files.discard();
  return created;
}

type RequestForm = Extract<ChatMessage, { kind: 'request_form' }>;

async function formOf(ctx: ChatContext, d: StoredDraft, who: ResolvedPerson): Promise<RequestForm> {
  const services = await ctx.deps.directory.listServices();
  const user = await who.user().catch(() => null);
  // Only what a form shows: the answer is stored as JSON until told, and the draft's owner and source are not its business.
  const { id, subject, description, priority, serviceId, priorityChosen, serviceChosen } = d;
  const draft: RequestDraft = { id, subject, description, priority, serviceId, priorityChosen, serviceChosen, requesterEmail: user && !isStaff(user.role) ? user.email : null };
  return {
    kind: 'request_form',
    draft,
    services: services.map((s) => ({ id: s.id, name: s.name })),
    step: nextStep(d, services.length),
    minDescriptionLength: MIN_DESCRIPTION_LENGTH,
  };
}

async function newDraft(ctx: ChatContext, place: ChatPlace, owner: ChatPerson, source: SourceMessage | null): Promise<StoredDraft> {
  const chatService = place.direct ? null : await ctx.deps.store.getChatService(place.platform, place.workspaceId, place.chatId);
  const text = cleanText(source?.text ?? '');
  return ctx.deps.drafts.insertDraft({
    owner: { platform: owner.platform, workspaceId: owner.workspaceId, platformUserId: owner.platformUserId },
    place,
    source,
    subject: subjectFrom(text),
    description: text,
    priority: 'normal',
    serviceId: chatService?.id ?? null,
    priorityChosen: false,
    serviceChosen: chatService !== null,
  });
}

const notBefore = (ctx: ChatContext) => new Date(ctx.now().getTime() - DRAFT_TTL_MS);

/** A draft its owner may still act on: theirs, not cancelled, not expired. */
const usable = (ctx: ChatContext, d: StoredDraft | null, id: string, owner: ChatPerson): StoredDraft | null =>
  d && d.id === id && sameOwner(d, owner) && !d.cancelled && d.createdAt >= notBefore(ctx) ? d : null;

async function loadDraft(ctx: ChatContext, id: string, owner: ChatPerson): Promise<StoredDraft | null> {
  return usable(ctx, await ctx.deps.drafts.getDraft(id, notBefore(ctx)), id, owner);
}

async function submitted(ctx: ChatContext, base: ReplyBase, d: StoredDraft, ticketNumber: number, replaces: string | null): Promise<ChatOutcome> {
  const t = await ctx.deps.store.getTicket(ticketNumber);
  return { replies: t ? [ctx.reply(base, { kind: 'request_done', ticket: ctx.summary(t), created: false, draftId: d.id }, { replaces })] : [] };
}

async function submit(ctx: ChatContext, base: ReplyBase, who: ResolvedPerson, d: StoredDraft, fields: DraftFields, source: SourceMessage | null, replaces: string | null): Promise<ChatOutcome> {
  if (d.ticketNumber !== null) return submitted(ctx, base, d, d.ticketNumber, replaces);
  const src = d.source ?? source;
  // A draft opened without a message (a slash command) lives where the adapter posted the request at submit.
  const place = !d.source && source ? base.place : d.place;
  // A message that has its ticket already (another draft's, a mention's) is found by the create: its source key.
  const made = await createFrom(ctx, who, place, fields, src, d.id).catch(async (e: unknown) => {
    if ((e as { code?: string }).code !== 'draft_submitted') throw e;
    // A concurrent submit of this very draft made its ticket first: that is the answer.
    const now = await loadDraft(ctx, d.id, who.person);
    return now && now.ticketNumber !== null ? now.ticketNumber : null;
  });
  if (typeof made === 'number') return submitted(ctx, base, d, made, replaces);
  if (made === null) return { replies: [ctx.reply(base, notice('common:error.draft_expired'), { replaces })] };
  const { ticket, created } = made;
  if (!created) await ctx.dialog.set(who.person, null);
  // The message has a ticket already (someone else's submit for it won): say so, as far as this person may know.
  if (!created && ticket.requester.id !== (await who.user())?.id) return { replies: [ctx.reply(base, existing(ctx, ticket), { replaces })] };
  return { replies: [ctx.reply(base, { kind: 'request_done', ticket: ctx.summary(ticket), created, draftId: d.id }, { replaces })] };
}

export async function handleRequestEvent(ctx: ChatContext, e: ChatEvent, who: ResolvedPerson): Promise<ChatOutcome | null> {
  switch (e.type) {
    case 'request_wanted': {
      const base = { place: e.place, actor: e.actor, locale: await who.locale() };
      const key = sourceKeyOf(ctx, e.place, e.source, null);
      const before = key && e.source ? await ctx.deps.store.findTicketBySourceKey(key) : null;
      if (before) return { replies: [ctx.reply(base, existing(ctx, before))] };
      if (e.submitNow) {
        const text = cleanText(e.source?.text ?? '');
        const fields: DraftFields = { subject: subjectFrom(text), description: text, priority: 'normal', serviceId: null };
        if (!e.place.direct) fields.serviceId = (await ctx.deps.store.getChatService(e.place.platform, e.place.workspaceId, e.place.chatId))?.id ?? null;
        const { ticket, created } = await createFrom(ctx, who, e.place, fields, e.source, null);
        // A new ticket's confirmation reaches its thread through the sync engine.
        return created ? NO_REPLIES : { replies: [ctx.reply(base, existing(ctx, ticket))] };
      }
      const d = await newDraft(ctx, e.place, e.actor, e.source);
      return { replies: [ctx.reply(base, await formOf(ctx, d, who))] };
    }
    case 'request_submitted': {
      const base = { place: e.place, actor: e.actor, locale: await who.locale() };
      // The adapter read the draft to parse the submission: checked again here, not read again.
      const d = e.draft !== undefined ? usable(ctx, e.draft, e.draftId, e.actor) : await loadDraft(ctx, e.draftId, e.actor);
      if (!d) return { replies: [ctx.reply(base, notice('common:error.draft_expired'))] };
      return submit(ctx, base, who, d, e.fields, e.source ?? null, null);
    }
    case 'draft_changed': {
      const base = { place: e.place, actor: e.actor, locale: await who.locale() };
      const replaces = e.stepMessageId;
      let d = e.draftId ? await loadDraft(ctx, e.draftId, e.actor) : null;
      if (e.draftId && !d) return { replies: [ctx.reply(base, notice('common:error.draft_expired'), { replaces, brief: true })] };
      if (e.cancel) {
        if (d) await ctx.deps.drafts.updateDraft(d.id, { cancelled: true });
        await ctx.dialog.set(e.actor, null);
        return { replies: [ctx.reply(base, notice('common:request.cancelled'), { replaces })] };
      }
      if (!d) {
        await requesterOf(who);
        d = await newDraft(ctx, e.place, e.actor, null);
      }
      const patch: Parameters<typeof ctx.deps.drafts.updateDraft>[1] = {};
      if (e.set.serviceId !== undefined) Object.assign(patch, { serviceId: e.set.serviceId, serviceChosen: true });
      if (e.set.priority !== undefined) Object.assign(patch, { priority: e.set.priority, priorityChosen: true });
      if (e.set.description !== undefined) {
        const text = cleanText(e.set.description);
        if (text.length < MIN_DESCRIPTION_LENGTH)
          return { replies: [ctx.reply(base, notice('common:error.description_too_short', { min: MIN_DESCRIPTION_LENGTH }))] };
        Object.assign(patch, { description: text, subject: subjectFrom(text) });
      }
      if (Object.keys(patch).length > 0) {
        await ctx.deps.drafts.updateDraft(d.id, patch);
        d = { ...d, ...patch };
      }
      if (e.submit) return submit(ctx, base, who, d, d, null, replaces);
      const form = await formOf(ctx, d, who);
      await ctx.dialog.set(e.actor, form.step === 'description' ? { awaiting: 'description', draftId: d.id } : null);
      return { replies: [ctx.reply(base, form, { replaces })] };
    }
    default:
      return null;
  }
}

/** The description a person typed after the bot asked for it (channels without forms). */
export async function describeDraft(ctx: ChatContext, base: ReplyBase, who: ResolvedPerson, draftId: string, text: string): Promise<ChatOutcome> {
  return (
    (await handleRequestEvent(
      ctx,
      { type: 'draft_changed', place: base.place, actor: who.person, draftId, set: { description: text }, submit: false, cancel: false, stepMessageId: null },
      who,
    )) ?? NO_REPLIES
  );
}

/** Request-time helpers for adapters that must answer within the platform's deadline (a modal, a card). */
export function createDraftDesk(ctx: ChatContext) {
  return {
    /** A fresh draft for a form opened without a message yet (e.g. a slash command); its id goes in the form. */
    open: (place: ChatPlace, owner: ChatPerson, text: string) =>
      newDraft(ctx, place, owner, null).then(async (d) => {
        const t = cleanText(text);
        if (t === '') return d;
        const patch = { description: t, subject: subjectFrom(t) };
        await ctx.deps.drafts.updateDraft(d.id, patch);
        return { ...d, ...patch };
      }),
    /** A draft for its owner only; null when unknown, expired or someone else's. */
    read: (id: string, owner: ChatPerson) => loadDraft(ctx, id, owner),
    /** The form of a draft as its owner last saw it (e.g. to show it again with a submit's errors); null as for `read`. */
    form: async (id: string, owner: ChatPerson): Promise<RequestForm | null> => {
      const d = await loadDraft(ctx, id, owner);
      return d ? formOf(ctx, d, ctx.identity.resolve(owner)) : null;
    },
  };
}
