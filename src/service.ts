/**
 * The composition root: builds every part from the config and wires them. main.ts runs it for `npm start`;
 * tests run it in-process with their own config and channel list.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/env.ts';
import type { ChannelDeps, ChannelModule } from './channels/channel-module.ts';
import type { ChannelAdapter } from './core/ports/channel-port.ts';
import { createDirectoryService } from './core/directory/directory-service.ts';
import { createChatDesk } from './core/desk/chat-desk.ts';
import { createTicketService, type TicketService } from './core/tickets/ticket-service.ts';
import type { UserRecord } from './core/ports/store-port.ts';
import type { DeskPort } from './core/ports/desk-port.ts';
import type { AgentWorkDeps } from './http/api/agent-work-routes.ts';
import { buildApp } from './http/app.ts';
import { createMetrics } from './http/metrics.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './infra/db/embedded-postgres.ts';
import { applyMigrations } from './infra/db/migrate.ts';
import { createPrisma } from './infra/db/prisma.ts';
import { createPrismaStore } from './infra/repos/prisma-store.ts';
import { hashPassword } from './infra/passwords.ts';
import { enqueueThreadDrain, TASK_CLOSE_SOLVED, TASK_DRAIN_THREAD, TASK_PROCESS_INBOUND, TASK_SLA_CHECK } from './infra/queue/jobs.ts';
import { createSlaService } from './core/sla/sla-service.ts';
import { createMacroService } from './core/macros/macro-service.ts';
import { createViewService } from './core/views/view-service.ts';
import { createSlaRepo } from './infra/repos/sla-repo.ts';
import { createNotificationRepo } from './infra/repos/notification-repo.ts';
import { createMacroRepo, createTagRepo, createViewRepo } from './infra/repos/macro-view-repo.ts';
import { migrateQueue, startQueueWorker, type QueueWorker } from './infra/queue/worker.ts';
import { createInbox, createInboundProcessor } from './infra/sync/inbox.ts';
import { createThreadDrainer } from './infra/sync/thread-drainer.ts';
import { enabledChannels } from './channels/registry.ts';
import { createConsolePlugin } from './console/console-plugin.ts';

export const ADMIN_EMAIL = 'admin@ticket-bridge.local';

export interface ServiceOptions {
  logger: Logger;
  /** Replace the channels built from the config (tests pass an in-process test channel). */
  channels?: (deps: ChannelDeps) => ChannelModule[];
  /** Run the job worker in this process (default true). */
  worker?: boolean;
  listen?: boolean;
  pollIntervalMs?: number;
}

