/**
 * Signals that something changed, shared by every instance of the service: the database announces ticket and
 * notification changes itself (whoever made them: the console, the API, a chat, the worker), and the console
 * adds who is looking at a ticket. A signal says only what changed, never its content: a listener reads the
 * content through its own authorised path.
 */

export type PresenceState = 'viewing' | 'replying' | 'gone';

export type LiveSignal =
  /** A ticket (its properties, comments or a delivery) changed. */
  | { type: 'ticket'; number: number }
  /** An agent has a new notification. */
  | { type: 'notification'; agentId: string }
  /** An agent is on a ticket's page (or replying on it, or has left). */
  | { type: 'presence'; number: number; agentId: string; name: string; state: PresenceState };

export interface LiveBus {
  /** Sends a signal to every instance (this one included). Best effort: a signal lost while the bus reconnects is made up for by the pages reloading what they show on reconnect. */
  publish(signal: LiveSignal): Promise<void>;
  /** Every signal from every instance; returns the unsubscribe. */
  subscribe(listener: (signal: LiveSignal) => void): () => void;
  /** Called each time the bus (re)connects, so that listeners can catch up on what they may have missed. */
  onReconnect(listener: () => void): () => void;
  close(): Promise<void>;
}

/** The one channel name of the bus (the migration's triggers notify it too). */
export const LIVE_CHANNEL = 'tb_live';

/** Parses a signal as sent on the channel (short keys: a NOTIFY payload is at most 8000 bytes); null if unknown. */
export function parseLiveSignal(payload: string): LiveSignal | null {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const n = o.n;
  const validNumber = typeof n === 'number' && Number.isInteger(n) && n > 0;
  if (o.k === 't' && validNumber) return { type: 'ticket', number: n };
  if (o.k === 'n' && typeof o.a === 'string') return { type: 'notification', agentId: o.a };
  if (o.k === 'p' && validNumber && typeof o.a === 'string' && typeof o.m === 'string' && (o.s === 'viewing' || o.s === 'replying' || o.s === 'gone'))
    return { type: 'presence', number: n, agentId: o.a, name: o.m.slice(0, 200), state: o.s };
  return null;
}

export function encodeLiveSignal(s: LiveSignal): string {
  if (s.type === 'ticket') return JSON.stringify({ k: 't', n: s.number });
  if (s.type === 'notification') return JSON.stringify({ k: 'n', a: s.agentId });
  return JSON.stringify({ k: 'p', n: s.number, a: s.agentId, m: s.name.slice(0, 200), s: s.state });
}
