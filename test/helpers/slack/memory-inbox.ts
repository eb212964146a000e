/** An in-memory InboxPort: one "insert" per (platform, externalId), and a drain that plays the inbox worker. */
import type { ChannelAdapter, InboundEnvelope } from '../../../src/core/ports/channel-port.ts';
import type { InboxPort } from '../../../src/core/ports/desk-port.ts';

export interface StoredEvent extends InboundEnvelope {
  processed: boolean;
  attempts: number;
}

export class MemoryInbox implements InboxPort {
  readonly events: StoredEvent[] = [];
  recordCalls = 0;
  /** The next N record() calls fail, as a database outage would. */
  failNextRecords = 0;

  async record(event: { platform: string; externalId: string; payload: unknown }): Promise<{ id: string; duplicate: boolean }> {
    this.recordCalls += 1;
    if (this.failNextRecords > 0) {
      this.failNextRecords -= 1;
      throw new Error('database unavailable');
    }
    const existing = this.events.find((e) => e.platform === event.platform && e.externalId === event.externalId);
    if (existing) return { id: existing.id, duplicate: true };
    const id = `inbox-${this.events.length + 1}`;
    // A stored payload is JSON in the database: keep only what survives that round trip.
    const payload: unknown = JSON.parse(JSON.stringify(event.payload));
    this.events.push({ id, platform: event.platform, externalId: event.externalId, payload, receivedAt: new Date(), processed: false, attempts: 0 });
    return { id, duplicate: false };
  }

  pending(): StoredEvent[] {
    return this.events.filter((e) => !e.processed);
  }

  /** Processes every pending event once, in order; failed ones stay pending. Returns the failures. */
  async drain(adapter: Pick<ChannelAdapter, 'processInbound'>): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (const e of this.pending()) {
      e.attempts += 1;
      try {
        await adapter.processInbound!(e);
        e.processed = true;
      } catch (err) {
        failures.push(err);
      }
    }
    return failures;
  }
}
