/**
 * `npm start`: parse the config (a bad value stops here with one line naming it), start the service, stop it
 * gracefully on SIGTERM/SIGINT.
 */
import { ConfigError, loadConfig } from './config/env.ts';
import { createLogger } from './infra/logger.ts';
import { startService } from './service.ts';

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
try {
  const service = await startService(config, { logger });
  logger.info({ url: service.url, publicUrl: config.PUBLIC_URL, ...(service.metricsUrl ? { metricsUrl: service.metricsUrl } : {}) }, 'service started');
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
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
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
} catch (err) {
  logger.fatal({ err }, 'start-up failed');
  process.exit(1);
}
