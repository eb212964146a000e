/**
 * Slack user profiles (users.info with include_locale) as the core's ChatProfile, cached for a few minutes: a
 * thread conversation would otherwise ask Slack about the same person for every reply.
 */
import { toLocale } from '../../core/locale.ts';
import type { ChatProfile, DeskPort, DeskUser } from '../../core/ports/desk-port.ts';
import type { SlackApi } from './slack-api.ts';
import { PLATFORM } from './slack-ids.ts';

const TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 2000;

export class SlackProfiles {
  private readonly cache = new Map<string, { profile: ChatProfile; expires: number }>();

  constructor(
    private readonly api: Pick<SlackApi, 'userInfo'>,
    private readonly now: () => number = Date.now,
  ) {}

  async get(team: string, user: string): Promise<ChatProfile> {
    const key = `${team}:${user}`;
    const hit = this.cache.get(key);
    if (hit && hit.expires > this.now()) return hit.profile;
    const info = await this.api.userInfo(user);
    const profile: ChatProfile = {
      platform: PLATFORM,
      workspaceId: team,
      platformUserId: user,
      displayName: info.displayName,
      email: info.email,
      locale: toLocale(info.locale),
    };
    if (this.cache.size >= MAX_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { profile, expires: this.now() + TTL_MS });
    return profile;
  }
}

/**
 * The help-center user behind a Slack account. Slack vouches for a workspace profile's email, so an account with
 * one is linked by it (the core creates the user when the email is new); without one, only an earlier link counts.
 */
export async function deskUserOf(
  desk: Pick<DeskPort, 'linkByEmail' | 'findLinkedUser'>,
  profile: ChatProfile,
): Promise<DeskUser | null> {
  if (profile.email) return desk.linkByEmail({ ...profile, email: profile.email });
  return desk.findLinkedUser(profile);
}
