/**
 * Who is on which ticket's page now, per process, fed by the live bus (so an agent on another instance counts):
 * each page sends a heartbeat; an entry not renewed within the time to live is gone, as is one whose page said so.
 */
import type { LiveBus, PresenceState } from '../../core/ports/live-port.ts';

export const PRESENCE_TTL_MS = 45_000;

export interface PresentAgent {
  agentId: string;
  name: string;
  state: Exclude<PresenceState, 'gone'>;
}

export interface Presence {
  /** Who is on this ticket, oldest arrival first, without `except` (the one asking). */
  on(number: number, except?: string): PresentAgent[];
  stop(): void;
}

export function createPresence(bus: LiveBus, opts: { ttlMs?: number; now?: () => number } = {}): Presence {
  const ttl = opts.ttlMs ?? PRESENCE_TTL_MS;
  const now = opts.now ?? Date.now;
  const tickets = new Map<number, Map<string, PresentAgent & { until: number }>>();
  const unsubscribe = bus.subscribe((s) => {
    if (s.type !== 'presence') return;
    let people = tickets.get(s.number);
    if (s.state === 'gone') {
      people?.delete(s.agentId);
      if (people && !people.size) tickets.delete(s.number);
      return;
    }
    if (!people) tickets.set(s.number, (people = new Map()));
    const before = people.get(s.agentId);
    // A newer arrival keeps its place in the list: only the state and the expiry change.
    if (before) Object.assign(before, { name: s.name, state: s.state, until: now() + ttl });
    else people.set(s.agentId, { agentId: s.agentId, name: s.name, state: s.state, until: now() + ttl });
  });
  const sweep = setInterval(() => {
    const t = now();
    for (const [n, people] of tickets) {
      for (const [id, p] of people) if (p.until <= t) people.delete(id);
      if (!people.size) tickets.delete(n);
    }
  }, 10_000);
  sweep.unref();
  return {
    on(number, except) {
      const t = now();
      return [...(tickets.get(number)?.values() ?? [])].filter((p) => p.until > t && p.agentId !== except).map(({ agentId, name, state }) => ({ agentId, name, state }));
    },
    stop() {
      clearInterval(sweep);
      unsubscribe();
    },
  };
}
