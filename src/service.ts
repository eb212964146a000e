/**
 * The composition root: builds every part from the config and wires them. main.ts runs it for `npm start`;
 * tests run it in-process with their own config and channel list.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from './config/env.ts';
import type { ChannelDeps, ChannelModule } from './channels/channel-module.ts';
import type { ChannelAdapter } from './core/ports/channel-port.ts';
import { createDirectoryService, type DirectoryService } from './core/directory/directory-service.ts';
import { createAgentAccessService } from './core/directory/agent-access-service.ts';
import { createTicketService, type TicketService } from './core/tickets/ticket-service.ts';
import type { UserRecord } from './core/ports/store-port.ts';
import type { InboundRetryPolicy } from './core/sync/delivery-policy.ts';
import type { AgentWorkDeps } from './http/api/agent-work-routes.ts';
import { buildApp } from './http/app.ts';
import { createMetrics } from './http/metrics.ts';
import { buildMetricsApp } from './http/metrics-routes.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './infra/db/embedded-postgres.ts';
import { applyMigrations } from './infra/db/migrate.ts';
import { createPrisma } from './infra/db/prisma.ts';
import { createPrismaStore } from './infra/repos/prisma-store.ts';
import { createAccessRepo } from './infra/repos/access-repo.ts';
import { hashPassword, verifyPassword } from './infra/passwords.ts';
import {
  enqueueSignInMail,
  TASK_CLOSE_SOLVED,
  TASK_DRAIN_THREAD,
  TASK_PROCESS_INBOUND,
  TASK_PURGE_SIGN_IN,
  TASK_SEND_SIGN_IN_LINK,
} from './infra/queue/jobs.ts';
import { TASK_SLA_CHECK, TASK_FETCH_ATTACHMENT, TASK_SWEEP_BLOBS } from './infra/queue/jobs.ts';
import { createAttachmentService, type AttachmentService } from './core/attachments/attachment-service.ts';
import { createAttachmentIntake } from './core/attachments/attachment-intake.ts';
import { createAttachmentRepo } from './infra/attachments/attachment-repo.ts';
import { createBlobStore } from './infra/attachments/blob-stores.ts';
import { detectType } from './infra/attachments/detect-type.ts';
import { uploadRoutes } from './http/attachment-routes.ts';
import { bearerUsers } from './http/bearer-auth.ts';
import { createSlaService } from './core/sla/sla-service.ts';
import { createMacroService } from './core/macros/macro-service.ts';
import { createViewService } from './core/views/view-service.ts';
import { createSlaRepo } from './infra/repos/sla-repo.ts';
import { createNotificationRepo } from './infra/repos/notification-repo.ts';
import { createMacroRepo, createTagRepo, createViewRepo } from './infra/repos/macro-view-repo.ts';
import { migrateQueue, startQueueWorker, type QueueWorker } from './infra/queue/worker.ts';
import { createInbox, createInboxRepo } from './infra/sync/inbox.ts';
import { startInboxQueue, type InboxQueue } from './infra/sync/inbox-queue.ts';
import { createDrainRepo } from './infra/sync/drain-repo.ts';
import { DRAIN_CHANNEL, enqueueThreadDrain, enqueueWaitingDrains, startDrainQueue, type DrainQueue } from './infra/sync/drain-queue.ts';
import { createDraftRepo } from './infra/repos/draft-repo.ts';
import { createChatService, type ChatService } from './core/chat/chat-service.ts';
import { createInboundProcessor } from './core/sync/inbound-processor.ts';
import { createThreadDrain } from './core/sync/thread-drain.ts';
import { enabledChannels } from './channels/registry.ts';
import { createConsolePlugin } from './console/console-plugin.ts';
import { composeSignInMail } from './console/portal/sign-in-mail.ts';
import { createThrottleRepo } from './infra/repos/sign-in-throttle-repo.ts';
import { createSessionRepo } from './infra/repos/console-session-repo.ts';
import { createConsoleQueries } from './infra/repos/console-queries-repo.ts';
import { createPgLiveBus } from './infra/live/pg-live-bus.ts';
import { createOpsRepo } from './infra/repos/ops-repo.ts';
import { databaseErrorLine, isDatabaseUnavailable } from './infra/db/db-errors.ts';
import { createRequesterService, type RequesterService } from './core/help-center/requester-service.ts';
import { createSignInService, type SignInService } from './core/help-center/sign-in-service.ts';
import { createSmtpMailer, emailDomain, type SmtpMailer } from './infra/mail/smtp-mailer.ts';
import { createRequesterRepo, createSignInLinkRepo } from './infra/repos/help-center-repo.ts';

export const ADMIN_EMAIL = 'admin@ticket-bridge.local';

export interface ServiceOptions {
  logger: Logger;
  /** Replace the channels built from the config (tests pass an in-process test channel). */
  channels?: (deps: ChannelDeps) => ChannelModule[];
  /** Run the job worker in this process (default true). */
  worker?: boolean;
  listen?: boolean;
  pollIntervalMs?: number;
  /** How inbound events are retried and when they are parked (tests shorten the day to seconds). */
  inboundRetry?: InboundRetryPolicy;
}

