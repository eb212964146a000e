/**
 * The ticket page and its three forms: reply (public reply or internal note, optionally setting a status in the
 * same step), properties (status, priority, assignee), and "make private". Each form posts, then redirects back
 * to the page (303), or shows the page again with the core's refusal explained and the typed text kept.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DOMAIN_ERROR_STATUS, isDomainError } from '../core/errors.ts';
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../core/tickets/ticket-types.ts';
import { actorOf, field, hasField, pageCtx, parseTicketNumber, sendPage, type ConsoleKit } from './console-http.ts';
import { errorPageView } from './error-view.ts';
import { showRequesterTicket } from './portal/requester-ticket-routes.ts';
import { UUID_RE } from './queue-routes.ts';
import { ticketView, type ComposerState, type TicketPageData } from './ticket-view.ts';
import { errorText } from './view-parts.ts';

const DONE = new Set(['note', 'reply', 'saved', 'private', 'created']);
const SETTABLE: string[] = TICKET_STATUSES.filter((s) => s !== 'closed');

export function ticketRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps, queries } = kit;

  async function load(number: number): Promise<TicketPageData> {
    const ticket = await deps.tickets.get(number);
    const [comments, events, deliveries, threadLinks, requester, others, agents] = await Promise.all([
      deps.store.listComments(ticket.id, { publicOnly: false }),
      deps.store.listTicketEvents(ticket.id),
      queries.commentDeliveries(ticket.id),
      queries.threadLinks(ticket.id),
      deps.store.getUser(ticket.requester.id),
      deps.store.listTickets({ requesterId: ticket.requester.id }, { limit: 6, cursor: null }),
      queries.agents(),
    ]);
    const otherTickets = others.items.filter((o) => o.number !== number).slice(0, 5);
    return { ticket, comments, events, deliveries, threadLinks, requester, otherTickets, agents };
  }

  function notFound(req: FastifyRequest, reply: FastifyReply) {
    const ctx = pageCtx(req, reply, kit);
    return sendPage(reply, 404, errorPageView(ctx, { title: ctx.tr('error.not_found_title'), message: ctx.tr('error.ticket_not_found') }));
  }

  /** Shows the page again after a refusal; a vanished ticket becomes a 404. */
  async function again(req: FastifyRequest, reply: FastifyReply, number: number, e: unknown, composer?: ComposerState) {
    if (!isDomainError(e)) throw e;
    if (e.code === 'ticket_not_found') return notFound(req, reply);
    const ctx = pageCtx(req, reply, kit);
    return sendPage(reply, DOMAIN_ERROR_STATUS[e.code], ticketView(ctx, await load(number), { error: errorText(ctx.tr, e.code), composer }));
  }

  // One URL, the link every bot posts, for both: the agent's view, or for its requester the customer's view.
  app.get('/tickets/:number', { config: { audience: 'any' } }, async (req, reply) => {
    const number = parseTicketNumber((req.params as { number: string }).number);
    if (number === null) return notFound(req, reply);
    if (req.consoleSession?.customer) return showRequesterTicket(req, reply, kit, number);
    let data: TicketPageData;
    try {
      data = await load(number);
    } catch (e) {
      if (isDomainError(e) && e.code === 'ticket_not_found') return notFound(req, reply);
      throw e;
    }
    const q = req.query as Record<string, unknown>;
    const ctx = pageCtx(req, reply, kit);
    const done = typeof q.done === 'string' && DONE.has(q.done) ? ctx.tr(`done.${q.done}`) : null;
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
        return sendPage(reply, tooLarge ? 413 : 400, ticketView(ctx, await load(number), { error: ctx.tr(tooLarge ? 'composer.file_too_large' : 'composer.empty'), composer }));
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
        ...(files.length ? { attachmentIds: files } : {}),
      });
      commentId = r.comment?.id ?? null;
    } catch (e) {
      return again(req, reply, number, e, composer);
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
    const patch: { status?: TicketStatus; priority?: TicketPriority; assigneeId?: string | null } = {};
    if (SETTABLE.includes(status)) patch.status = status as TicketStatus;
    if ((TICKET_PRIORITIES as readonly string[]).includes(priority)) patch.priority = priority as TicketPriority;
    if (hasField(req.body, 'assignee') && (assignee === '' || UUID_RE.test(assignee))) patch.assigneeId = assignee || null;
    try {
      await deps.tickets.update(number, actorOf(req), patch, 'web');
    } catch (e) {
      return again(req, reply, number, e);
    }
    return reply.redirect(`/tickets/${number}?done=saved`, 303);
  });

  app.post('/tickets/:number/private', async (req, reply) => {
    const number = parseTicketNumber((req.params as { number: string }).number);
    if (number === null) return notFound(req, reply);
    try {
      await deps.tickets.update(number, actorOf(req), { visibility: 'private' }, 'web');
    } catch (e) {
      return again(req, reply, number, e);
    }
    return reply.redirect(`/tickets/${number}?done=private`, 303);
  });
}
