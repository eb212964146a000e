import pino, { type Logger } from 'pino';

/** Paths that never reach a log line: credentials in headers, bodies and config. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-slack-signature"]',
  'req.headers["x-lark-signature"]',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.password',
  '*.secret',
  '*.botToken',
  '*.signingSecret',
  '*.appSecret',
  '*.encryptKey',
  '*.verificationToken',
  '*.webhookSecret',
  '*.connectionString',
  'headers.authorization',
  'config.headers.Authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'ticket-bridge' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