export interface RunningService {
  app: FastifyInstance;
  /** People and the catalog (tests make users and services with it as the API does). */
  directory: DirectoryService;
  /** The conversation engine every channel's events go through. */
  chat: ChatService;
  tickets: TicketService;
  /** The help center's customer side (the conversation engine and tests call it as the pages do). */
  requester: RequesterService;
  signIn: SignInService;
  /** SLA, macros, views, notifications, tags (tests run the SLA job through it). */
  work: AgentWorkDeps;
  /** Files: the worker's downloads, uploads, reads (tests look at what was stored). */
  attachments: AttachmentService;
  url: string;
  /** The METRICS_PORT listener's base URL, when it has one. */
  metricsUrl: string | null;
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

  // Room for every worker slot (inbound events and drains) besides the API's requests.
  const db = createPrisma(databaseUrl, 2 * config.WORKER_CONCURRENCY + 10, config.DATABASE_PREPARED_STATEMENTS);
  let drainQueue: DrainQueue | null = null;
  // A commit that wrote deliveries starts this process's drain queue at once; other instances hear of it on the
  // live bus (tagged with this origin, so that this process does not wake itself twice). The tickets the hot
  // writes changed are announced there too, after their commits: a NOTIFY inside a transaction would make every
  // such commit wait for the cluster's notification lock (migration live_after_commit).
  const origin = randomUUID();
  let live: ReturnType<typeof createPgLiveBus> | null = null;
  const announceTicket = (number: number) => void live?.publish({ type: 'ticket', number });
  const store = createPrismaStore(db, {
    onDeliveries: () => drainQueue?.nudge(),
    announce: ({ tickets: changed, agents, drains }) => {
      for (const number of changed) announceTicket(number);
      for (const agentId of agents) void live?.publish({ type: 'notification', agentId });
      if (drains) void live?.notify(DRAIN_CHANNEL, origin);
    },
  });
  const metrics = createMetrics({ breachingTickets: async () => (await store.countTickets({ breaching: true }, 1_000_000)).count });
  const tickets = createTicketService({
    store,
    onTicketCreated: (t) => metrics.ticketsCreated.labels(t.via).inc(),
    slaWarningMinutes: config.SLA_WARNING_MINUTES,
    // With outgoing mail, requesters are also reached at their own address (the email channel: src/channels/email).
    ...(config.SMTP_URL && !opts.channels ? { addressChannel: { platform: 'email', workspaceId: emailDomain(config.EMAIL_FROM) } } : {}),
  });
  const work = {
    sla: createSlaService({ store, repo: createSlaRepo(db), warningMinutes: config.SLA_WARNING_MINUTES, onBreach: (b) => metrics.slaBreaches.labels(b.target, b.priority).inc() }),
    macros: createMacroService({ repo: createMacroRepo(db), store, tickets }),
    views: createViewService({ repo: createViewRepo(db), store }),
    notifications: createNotificationRepo(db),
    tags: createTagRepo(db),
  };
  const directory = createDirectoryService({ store, linkCodeTtlMinutes: config.LINK_CODE_TTL_MINUTES, hashPassword });
  await directory.ensureDefaultService();
  const access = createAgentAccessService({ access: createAccessRepo(db), users: store });
  let adminUser: UserRecord | null = null;
  const getAdmin = async () => {
    adminUser ??= (await store.findOrInsertUser({ email: ADMIN_EMAIL, name: 'Administrator', role: 'admin' })).user;
    return adminUser;
  };
  await getAdmin();

