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

const CENSOR = '[redacted]';

/** Whatever follows these in a path is a one-time token: invitations and emailed sign-in links. */
const ONE_TIME_PATH = /(\/(?:invite|login\/link)\/)[^/?#]+/gi;
/** Query parameters whose value is a secret, whatever the route. */
const SECRET_PARAM = /token|secret|signature|password|^(?:code|key|sig)$|[_-](?:code|key)$/i;

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/**
 * A URL as it may be logged: one-time tokens in the path and secret query values replaced. A URL carried inside a
 * query value (the sign-in page's `?next=`) gets the same treatment.
 */
export function redactUrl(url: string, depth = 0): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(ONE_TIME_PATH, `$1${CENSOR}`);
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = pair.slice(0, eq);
      if (SECRET_PARAM.test(decode(name))) return `${name}=${CENSOR}`;
      const inner = decode(pair.slice(eq + 1));
      if (depth < 2 && /^(\/|https?:\/\/)/i.test(inner)) {
        const cleaned = redactUrl(inner, depth + 1);
        if (cleaned !== inner) return `${name}=${encodeURIComponent(cleaned)}`;
      }
      return pair;
    })
    .join('&');
  return `${path}?${query}`;
}

/** `url` fields (fastify's request line among them) keep their shape without their secrets; the rest is censored. */
function censor(value: unknown, path: string[]): unknown {
  const isUrl = typeof value === 'string' || value instanceof URL;
  return path[path.length - 1] === 'url' && isUrl ? redactUrl(String(value)) : CENSOR;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: [...REDACT_PATHS, 'url', '*.url'], censor },
      base: { service: 'ticket-bridge' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
