/**
 * Which channels run: each one whose credentials are in the config. The others stay off, with one log line each.
 * A channel's module (and its platform SDK, tens of megabytes for some) is loaded only when the channel is on.
 */
import type { Config } from '../config/env.ts';
import type { ChannelDeps, ChannelModule } from './channel-module.ts';

export async function enabledChannels(config: Readonly<Config>, deps: ChannelDeps): Promise<ChannelModule[]> {
  const out: ChannelModule[] = [];
  if (config.SLACK_BOT_TOKEN && config.SLACK_SIGNING_SECRET) {
    const { createSlackChannel } = await import('./slack/slack-channel.ts');
    out.push(
      createSlackChannel(
        { botToken: config.SLACK_BOT_TOKEN, signingSecret: config.SLACK_SIGNING_SECRET, apiUrl: config.SLACK_API_URL, ticketEmoji: config.SLACK_TICKET_EMOJI },
        deps,
      ),
    );
  } else deps.logger.info('Slack is off: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set');
  if (config.LARK_APP_ID && config.LARK_APP_SECRET) {
    const { createLarkChannel } = await import('./lark/lark-channel.ts');
    out.push(
      createLarkChannel(
        { appId: config.LARK_APP_ID, appSecret: config.LARK_APP_SECRET, domain: config.LARK_DOMAIN, verificationToken: config.LARK_VERIFICATION_TOKEN, encryptKey: config.LARK_ENCRYPT_KEY },
        deps,
      ),
    );
  } else deps.logger.info('Lark is off: LARK_APP_ID and LARK_APP_SECRET are not set');
  if (config.TELEGRAM_BOT_TOKEN) {
    const { createTelegramChannel } = await import('./telegram/telegram-module.ts');
    out.push(
      createTelegramChannel(
        { botToken: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT, mode: config.TELEGRAM_MODE, webhookSecret: config.TELEGRAM_WEBHOOK_SECRET },
        deps,
      ),
    );
  } else deps.logger.info('Telegram is off: TELEGRAM_BOT_TOKEN is not set');
  if (config.SMTP_URL && deps.mail) {
    const { createEmailChannel, DEFAULT_MAX_MESSAGE_BYTES } = await import('./email/email-channel.ts');
    out.push(
      createEmailChannel(
        { mail: deps.mail, from: config.EMAIL_FROM, host: config.HOST, inboundPort: config.SMTP_INBOUND_PORT, maxBytes: DEFAULT_MAX_MESSAGE_BYTES },
        deps,
      ),
    );
    if (config.SMTP_INBOUND_PORT === undefined) deps.logger.info('Inbound email is off: SMTP_INBOUND_PORT is not set (notifications are sent, replies by mail are not received)');
  } else deps.logger.info('Email notifications are off: SMTP_URL is not set');
  return out;
}
