/**
 * Bolt's transport, reduced to what this service needs: no HTTP server of its own (the fastify route hands requests
 * in), and two ways into Bolt's listeners. `dispatch` runs a command or interaction inside the request and resolves
 * with what ack() answered; `processStored` replays a durably recorded payload (the inbox worker's path), where
 * ack() is a no-op and a listener's failure rejects so the worker retries.
 */
import type { App, Receiver } from '@slack/bolt';
import type { Logger } from 'pino';

/** Listeners read `context.phase` to know whether they run inside Slack's 3-second window or in the worker. */
export type Phase = 'request' | 'durable';

export type AckReply =
  | { kind: 'empty' }
  | { kind: 'text'; body: string }
  | { kind: 'json'; body: Record<string, unknown> };

/** A little under Slack's 3 s, so a late listener still gets an empty 200 out in time. */
export const ACK_DEADLINE_MS = 2500;

export class SlackReceiver implements Receiver {
  private app: App | undefined;

  constructor(private readonly logger: Logger) {}

  init(app: App): void {
    this.app = app;
  }

  // The fastify server owns the socket; Bolt's start/stop have nothing to do here.
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  private get bolt(): App {
    if (!this.app) throw new Error('SlackReceiver used before Bolt initialised it');
    return this.app;
  }

  /** Runs listeners for a command or interaction; resolves once ack() ran, the listeners finished, or the deadline hit. */
  dispatch(body: Record<string, unknown>, deadlineMs = ACK_DEADLINE_MS): Promise<AckReply> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (reply: AckReply): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(reply);
      };
      const timer = setTimeout(() => {
        this.logger.warn('slack: no ack before the deadline; answering an empty 200');
        finish({ kind: 'empty' });
      }, deadlineMs);
      const ack = async (response?: unknown): Promise<void> => {
        if (response === undefined || response === '') finish({ kind: 'empty' });
        else if (typeof response === 'string') finish({ kind: 'text', body: response });
        else if (typeof response === 'object' && response !== null) {
          finish({ kind: 'json', body: response as Record<string, unknown> });
        } else finish({ kind: 'empty' });
      };
      const phase: Phase = 'request';
      this.bolt
        .processEvent({ body, ack, customProperties: { phase } })
        .then(() => finish({ kind: 'empty' }))
        .catch((e: unknown) => {
          this.logger.error({ err: loggable(e) }, 'slack: listener failed inside the request');
          finish({ kind: 'empty' });
        });
    });
  }

  /** Replays a stored payload through the listeners; rejects when a listener failed (the worker retries). */
  async processStored(body: Record<string, unknown>): Promise<void> {
    const phase: Phase = 'durable';
    await this.bolt.processEvent({ body, ack: async () => {}, customProperties: { phase } });
  }
}

/** An error as a log-safe object: Bolt wraps foreign errors as `original`; never log request bodies or headers. */
export function loggable(e: unknown): Record<string, unknown> {
  const inner = e instanceof Error && 'original' in e && e.original instanceof Error ? e.original : e;
  if (inner instanceof Error) {
    const code = 'code' in inner ? String(inner.code) : undefined;
    return { name: inner.name, message: inner.message, ...(code ? { code } : {}) };
  }
  return { message: String(inner) };
}
