/** What a channel's HTTP route (or polling loop) uses to make an inbound event durable before it answers the platform. */
export interface InboxPort {
  /**
   * One insert. Returns `duplicate: true` when (platform, externalId) was already recorded (a platform retry): the
   * route answers 200 and nothing is processed again.
   */
  record(event: {
    platform: string;
    externalId: string;
    payload: unknown;
    /** Events with the same key are processed one at a time, in the order recorded (e.g. one chat's updates). */
    orderingKey?: string;
  }): Promise<{ id: string; duplicate: boolean }>;
}
