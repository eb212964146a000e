/**
 * The request message an /assist form posts when it is submitted: its thread becomes the ticket's. It goes into the
 * conversation where /assist ran, or into the person's direct chat with the app when the bot cannot post there
 * (/assist works everywhere, the bot is not everywhere). It is posted once per draft even when the worker runs the
 * submission again: the message carries the draft's id in its metadata, and a retry finds it instead of posting.
 */
import type { Locale } from '../../core/locale.ts';
import { t } from '../../i18n/catalog.ts';
import { orWhenPermanent, type Content, type SlackApi } from './slack-api.ts';
import { REQUEST_EVENT_TYPE } from './slack-ids.ts';
import { MAX_BLOCKS, quoted, section } from './slack-render.ts';
import { escapeMrkdwn } from './slack-text.ts';

/** How far before the submission's arrival a retry looks for the request (clocks of Slack and ours may differ). */
const LOOK_BACK_S = 60;
const LOOK_LIMIT = 200;

export interface AssistRequest {
  draftId: string;
  /** Where /assist ran, and who ran it. */
  channel: string;
  user: string;
  subject: string;
  description: string;
  locale: Locale;
  /** When the submission was recorded; the request is posted after it. */
  submittedAt: Date;
}

function content(r: AssistRequest): Content {
  const header = t(r.locale, 'slack:assist.request', { user: `<@${r.user}>`, subject: escapeMrkdwn(r.subject) });
  // The mention is ours (the person who asked is named); the subject is theirs, escaped.
  return { text: header, blocks: [section(header), ...quoted(r.description)].slice(0, MAX_BLOCKS) };
}

export async function postAssistRequest(api: SlackApi, r: AssistRequest): Promise<{ channel: string; ts: string }> {
  const oldest = `${Math.floor(r.submittedAt.getTime() / 1000) - LOOK_BACK_S}.000000`;
  const find = async (channel: string) => {
    const recent = await api.messages(channel, { oldest, limit: LOOK_LIMIT, metadata: true });
    const m = recent.find((x) => x.metadata?.eventType === REQUEST_EVENT_TYPE && x.metadata.payload['draft'] === r.draftId);
    return m ? { channel, ts: m.ts } : null;
  };
  const post = (channel: string) => api.postMessage({ channel, ...content(r), metadata: { event_type: REQUEST_EVENT_TYPE, event_payload: { draft: r.draftId } } });

  // A conversation the bot cannot read (undefined) is one it cannot post into either: then the request lives in the
  // direct chat. A busy or failing Slack is retried by the worker; only a conversation the bot may not post into is
  // avoided.
  const found = await orWhenPermanent(find(r.channel), undefined);
  const here = found === null ? await orWhenPermanent(post(r.channel), undefined) : found;
  if (here) return here;
  const direct = await api.openDirect(r.user);
  return (await find(direct)) ?? (await post(r.user));
}
