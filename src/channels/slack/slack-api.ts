/**
 * The Slack Web API calls this channel makes, with every answer parsed by zod. One WebClient, no automatic retries
 * and no sleeping on 429: the sync engine and the inbox worker own retry policy.
 */
import { webApi } from '@slack/bolt';
import { z } from 'zod';
import { slackMessageSchema, type SlackMessage } from './slack-schemas.ts';

export type Block = Record<string, unknown>;
export type View = Record<string, unknown>;

export interface SlackUserInfo {
  id: string;
  teamId: string | null;
  displayName: string;
  email: string | null;
  locale: string | null;
  isBot: boolean;
}

const authTestSchema = z.looseObject({
  user_id: z.string().min(1),
  bot_id: z.string().min(1),
  team_id: z.string().min(1),
});
const postedSchema = z.looseObject({ channel: z.string().min(1), ts: z.string().min(1) });
const ephemeralSchema = z.looseObject({ message_ts: z.string().nullish() });
const permalinkSchema = z.looseObject({ permalink: z.string().min(1) });
const openedSchema = z.looseObject({ channel: z.looseObject({ id: z.string().min(1) }) });
const messagesSchema = z.looseObject({ messages: z.array(slackMessageSchema).default([]) });
const userInfoSchema = z.looseObject({
  user: z.looseObject({
    id: z.string(),
    team_id: z.string().nullish(),
    name: z.string().nullish(),
    real_name: z.string().nullish(),
    is_bot: z.boolean().nullish(),
    locale: z.string().nullish(),
    profile: z
      .looseObject({
        email: z.string().nullish(),
        display_name: z.string().nullish(),
        real_name: z.string().nullish(),
      })
      .nullish(),
  }),
});

export interface SlackApiOptions {
  botToken: string;
  apiUrl: string;
  logger?: webApi.Logger;
  /** Per-call timeout; Slack answers in well under a second, a hung call must not hold a worker. */
  timeoutMs?: number;
}

export class SlackApi {
  readonly client: webApi.WebClient;

  constructor(opts: SlackApiOptions) {
    this.client = new webApi.WebClient(opts.botToken, {
      slackApiUrl: opts.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: opts.timeoutMs ?? 10_000,
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  }

  private async call(method: string, args: Record<string, unknown>): Promise<unknown> {
    // apiCall leaves out undefined fields and JSON-encodes blocks/view/metadata into form fields, as Slack expects.
    return this.client.apiCall(method, args);
  }

  async authTest(): Promise<{ botUserId: string; botId: string; teamId: string }> {
    const r = authTestSchema.parse(await this.call('auth.test', {}));
    return { botUserId: r.user_id, botId: r.bot_id, teamId: r.team_id };
  }

  async postMessage(args: {
    channel: string;
    text: string;
    blocks?: Block[];
    threadTs?: string | null;
    metadata?: { event_type: string; event_payload: Record<string, unknown> };
  }): Promise<{ channel: string; ts: string }> {
    const r = postedSchema.parse(
      await this.call('chat.postMessage', {
        channel: args.channel,
        text: args.text,
        blocks: args.blocks,
        thread_ts: args.threadTs ?? undefined,
        metadata: args.metadata,
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    return { channel: r.channel, ts: r.ts };
  }

  async postEphemeral(args: {
    channel: string;
    user: string;
    text: string;
    blocks?: Block[];
    threadTs?: string | null;
  }): Promise<void> {
    ephemeralSchema.parse(
      await this.call('chat.postEphemeral', {
        channel: args.channel,
        user: args.user,
        text: args.text,
        blocks: args.blocks,
        thread_ts: args.threadTs ?? undefined,
      }),
    );
  }

  async update(args: { channel: string; ts: string; text: string; blocks?: Block[] }): Promise<void> {
    postedSchema.parse(await this.call('chat.update', args));
  }

  async delete(args: { channel: string; ts: string }): Promise<void> {
    await this.call('chat.delete', args);
  }

  async permalink(channel: string, ts: string): Promise<string> {
    return permalinkSchema.parse(await this.call('chat.getPermalink', { channel, message_ts: ts })).permalink;
  }

  /** The id (D…) of the app's direct chat with a person; chat.postMessage accepts the user id, histories do not. */
  async openDirect(user: string): Promise<string> {
    return openedSchema.parse(await this.call('conversations.open', { users: user, return_im: true })).channel.id;
  }

  async openView(triggerId: string, view: View): Promise<void> {
    await this.call('views.open', { trigger_id: triggerId, view });
  }

  /** Top-level messages only, newest first. */
  async history(
    channel: string,
    opts: { latest?: string; inclusive?: boolean; limit: number; includeMetadata?: boolean },
  ): Promise<SlackMessage[]> {
    const r = await this.call('conversations.history', {
      channel,
      latest: opts.latest,
      inclusive: opts.inclusive,
      limit: opts.limit,
      include_all_metadata: opts.includeMetadata,
    });
    return messagesSchema.parse(r).messages;
  }

  /** A thread: the parent first, then the replies, oldest first. */
  async replies(
    channel: string,
    ts: string,
    opts: { limit: number; includeMetadata?: boolean },
  ): Promise<SlackMessage[]> {
    const r = await this.call('conversations.replies', {
      channel,
      ts,
      limit: opts.limit,
      include_all_metadata: opts.includeMetadata,
    });
    return messagesSchema.parse(r).messages;
  }

  async userInfo(user: string): Promise<SlackUserInfo> {
    const u = userInfoSchema.parse(await this.call('users.info', { user, include_locale: true })).user;
    const displayName = u.profile?.display_name || u.profile?.real_name || u.real_name || u.name || u.id;
    return {
      id: u.id,
      teamId: u.team_id ?? null,
      displayName,
      email: u.profile?.email ?? null,
      locale: u.locale ?? null,
      isBot: u.is_bot ?? false,
    };
  }
}
