/**
 * Every environment variable, parsed once at start with zod. A bad value stops start-up with one line that names
 * the variable (see main.ts). The result is frozen and passed down; nothing else reads process.env.
 */
import { z } from 'zod';

const optionalSecret = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (def: string) =>
  z
    .string()
    .trim()
    .default(def)
    .refine((v) => /^https?:\/\/[^\s]+$/.test(v), 'must be an http(s) URL');

const EMAIL_ADDRESS = /^[^\s@<>()",;]+@[^\s@<>()",;]+$/;

function isSmtpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** A domain mail can be addressed to: dotted labels, not an IP address or a bare host such as localhost. */
function isMailDomain(d: string): boolean {
  return /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i.test(d);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * fastify's `trustProxy`: whether X-Forwarded-For is believed, and from whom. Behind a proxy the client's address
 * (which the sign-in throttle keys on) is only in that header; believed from anyone else, it is a mask anyone wears.
 */
export function parseTrustProxy(raw: string | undefined): boolean | number | string[] | null {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d{1,2}$/.test(raw)) return Number(raw);
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const ok = list.every((entry) => {
    const [addr, bits, extra] = entry.split('/');
    if (extra !== undefined || !addr) return false;
    const v4 = IPV4.test(addr);
    const v6 = !v4 && /^[0-9a-f:.]+$/i.test(addr) && addr.includes(':');
    if (!v4 && !v6) return false;
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (v4 ? 32 : 128));
  });
  return ok && list.length ? list : null;
}

const schema = z
  .object({
    DATABASE_URL: optionalSecret.refine(
      (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
      'must be a postgres:// or postgresql:// connection string',
    ),
    DATABASE_PREPARED_STATEMENTS: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    DATA_DIR: z.string().trim().min(1).default('./.data'),
    HOST: z.string().trim().min(1).default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: optionalSecret.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), 'must be an http(s) URL'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ADMIN_TOKEN: optionalSecret.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters'),
    METRICS_TOKEN: optionalSecret
      .refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters')
      .refine((v) => v === undefined || !/\s/.test(v), 'must not contain spaces (it is sent as a bearer token)'),
    METRICS_PORT: optionalSecret.pipe(z.coerce.number<string | undefined>().int().min(0).max(65535).optional()),
    SOLVED_AUTO_CLOSE_DAYS: z.coerce.number().min(0).max(365).default(4),
    LINK_CODE_TTL_MINUTES: z.coerce.number().int().min(1).max(60 * 24 * 30).default(60 * 24),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    SLA_WARNING_MINUTES: z.coerce.number().int().min(0).max(24 * 60).default(30),
    SLACK_BOT_TOKEN: optionalSecret,
    SLACK_SIGNING_SECRET: optionalSecret,
    SLACK_API_URL: url('https://slack.com/api/'),
    SLACK_TICKET_EMOJI: z.string().trim().min(1).regex(/^[a-z0-9_+'-]+$/, 'must be an emoji short name').default('ticket'),
    LARK_APP_ID: optionalSecret,
    LARK_APP_SECRET: optionalSecret,
    LARK_VERIFICATION_TOKEN: optionalSecret,
    LARK_ENCRYPT_KEY: optionalSecret,
    LARK_DOMAIN: url('https://open.larksuite.com').transform((v) => v.replace(/\/+$/, '')),
    TELEGRAM_BOT_TOKEN: optionalSecret.refine(
      (v) => v === undefined || /^\d+:[A-Za-z0-9_-]+$/.test(v),
      'must look like 123456:ABC-DEF (from BotFather)',
    ),
    TELEGRAM_WEBHOOK_SECRET: optionalSecret.refine(
      (v) => v === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(v),
      'must be 1-256 characters of A-Z, a-z, 0-9, _ and -',
    ),
    TELEGRAM_MODE: z.enum(['webhook', 'polling']).optional(),
    TELEGRAM_API_ROOT: url('https://api.telegram.org'),
    SMTP_URL: optionalSecret.refine((v) => v === undefined || isSmtpUrl(v), 'must be smtp://[user:pass@]host:port or smtps://[user:pass@]host:port'),
    EMAIL_FROM: optionalSecret.refine((v) => v === undefined || EMAIL_ADDRESS.test(v), 'must be an email address, e.g. support@help.example.com'),
    SMTP_INBOUND_PORT: optionalSecret.pipe(z.coerce.number<string | undefined>().int().min(0).max(65535).optional()),
    /** Largest file kept from a chat message, an email or an upload (at most 2 GiB - 1: sizes are 32-bit). */
    ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1).max(2 ** 31 - 1).default(20 * 1024 * 1024),
    /** Where attachments' bytes live: PostgreSQL (default), a directory under DATA_DIR, or an S3-compatible bucket. */
    ATTACHMENT_STORE: z.enum(['postgres', 'disk', 's3']).default('postgres'),
    S3_BUCKET: optionalSecret,
    S3_ENDPOINT: optionalSecret.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), 'must be an http(s) URL'),
    S3_REGION: optionalSecret,
    S3_PREFIX: z.string().trim().default('attachments/'),
    S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    TRUST_PROXY: optionalSecret.transform((v, ctx) => {
      const parsed = parseTrustProxy(v);
      if (parsed === null) {
        ctx.addIssue({ code: 'custom', message: 'must be true, false, a hop count, or a comma-separated list of IP addresses or CIDR ranges' });
        return z.NEVER;
      }
      return parsed;
    }),
  })
  .superRefine((v, ctx) => {
    if (v.ATTACHMENT_STORE === 's3' && !v.S3_BUCKET) ctx.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'is required when ATTACHMENT_STORE=s3' });
    if (v.METRICS_PORT !== undefined && v.METRICS_PORT !== 0 && v.METRICS_PORT === v.PORT)
      ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: 'must differ from PORT (the metrics listener is a second one)' });
    if (v.SMTP_INBOUND_PORT !== undefined && !v.SMTP_URL)
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when SMTP_INBOUND_PORT is set (answers to received mail go out by email)' });
    if (v.SMTP_INBOUND_PORT !== undefined && v.SMTP_INBOUND_PORT !== 0 && (v.SMTP_INBOUND_PORT === v.PORT || v.SMTP_INBOUND_PORT === v.METRICS_PORT))
      ctx.addIssue({ code: 'custom', path: ['SMTP_INBOUND_PORT'], message: 'must differ from PORT and METRICS_PORT' });
    if (v.TELEGRAM_MODE === 'webhook' && !v.TELEGRAM_WEBHOOK_SECRET)
      ctx.addIssue({ code: 'custom', path: ['TELEGRAM_WEBHOOK_SECRET'], message: 'is required when TELEGRAM_MODE=webhook' });
    if (Boolean(v.SLACK_BOT_TOKEN) !== Boolean(v.SLACK_SIGNING_SECRET))
      ctx.addIssue({
        code: 'custom',
        path: [v.SLACK_BOT_TOKEN ? 'SLACK_SIGNING_SECRET' : 'SLACK_BOT_TOKEN'],
        message: 'is required when the other Slack credential is set',
      });
    if (Boolean(v.LARK_APP_ID) !== Boolean(v.LARK_APP_SECRET))
      ctx.addIssue({
        code: 'custom',
        path: [v.LARK_APP_ID ? 'LARK_APP_SECRET' : 'LARK_APP_ID'],
        message: 'is required when the other Lark credential is set',
      });
    // Without either secret nothing can tell a forged event or card action from Lark's: refuse rather than run open.
    if (v.LARK_APP_ID && v.LARK_APP_SECRET && !v.LARK_VERIFICATION_TOKEN && !v.LARK_ENCRYPT_KEY)
      ctx.addIssue({
        code: 'custom',
        path: ['LARK_VERIFICATION_TOKEN'],
        message: 'or LARK_ENCRYPT_KEY is required when Lark is on (without one, forged Lark requests cannot be refused)',
      });
  });

