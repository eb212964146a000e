import pino from 'pino';
import type { TicketPriority } from '../../src/core/tickets/ticket-types.ts';
import { loadConfig } from '../../src/config/env.ts';
import { startService, type RunningService, type ServiceOptions } from '../../src/service.ts';
import { createTestDatabase } from './test-db.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** The real service on a fresh database, in-process, without listening (use app.inject) unless asked. */
export async function startTestService(
  env: Record<string, string> = {},
  opts: Partial<ServiceOptions> = {},
): Promise<RunningService & { dropDb(): Promise<void> }> {
  const db = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, ADMIN_TOKEN, PORT: '0', HOST: '127.0.0.1', PUBLIC_URL: 'http://help.test', LOG_LEVEL: 'silent', ...env });
  const service = await startService(config, { logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), listen: false, pollIntervalMs: 200, ...opts });
  return {
    ...service,
    async stop() {
      await service.stop();
    },
    dropDb: () => db.drop(),
  };
}

export function auth(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/**
 * A ticket that lives in a chat thread, made as a channel's request would make it (requester found or created by
 * email): for tests of what the sync engine and the pages do with such a ticket.
 */
export async function threadTicket(
  svc: Pick<RunningService, 'tickets' | 'directory'>,
  input: {
    via: string;
    requester: { email: string; name?: string };
    subject: string;
    description: string;
    /** Without one, a ticket of the help center only (no chat thread). */
    thread?: { platform: string; workspaceId: string; chatId: string; threadRef: string | null; locale: string };
    priority?: TicketPriority;
    serviceId?: string | null;
    sourceKey?: string | null;
    sourceUrl?: string | null;
  },
) {
  const user = await svc.directory.findOrCreateEndUser(input.requester.email, input.requester.name ?? '');
  return svc.tickets.create({
    subject: input.subject,
    description: input.description,
    via: input.via,
    submitter: { id: user.id, role: user.role },
    requesterId: user.id,
    threads: input.thread ? [{ ...input.thread, threadRef: input.thread.threadRef ?? '' }] : [],
    serviceId: input.serviceId ?? null,
    sourceKey: input.sourceKey ?? null,
    sourceUrl: input.sourceUrl ?? null,
    ...(input.priority ? { priority: input.priority } : {}),
  });
}