  let mailer: SmtpMailer | null = null;
  if (config.SMTP_URL) mailer = createSmtpMailer({ url: config.SMTP_URL, from: { address: config.EMAIL_FROM } });
  else logger.info('Email is off: SMTP_URL is not set, so customers cannot get sign-in links (agents sign in with their password as before)');
  const requesterRepo = createRequesterRepo(db);
  const requester = createRequesterService({ store, repo: requesterRepo, tickets, createLinkCode: (userId) => directory.createLinkCode(userId) });
  const signIn = createSignInService({
    users: store,
    preferences: requesterRepo,
    links: createSignInLinkRepo(db),
    jobs: { enqueueEmailLink: (job) => enqueueSignInMail(db, job) },
    mail: mailer,
    composeMail: composeSignInMail,
    publicUrl: config.PUBLIC_URL,
  });
  let inboxQueue: InboxQueue | null = null;
  // The webhooks record on connections of their own: a busy worker never keeps a platform waiting for its answer.
  const ingestPool = new pg.Pool({ connectionString: databaseUrl, max: 16, connectionTimeoutMillis: 10_000 });
  ingestPool.on('error', (err) => logger.warn({ err: err.message }, 'inbox pool connection error'));
  const inbox = createInbox(db, { pool: ingestPool, recorded: () => inboxQueue?.nudge(), prepared: config.DATABASE_PREPARED_STATEMENTS });
  const adapters = new Map<string, ChannelAdapter>();
  const blobs = await createBlobStore(config, databaseUrl);
  logger.info({ store: blobs.kind, maxBytes: config.ATTACHMENT_MAX_BYTES }, 'attachments are stored in %s', blobs.kind);
  const attachments = createAttachmentService({ repo: createAttachmentRepo(db), blobs, adapters, maxBytes: config.ATTACHMENT_MAX_BYTES, detect: detectType, log: logger });
  const chat = createChatService({
    store,
    drafts: createDraftRepo(db),
    tickets,
    directory,
    publicUrl: config.PUBLIC_URL,
    // A linked customer asks the bot for a sign-in link in their private chat; it needs no mail.
    signInLinks: { linkForChatUser: (ref) => signIn.linkForChatUser(ref) },
    capabilities: (platform) => {
      const limits = adapters.get(platform)?.limits;
      return { forms: limits?.forms ?? false, directCopies: limits?.directCopies ?? false };
    },
    attachments: createAttachmentIntake({
      blobs,
      maxBytes: config.ATTACHMENT_MAX_BYTES,
      detect: detectType,
      canFetch: (platform) => typeof adapters.get(platform)?.fetchFile === 'function',
    }),
  });
  const channelDeps: ChannelDeps = { chat, inbox, logger, publicUrl: config.PUBLIC_URL, mail: mailer };
  const channels = opts.channels ? opts.channels(channelDeps) : await enabledChannels(config, channelDeps);
  for (const c of channels) adapters.set(c.adapter.platform, c.adapter);

