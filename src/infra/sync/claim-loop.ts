/**
 * The loop of the service's own queues (the inbox, inbox-queue.ts; the deliveries, drain-queue.ts): claim as many
 * rows as there are free slots and start each; look again at once when the batch filled every slot (more may be
 * waiting) or something happened meanwhile (a nudge: a commit, a processing that ended), else wait for a nudge or
 * the poll. A failing claim (the database went away) backs off from 250 ms, doubling to 5 s. Stopping ends the
 * loop; what a claim returned meanwhile is given back at once.
 */
import type { Logger } from 'pino';

export interface ClaimLoop {
  nudge(): void;
  /** Ends the loop (the rows running go on: their queue waits for them). */
  stop(): Promise<void>;
}

export function startClaimLoop<C>(opts: {
  /** For the log: "inbox", "drain". */
  what: string;
  logger: Logger;
  concurrency: number;
  pollIntervalMs: number;
  running: () => number;
  claim: (n: number) => Promise<C[]>;
  start: (claimed: C) => void;
  release: (claimed: C[]) => Promise<void>;
  /** After each round: how many rows were claimed, of how many free slots (0 free: no claim was made). */
  afterClaim?: (n: number, free: number) => void;
}): ClaimLoop {
  let stopping = false;
  let nudged = false;
  let wake: (() => void) | null = null;
  const nudge = () => {
    nudged = true;
    wake?.();
  };

  async function loop(): Promise<void> {
    let backoffMs = 0;
    while (!stopping) {
      nudged = false;
      const free = opts.concurrency - opts.running();
      let claimed: C[] = [];
      if (free > 0) {
        try {
          claimed = await opts.claim(free);
          backoffMs = 0;
        } catch (err) {
          backoffMs = Math.min(Math.max(250, backoffMs * 2), 5_000);
          opts.logger.warn({ err: (err as Error)?.message, retryInMs: backoffMs }, `${opts.what} claim failed`);
        }
      }
      opts.afterClaim?.(claimed.length, Math.max(free, 0));
      if (stopping) {
        if (claimed.length) await opts.release(claimed);
        break;
      }
      for (const c of claimed) opts.start(c);
      if (backoffMs === 0 && ((free > 0 && claimed.length === free) || nudged)) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, backoffMs || opts.pollIntervalMs);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
        if (nudged || stopping) done();
      });
    }
  }

  const looping = loop();
  return {
    nudge,
    async stop() {
      stopping = true;
      wake?.();
      await looping;
    },
  };
}

/**
 * The rows a queue's claim returned with their columns, kept for the one read that follows each claim (the
 * processing's first read of its event, a drain's read of its link): answered once from here, without a statement.
 */
export function claimedRows<R>(): { keep(rows: { id: string }[]): void; take(id: string): R | undefined } {
  const rows = new Map<string, R>();
  return {
    keep(claimed) {
      for (const r of claimed) rows.set(r.id, r as R);
    },
    take(id) {
      const r = rows.get(id);
      rows.delete(id);
      return r;
    },
  };
}
