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

const schema = z
  .object({
    DATABASE_URL: optionalSecret.refine(
      (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
      'must be a postgres:// or postgresql:// connection string',
    ),
    DATA_DIR: z.string().trim().min(1).default('./.data'),
    HOST: z.string().trim().min(1).default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: optionalSecret.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), 'must be an http(s) URL'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ADMIN_TOKEN: optionalSecret.refine((v) => v === undefined || v.length >= 16, 'must be at least 16 characters'),
    SOLVED_AUTO_CLOSE_DAYS: z.coerce.number().min(0).max(365).default(4),
    LINK_CODE_TTL_MINUTES: z.coerce.number().int().min(1).max(60 * 24 * 30).default(60 * 24),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(8),
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
  })
  .superRefine((v, ctx) => {
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
  });

export type RawEnv = z.infer<typeof schema>;

export interface Config extends Omit<RawEnv, 'PUBLIC_URL' | 'TELEGRAM_MODE'> {
  PUBLIC_URL: string;
  TELEGRAM_MODE: 'webhook' | 'polling';
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const shown = env[variable];
    const hint = shown !== undefined && !/TOKEN|SECRET|KEY|PASSWORD|DATABASE_URL/.test(variable) ? ` (got "${shown}")` : '';
    throw new ConfigError(variable, `${issue.message}${hint}`);
  }
  const v = parsed.data;
  return Object.freeze({
    ...v,
    PUBLIC_URL: (v.PUBLIC_URL ?? `http://localhost:${v.PORT}`).replace(/\/+$/, ''),
    TELEGRAM_MODE: v.TELEGRAM_MODE ?? (v.TELEGRAM_WEBHOOK_SECRET ? 'webhook' : 'polling'),
  });
}