export type RawEnv = z.infer<typeof schema>;

export interface Config extends Omit<RawEnv, 'PUBLIC_URL' | 'TELEGRAM_MODE' | 'EMAIL_FROM'> {
  PUBLIC_URL: string;
  TELEGRAM_MODE: 'webhook' | 'polling';
  /** support@<host of PUBLIC_URL> unless set. */
  EMAIL_FROM: string;
}

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable} ${message}`);
    this.variable = variable;
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const shown = env[variable];
    const hint = shown !== undefined && !/TOKEN|SECRET|KEY|PASSWORD|DATABASE_URL|SMTP_URL/.test(variable) ? ` (got "${shown}")` : '';
    throw new ConfigError(variable, `${issue.message}${hint}`);
  }
  const v = parsed.data;
  const publicUrl = (v.PUBLIC_URL ?? `http://localhost:${v.PORT}`).replace(/\/+$/, '');
  const emailFrom = v.EMAIL_FROM ?? `support@${new URL(publicUrl).hostname}`;
  // The listener accepts mail for this domain only: it must be a mail domain (a name with a dot), not a bare host.
  if (v.SMTP_INBOUND_PORT !== undefined && !isMailDomain(emailFrom.slice(emailFrom.lastIndexOf('@') + 1)))
    throw new ConfigError('EMAIL_FROM', `must name the domain that receives mail when SMTP_INBOUND_PORT is set (got "${emailFrom}"; set EMAIL_FROM, e.g. support@help.example.com)`);
  return Object.freeze({
    ...v,
    PUBLIC_URL: publicUrl,
    EMAIL_FROM: emailFrom,
    TELEGRAM_MODE: v.TELEGRAM_MODE ?? (v.TELEGRAM_WEBHOOK_SECRET ? 'webhook' : 'polling'),
  });
}
