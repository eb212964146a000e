/**
 * Live console: `GET /console/events` is a server-sent event stream for a signed-in agent (the plugin's session
 * check answers 401 without one, 404 to a customer). It says when a ticket changed (the queue and the ticket page
 * then fetch again what they show, through their own checked routes), how many unread notifications the agent has,
 * and who else is on the ticket the page shows. `POST /console/presence` is that page's heartbeat ("viewing",
 * "replying", "gone"), form-token checked like every POST. The stream re-checks the session every minute and ends
 * when it is gone; every stream ends when the service stops.
 */
import type { FastifyInstance } from 'fastify';
import type { PresenceState } from '../../core/ports/live-port.ts';
import { agentOf, field, localeOf, parseTicketNumber, trFor, type ConsoleKit } from '../console-http.ts';
import { SECURITY_HEADERS } from '../console-plugin.ts';
import type { Presence, PresentAgent } from './presence.ts';

/** How often a quiet stream gets a comment line (proxies close idle connections) and presence is re-sent if it changed. */
export const STREAM_PING_MS = 15_000;
const SESSION_RECHECK_MS = 60_000;
/** One agent with many tabs is fine; hundreds of streams from one session are not. */
const MAX_STREAMS_PER_AGENT = 12;

export function presenceText(tr: ReturnType<typeof trFor>, people: PresentAgent[]): string {
  if (!people.length) return '';
  const replying = people.filter((p) => p.state === 'replying').map((p) => p.name);
  const viewing = people.filter((p) => p.state === 'viewing').map((p) => p.name);
  const parts: string[] = [];
  if (replying.length) parts.push(tr('work:presence.replying', { names: replying.join(', ') }));
  if (viewing.length) parts.push(tr('work:presence.viewing', { names: viewing.join(', ') }));
  return parts.join(' · ');
}

export function liveRoutes(app: FastifyInstance, kit: ConsoleKit, presence: Presence): void {
  const { deps } = kit;
  const open = new Map<string, number>();
  const closers = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const c of [...closers]) c();
  });

  app.get('/console/events', async (req, reply) => {
    const me = agentOf(req);
    const q = req.query as Record<string, unknown>;
    const ticket = parseTicketNumber(q.ticket);
    if ((open.get(me.id) ?? 0) >= MAX_STREAMS_PER_AGENT)
      return reply.code(429).header('cache-control', 'no-store').send({ error: { code: 'too_many_streams', message: 'too many open event streams' } });
    const tr = trFor(localeOf(req));
    const cookie = req.cookies[kit.cookies.session];
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    open.set(me.id, (open.get(me.id) ?? 0) + 1);
    let ended = false;
    const send = (event: string, data: unknown) => {
      if (!ended) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    let lastPresence = '';
    const sendPresence = (force = false) => {
      if (ticket === null) return;
      const people = presence.on(ticket, me.id);
      const key = JSON.stringify(people);
      if (!force && key === lastPresence) return;
      lastPresence = key;
      send('presence', { number: ticket, people: people.map((p) => ({ name: p.name, state: p.state })), text: presenceText(tr, people) });
    };
    let unreadPending = false;
    const sendUnread = async () => {
      if (unreadPending) return;
      unreadPending = true;
      try {
        send('notifications', { unread: await deps.work.notifications.unreadCount(me.id) });
      } catch {
        // the next signal or reconnect tries again
      } finally {
        unreadPending = false;
      }
    };
    const offSignal = deps.live.subscribe((s) => {
      if (s.type === 'ticket') send('ticket', { number: s.number });
      else if (s.type === 'notification' && s.agentId === me.id) void sendUnread();
      else if (s.type === 'presence' && s.number === ticket && s.agentId !== me.id) sendPresence();
    });
    // After the bus was away, anything may have changed: the page fetches again.
    const offReconnect = deps.live.onReconnect(() => send('resync', {}));
    let sinceCheck = Date.now();
    const ping = setInterval(() => {
      if (ended) return;
      res.write(': ping\n\n');
      sendPresence();
      if (Date.now() - sinceCheck >= SESSION_RECHECK_MS) {
        sinceCheck = Date.now();
        void kit.sessions.find(cookie).then(
          (s) => {
            if (!s || s.kind !== 'agent') {
              send('signed_out', {});
              end();
            }
          },
          () => {},
        );
      }
    }, STREAM_PING_MS);
    function end(): void {
      if (ended) return;
      ended = true;
      clearInterval(ping);
      offSignal();
      offReconnect();
      closers.delete(end);
      const n = (open.get(me.id) ?? 1) - 1;
      if (n > 0) open.set(me.id, n);
      else open.delete(me.id);
      res.end();
    }
    closers.add(end);
    req.raw.on('close', end);
    res.write('retry: 3000\n\n');
    await sendUnread();
    sendPresence(true);
  });

  // Counted per session (many agents may share one address behind a NAT): a page beats 4 times a minute.
  app.post('/console/presence', { config: { rateLimit: { max: 120, timeWindow: '1 minute', keyGenerator: (req) => req.consoleSession?.idHash ?? req.ip } } }, async (req, reply) => {
    const me = agentOf(req);
    const number = parseTicketNumber(field(req.body, 'ticket', 12));
    const raw = field(req.body, 'state', 10);
    if (number === null || !['viewing', 'replying', 'gone'].includes(raw))
      return reply.code(400).header('cache-control', 'no-store').send({ error: { code: 'validation_failed', message: 'ticket and state (viewing, replying, gone) expected' } });
    await deps.live.publish({ type: 'presence', number, agentId: me.id, name: me.name, state: raw as PresenceState });
    return reply.code(204).header('cache-control', 'no-store').send();
  });
}
