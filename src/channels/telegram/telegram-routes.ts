/**
 * POST /telegram/webhook on the shared webhook route: the secret header first (401 before the body is even looked
 * at), then the update (400), recorded in the inbox under its update_id and answered 200 with an empty body (a body
 * with "method" would be run by Telegram as an API call). The updates of one chat are processed in order.
 */
import type { Logger } from 'pino';
import type { InboxPort } from '../../core/ports/inbox-port.ts';
import { secretEquals } from '../shared/secret-compare.ts';
import { webhookRoute } from '../shared/webhook-route.ts';
import { chatKeyOf, PLATFORM, UpdateSchema } from './telegram-schemas.ts';

export const WEBHOOK_PATH = '/telegram/webhook';
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** What Telegram accepts as secret_token in setWebhook. */
export const WEBHOOK_SECRET_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

const refuse = (status: 400 | 401, code: string, message: string) => ({ kind: 'reject' as const, status, reason: message, reply: { status, json: { error: { code, message } } } });

export function telegramRoutes(opts: { secret: string; inbox: InboxPort; logger: Logger }) {
  return webhookRoute({
    platform: PLATFORM,
    paths: [WEBHOOK_PATH],
    inbox: opts.inbox,
    logger: opts.logger,
    decide({ rawBody, headers }) {
      if (!secretEquals(opts.secret, headers[SECRET_HEADER])) return refuse(401, 'unauthenticated', 'bad or missing secret token');
      let json: unknown;
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        return refuse(400, 'validation_failed', 'body is not JSON');
      }
      const update = UpdateSchema.safeParse(json);
      if (!update.success) return refuse(400, 'validation_failed', `not a Telegram update: ${update.error.issues[0]?.path.join('.') || 'body'}`);
      return { kind: 'record', event: { externalId: String(update.data.updateId), payload: json, orderingKey: chatKeyOf(update.data) } };
    },
  });
}
