/** An in-memory InboxPort: one "insert" per (platform, externalId), payloads copied as a database would. */
import type { InboundEnvelope } from '../../../src/core/ports/channel-port.ts';
import type { InboxPort } from '../../../src/core/ports/desk-port.ts';

export class MemoryInbox implements InboxPort {
  readonly rows: (InboundEnvelope & { processed: boolean })[] = [];
  calls = 0;
  /** Makes the next record() throw, as a database outage would. */
  failNext = false;

  async record(event: { platform: string; externalId: string; payload: unknown }) {
    this.calls += 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database unavailable');
    }
    const existing = this.rows.find((r) => r.platform === event.platform && r.externalId === event.externalId);
    if (existing) return { id: existing.id, duplicate: true };
    const row = {
      id: `in-${this.rows.length + 1}`,
      platform: event.platform,
      externalId: event.externalId,
      payload: JSON.parse(JSON.stringify(event.payload)) as unknown,
      receivedAt: new Date(),
      processed: false,
    };
    this.rows.push(row);
    return { id: row.id, duplicate: false };
  }

  pending(): (InboundEnvelope & { processed: boolean })[] {
    return this.rows.filter((r) => !r.processed);
  }
}
