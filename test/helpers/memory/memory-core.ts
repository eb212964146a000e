/**
 * The real core (ticket, directory and chat services, inbound processing, the thread drain) over the in-memory
 * store, for tests of the chat service and of each channel's adapter without a database. Jobs the core asks for
 * (drains, inbound events) wait until the test runs them with `runJobs()`.
 */
import { createChatService } from '../../../src/core/chat/chat-service.ts';
import { createDirectoryService } from '../../../src/core/directory/directory-service.ts';
import type { ChannelAdapter } from '../../../src/core/ports/channel-port.ts';
import { createInboundProcessor } from '../../../src/core/sync/inbound-processor.ts';
import { createThreadDrain } from '../../../src/core/sync/thread-drain.ts';
import { createTicketService } from '../../../src/core/tickets/ticket-service.ts';
import { createMemoryStore } from './memory-store.ts';

export const PUBLIC_URL = 'http://help.test';

export function createMemoryCore(opts: { adapters?: ChannelAdapter[]; clock?: () => Date } = {}) {
  const mem = createMemoryStore({ clock: opts.clock });
  const adapters = new Map<string, ChannelAdapter>((opts.adapters ?? []).map((a) => [a.platform, a]));
  const tickets = createTicketService({ store: mem.store, clock: opts.clock });
  const directory = createDirectoryService({ store: mem.store, linkCodeTtlMinutes: 60, clock: opts.clock, hashPassword: async (p) => `plain:${p}` });
  const chat = createChatService({
    store: mem.store,
    drafts: mem.drafts,
    tickets,
    directory,
    publicUrl: PUBLIC_URL,
    clock: opts.clock,
    capabilities: (platform) => {
      const l = adapters.get(platform)?.limits;
      return { forms: l?.forms ?? false, directCopies: l?.directCopies ?? false };
    },
  });
  const log = { info() {}, warn() {}, error() {} };
  const processInbound = createInboundProcessor({ inbox: mem.inbox, scheduler: mem.inbox, adapters, chat, log, sleep: async () => true });
  const drainThread = createThreadDrain({ repo: mem.drain, scheduler: mem.drain, adapters, publicUrl: PUBLIC_URL, log, sleep: async () => {} });

  return {
    ...mem,
    tickets,
    directory,
    chat,
    adapters,
    /** Runs every job waiting (inbound events first, then drains) until none is left; returns how many ran. */
    async runJobs(max = 200): Promise<number> {
      let ran = 0;
      while (ran < max) {
        const inbound = mem.jobs.inbound.shift();
        if (inbound) {
          await processInbound(inbound.id);
          ran++;
          continue;
        }
        const d = mem.jobs.drains.shift();
        if (!d) return ran;
        await drainThread(d.threadLinkId);
        ran++;
      }
      throw new Error(`still jobs after ${max}: a loop?`);
    },
    /** The agent with this email, created the first time. */
    async agent(email = 'ann@support.example', name = 'Ann') {
      return (await mem.store.findUserByEmail(email)) ?? (await directory.createAgent({ email, name }));
    },
    endUser: (email: string, name = email.split('@')[0]!) => directory.findOrCreateEndUser(email, name),
    service: (name: string) => directory.createService({ name }),
  };
}

export type MemoryCore = ReturnType<typeof createMemoryCore>;
