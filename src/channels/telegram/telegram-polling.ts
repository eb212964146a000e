/**
 * Long polling for local use. Each update is recorded in the inbox BEFORE the next getUpdates confirms it (by an
 * offset past its update_id), so a crash between the two makes Telegram send it again and the inbox drops the
 * duplicate: nothing lost, nothing doubled. Processing happens later, in the core's worker.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TelegramError, type Telegram } from 'telegraf';
import type { Logger } from 'pino';
import type { InboxPort } from '../../core/ports/inbox-port.ts';
import { isTokenRefused, logFacts } from './telegram-api.ts';
import { ALLOWED_UPDATES, chatKeyOf, PLATFORM, readUpdate } from './telegram-schemas.ts';

export interface PollingOptions {
  api: Pick<Telegram, 'callApi'>;
  inbox: InboxPort;
  logger: Logger;
  /** Seconds Telegram may hold a getUpdates open. */
  timeoutSeconds?: number | undefined;
  /** Wait after a failure that names no retry_after. */
  backoffMs?: number | undefined;
}

/** Polls until `signal` aborts (the running getUpdates with it) or Telegram refuses the token. */
export async function pollUpdates(opts: PollingOptions, signal: AbortSignal): Promise<void> {
  const { api, inbox, logger } = opts;
  const timeout = opts.timeoutSeconds ?? 50;
  const backoffMs = opts.backoffMs ?? 5000;
  const wait = (ms: number) => sleep(ms, undefined, { signal }).catch(() => {});
  let offset: number | undefined;

  /** One getUpdates and the recording of what it brought; false once polling cannot go on. */
  async function pollOnce(): Promise<boolean> {
    let updates: unknown[];
    try {
      updates = await api.callApi(
        'getUpdates',
        { timeout, allowed_updates: [...ALLOWED_UPDATES], ...(offset !== undefined ? { offset } : {}) },
        // telegraf types the signal with its abort-controller polyfill; node-fetch takes the native one.
        { signal } as Parameters<Telegram['callApi']>[2],
      );
    } catch (e) {
      if (signal.aborted) return false;
      if (isTokenRefused(e)) {
        logger.error({ code: (e as TelegramError).code }, 'telegram: polling stopped, the bot token was refused');
        return false;
      }
      const retryAfter = e instanceof TelegramError ? e.parameters?.retry_after : undefined;
      logger.warn(logFacts(e), 'telegram: getUpdates failed, retrying');
      await wait(retryAfter !== undefined ? retryAfter * 1000 : backoffMs);
      return true;
    }
    for (const update of updates) {
      const id = (update as { update_id?: unknown } | null)?.update_id;
      if (typeof id !== 'number') continue;
      const decoded = readUpdate(update);
      try {
        await inbox.record({ platform: PLATFORM, externalId: String(id), payload: update, orderingKey: decoded ? chatKeyOf(decoded) : undefined });
      } catch (e) {
        // Not recorded: keep the offset, so Telegram sends this update (and the rest) again.
        logger.warn({ updateId: id, error: (e as Error)?.name }, 'telegram: inbox record failed, will fetch again');
        await wait(backoffMs);
        return true;
      }
      offset = id + 1;
    }
    return true;
  }

  let polling = true;
  while (polling && !signal.aborted) polling = await pollOnce();
}
