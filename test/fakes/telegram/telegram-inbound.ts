/**
 * What Telegram does when it delivers an update to a webhook: POST the JSON with the secret header. Used by the
 * end-to-end tests against the service's real HTTP route.
 */
import type { Update } from 'telegraf/types';

export const SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

export interface WebhookAnswer {
  status: number;
  body: string;
}

/** Posts `update` (or a raw string body) to `url`; `secret` null sends no secret header at all. */
export async function postUpdate(url: string, update: Update | string, secret: string | null): Promise<WebhookAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== null) headers[SECRET_HEADER] = secret;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof update === 'string' ? update : JSON.stringify(update),
  });
  return { status: res.status, body: await res.text() };
}
