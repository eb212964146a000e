/**
 * The live bus over PostgreSQL LISTEN/NOTIFY: one connection per process listens on the channel and fans each
 * signal out in memory to every subscriber; publishing is a NOTIFY on the same connection, so that every instance
 * (this one too) hears it; publications that come while one is being sent go together in the next statement. The
 * service announces its own hot writes this way once they are committed (`notify`, also for the drain queue's
 * channel), rather than in their transactions (see the migration live_after_commit). If the connection drops, it
 * reconnects with a growing pause and tells subscribers, who catch up (a page reloads what it shows): NOTIFY is not
 * durable, and nothing here needs it to be.
 *
 * `wake`: more channels the same connection listens on, each with its handler, called with the payload of every
 * notification and with null after each (re)connect (what was sent meanwhile is lost: look for it). The drain queue
 * hears other instances' committed deliveries this way.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { encodeLiveSignal, LIVE_CHANNEL, parseLiveSignal, type LiveBus, type LiveSignal } from '../../core/ports/live-port.ts';

export function createPgLiveBus(
  connectionString: string,
  log: Logger,
  opts: { maxPauseMs?: number; wake?: Record<string, (payload: string | null) => void> } = {},
): LiveBus & { ready: Promise<void>; notify(channel: string, payload: string): Promise<void> } {
  const wake = new Map(Object.entries(opts.wake ?? {}));
  const listeners = new Set<(s: LiveSignal) => void>();
  const reconnectListeners = new Set<() => void>();
  let client: pg.Client | null = null;
  let closed = false;
  let pause = 250;
  let everConnected = false;
  let timer: NodeJS.Timeout | null = null;
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));

  function deliver(s: LiveSignal): void {
    for (const l of listeners) {
      try {
        l(s);
      } catch (err) {
        log.warn({ err }, 'live bus: a listener failed');
      }
    }
  }

  async function connect(): Promise<void> {
    if (closed) return;
    const c = new pg.Client({ connectionString, application_name: 'ticket-bridge-live' });
    c.on('notification', (msg) => {
      wake.get(msg.channel)?.(msg.payload ?? '');
      if (msg.channel !== LIVE_CHANNEL || !msg.payload) return;
      const s = parseLiveSignal(msg.payload);
      if (s) deliver(s);
    });
    c.on('error', (err) => {
      log.warn({ err: err.message }, 'live bus: connection error');
      drop(c);
    });
    c.on('end', () => drop(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${LIVE_CHANNEL}`);
      for (const channel of wake.keys()) await c.query(`LISTEN ${c.escapeIdentifier(channel)}`);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'live bus: cannot listen yet');
      drop(c);
      return;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    pause = 250;
    resolveReady();
    if (everConnected) for (const l of reconnectListeners) l();
    everConnected = true;
    for (const handler of wake.values()) handler(null);
  }

  function drop(c: pg.Client): void {
    if (client === c) client = null;
    c.removeAllListeners('end');
    void c.end().catch(() => {});
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, pause);
    pause = Math.min(pause * 2, opts.maxPauseMs ?? 10_000);
  }

  void connect();

  // Outgoing notifications, coalesced: one statement at a time on the listening connection, each sending all that
  // came meanwhile (the same channel and payload once). A notifying commit takes the cluster's notification lock,
  // so many small ones would queue behind each other; one statement here takes it once for the lot.
  let queued = new Map<string, { channel: string; payload: string }>();
  let flushing: Promise<void> | null = null;
  let waiting: Promise<void> | null = null;
  async function flush(): Promise<void> {
    const batch = [...queued.values()];
    queued = new Map();
    const c = client;
    if (!c || batch.length === 0) return;
    await c
      .query('SELECT pg_notify(x.c, x.p) FROM unnest($1::text[], $2::text[]) AS x(c, p)', [batch.map((b) => b.channel), batch.map((b) => b.payload)])
      .then(() => undefined, (err: Error) => log.warn({ err: err.message }, 'live bus: publish failed'));
  }
  function notify(channel: string, payload: string): Promise<void> {
    queued.set(`${channel}\u0000${payload}`, { channel, payload });
    if (!flushing) {
      flushing = flush().finally(() => (flushing = null));
      return flushing;
    }
    // One flush in flight: the next one takes this and whatever else comes before it starts.
    waiting ??= flushing.then(() => {
      waiting = null;
      flushing = flush().finally(() => (flushing = null));
      return flushing;
    });
    return waiting;
  }

  return {
    ready,
    publish: (s) => notify(LIVE_CHANNEL, encodeLiveSignal(s)),
    notify,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onReconnect(l) {
      reconnectListeners.add(l);
      return () => reconnectListeners.delete(l);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      resolveReady();
      const c = client;
      client = null;
      if (c) {
        c.removeAllListeners('end');
        await c.end().catch(() => {});
      }
    },
  };
}
