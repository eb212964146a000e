/**
 * The jobs this service puts on graphile-worker, enqueued with SQL so that they join the caller's transaction
 * (graphile_worker.add_job is a plain function in the database).
 */
import type { Prisma } from '../../generated/prisma/client.ts';

type Sql = Pick<Prisma.TransactionClient, '$executeRaw'>;

export const TASK_DRAIN_THREAD = 'drain_thread';
export const TASK_PROCESS_INBOUND = 'process_inbound';
export const TASK_CLOSE_SOLVED = 'close_solved';
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
