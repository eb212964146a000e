/**
 * Every job this service puts on graphile-worker, and the one place its SQL is written. Jobs are enqueued with SQL
 * (graphile_worker.add_job is a plain function in the database) so that they join the caller's transaction, or
 * even the statement that makes the change they follow up.
 */
import { Prisma } from '../../generated/prisma/client.ts';

type Sql = Pick<Prisma.TransactionClient, '$executeRaw'>;

export const TASK_DRAIN_THREAD = 'drain_thread';
export const TASK_PROCESS_INBOUND = 'process_inbound';
export const TASK_CLOSE_SOLVED = 'close_solved';
export const TASK_SEND_SIGN_IN_LINK = 'send_sign_in_link';
export const TASK_PURGE_SIGN_IN = 'purge_sign_in';
export const TASK_FETCH_ATTACHMENT = 'fetch_attachment';
export const TASK_SWEEP_BLOBS = 'sweep_attachment_blobs';
/** Tries of one file download (graphile-worker's backoff: the last is about a day after the first). */
export const FETCH_ATTACHMENT_MAX_ATTEMPTS = 12;

/** Inbound events with one ordering key run one at a time, in order, in their own queue. */
export function inboundQueueName(platform: string, orderingKey: string | null | undefined): string | null {
  return orderingKey ? `inbound:${platform}:${orderingKey}` : null;
}

/** The SQL of `add_job` for processing inbound event `idSql` (a SQL expression), in `queueSql`'s queue. */
export function addInboundJobSql(idSql: Prisma.Sql, queueSql: Prisma.Sql, runAt: Date | null = null): Prisma.Sql {
  return Prisma.sql`graphile_worker.add_job(${TASK_PROCESS_INBOUND}::text, json_build_object('id', (${idSql})::text),
    queue_name := ${queueSql}, run_at := ${runAt}::timestamptz, max_attempts := 1000)`;
}

/** The queue of an inbound event, computed in SQL from its row's columns. */
export const INBOUND_QUEUE_OF_ROW = Prisma.sql`CASE WHEN ordering_key IS NULL THEN NULL ELSE 'inbound:' || platform || ':' || ordering_key END`;

export async function enqueueInbound(db: Sql, row: { id: string; platform: string; orderingKey: string | null }, runAt: Date | null = null): Promise<void> {
  await db.$executeRaw`SELECT ${addInboundJobSql(Prisma.sql`${row.id}`, Prisma.sql`${inboundQueueName(row.platform, row.orderingKey)}::text`, runAt)}`;
}
export const TASK_SLA_CHECK = 'sla_check';

/**
 * One drain job per thread: it sends that thread's pending deliveries oldest first. The job key folds many
 * commits into one pending job; the queue name keeps two drains of one thread from running at once on any
 * instance; `preserve_run_at` keeps a backoff that is in force (a new commit does not cut a throttle short).
 */
export async function enqueueThreadDrain(db: Sql, threadLinkId: string, runAt?: Date): Promise<void> {
  const key = `thread:${threadLinkId}`;
  await db.$executeRaw`SELECT graphile_worker.add_job(
    ${TASK_DRAIN_THREAD}::text,
    json_build_object('threadLinkId', ${threadLinkId}::text),
    queue_name := ${key}::text,
    run_at := ${runAt ?? null}::timestamptz,
    max_attempts := 1000,
    job_key := ${key}::text,
    job_key_mode := ${runAt ? 'replace' : 'preserve_run_at'}::text)`;
}

/**
 * Emails a help-center sign-in link from the worker. The payload holds the address, never a token: the job makes
 * the token when it runs. A mail server that stays down for a few tries makes the link useless anyway (15 minutes).
 */
export async function enqueueSignInMail(db: Sql, job: { email: string; locale: string; next: string | null }): Promise<void> {
  await db.$executeRaw`SELECT graphile_worker.add_job(
    ${TASK_SEND_SIGN_IN_LINK}::text,
    json_build_object('email', ${job.email}::text, 'locale', ${job.locale}::text, 'next', ${job.next}::text),
    max_attempts := 4)`;
}

/**
 * Downloads a chat file into the attachment store from the worker: enqueued in the transaction that writes its
 * pending row, so a committed comment always gets its files fetched; retried with graphile-worker's backoff.
 */
export async function enqueueAttachmentFetch(db: Sql, attachmentId: string): Promise<void> {
  await db.$executeRaw`SELECT graphile_worker.add_job(
    ${TASK_FETCH_ATTACHMENT}::text,
    json_build_object('id', ${attachmentId}::text),
    max_attempts := ${FETCH_ATTACHMENT_MAX_ATTEMPTS}::int,
    job_key := ${`attachment:${attachmentId}`}::text)`;
}
