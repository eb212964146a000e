/** Customer profiles and the one-time code that links their Telegram account (the bot's `/start <code>`). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '../core/errors.ts';
import { pageCtx, sendPage, type ConsoleKit } from './console-http.ts';
import { errorPageView } from './error-view.ts';
import { UUID_RE } from '../core/text-rules.ts';
import { userView } from './user-view.ts';

export function userRoutes(app: FastifyInstance, kit: ConsoleKit): void {
  const { deps } = kit;

  function notFound(req: FastifyRequest, reply: FastifyReply) {
    const ctx = pageCtx(req, reply, kit);
    return sendPage(reply, 404, errorPageView(ctx, { title: ctx.tr('error.not_found_title'), message: ctx.tr('error.user_not_found') }));
  }

  async function show(req: FastifyRequest, reply: FastifyReply, id: string, linkCode: { code: string; expiresAt: Date } | null) {
    const user = UUID_RE.test(id) ? await deps.store.getUser(id) : null;
    if (!user) return notFound(req, reply);
    const tickets = await deps.store.listTickets({ requesterId: user.id }, { limit: 50, cursor: null });
    return sendPage(reply, 200, userView(pageCtx(req, reply, kit), { user, tickets: tickets.items, linkCode }));
  }

  app.get('/users/:id', async (req, reply) => show(req, reply, (req.params as { id: string }).id, null));

  app.post('/users/:id/link-code', async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!UUID_RE.test(id)) return notFound(req, reply);
    try {
      const code = await deps.directory.createLinkCode(id);
      // Shown once, on this answer only: the code is stored hashed and cannot be shown again.
      return show(req, reply, id, code);
    } catch (e) {
      if (isDomainError(e) && e.code === 'user_not_found') return notFound(req, reply);
      throw e;
    }
  });
}