  const drainRepo = createDrainRepo(db, { announce: announceTicket });
  const drainThread = createThreadDrain({
    repo: drainRepo,
    scheduler: drainRepo,
    adapters,
    log: logger,
    publicUrl: config.PUBLIC_URL,
    files: attachments,
    metrics: {
      delivered: (platform, ms) => {
        metrics.deliveries.labels(platform).inc();
        metrics.deliveryLatency.labels(platform).observe(ms / 1000);
      },
      failed: (platform, action) => metrics.deliveryFailures.labels(platform, action).inc(),
    },
  });
  const inboxRepo = createInboxRepo(db);
  const processInbound = createInboundProcessor({
    inbox: inboxRepo,
    scheduler: inboxRepo,
    adapters,
    chat,
    log: logger,
    onDead: (p) => metrics.inboundDead.labels(p).inc(),
    ...(opts.inboundRetry ? { retryPolicy: opts.inboundRetry } : {}),
  });

  const unavailable = { isUnavailable: isDatabaseUnavailable, describe: databaseErrorLine };
  // One listening connection per process: the console's live updates and presence, across instances.
  // It also hears the deliveries other instances commit, for this one's drain queue.
  live = createPgLiveBus(databaseUrl, logger, { wake: { [DRAIN_CHANNEL]: (from) => from !== origin && drainQueue?.nudge() } });
  await Promise.race([live.ready, new Promise((r) => setTimeout(r, 5000).unref())]);
  const app = await buildApp({
    unavailable,
    logger,
    metrics,
    metricsAccess: { token: config.METRICS_TOKEN, ownListener: config.METRICS_PORT !== undefined },
    channels,
    api: {
      tickets,
      directory,
      access,
      store,
      ops: createOpsRepo(db),
      publicUrl: config.PUBLIC_URL,
      adminToken: config.ADMIN_TOKEN,
      adminUser: getAdmin,
      work,
      uploads: uploadRoutes({ attachments, publicUrl: config.PUBLIC_URL }),
    },
    plugins: [
      createConsolePlugin({
        store,
        tickets,
        directory,
        sessions: createSessionRepo(db),
        queries: createConsoleQueries(db, { hiddenEmails: [ADMIN_EMAIL] }),
        throttle: createThrottleRepo(db),
        passwords: { verify: verifyPassword },
        unavailable,
        publicUrl: config.PUBLIC_URL,
        logger,
        secureCookies: config.PUBLIC_URL.startsWith('https:'),
        requester,
        signIn,
        accountLinking: channels.flatMap((c) => (c.accountLinking ? [c.accountLinking] : [])),
        attachments: {
          attachments,
          bearer: bearerUsers({ adminToken: config.ADMIN_TOKEN, adminUser: getAdmin, authenticate: (token) => access.authenticate(token) }),
        },
        work,
        live,
        access,
        hashPassword,
      }),
    ],
    trustProxy: config.TRUST_PROXY,
    dbReady: async () => {
      await db.$queryRaw`SELECT 1`;
      return true;
    },
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  });

