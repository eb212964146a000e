/**
 * The graphile-worker runner of this instance, plus the one thing graphile-worker leaves to its users: jobs
 * locked by a process that died stay locked for 4 hours. Every instance writes a heartbeat for its worker pool;
 * any instance that sees a pool silent for STALE_MS unlocks that pool's jobs (forceUnlockWorkers), so a crash
 * delays delivery by seconds, not hours.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import type { Logger } from 'pino';
import pg from 'pg';
import { makeWorkerUtils, run, runMigrations, type Runner, type TaskList, type WorkerUtils, type LogFunctionFactory, type WorkerEvents, Logger as GwLogger } from 'graphile-worker';

const HEARTBEAT_MS = 3_000;
const STALE_MS = 15_000;

function gwLogger(logger: Logger): GwLogger {
  const factory: LogFunctionFactory = (scope) => (level, message, meta) => {
    const l = level === 'error' ? 'error' : level === 'warning' ? 'warn' : level === 'info' ? 'debug' : 'trace';
    logger[l]({ scope: { label: scope.label, taskIdentifier: scope.taskIdentifier, jobId: scope.jobId }, ...(meta ?? {}) }, message);
  };
  return new GwLogger(factory);
}

export async function migrateQueue(connectionString: string, logger: Logger): Promise<void> {
  await runMigrations({ connectionString, logger: gwLogger(logger) });
}

export interface QueueWorker {
  stop(): Promise<void>;
  poolId: string | null;
}

export async function startQueueWorker(opts: {
  connectionString: string;
  tasks: TaskList;
  concurrency: number;
  logger: Logger;
  pollIntervalMs?: number;
  /** graphile-worker crontab lines; each fires once across all instances. */
  crontab?: string;
}): Promise<QueueWorker> {
  const { logger } = opts;
  const pool = new pg.Pool({ connectionString: opts.connectionString, max: opts.concurrency + 4 });
  // A database restart kills idle connections: the pool drops them and reconnects on the next query.
  pool.on('error', (err) => logger.warn({ err: err.message }, 'queue pool connection error'));
  pool.on('connect', (client) => client.on('error', (err) => logger.warn({ err: err.message }, 'queue connection error')));
  const utils: WorkerUtils = await makeWorkerUtils({ pgPool: pool, logger: gwLogger(logger) });
  let poolId: string | null = null;
  const events = new EventEmitter() as WorkerEvents;
  events.on('pool:create', ({ workerPool }) => {
    poolId = workerPool.id;
  });
  const startRunner = () =>
    run({
      events,
      pgPool: pool,
      taskList: opts.tasks,
      concurrency: opts.concurrency,
      noHandleSignals: true,
      pollInterval: opts.pollIntervalMs ?? 1000,
      // The pool fetches jobs for all its workers at once (one statement per batch, one poll per interval) instead
      // of each worker polling alone: graphile-worker's job query was the busiest statement of an idle service.
      preset: { worker: { localQueue: { size: opts.concurrency + 1 } } },
      ...(opts.crontab ? { crontab: opts.crontab } : {}),
      logger: gwLogger(logger),
    });
  let stopping = false;
  let runner: Runner = await startRunner();
  let recycling: Promise<void> | null = null;

  /**
   * After the database went away (a restart, a failover) graphile-worker can be left with jobs locked by this very
   * pool whose completion never reached the database; they would stay locked for hours and block their queue (one
   * thread's deliveries). So: stop the runner, wait until the database answers, start a fresh runner and unlock
   * what the old pool held. Its jobs are not running any more, so nothing is processed twice at once.
   */
  function recycle(reason: string): Promise<void> {
    recycling ??= (async () => {
      const oldPool = poolId;
      logger.warn({ reason }, 'database connection lost: recycling the job runner');
      await Promise.race([runner.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
      for (let delay = 250; !stopping; delay = Math.min(delay * 2, 5_000)) {
        try {
          await pool.query('SELECT 1');
          break;
        } catch {
          await new Promise((r) => setTimeout(r, delay));
        }
      }
      while (!stopping) {
        try {
          runner = await startRunner();
          supervise(runner);
          if (oldPool) await utils.forceUnlockWorkers([oldPool]);
          logger.info('job runner recycled');
          break;
        } catch (e) {
          logger.warn({ err: (e as Error)?.message }, 'job runner could not restart yet');
          await new Promise((r) => setTimeout(r, 1_000));
        }
      }
    })().finally(() => {
      recycling = null;
    });
    return recycling;
  }
  const lostConnection = (err: Error & { code?: string }) =>
    ['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET'].includes(err.code ?? '') || /Connection terminated/.test(err.message);
  pool.on('error', (err) => {
    if (!stopping && lostConnection(err)) void recycle(err.message);
  });
  // graphile-worker also stops its runner by itself on some errors: recycle then too.
  function supervise(r: Runner): void {
    r.promise.catch((err: unknown) => {
      if (!stopping && r === runner) void recycle(`runner stopped: ${(err as Error)?.message}`);
    });
  }
  supervise(runner);
  const instance = `${os.hostname()}:${process.pid}`;

  async function beat(): Promise<void> {
    try {
      if (poolId) {
        await pool.query(
          `INSERT INTO worker_heartbeats (pool_id, instance, seen_at) VALUES ($1, $2, now())
           ON CONFLICT (pool_id) DO UPDATE SET seen_at = now()`,
          [poolId, instance],
        );
      }
      const stale = await pool.query<{ pool_id: string }>(
        `DELETE FROM worker_heartbeats WHERE seen_at < now() - ($1::int * interval '1 millisecond') AND pool_id <> $2 RETURNING pool_id`,
        [STALE_MS, poolId ?? ''],
      );
      if (stale.rows.length > 0) {
        const ids = stale.rows.map((r) => r.pool_id);
        await utils.forceUnlockWorkers(ids);
        logger.warn({ pools: ids }, 'unlocked jobs of worker pools that stopped beating');
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'worker heartbeat failed');
    }
  }
  await beat();
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  timer.unref();

  return {
    get poolId() {
      return poolId;
    },
    async stop() {
      stopping = true;
      clearInterval(timer);
      await recycling;
      await runner.stop().catch((err: unknown) => logger.warn({ err: (err as Error)?.message }, 'job runner stop failed'));
      if (poolId) await pool.query('DELETE FROM worker_heartbeats WHERE pool_id = $1', [poolId]).catch(() => undefined);
      await utils.release();
      await pool.end();
    },
  };
}
