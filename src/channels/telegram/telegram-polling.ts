/**
 * Long polling for local use. Each update is recorded in the inbox BEFORE the next getUpdates confirms it (by an
 * offset past its update_id), so a crash between the two makes Telegram send it again and the inbox drops the
 * duplicate: nothing lost, nothing doubled. Processing happens later, in the core's worker.
 */
import { TelegramError, type Telegram } from 'telegraf';
import type { Logger } from 'pino';
import type { InboxPort } from '../../core/ports/inbox-port.ts';
import { ALLOWED_UPDATES, chatKeyOf, PLATFORM, readUpdate } from './telegram-schemas.ts';

export interface PollingOptions {
  api: Pick<Telegram, 'callApi'>;
  inbox: InboxPort;
  logger: Logger;
  /** Seconds Telegram may hold a getUpdates open. */
  timeoutSeconds?: number;
  /** Wait after a failure that names no retry_after. */
  backoffMs?: number;
}

export interface PollingLoop {
  start(): void;
  stop(): Promise<void>;
}

export function createPollingLoop(opts: PollingOptions): PollingLoop {
  const { api, inbox, logger } = opts;
  const timeout = opts.timeoutSeconds ?? 50;
  const backoffMs = opts.backoffMs ?? 5000;
  let offset: number | undefined;
  let running = false;
  let abort = new AbortController();
  let loop: Promise<void> | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });

  async function pollOnce(): Promise<void> {
    let updates: unknown[];
    try {
      updates = await api.callApi(
        'getUpdates',
        { timeout, allowed_updates: [...ALLOWED_UPDATES], ...(offset !== undefined ? { offset } : {}) },
        // telegraf types the signal with its abort-controller polyfill; node-fetch takes the native one.
        { signal: abort.signal } as Parameters<Telegram['callApi']>[2],
      );
    } catch (e) {
      if (!running) return;
      if (e instanceof TelegramError && (e.code === 401 || e.code === 404)) {
        // A wrong token does not get better by asking again.
        logger.error({ code: e.code }, 'telegram: polling stopped, the bot token was refused');
        running = false;
        return;
      }
      const retryAfter = e instanceof TelegramError ? e.parameters?.retry_after : undefined;
      logger.warn(e instanceof TelegramError ? { code: e.code, description: e.description } : { error: (e as Error)?.name }, 'telegram: getUpdates failed, retrying');
      await sleep(retryAfter !== undefined ? retryAfter * 1000 : backoffMs);
      return;
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
        await sleep(backoffMs);
        return;
      }
      offset = id + 1;
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      abort = new AbortController();
      loop = (async () => {
        while (running) await pollOnce();
      })();
    },
    async stop() {
      running = false;
      abort.abort();
      await loop;
      loop = undefined;
    },
  };
}
