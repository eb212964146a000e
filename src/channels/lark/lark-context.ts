/**
 * What the inbound flows share: the API, the core's ports, profiles, and a few helpers for talking back to the
 * person who acted (errors go only to them).
 */
import type { Logger } from 'pino';
import { DomainError, isDomainError } from '../../core/errors.ts';
import type { Locale } from '../../core/locale.ts';
import type { DeskPort } from '../../core/ports/desk-port.ts';
import { allCatalogs, t } from '../../i18n/catalog.ts';
import type { LarkApi } from './lark-api.ts';
import { textBlock } from './lark-cards.ts';
import { PLATFORM, type LarkProfiles } from './lark-profile.ts';
import { neutralizeText } from './lark-render.ts';

export interface LarkContext {
  api: LarkApi;
  desk: DeskPort;
  logger: Logger;
  profiles: LarkProfiles;
  /** Open API base without a trailing slash. */
  domain: string;
  /** The bot's open_id; throws (so the event is retried) while it cannot be learned. */
  botOpenId(): Promise<string>;
}

/** Source keys and external refs carry platform and tenant: `lark:<tenant>:<message_id>`. */
export const larkRef = (tenantKey: string, messageId: string) => `${PLATFORM}:${tenantKey}:${messageId}`;

/**
 * The person-facing text of a core refusal: `common:error.<code>`, else the generic one. `params` fills the
 * sentence's placeholders (e.g. `min` of description_too_short, which the core states as minDescriptionLength).
 */
export function errorText(locale: Locale, e: unknown, params?: Record<string, string | number>): string {
  const code = isDomainError(e) ? e.code : null;
  const known = code !== null && allCatalogs()['common']?.en[`error.${code}`] !== undefined;
  return t(locale, known ? `error.${code}` : 'error.generic', params);
}

/**
 * Tells one person something: as an ephemeral card in the chat where they acted (groups only), else as a direct
 * message. Best effort: a failure is logged, never thrown, because the action itself already happened or failed.
 */
export async function tellUser(ctx: LarkContext, where: { chatId: string | null; openId: string }, text: string): Promise<void> {
  if (where.chatId) {
    try {
      await ctx.api.sendEphemeral(where.chatId, where.openId, {
        config: { wide_screen_mode: true },
        elements: [textBlock(text)],
      });
      return;
    } catch {
      // not a group (ephemeral cards are group-only) or not allowed: fall back to a direct message
    }
  }
  try {
    await ctx.api.send('open_id', where.openId, { msgType: 'text', text: neutralizeText(text) });
  } catch (e) {
    ctx.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'lark: could not tell the user');
  }
}

/**
 * Our user for a Lark account: the linked one, else the one with the email the workspace profile vouches for
 * (DeskPort.linkByEmail exists for exactly this). Throws not_registered when neither is known.
 */
export async function resolveUserId(ctx: LarkContext, tenantKey: string, openId: string): Promise<string> {
  const ref = { platform: PLATFORM, workspaceId: tenantKey, platformUserId: openId };
  const linked = await ctx.desk.findLinkedUser(ref);
  if (linked) return linked.id;
  const profile = await ctx.profiles.profile(tenantKey, openId);
  if (profile.email) return (await ctx.desk.linkByEmail({ ...profile, email: profile.email })).id;
  throw new DomainError('not_registered', 'the Lark account is not linked and has no email');
}
