/**
 * `npm start` (and the container's command): parse the config (a bad value stops here with one line naming it),
 * start the service, stop it gracefully on SIGTERM, SIGINT or SIGHUP.
 */
import { ConfigError, loadConfig } from './config/env.ts';
import { createLogger } from './infra/logger.ts';
import { startService, type RunningService } from './service.ts';

let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`config error: ${e.message}\n`);
    process.exit(1);
  }
  throw e;
}

const logger = createLogger(config.LOG_LEVEL);
// Everything accepted is durable, so a stray rejection (e.g. a library's query cut off by a database restart) is
// logged, not allowed to take the process down.
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
/**
 * A second signal forces the exit, but not one within a second of the first: npm passes the signal it gets on to
 * the service, and a terminal's Ctrl-C reaches both, so one keypress arrives twice.
 */
const REPEAT_WINDOW_MS = 1000;

let service: RunningService | null = null;
let firstSignalAt = 0;
function shutdown(signal: NodeJS.Signals): void {
  if (firstSignalAt) {
    if (Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
    logger.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  firstSignalAt = Date.now();
  if (!service) {
    // Still starting: nothing accepted yet. process.exit also stops an embedded PostgreSQL already started.
    logger.warn({ signal }, 'signal during start-up: exiting');
    process.exit(1);
  }
  logger.info({ signal }, 'shutting down');
  service.stop().then(
    () => {
      logger.info('stopped');
      process.exit(0);
    },
    (err: unknown) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    },
  );
}
// SIGHUP: the terminal went away, which stops the service like Ctrl-C would.
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, shutdown);

try {
  service = await startService(config, { logger });
  logger.info({ url: service.url, publicUrl: config.PUBLIC_URL, ...(service.metricsUrl ? { metricsUrl: service.metricsUrl } : {}) }, 'service started');
} catch (err) {
  logger.fatal({ err }, `start-up failed: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
}