  let worker: QueueWorker | null = null;
  if (opts.worker !== false) {
    worker = await startQueueWorker({
      connectionString: databaseUrl,
      concurrency: config.WORKER_CONCURRENCY,
      logger,
      pollIntervalMs: opts.pollIntervalMs,
      crontab: `0 * * * * ${TASK_CLOSE_SOLVED}\n30 * * * * ${TASK_PURGE_SIGN_IN}\n* * * * * ${TASK_SLA_CHECK}\n45 * * * * ${TASK_SWEEP_BLOBS}`,
      tasks: {
        // Deliveries are their own queue (drain-queue.ts); a job published before that puts its thread there.
        [TASK_DRAIN_THREAD]: async (payload) => {
          await enqueueThreadDrain(db, String((payload as { threadLinkId: string }).threadLinkId));
          drainQueue?.nudge();
        },
        // The inbox is its own queue (inbox-queue.ts); a job of an event recorded before that only wakes it.
        [TASK_PROCESS_INBOUND]: async () => inboxQueue?.nudge(),
        [TASK_FETCH_ATTACHMENT]: async (payload, helpers) => {
          const id = String((payload as { id?: unknown }).id ?? '');
          const outcome = await attachments.ingest(id, { lastAttempt: helpers.job.attempts >= helpers.job.max_attempts });
          logger.debug({ attachmentId: id, outcome }, 'attachment fetch done');
        },
        [TASK_SWEEP_BLOBS]: async () => {
          const uploads = await attachments.sweepUnattached(24 * 3600_000);
          // Bytes a crash left behind (an unfinished put, a blob whose row never committed), an hour on.
          const n = (await blobs.sweep?.(3600_000)) ?? 0;
          if (n || uploads) logger.info({ blobs: n, uploads }, 'swept unattached uploads and unreferenced attachment blobs');
        },
        [TASK_SEND_SIGN_IN_LINK]: async (payload) => {
          const p = payload as { email?: unknown; locale?: unknown; next?: unknown };
          if (typeof p.email !== 'string') return;
          const outcome = await signIn.deliverEmailLink({ email: p.email, locale: String(p.locale ?? 'en'), next: typeof p.next === 'string' ? p.next : null });
          // Never the address or the link: whether one was sent is enough to follow what happened.
          logger.info({ outcome }, 'help center: sign-in link job done');
        },
        [TASK_PURGE_SIGN_IN]: async () => {
          const links = await signIn.purgeExpired();
          const throttles = await createThrottleRepo(db).purge();
          if (links || throttles) logger.info({ links, throttles }, 'purged old sign-in links and throttle windows');
        },
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
    // The service's two own queues: the same database, worker slots and poll.
    const queue = { db, concurrency: config.WORKER_CONCURRENCY, pollIntervalMs: opts.pollIntervalMs ?? 1000, logger };
    inboxQueue = startInboxQueue({ ...queue, process: processInbound, claimed: (rows) => inboxRepo.prefetched(rows) });
    drainQueue = startDrainQueue({ ...queue, drain: drainThread, claimedLinks: (rows) => drainRepo.prefetched(rows) });
    // Deliveries that waited while a channel was off (or a previous run stopped mid-way) get a drain now.
    await enqueueWaitingDrains(db);
    drainQueue.nudge();
  }
  for (const c of channels) await c.start?.();

  let url = '';
  const metricsApp = config.METRICS_PORT !== undefined ? await buildMetricsApp(metrics, { token: config.METRICS_TOKEN }, logger, config.HTTP_REQUEST_TIMEOUT_MS) : null;
  let metricsUrl: string | null = null;
  if (opts.listen !== false) {
    url = await app.listen({ host: config.HOST, port: config.PORT });
    if (metricsApp) metricsUrl = await metricsApp.listen({ host: config.HOST, port: config.METRICS_PORT });
  } else {
    await app.ready();
  }

  let stopping: Promise<void> | null = null;
  return {
    app,
    directory,
    chat,
    tickets,
    requester,
    signIn,
    work,
    attachments,
    url,
    metricsUrl,
    databaseUrl,
    stop() {
      stopping ??= (async () => {
        await app.close(); // stops accepting, ends the live streams, waits for in-flight requests
        await live.close();
        await metricsApp?.close();
        for (const c of channels) await c.stop?.().catch((err: unknown) => logger.warn({ err }, 'channel stop failed'));
        await inboxQueue?.stop(); // finishes the inbound events in flight (a wait in place is rescheduled)
        await drainQueue?.stop(); // finishes the drains in flight
        await worker?.stop(); // finishes the jobs in flight
        mailer?.close();
        await blobs.close?.();
        await db.$disconnect();
        await ingestPool.end();
        await embedded?.stop();
      })();
      return stopping;
    },
  };
}
