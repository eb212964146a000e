/**
 * POST /telegram/webhook: check the secret header (401, before the body is even read), parse and check the
 * update (400), record it in the inbox and answer 200 at once. The handlers run later from the inbox, so a slow
 * handler never delays Telegram and a crash never loses an update.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { InboxPort } from '../../core/ports/desk-port.ts';
import { PLATFORM } from './telegram-flow-context.ts';
import { UpdateSchema, updateChatKey } from './telegram-schema.ts';
import { secretMatches } from './telegram-verify.ts';

export const WEBHOOK_PATH = '/telegram/webhook';
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export interface WebhookRouteOptions {
  secret: string;
  inbox: InboxPort;
  logger: Logger;
}

function fail(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}

export function telegramWebhookRoutes(opts: WebhookRouteOptions): FastifyPluginAsync {
  return async (app) => {
    // Our own parser (this plugin's context only): every content type is read as text, so a malformed body is our
    // 400 and not a framework error; the server's bodyLimit still applies (413).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    app.post(
      WEBHOOK_PATH,
      {
        onRequest: async (req, reply) => {
          if (!secretMatches(opts.secret, req.headers[SECRET_HEADER])) {
            return fail(reply, 401, 'unauthenticated', 'bad or missing secret token');
          }
        },
      },
      async (req, reply) => {
        let json: unknown;
        try {
          json = JSON.parse(typeof req.body === 'string' ? req.body : '');
        } catch {
          return fail(reply, 400, 'validation_failed', 'body is not JSON');
        }
        const update = UpdateSchema.safeParse(json);
        if (!update.success) {
          const field = update.error.issues[0]?.path.join('.') || 'body';
          return fail(reply, 400, 'validation_failed', `not a Telegram update: ${field}`);
        }
        try {
          const { duplicate } = await opts.inbox.record({
            platform: PLATFORM,
            externalId: String(update.data.update_id),
            payload: json,
            orderingKey: updateChatKey(json),
          });
          if (duplicate) opts.logger.debug({ updateId: update.data.update_id }, 'telegram: duplicate update');
        } catch (e) {
          // Not recorded: a non-2xx makes Telegram deliver it again later.
          opts.logger.error({ updateId: update.data.update_id, error: (e as Error)?.name }, 'telegram: inbox record failed');
          return fail(reply, 503, 'unavailable', 'try again later');
        }
        // An empty body: a JSON body with "method" would be executed by Telegram as an API call.
        return reply.code(200).send();
      },
    );
  };
}
