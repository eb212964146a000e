/**
 * Slack people as the core sees them (ChatPerson, with a profile from users.info looked up only when the core asks),
 * cached for a few minutes: a thread conversation would otherwise ask Slack about the same person for every reply.
 * A workspace profile's email is one Slack vouches for (users:read.email), so it is the profile's verified email.
 */
import type { ChatPerson, ChatProfile } from '../../core/chat/chat-events.ts';
import { toLocale, type Locale } from '../../core/locale.ts';
import type { SlackApi } from './slack-api.ts';
import { PLATFORM } from './slack-ids.ts';
import { mentionedUsers } from './slack-text.ts';

const TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 2000;
/** Mentions resolved per message at most; a message naming more keeps the rest as ids. */
const MAX_MENTIONS = 10;

export class SlackPeople {
  private readonly cache = new Map<string, { profile: ChatProfile; expires: number }>();

  private readonly api: Pick<SlackApi, 'userInfo'>;
  constructor(api: Pick<SlackApi, 'userInfo'>) {
    this.api = api;
  }

  async profile(team: string, user: string): Promise<ChatProfile> {
    const key = `${team}:${user}`;
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now()) return hit.profile;
    const info = await this.api.userInfo(user);
    const profile: ChatProfile = {
      platform: PLATFORM,
      workspaceId: team,
      platformUserId: user,
      displayName: info.displayName,
      verifiedEmail: info.email,
      locale: info.locale ? toLocale(info.locale) : null,
    };
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { profile, expires: Date.now() + TTL_MS });
    return profile;
  }

  person(team: string, user: string): ChatPerson {
    return { platform: PLATFORM, workspaceId: team, platformUserId: user, profile: () => this.profile(team, user) };
  }

  /** The person's language for an answer that cannot wait (a modal within Slack's 3 s): English when Slack cannot say. */
  async locale(team: string, user: string): Promise<Locale> {
    return (await this.profile(team, user).catch(() => null))?.locale ?? 'en';
  }

  /** Display names of the users some texts mention, for turning <@U…> into @name; unknown ids stay as they are. */
  async names(team: string, texts: string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const id of mentionedUsers(texts.join('\n')).slice(0, MAX_MENTIONS)) {
      const p = await this.profile(team, id).catch((e: unknown) => {
        // A throttled lookup is retried with the event; someone we cannot look up keeps their id.
        if ((e as { kind?: string }).kind === 'rate_limited') throw e;
        return null;
      });
      if (p) names.set(id, p.displayName);
    }
    return names;
  }
}
