/**
 * The ticket page and its three forms: reply (public reply or internal note, optionally setting a status in the
 * same step), properties (status, priority, assignee), and "make private". Each form posts, then redirects back
 * to the page (303), or shows the page again with the core's refusal explained and the typed text kept.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DOMAIN_ERROR_STATUS, DomainError, isDomainError } from '../core/errors.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../core/tickets/ticket-types.ts';
import type { Actor } from '../core/tickets/ticket-service.ts';
import { actorOf, field, hasField, pageCtx, parseTicketNumber, sendPage, type ConsoleKit } from './console-http.ts';
import { errorPageView } from './error-view.ts';
import { showRequesterTicket } from './portal/requester-ticket-routes.ts';
import { UUID_RE } from '../core/text-rules.ts';
import { ticketView, type ComposerState, type StaleState, type TicketPageData } from './ticket-view.ts';
import { errorText } from './view-parts.ts';
import { markTicketRead } from './notifications-routes.ts';

const DONE = new Set(['note', 'reply', 'saved', 'private', 'created', 'tags', 'macro']);
const SETTABLE: string[] = TICKET_STATUSES.filter((s) => s !== 'closed');

/** The version a form was loaded at (absent on a form from before versions: no check then). */
export function formVersion(body: unknown): number | undefined {
  const v = field(body, 'version', 12);
  return /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

/** How many history events the form's page showed: the ones after it are what changed since. */
function formSeen(body: unknown): number {
  const v = field(body, 'seen', 12);
  return /^\d{1,6}$/.test(v) ? Number(v) : 0;
}

export function ticketRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps, queries } = kit;

  async function load(number: number, owner: { id: string; role: Actor['role'] }): Promise<TicketPageData> {
    const ticket = await deps.tickets.get(number);
    const [comments, events, deliveries, threadLinks, requester, others, agents, macros] = await Promise.all([
      deps.store.listComments(ticket.id, { publicOnly: false }),
      deps.store.listTicketEvents(ticket.id),
      queries.commentDeliveries(ticket.id),
      queries.threadLinks(ticket.id),
      deps.store.getUser(ticket.requester.id),
      deps.store.listTickets({ requesterId: ticket.requester.id }, { limit: 6, cursor: null }),
      queries.agents(),
      deps.work.macros.list(owner),
    ]);
    const otherTickets = others.items.filter((o) => o.number !== number).slice(0, 5);
    return { ticket, comments, events, deliveries, threadLinks, requester, otherTickets, agents, macros };
  }

  function notFound(req: FastifyRequest, reply: FastifyReply) {
    const ctx = pageCtx(req, reply, kit);
    return sendPage(reply, 404, errorPageView(ctx, { title: ctx.tr('error.not_found_title'), message: ctx.tr('error.ticket_not_found') }));
  }

  /**
   * Shows the page again after a refusal; a vanished ticket becomes a 404. A stale save (the ticket moved on since
   * the form was loaded) shows what changed since, with the agent's change offered again over the new state.
   */
  async function again(req: FastifyRequest, reply: FastifyReply, number: number, e: unknown, composer?: ComposerState, stale?: Omit<StaleState, 'since'>) {
    if (!isDomainError(e)) throw e;
    if (e.code === 'ticket_not_found') return notFound(req, reply);
    const ctx = pageCtx(req, reply, kit);
    const data = await load(number, actorOf(req));
    if (e.code === 'stale_ticket' && stale) {
      const since = data.events.slice(formSeen(req.body));
      return sendPage(reply, 409, ticketView(ctx, data, { composer, stale: { ...stale, since } }));
    }
    return sendPage(reply, DOMAIN_ERROR_STATUS[e.code], ticketView(ctx, data, { error: errorText(ctx.tr, e.code), composer }));
  }

  // One URL, the link every bot posts, for both: the agent's view, or for its requester the customer's view.
  app.get('/tickets/:number', { config: { audience: 'any' } }, async (req, reply) => {
    const number = parseTicketNumber((req.params as { number: string }).number);
    if (number === null) return notFound(req, reply);
    if (req.consoleSession?.customer) return showRequesterTicket(req, reply, kit, number);
    let data: TicketPageData;
    try {
      data = await load(number, actorOf(req));
    } catch (e) {
      if (isDomainError(e) && e.code === 'ticket_not_found') return notFound(req, reply);
      throw e;
    }
    await markTicketRead(kit, actorOf(req).id, number).catch((err: unknown) => req.log.warn({ err }, 'console: notifications not marked read'));
    const q = req.query as Record<string, unknown>;
    const ctx = pageCtx(req, reply, kit);
    const done = typeof q.done === 'string' && DONE.has(q.done) ? ctx.tr(q.done === 'tags' || q.done === 'macro' ? `work:done.${q.done}` : `done.${q.done}`) : null;
    return sendPage(reply, 200, ticketView(ctx, data, { done }));
  });

  app.post('/tickets/:number/comments', async (req, reply) => {
    const number = parseTicketNumber((req.params as { number: string }).number);
    if (number === null) return notFound(req, reply);
    const composer: ComposerState = {
      body: field(req.body, 'body'),
      mode: field(req.body, 'mode') === 'public' ? 'public' : 'internal',
      status: SETTABLE.includes(field(req.body, 'status')) ? field(req.body, 'status') : '',
    };
    const files = [(req.body as Record<string, unknown> | undefined)?.files].flat().filter((v): v is string => typeof v === 'string' && UUID_RE.test(v));
    if (req.uploadRefused || (!composer.body.trim() && files.length === 0)) {
      const ctx = pageCtx(req, reply, kit);
      const tooLarge = req.uploadRefused === 'file_too_large';
      try {
        return sendPage(reply, tooLarge ? 413 : 400, ticketView(ctx, await load(number, actorOf(req)), { error: ctx.tr(tooLarge ? 'composer.file_too_large' : 'composer.empty'), composer }));
      } catch (e) {
        return again(req, reply, number, e);
      }
    }
    let commentId: string | null = null;
    try {
      // The reply and its "then set status" are one step: a refused status keeps the reply out too, and the
      // composer comes back filled in.
      const status = composer.status ? (composer.status as TicketStatus) : undefined;
      const r = await deps.tickets.comment(number, actorOf(req), {
        body: composer.body.trim(),
        public: composer.mode === 'public',
        via: 'web',
        status,
        expectedVersion: formVersion(req.body),
        ...(files.length ? { attachmentIds: files } : {}),
      });
      commentId = r.comment?.id ?? null;
    } catch (e) {
      return again(req, reply, number, e, composer, { form: 'composer' });
    }
    const done = composer.mode === 'public' ? 'reply' : 'note';
    return reply.redirect(`/tickets/${number}?done=${done}${commentId ? `#comment-${commentId}` : ''}`, 303);
  });

  app.post('/tickets/:number/properties', async (req, reply) => {
    const number = parseTicketNumber((req.params as { number: string }).number);
    if (number === null) return notFound(req, reply);
    const status = field(req.body, 'status');
    const priority = field(req.body, 'priority');
    const assignee = field(req.body, 'assignee');
    // Only what the agent changed on the form is sent (a form says what it showed in was_*): saving a new
    // assignee never writes back the status or priority the form happened to show.
    const changed = (name: string, value: string) => !hasField(req.body, `was_${name}`) || field(req.body, `was_${name}`, 40) !== value;
    const patch: { status?: TicketStatus; priority?: TicketPriority; assigneeId?: string | null } = {};
    const mine: NonNullable<StaleState['mine']> = {};
    if (SETTABLE.includes(status) && changed('status', status)) patch.status = mine.status = status as TicketStatus;
    if ((TICKET_PRIORITIES as readonly string[]).includes(priority) && changed('priority', priority)) patch.priority = mine.priority = priority as TicketPriority;
    if (hasField(req.body, 'assignee') && (assignee === '' || UUID_RE.test(assignee)) && changed('assignee', assignee)) {
      // Only a person who signs in is offered (and accepted) as an assignee; the API's pseudo-user is not one.
      if (assignee && !(await queries.agents()).some((a) => a.id === assignee)) return again(req, reply, number, new DomainError('validation_failed', 'not an assignable agent', 'assignee'));
      patch.assigneeId = assignee || null;
      mine.assignee = assignee;
    }
    if (!Object.keys(patch).length) return reply.redirect(`/tickets/${number}?done=saved`, 303);
    try {
      await deps.tickets.update(number, actorOf(req), patch, 'web', { expectedVersion: formVersion(req.body) });
    } catch (e) {
      return again(req, reply, number, e, undefined, { form: 'properties', mine });
    }
    return reply.redirect(`/tickets/${number}?done=saved`, 303);
  });

  app.post('/tickets/:number/tags', async (req, reply) => {
    const number = parseTicketNumber((req.params as { number: string }).number);
    if (number === null) return notFound(req, reply);
    const raw = field(req.body, 'tags', 1100);
    const tags = raw.split(/[,\s]+/).filter(Boolean);
    try {
      await deps.tickets.update(number, actorOf(req), { tags: { set: tags } }, 'web', { expectedVersion: formVersion(req.body) });
    } catch (e) {
      return again(req, reply, number, e, undefined, { form: 'properties' });
    }
    return reply.redirect(`/tickets/${number}?done=tags`, 303);
  });

  app.post('/tickets/:number/macro', async (req, reply) => {
    const number = parseTicketNumber((req.params as { number: string }).number);
    if (number === null) return notFound(req, reply);
    const macroId = field(req.body, 'macro', 40);
    if (!UUID_RE.test(macroId)) return again(req, reply, number, new DomainError('validation_failed', 'choose a macro', 'macro'));
    try {
      await deps.work.macros.apply(actorOf(req), number, macroId, 'web', { expectedVersion: formVersion(req.body) });
    } catch (e) {
      if (isDomainError(e) && e.code === 'macro_not_found') return again(req, reply, number, new DomainError('validation_failed', 'no such macro', 'macro'));
      return again(req, reply, number, e, undefined, { form: 'properties' });
    }
    return reply.redirect(`/tickets/${number}?done=macro`, 303);
  });

  app.post('/tickets/:number/private', async (req, reply) => {
    const number = parseTicketNumber((req.params as { number: string }).number);
    if (number === null) return notFound(req, reply);
    try {
      await deps.tickets.update(number, actorOf(req), { visibility: 'private' }, 'web', { expectedVersion: formVersion(req.body) });
    } catch (e) {
      return again(req, reply, number, e, undefined, { form: 'private' });
    }
    return reply.redirect(`/tickets/${number}?done=private`, 303);
  });
}