export interface RunningService {
  app: FastifyInstance;
  /** The core's chat port (tests drive it as an adapter would). */
  desk: DeskPort;
  tickets: TicketService;
  /** SLA, macros, views, notifications, tags (tests run the SLA job through it). */
  work: AgentWorkDeps;
  url: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function startService(config: Readonly<Config>, opts: ServiceOptions): Promise<RunningService> {
  const { logger } = opts;
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    logger.info({ dataDir: config.DATA_DIR }, 'DATABASE_URL is not set: starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres(config.DATA_DIR);
    databaseUrl = embedded.url;
  }
  const migrated = await applyMigrations(databaseUrl);
  if (migrated.applied.length) logger.info({ applied: migrated.applied }, 'database migrations applied');
  if (migrated.checksumMismatches.length)
    logger.warn({ migrations: migrated.checksumMismatches }, 'applied migrations differ from the files in prisma/migrations');
  await migrateQueue(databaseUrl, logger);

  const db = createPrisma(databaseUrl);
  const store = createPrismaStore(db);
  const metrics = createMetrics({ breachingTickets: async () => (await store.countTickets({ breaching: true }, 1_000_000)).count });
  const tickets = createTicketService({ store, onTicketCreated: (t) => metrics.ticketsCreated.labels(t.via).inc(), slaWarningMinutes: config.SLA_WARNING_MINUTES });
  const work = {
    sla: createSlaService({ store, repo: createSlaRepo(db), warningMinutes: config.SLA_WARNING_MINUTES, onBreach: (b) => metrics.slaBreaches.labels(b.target, b.priority).inc() }),
    macros: createMacroService({ repo: createMacroRepo(db), store, tickets }),
    views: createViewService({ repo: createViewRepo(db), store }),
    notifications: createNotificationRepo(db),
    tags: createTagRepo(db),
  };
  const directory = createDirectoryService({ store, linkCodeTtlMinutes: config.LINK_CODE_TTL_MINUTES, hashPassword });
  await directory.ensureDefaultService();
  let adminUser: UserRecord | null = null;
  const getAdmin = async () => {
    adminUser ??= (await store.findUserByEmail(ADMIN_EMAIL)) ?? (await store.insertUser({ email: ADMIN_EMAIL, name: 'Administrator', role: 'admin' }).catch(async () => (await store.findUserByEmail(ADMIN_EMAIL))!));
    return adminUser;
  };
  await getAdmin();

  const desk = createChatDesk({ store, tickets, directory, publicUrl: config.PUBLIC_URL });
  const inbox = createInbox(db);
  const channelDeps: ChannelDeps = { desk, inbox, logger, publicUrl: config.PUBLIC_URL };
  const channels = opts.channels ? opts.channels(channelDeps) : enabledChannels(config, channelDeps);
  const adapters = new Map<string, ChannelAdapter>(channels.map((c) => [c.adapter.platform, c.adapter]));

  const drainThread = createThreadDrainer({
    db,
    adapters,
    publicUrl: config.PUBLIC_URL,
    logger,
    metrics: {
      delivered: (platform, ms) => {
        metrics.deliveries.labels(platform).inc();
        metrics.deliveryLatency.labels(platform).observe(ms / 1000);
      },
      failed: (platform, action) => metrics.deliveryFailures.labels(platform, action).inc(),
    },
  });
  const processInbound = createInboundProcessor({ db, adapters, logger, onDead: (p) => metrics.inboundDead.labels(p).inc() });

  const app = await buildApp({
    logger,
    metrics,
    channels,
    api: { tickets, directory, store, db, publicUrl: config.PUBLIC_URL, adminToken: config.ADMIN_TOKEN, adminUser: getAdmin, work },
    plugins: [createConsolePlugin({ store, tickets, directory, db, publicUrl: config.PUBLIC_URL, logger, secureCookies: config.PUBLIC_URL.startsWith('https:') })],
    dbReady: async () => {
      await db.$queryRaw`SELECT 1`;
      return true;
    },
  });

  let worker: QueueWorker | null = null;
  if (opts.worker !== false) {
    worker = await startQueueWorker({
      connectionString: databaseUrl,
      concurrency: config.WORKER_CONCURRENCY,
      logger,
      pollIntervalMs: opts.pollIntervalMs,
      crontab: `0 * * * * ${TASK_CLOSE_SOLVED}\n* * * * * ${TASK_SLA_CHECK}`,
      tasks: {
        [TASK_DRAIN_THREAD]: async (payload) => drainThread(String((payload as { threadLinkId: string }).threadLinkId)),
        [TASK_PROCESS_INBOUND]: async (payload) => processInbound(String((payload as { id: string }).id)),
        [TASK_CLOSE_SOLVED]: async () => {
          const n = await tickets.closeStaleSolved(config.SOLVED_AUTO_CLOSE_DAYS);
          if (n) logger.info({ closed: n }, 'closed solved tickets automatically');
        },
        [TASK_SLA_CHECK]: async () => {
          const r = await work.sla.checkDue();
          if (r.warnings || r.breaches) logger.info(r, 'SLA warnings and breaches recorded');
        },
      },
    });
    // Deliveries that waited while a channel was off (or a previous run stopped mid-way) get a drain now.
    const waiting = await db.delivery.findMany({ where: { status: { in: ['pending', 'sending'] } }, distinct: ['threadLinkId'], select: { threadLinkId: true } });
    for (const w of waiting) await enqueueThreadDrain(db, w.threadLinkId);
  }
  for (const c of channels) await c.start?.();

  let url = '';
  if (opts.listen !== false) {
    url = await app.listen({ host: config.HOST, port: config.PORT });
  } else {
    await app.ready();
  }

  let stopping: Promise<void> | null = null;
  return {
    app,
    desk,
    tickets,
    work,
    url,
    databaseUrl,
    stop() {
      stopping ??= (async () => {
        await app.close(); // stops accepting, waits for in-flight requests
        for (const c of channels) await c.stop?.().catch((err: unknown) => logger.warn({ err }, 'channel stop failed'));
        await worker?.stop(); // finishes the jobs in flight
        await db.$disconnect();
        await embedded?.stop();
      })();
      return stopping;
    },
  };
}
