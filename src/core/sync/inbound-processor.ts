/**
 * Processing of one recorded inbound event, from the worker: the adapter parses it into the shared vocabulary, the
 * chat service handles it, the answers are told through the adapter. Nothing is lost and nothing said twice in
 * practice:
 * - the answers are stored with the event before the first is sent, and the count already sent after each, so a
 *   retry (a crash, a throttled send) sends only what is left and never handles the event again; an answer the
 *   platform would not show (the adapter says so) is neither stored nor told, so an event without any (a submit
 *   whose confirmation comes through the ticket's thread) costs no write before it is done;
 * - handling itself is idempotent (comments carry their platform message, tickets their source, drafts their id),
 *   so a crash before the answers were stored just handles it once more;
 * - the one window left: the process dies between a platform accepting an answer and the count being written; that
 *   answer is sent again (README, "Delivery guarantees").
 */
import type { ChannelAdapter, InboundEnvelope } from '../ports/channel-port.ts';
import type { ChatEvent } from '../chat/chat-events.ts';
import type { ChatOutcome } from '../chat/chat-service.ts';
import { INBOUND_RETRY, onInboundFailure, onSendFailure, type InboundRetryPolicy } from './delivery-policy.ts';

export interface InboxRow {
  id: string;
  platform: string;
  externalId: string;
  orderingKey: string | null;
  payload: unknown;
  status: 'pending' | 'done' | 'dead';
  attempts: number;
  /** When the first counted failure happened (the retry span is measured from it). */
  failingSince: Date | null;
  receivedAt: Date;
  /** The answers, once the event was handled and they were not all sent yet. */
  outcome: ChatOutcome | null;
  repliesSent: number;
}

export interface InboxRepo {
  loadInbound(id: string): Promise<InboxRow | null>;
  completeInbound(id: string): Promise<void>;
  saveInboundOutcome(id: string, outcome: ChatOutcome): Promise<void>;
  noteRepliesSent(id: string, count: number): Promise<void>;
  failInbound(id: string, f: { attempts: number; error: string; dead: boolean; failingSince: Date | null }): Promise<void>;
}

export interface InboundScheduler {
  /** Runs the event again at `runAt`, in its ordering queue. */
  processLater(row: Pick<InboxRow, 'id' | 'platform' | 'orderingKey'>, runAt: Date): Promise<void>;
}

/** The log lines the engine writes; pino fits. */
export interface EngineLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface InboundProcessorDeps {
  inbox: InboxRepo;
  scheduler: InboundScheduler;
  adapters: ReadonlyMap<string, ChannelAdapter>;
  chat: { handle(event: ChatEvent): Promise<ChatOutcome> };
  log: EngineLog;
  onDead?: (platform: string) => void;
  retryPolicy?: InboundRetryPolicy;
  /** Waits `ms`; resolves false when `signal` aborted the wait first (a shutdown). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<boolean>;
  now?: () => Date;
  random?: () => number;
}

/** Waits longer than this give the worker back instead of holding an ordered queue. */
export const MAX_IN_PLACE_RETRY_MS = 30_000;

class ReplyFailed extends Error {
  readonly failure: unknown;
  constructor(failure: unknown) {
    super(`telling the answer failed: ${(failure as Error)?.message ?? String(failure)}`);
    this.failure = failure;
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const done = (completed: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function createInboundProcessor(deps: InboundProcessorDeps) {
  const { inbox, log } = deps;
  const sleep = deps.sleep ?? abortableSleep;
  const now = deps.now ?? (() => new Date());
  const policy = deps.retryPolicy ?? INBOUND_RETRY;

  /** The answers that say something on the adapter's platform (only they are stored and told). */
  async function handle(adapter: ChannelAdapter, envelope: InboundEnvelope): Promise<ChatOutcome> {
    const replies: ChatOutcome['replies'] = [];
    for (const event of await adapter.parse(envelope)) replies.push(...(await deps.chat.handle(event)).replies);
    return { replies: adapter.says ? replies.filter((r) => adapter.says!(r)) : replies };
  }

  /** Sends the answers not sent yet; a permanent refusal of one is logged and skipped (retrying cannot help). */
  async function tellAll(adapter: ChannelAdapter, row: InboxRow, envelope: InboundEnvelope, outcome: ChatOutcome): Promise<void> {
    for (let i = row.repliesSent; i < outcome.replies.length; i++) {
      try {
        await adapter.tell(outcome.replies[i]!, { envelope, deliveryKey: `inbound-${row.id}-${i}` });
      } catch (err) {
        const decision = onSendFailure(err, 1, deps.random);
        if (decision.action !== 'break_link') throw new ReplyFailed(err);
        log.warn({ inboundId: row.id, platform: row.platform, reason: decision.reason }, 'an answer could not be told; skipped');
      }
      if (i < outcome.replies.length - 1) await inbox.noteRepliesSent(row.id, i + 1);
    }
  }

  /** `signal` aborts a retry waiting in place (at shutdown): the event is then rescheduled instead. */
  return async function processInbound(id: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const row = await inbox.loadInbound(id);
      if (!row || row.status !== 'pending') return;
      const adapter = deps.adapters.get(row.platform);
      const envelope: InboundEnvelope = { id: row.id, platform: row.platform, externalId: row.externalId, payload: row.payload, receivedAt: row.receivedAt };
      try {
        if (!adapter) throw new Error(`channel ${row.platform} is not enabled`);
        let outcome = row.outcome;
        if (!outcome) {
          outcome = await handle(adapter, envelope);
          if (outcome.replies.length > 0) await inbox.saveInboundOutcome(row.id, outcome);
        }
        if (outcome.replies.length > 0) await tellAll(adapter, row, envelope, outcome);
        await inbox.completeInbound(row.id);
        return;
      } catch (caught) {
        const err = caught instanceof ReplyFailed ? caught.failure : caught;
        const at = now();
        const decision = onInboundFailure(err, { failuresSoFar: row.attempts, failingSince: row.failingSince, now: at }, policy, deps.random);
        const dead = decision.action === 'park';
        const counted = dead || decision.countsAsFailure;
        const message = String((err as Error)?.stack ?? err).slice(0, 2000);
        await inbox.failInbound(row.id, {
          attempts: counted ? row.attempts + 1 : row.attempts,
          error: message,
          dead,
          failingSince: counted && !row.failingSince ? at : row.failingSince,
        });
        if (decision.action === 'park') {
          log.error({ inboundId: id, platform: row.platform, err: (err as Error)?.message }, 'inbound event parked as dead');
          deps.onDead?.(row.platform);
          return;
        }
        log.warn({ inboundId: id, platform: row.platform, attempts: row.attempts + (counted ? 1 : 0), retryInMs: decision.delayMs, err: (err as Error)?.message }, 'inbound event failed; will retry');
        // An ordered event (one chat's) retries in place while the wait is short: its job keeps the queue, so the
        // events recorded after it (an edit of this very message) cannot overtake it. A longer wait gives the
        // queue back: the chat's later events go ahead rather than wait hours behind one failing event.
        if (row.orderingKey && decision.delayMs <= MAX_IN_PLACE_RETRY_MS && (await sleep(decision.delayMs, signal))) continue;
        await deps.scheduler.processLater(row, new Date(now().getTime() + decision.delayMs));
        return;
      }
    }
  };
}

