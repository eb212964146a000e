/**
 * What Slack wants answered inside its 3 seconds: the /assist command and the buttons open modals (a trigger_id
 * lives 3 s), and a submitted modal is checked (errors shown in the form) and recorded before it may close. What
 * the submission means is decided later, in the worker (slack-parse.ts and the chat service).
 */
import type { Logger } from 'pino';
import type { ChatService } from '../../core/chat/chat-service.ts';
import { hasErrors } from '../../core/chat/request-draft.ts';
import { t } from '../../i18n/catalog.ts';
import type { WebhookDecision, WebhookReply } from '../shared/webhook-route.ts';
import type { SlackApi } from './slack-api.ts';
import { ACTION, BLOCK, CALLBACK, slackPlace } from './slack-ids.ts';
import type { SlackPeople } from './slack-profile.ts';
import { renderMessage } from './slack-render.ts';
import type { blockActionsSchema, slashCommandSchema, ViewSubmission } from './slack-schemas.ts';
import { slackToPlain } from './slack-text.ts';
import { formErrors, rateView, readRequestFields, reopenView, requestFormView, shownIn, submittedAction } from './slack-views.ts';
import type { z } from 'zod';

export const ASSIST_COMMAND = '/assist';
/** How long a submit waits for the inbox before the form asks to try again (Slack allows 3 s in all). */
const RECORD_WITHIN_MS = 2000;

type Command = z.output<typeof slashCommandSchema>;
type Action = z.output<typeof blockActionsSchema>;

const EMPTY: WebhookDecision = { kind: 'answer', reply: {} };
/** A modal kept open, with errors shown under its blocks (by block id). */
const formErrorsReply = (errors: Record<string, string>): WebhookReply => ({ json: { response_action: 'errors', errors } });

export function createSlackInteractions(deps: { api: SlackApi; people: SlackPeople; chat: ChatService; logger: Logger }) {
  const { api, people, chat, logger } = deps;
  const fail = (what: string) => (e: unknown) => logger.warn({ err: e instanceof Error ? e.message : String(e) }, `slack: could not ${what}`);

  async function onCommand(c: Command): Promise<WebhookDecision> {
    if (c.command !== ASSIST_COMMAND) return EMPTY;
    const person = people.person(c.team, c.user);
    const lang = await people.locale(c.team, c.user);
    try {
      const draft = await chat.drafts.open(slackPlace(c.team, c.channel, null), person, slackToPlain(c.text));
      const form = await chat.drafts.form(draft.id, person);
      if (!form) throw new Error('the draft just opened is gone');
      await api.openView(c.triggerId, requestFormView(form, lang));
      return EMPTY;
    } catch (e) {
      fail('open the request form')(e);
      return { kind: 'answer', reply: { json: { response_type: 'ephemeral', text: t(lang, 'common:error.generic') } } };
    }
  }

  async function onAction(a: Action): Promise<WebhookDecision> {
    const lang = () => people.locale(a.team, a.user);
    if (a.actionId === ACTION.openForm) {
      const person = people.person(a.team, a.user);
      const form = await chat.drafts.form(a.value, person).catch((e: unknown) => void fail('read a draft')(e));
      if (form) await api.openView(a.triggerId, requestFormView(form, await lang())).catch(fail('open the request form'));
      else if (a.channel) {
        const said = renderMessage({ kind: 'notice', key: 'common:error.draft_expired' }, await lang())!;
        await api.postEphemeral({ channel: a.channel, user: a.user, threadTs: a.threadTs, ...said }).catch(fail('say the form expired'));
      }
      return EMPTY;
    }
    const number = Number(a.value);
    if ((a.actionId === ACTION.rate || a.actionId === ACTION.reopen) && Number.isInteger(number) && number > 0 && a.channel) {
      const l = await lang();
      const meta = { n: number, c: a.channel, th: a.threadTs, m: a.messageTs, l };
      await api.openView(a.triggerId, a.actionId === ACTION.rate ? rateView(l, meta) : reopenView(l, meta)).catch(fail('open a modal'));
    }
    return EMPTY;
  }

  /** Checked here, recorded, then closed: a record that fails shows the generic error, and the person submits again. */
  async function onSubmission(v: ViewSubmission, body: unknown): Promise<WebhookDecision> {
    const lang = shownIn(v.metadata);
    let block: string;
    if (v.callbackId === CALLBACK.requestForm) {
      const errors = await chat.checkRequest(readRequestFields(v));
      if (hasErrors(errors)) return { kind: 'answer', reply: formErrorsReply(formErrors(errors, lang)) };
      block = BLOCK.subject;
    } else if (v.callbackId === CALLBACK.rate || v.callbackId === CALLBACK.reopen) {
      const rate = v.callbackId === CALLBACK.rate;
      block = rate ? BLOCK.score : BLOCK.reason;
      const missing = t(lang, rate ? 'common:error.invalid_score' : 'common:error.reason_required');
      if (!submittedAction(v)) return { kind: 'answer', reply: formErrorsReply({ [block]: missing }) };
    } else return EMPTY;
    return {
      kind: 'record',
      // Slack sends a submission again when our answer was late: its view id recognises it.
      event: { externalId: `view:${v.team}:${v.viewId}`, payload: body },
      ifNotRecorded: formErrorsReply({ [block]: t(lang, 'common:error.generic') }),
      recordWithinMs: RECORD_WITHIN_MS,
    };
  }

  return { onCommand, onAction, onSubmission };
}

export type SlackInteractions = ReturnType<typeof createSlackInteractions>;
