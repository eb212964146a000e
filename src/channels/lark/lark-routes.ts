/**
 * POST /lark/events and POST /lark/cards, on the shared webhook route: every request is authenticated first
 * (lark-verify.ts), then recorded in the inbox before Lark gets its 200. Events of one chat share an ordering key,
 * so the worker processes them one at a time, in order.
 *
 * A card callback must be answered within 3 s, with what the person sees at once: the request form is checked here
 * by the core's own checkDraft (errors go back on the card, nothing is recorded), a Return to work needs a reason;
 * anything accepted is recorded and answered with a toast, and the worker does the rest.
 */
import type { Logger } from 'pino';
import type { ChatPerson } from '../../core/chat/chat-events.ts';
import type { ChatService } from '../../core/chat/chat-service.ts';
import { checkDraft, cleanText, hasErrors } from '../../core/chat/request-draft.ts';
import { toLocale } from '../../core/locale.ts';
import type { InboxPort } from '../../core/ports/inbox-port.ts';
import { t } from '../../i18n/catalog.ts';
import { webhookRoute, type WebhookDecision, type WebhookRequest } from '../shared/webhook-route.ts';
import { cardResponse, requestFormCard, submittedCard, type Card, type Toast } from './lark-cards.ts';
import { formFields, HANDLED_EVENT_TYPES, PLATFORM } from './lark-parse.ts';
import { decodeCardAction, eventChatKey, type LarkCardAction } from './lark-schemas.ts';
import { storableBody, verifyLarkRequest, type LarkSecrets, type VerifiedRequest } from './lark-verify.ts';

export interface LarkRouteDeps {
  secrets: LarkSecrets;
  inbox: InboxPort;
  logger: Logger;
  chat: Pick<ChatService, 'drafts'>;
  person(tenantKey: string, openId: string): ChatPerson;
}

type Recordable = Exclude<VerifiedRequest, { kind: 'challenge' }>;

const answer = (json: unknown): WebhookDecision => ({ kind: 'answer', reply: { json } });

export function larkRoutes(deps: LarkRouteDeps) {
  /** `failed` answers a card when the inbox cannot record it: Lark shows a card callback's failure from the body. */
  function record(r: Recordable, externalId: string, reply: unknown = {}, failed?: unknown): WebhookDecision {
    const payload = storableBody(r);
    const event = { externalId, payload, orderingKey: eventChatKey(payload) };
    return { kind: 'record', event, reply: { json: reply }, ...(failed ? { ifNotRecorded: { json: failed } } : {}) };
  }

  async function onCard(r: Recordable, a: LarkCardAction, externalId: string): Promise<WebhookDecision> {
    // Not one of our buttons (or a shape we do not know): leave the card as it is.
    if (!a.value) return answer({});
    const locale = toLocale(a.value.loc);
    const says = (type: Toast['type'], key: string, card: Card | null = null) =>
      cardResponse(a.legacy, { type, content: t(locale, key) }, card);
    const accept = (type: Toast['type'], key: string, card?: Card) =>
      record(r, externalId, says(type, key, card), says('error', 'error.generic'));
    switch (a.value.op) {
      case 'submit': {
        const form = await deps.chat.drafts.form(a.value.d, deps.person(a.tenantKey, a.operatorOpenId));
        if (!form) return answer(says('error', 'error.draft_expired'));
        const fields = formFields(a.form, form.draft);
        const errors = checkDraft(fields, form.services.map((s) => s.id));
        if (hasErrors(errors)) {
          // The form again, as the person filled it in, with the errors at their fields.
          const again = requestFormCard(locale, { ...form.draft, ...fields }, form.services, errors);
          return answer(says('error', 'lark:toast.form_errors', again));
        }
        return accept('success', 'lark:toast.submitted', submittedCard(locale, cleanText(fields.subject)));
      }
      case 'rate':
        return accept('success', 'lark:toast.rating_saved');
      case 'reopen':
        if (cleanText(String(a.form['reason'] ?? '')) === '') return answer(says('error', 'error.reason_required'));
        return accept('info', 'lark:toast.reopen_saved');
    }
  }

  async function decide(req: WebhookRequest): Promise<WebhookDecision> {
    const verified = verifyLarkRequest(req.rawBody, req.headers, deps.secrets);
    if (!verified.ok) return { kind: 'reject', status: verified.status, reason: verified.reason, reply: { status: verified.status, json: { error: verified.status === 401 ? 'unauthorized' : 'bad request' } } };
    const r = verified.request;
    if (r.kind === 'challenge') return answer({ challenge: r.challenge });
    if (r.kind === 'legacy_card' || (r.kind === 'v2' && r.eventType === 'card.action.trigger')) {
      const a = decodeCardAction(storableBody(r));
      if (!a) return { kind: 'reject', status: 400, reason: 'malformed card callback' };
      const externalId = r.kind === 'v2' ? r.eventId : `card:${r.cardToken}`;
      try {
        return await onCard(r, a, externalId);
      } catch (e) {
        deps.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'lark: card callback could not be answered');
        return answer(cardResponse(a.legacy, { type: 'error', content: t(toLocale(a.value?.loc), 'error.generic') }));
      }
    }
    if (r.kind === 'v1' || !HANDLED_EVENT_TYPES.has(r.eventType)) return answer({});
    return record(r, r.eventId);
  }

  return webhookRoute({ platform: PLATFORM, paths: ['/lark/events', '/lark/cards'], inbox: deps.inbox, logger: deps.logger, decide });
}
