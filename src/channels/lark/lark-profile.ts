/**
 * Who a Lark user is (name, email, locale), from the contact API, cached for a few minutes. A lookup that fails
 * (no contact scope, user outside the app's range) degrades to an anonymous profile instead of failing the event.
 */
import type { Logger } from 'pino';
import { toLocale, type Locale } from '../../core/locale.ts';
import type { ChatProfile } from '../../core/ports/desk-port.ts';
import type { LarkApi, LarkProfileData } from './lark-api.ts';

export const PLATFORM = 'lark';

const TTL_MS = 10 * 60 * 1000;

export class LarkProfiles {
  private readonly cache = new Map<string, { data: LarkProfileData; expiresAt: number }>();

  constructor(
    private readonly api: Pick<LarkApi, 'getUser'>,
    private readonly logger: Logger,
  ) {}

  async lookup(openId: string): Promise<LarkProfileData> {
    const hit = this.cache.get(openId);
    if (hit && hit.expiresAt > Date.now()) return hit.data;
    try {
      const data = await this.api.getUser(openId);
      this.cache.set(openId, { data, expiresAt: Date.now() + TTL_MS });
      return data;
    } catch (e) {
      this.logger.debug({ err: e instanceof Error ? e.message : String(e) }, 'lark contact lookup failed');
      return { name: null, email: null, locale: null };
    }
  }

  /** Locale: the contact profile's, else the one the event carried, else English. */
  async profile(workspaceId: string, openId: string, eventLocale?: string | null): Promise<ChatProfile> {
    const p = await this.lookup(openId);
    const locale: Locale = p.locale ? toLocale(p.locale) : toLocale(eventLocale ?? null);
    return {
      platform: PLATFORM,
      workspaceId,
      platformUserId: openId,
      displayName: p.name ?? openId,
      email: p.email,
      locale,
    };
  }
}
