/** What the listener flows share: their dependencies, how they tell a person something, and the durable error policy. */
import type { Logger } from 'pino';
import { isDomainError, type DomainError } from '../../core/errors.ts';
import type { Locale } from '../../core/locale.ts';
import type { DeskPort, InboxPort } from '../../core/ports/desk-port.ts';
import { allCatalogs, t } from '../../i18n/catalog.ts';
import type { SlackApi } from './slack-api.ts';
import { slackErrorCode, toChannelSendError } from './slack-errors.ts';
import { PLATFORM } from './slack-ids.ts';
import type { SlackProfiles } from './slack-profile.ts';
import { loggable, type Phase } from './slack-receiver.ts';
import { fallbackText, section, type RenderedMessage } from './slack-render.ts';
import type { ViewSubmission } from './slack-schemas.ts';
import { escapeMrkdwn, mentionedUsers } from './slack-text.ts';

export interface SlackIdentity {
  botUserId: string;
  botId: string;
  teamId: string;
}

export interface FlowDeps {
  api: SlackApi;
  desk: DeskPort;
  inbox: InboxPort;
  logger: Logger;
  profiles: SlackProfiles;
  ticketEmoji: string;
  identity(): Promise<SlackIdentity>;
}

/** How long a form submit may wait for the inbox before the person is asked to try again (Slack allows 3 s). */
const RECORD_DEADLINE_MS = 2000;

export function phaseOf(context: Record<string, unknown>): Phase {
  return context['phase'] === 'durable' ? 'durable' : 'request';
}

/**
 * The catalog text of a core refusal: `common:error.<code>`, else the generic sentence. The core's own numbers fill
 * the sentence (e.g. the minimum description length), so the person reads the rule that refused them.
 */
export function domainErrorText(desk: Pick<DeskPort, 'minDescriptionLength'>, locale: Locale, e: DomainError): string {
  const key = `error.${e.code}`;
  if (!(key in (allCatalogs()['common']?.en ?? {}))) return t(locale, 'common:error.generic');
  return t(locale, `common:${key}`, { min: desk.minDescriptionLength });
}

export function sentence(text: string): RenderedMessage {
  return { text: fallbackText(text), blocks: [section(escapeMrkdwn(text))] };
}

/**
 * Shows a message to one person: ephemeral where they are, else in their direct chat with the app (an ephemeral
 * fails where the bot is not a member). Failures are logged, never thrown: this is the last word of a flow.
 */
export async function tellUser(
  deps: FlowDeps,
  to: { user: string; channel: string | null; threadTs: string | null },
  message: RenderedMessage,
): Promise<void> {
  if (to.channel) {
    try {
      await deps.api.postEphemeral({ channel: to.channel, user: to.user, threadTs: to.threadTs, ...message });
      return;
    } catch (e) {
      deps.logger.info({ err: loggable(e) }, 'slack: ephemeral failed, trying the direct chat');
    }
  }
  try {
    await deps.api.postMessage({ channel: to.user, ...message });
  } catch (e) {
    deps.logger.warn({ err: loggable(e) }, 'slack: could not reach the user');
  }
}

/**
 * The durable policy: a core refusal is told to the person and the event is done; a Slack answer that no retry can
 * change is logged and the event is done; anything else rejects so the inbox worker tries again.
 */
export async function runDurably(
  deps: FlowDeps,
  label: string,
  run: () => Promise<void>,
  onRefusal: (e: DomainError) => Promise<void>,
): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (isDomainError(e)) {
      deps.logger.info({ code: e.code, flow: label }, 'slack: the core refused');
      await onRefusal(e);
      return;
    }
    if (slackErrorCode(e) !== null && toChannelSendError(e).kind === 'permanent') {
      deps.logger.warn({ err: loggable(e), flow: label }, 'slack: gave up on a permanent Slack error');
      return;
    }
    throw e;
  }
}

/**
 * Makes a submitted form durable before its ack. When the inbox does not answer in time the form shows a generic
 * error on `errorBlock`: the person can submit again, and the inbox's dedupe on the view id keeps it single.
 */
export async function recordThenAck(
  deps: FlowDeps,
  body: ViewSubmission,
  team: string,
  ack: (response?: { response_action: 'errors'; errors: Record<string, string> }) => Promise<void>,
  locale: Locale,
  errorBlock: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('inbox did not answer in time')), RECORD_DEADLINE_MS);
    });
    await Promise.race([
      deps.inbox.record({ platform: PLATFORM, externalId: `view:${team}:${body.view.id}`, payload: body }),
      deadline,
    ]);
  } catch (e) {
    deps.logger.error({ err: loggable(e) }, 'slack: could not record a form submission');
    await ack({ response_action: 'errors', errors: { [errorBlock]: t(locale, 'common:error.generic') } });
    return;
  } finally {
    clearTimeout(timer);
  }
  await ack();
}

/** Display names of the users a text mentions, for turning <@U…> into @name; unknown ids stay as they are. */
export async function mentionNames(deps: FlowDeps, team: string, text: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of mentionedUsers(text).slice(0, 10)) {
    try {
      names.set(id, (await deps.profiles.get(team, id)).displayName);
    } catch {
      // a mention of someone we cannot look up keeps its id
    }
  }
  return names;
}

/** The locale and email of a person, for a form that must open within 3 s even when Slack cannot tell us. */
export async function whoIs(deps: FlowDeps, team: string, user: string): Promise<{ locale: Locale; email: string | null }> {
  try {
    const profile = await deps.profiles.get(team, user);
    return { locale: profile.locale, email: profile.email };
  } catch (e) {
    deps.logger.warn({ err: loggable(e) }, 'slack: no profile; using defaults');
    return { locale: 'en', email: null };
  }
}

/** Services for the form's select; the form still opens without them. */
export async function servicesForForm(deps: FlowDeps): Promise<{ id: string; name: string }[]> {
  try {
    return await deps.desk.listServices();
  } catch (e) {
    deps.logger.warn({ err: loggable(e) }, 'slack: could not list services for the form');
    return [];
  }
}
