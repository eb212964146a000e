/**
 * Every job this service puts on graphile-worker, and the one place its SQL is written. Jobs are enqueued with SQL
 * (graphile_worker.add_job is a plain function in the database) so that they join the caller's transaction.
 * Deliveries and inbound events are not graphile-worker jobs: each has a queue of its own, claimed in batches
 * (src/infra/sync/drain-queue.ts, src/infra/sync/inbox-queue.ts).
 */
import type { Prisma } from '../../generated/prisma/client.ts';

type Sql = Pick<Prisma.TransactionClient, '$executeRaw'>;

/**
 * Only moves its thread into the drain queue now (thread_drains, src/infra/sync/drain-queue.ts): the jobs of
 * deliveries published before deliveries had a queue of their own.
 */
export const TASK_DRAIN_THREAD = 'drain_thread';
/** Only wakes the inbox queue now (the jobs of events recorded before the inbox became its own queue). */
export const TASK_PROCESS_INBOUND = 'process_inbound';
export const TASK_CLOSE_SOLVED = 'close_solved';
export const TASK_SEND_SIGN_IN_LINK = 'send_sign_in_link';
export const TASK_PURGE_SIGN_IN = 'purge_sign_in';
export const TASK_FETCH_ATTACHMENT = 'fetch_attachment';
export const TASK_SWEEP_BLOBS = 'sweep_attachment_blobs';
/** Tries of one file download (graphile-worker's backoff: the last is about a day after the first). */
export const FETCH_ATTACHMENT_MAX_ATTEMPTS = 12;

export const TASK_SLA_CHECK = 'sla_check';

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
