/**
 * The customer's own pages: "My activity" (/my/tickets) and chat accounts with preferences (/my/chats). Each reads
 * and changes only what belongs to the signed-in end user, through the requester service.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '../../core/errors.ts';
import { MAX_QUERY_LENGTH } from '../../core/help-center/requester-service.ts';
import { decodeCursor } from '../../core/pagination.ts';
import { customerOf, field, pageCtx, sendPage, type ConsoleKit } from '../console-http.ts';
import { errorText } from '../view-parts.ts';
import { myChatsView } from './my-chats-view.ts';
import { myTicketsView } from './my-tickets-view.ts';

const CHATS_DONE = new Set(['unlinked', 'saved']);
const customerOnly = { config: { audience: 'customer' as const } };

function cursorOf(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > 100) return null;
  const n = decodeCursor<unknown>(raw);
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 2 ** 31 ? raw : null;
}

export function portalRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const { requester, accountLinking, signIn } = kit.deps;

  app.get('/my/tickets', customerOnly, async (req, reply) => {
    const me = customerOf(req);
    const q = req.query as Record<string, unknown>;
    const query = typeof q.q === 'string' ? q.q.trim().slice(0, MAX_QUERY_LENGTH) : '';
    const page = await requester.myTickets(me.id, { query, cursor: cursorOf(q.cursor), limit: 25 });
    return sendPage(reply, 200, myTicketsView(pageCtx(req, reply, kit), { items: page.items, query, nextCursor: page.nextCursor }));
  });

  /**
   * Every view of the page carries a fresh one-time code (stored hashed, so an earlier one cannot be shown again):
   * the Telegram deep link has to hold one to be a link at all.
   */
  async function chatsPage(req: FastifyRequest, reply: FastifyReply, status: number, msg: { done?: string | null; error?: string | null } = {}) {
    const me = customerOf(req);
    const [accounts, preferences, code] = await Promise.all([
      requester.chatAccounts(me.id),
      requester.preferences(me.id),
      accountLinking.length ? requester.newChatLinkCode(me.id) : Promise.resolve(null),
    ]);
    const ctx = pageCtx(req, reply, kit);
    return sendPage(
      reply,
      status,
      myChatsView(ctx, {
        accounts,
        preferences,
        code,
        linking: accountLinking,
        email: me.email,
        emailAvailable: signIn.emailAvailable,
        done: msg.done ? ctx.tr(`portal:chats.done_${msg.done}`) : null,
        error: msg.error ?? null,
      }),
    );
  }

  // Each view makes a link code: a per-address limit keeps a reload loop from filling the table.
  app.get('/my/chats', { config: { audience: 'customer', rateLimit: { max: 60, timeWindow: '1 minute' } } }, async (req, reply) => {
    const done = (req.query as Record<string, unknown>).done;
    return chatsPage(req, reply, 200, { done: typeof done === 'string' && CHATS_DONE.has(done) ? done : null });
  });

  app.post('/my/chats/:id/unlink', customerOnly, async (req, reply) => {
    const { id } = req.params as { id: string };
    try {
      await requester.unlinkChatAccount(customerOf(req).id, id);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      // Someone else's account, or one already gone: the same answer, and nothing changes.
      return chatsPage(req, reply, 404, { error: pageCtx(req, reply, kit).tr('portal:chats.not_yours') });
    }
    return reply.redirect('/my/chats?done=unlinked', 303);
  });

  app.post('/my/preferences', customerOnly, async (req, reply) => {
    try {
      await requester.setPreferences(customerOf(req).id, { locale: field(req.body, 'locale', 10), emailReplies: field(req.body, 'emailReplies', 5) === '1' });
    } catch (e) {
      if (!isDomainError(e)) throw e;
      return chatsPage(req, reply, 400, { error: errorText(pageCtx(req, reply, kit).tr, e.code) });
    }
    return reply.redirect('/my/chats?done=saved', 303);
  });
}
