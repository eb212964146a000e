/**
 * The requester's side of /tickets/<number> and its three forms: reply (a public comment by the requester), rate
 * a solved ticket, reopen it with a reason. Another person's ticket, a private one and one that does not exist all
 * answer the same 404. After a form, the page is shown again (303), or with the refusal explained and the typed
 * text kept.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DOMAIN_ERROR_STATUS, isDomainError } from '../../core/errors.ts';
import { customerOf, field, pageCtx, parseTicketNumber, sendPage, type ConsoleKit } from '../console-http.ts';
import { errorPageView } from '../error-view.ts';
import { errorText } from '../view-parts.ts';
import { UUID_RE } from '../../core/text-rules.ts';
import { requesterTicketView, type RequesterForms } from './requester-ticket-view.ts';

const DONE = new Set(['reply', 'rated', 'reopened', 'follow_up']);
/** Refusals a customer meets on their ticket, said in the customer's words (the console's are for agents). */
const OWN_TEXTS = new Set<string>(['validation_failed', 'reason_required', 'not_solved', 'invalid_score', 'ticket_closed']);
const VIA = 'web';
const customerOnly = { config: { audience: 'customer' as const } };

function notFound(req: FastifyRequest, reply: FastifyReply, kit: ConsoleKit) {
  const ctx = pageCtx(req, reply, kit);
  return sendPage(reply, 404, errorPageView(ctx, { title: ctx.tr('error.not_found_title'), message: ctx.tr('error.ticket_not_found') }));
}

async function page(req: FastifyRequest, reply: FastifyReply, kit: ConsoleKit, number: number, status: number, extra: { done?: string | null; error?: string | null; forms?: RequesterForms }) {
  let data: Awaited<ReturnType<ConsoleKit['deps']['requester']['myTicket']>>;
  try {
    data = await kit.deps.requester.myTicket(customerOf(req).id, number);
  } catch (e) {
    if (isDomainError(e) && e.code === 'ticket_not_found') return notFound(req, reply, kit);
    throw e;
  }
  return sendPage(reply, status, requesterTicketView(pageCtx(req, reply, kit), { ...data, ...extra }));
}

/** GET /tickets/<number> for a signed-in end user (ticket-routes.ts hands it over). */
export async function showRequesterTicket(req: FastifyRequest, reply: FastifyReply, kit: ConsoleKit, number: number) {
  const q = req.query as Record<string, unknown>;
  const tr = pageCtx(req, reply, kit).tr;
  const done = typeof q.done === 'string' && DONE.has(q.done) ? tr(`portal:ticket.done_${q.done}`) : null;
  return page(req, reply, kit, number, 200, { done });
}

export function requesterTicketRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const { requester } = kit.deps;

  /** Runs one requester action; a refusal shows the page again with the reason and what was typed. */
  async function act(req: FastifyRequest, reply: FastifyReply, forms: RequesterForms, run: (userId: string, number: number) => Promise<string>) {
    const number = parseTicketNumber((req.params as { number: string }).number);
    if (number === null) return notFound(req, reply, kit);
    let to: string;
    try {
      to = await run(customerOf(req).id, number);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      if (e.code === 'ticket_not_found') return notFound(req, reply, kit);
      const tr = pageCtx(req, reply, kit).tr;
      const message = OWN_TEXTS.has(e.code) ? tr(`portal:error.${e.code}`) : errorText(tr, e.code);
      return page(req, reply, kit, number, DOMAIN_ERROR_STATUS[e.code], { error: message, forms });
    }
    return reply.redirect(to, 303);
  }

  app.post('/tickets/:number/reply', customerOnly, async (req, reply) => {
    const body = field(req.body, 'body');
    if (req.uploadRefused) {
      const number = parseTicketNumber((req.params as { number: string }).number);
      if (number === null) return notFound(req, reply, kit);
      return page(req, reply, kit, number, 413, { error: pageCtx(req, reply, kit).tr('composer.file_too_large'), forms: { reply: body } });
    }
    // The uploads this form sent (streamed into the store by the multipart hook, owned by this customer).
    const files = [(req.body as Record<string, unknown> | undefined)?.files].flat().filter((v): v is string => typeof v === 'string' && UUID_RE.test(v));
    return act(req, reply, { reply: body }, async (userId, number) => {
      const r = await requester.reply(userId, number, body, VIA, files);
      return r.followUp ? `/tickets/${r.followUp.number}?done=follow_up` : `/tickets/${number}?done=reply`;
    });
  });

  app.post('/tickets/:number/rate', customerOnly, async (req, reply) => {
    const raw = field(req.body, 'score', 2);
    const score = /^[1-5]$/.test(raw) ? Number(raw) : NaN;
    const comment = field(req.body, 'comment');
    return act(req, reply, { score: Number.isNaN(score) ? null : score, ratingComment: comment }, async (userId, number) => {
      await requester.rate(userId, number, score, comment || null, VIA);
      return `/tickets/${number}?done=rated`;
    });
  });

  app.post('/tickets/:number/reopen', customerOnly, async (req, reply) => {
    const reason = field(req.body, 'reason');
    return act(req, reply, { reason }, async (userId, number) => {
      await requester.reopen(userId, number, reason, VIA);
      return `/tickets/${number}?done=reopened`;
    });
  });
}
