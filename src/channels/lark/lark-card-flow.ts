/**
 * Card callbacks in two halves. `decideCardAction` runs inside the HTTP request (Lark waits at most 3 s): it checks
 * the form and says what to answer and whether the action must be recorded. `processCardAction` runs later from the
 * inbox and does the work through the core, so a crash in between loses nothing and a retry doubles nothing.
 */
import { isDomainError } from '../../core/errors.ts';
import { toLocale, type Locale } from '../../core/locale.ts';
import type { TicketSummary } from '../../core/ports/channel-port.ts';
import { t } from '../../i18n/catalog.ts';
import {
  cardResponse,
  requestFormCard,
  resolvedCard,
  submittedCard,
  type FormErrors,
  type FormField,
} from './lark-cards.ts';
import { errorText, larkRef, resolveUserId, tellUser, type LarkContext } from './lark-context.ts';
import { readRequestForm, validateRequestForm } from './lark-form.ts';
import { PLATFORM } from './lark-profile.ts';
import { renderRichMessage } from './lark-render.ts';
import {
  actionValueSchema,
  flatCardActionSchema,
  ratingFormSchema,
  type ActionValue,
  type CreateTicketValue,
} from './lark-schemas.ts';

export interface CardAction {
  legacy: boolean;
  tenantKey: string;
  operatorOpenId: string;
  /** The callback's token: the delayed-update token of the card. */
  cardToken: string;
  /** The card's own message id. */
  messageId: string | null;
  chatId: string | null;
  value: ActionValue | null;
  formValue: Record<string, unknown>;
}

/** Accepts both a flattened card.action.trigger and a legacy callback (see flatCardActionSchema). */
export function normalizeCardAction(flat: unknown): CardAction | null {
  const parsed = flatCardActionSchema.safeParse(flat);
  if (!parsed.success) return null;
  const d = parsed.data;
  const operatorOpenId = d.operator?.open_id ?? d.open_id;
  if (!operatorOpenId) return null;
  const rawValue = typeof d.action.value === 'string' ? safeJson(d.action.value) : d.action.value;
  const value = actionValueSchema.safeParse(rawValue);
  return {
    legacy: !('schema' in d),
    tenantKey: d.tenant_key ?? d.operator?.tenant_key ?? '',
    operatorOpenId,
    cardToken: d.token,
    messageId: d.context?.open_message_id ?? d.open_message_id ?? null,
    chatId: d.context?.open_chat_id ?? d.open_chat_id ?? null,
    value: value.success ? value.data : null,
    formValue: d.action.form_value ?? {},
  };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/** What the route does with a card callback: answer `response`, after recording it durably when `record` is set. */
export interface CardDecision {
  record: boolean;
  response: Record<string, unknown>;
}

export function isCardDecision(v: unknown): v is CardDecision {
  return !!v && typeof v === 'object' && 'record' in v && typeof v.record === 'boolean' && 'response' in v;
}

export async function decideCardAction(ctx: LarkContext, flat: unknown): Promise<CardDecision> {
  const act = normalizeCardAction(flat);
  // Not one of our buttons (or a shape we do not know): leave the card as it is.
  if (!act?.value) return { record: false, response: {} };
  const locale = toLocale(act.value.loc);
  switch (act.value.op) {
    case 'create_ticket': {
      const services = await ctx.desk.listServices();
      const state = readRequestForm(act.formValue, services);
      const errors = validateRequestForm(state, locale, ctx.desk.minDescriptionLength);
      if (Object.keys(errors).length > 0) {
        return {
          record: false,
          response: cardResponse(
            act.legacy,
            { type: 'error', content: t(locale, 'lark:toast.form_errors') },
            requestFormCard(locale, state, services, act.value, errors),
          ),
        };
      }
      return {
        record: true,
        response: cardResponse(
          act.legacy,
          { type: 'success', content: t(locale, 'lark:toast.submitted') },
          submittedCard(locale, state.subject),
        ),
      };
    }
    case 'rate':
      return { record: true, response: cardResponse(act.legacy, { type: 'success', content: t(locale, 'lark:toast.rating_saved') }, null) };
    case 'reopen': {
      const reason = (ratingFormSchema.safeParse(act.formValue).data?.reason ?? '').trim();
      if (!reason) {
        return {
          record: false,
          response: cardResponse(act.legacy, { type: 'error', content: t(locale, 'lark:reopen.reason_required') }, null),
        };
      }
      return { record: true, response: cardResponse(act.legacy, { type: 'info', content: t(locale, 'lark:toast.reopen_saved') }, null) };
    }
  }
}

const FIELD_OF: Record<string, FormField> = {
  subject: 'subject',
  description: 'description',
  email: 'email',
  requesterEmail: 'email',
};

async function processCreate(ctx: LarkContext, act: CardAction, value: CreateTicketValue): Promise<void> {
  const locale = toLocale(value.loc);
  const services = await ctx.desk.listServices();
  const state = readRequestForm(act.formValue, services);
  if (Object.keys(validateRequestForm(state, locale, ctx.desk.minDescriptionLength)).length > 0) {
    ctx.logger.warn('lark: a recorded request form is invalid; it was answered in the request, nothing to do');
    return;
  }
  const operator = { platform: PLATFORM, workspaceId: act.tenantKey, platformUserId: act.operatorOpenId };
  // The person who pressed Submit is the submitter. Linking their account by the email their Lark profile vouches
  // for lets the core record them as such (an unknown account would be recorded as the requester instead).
  const profile = await ctx.profiles.profile(act.tenantKey, act.operatorOpenId);
  await resolveUserId(ctx, act.tenantKey, act.operatorOpenId).catch((e: unknown) => {
    if (!isDomainError(e)) throw e;
  });
  const ownEmail = profile.email !== null && profile.email.toLowerCase() === state.email.toLowerCase();
  let ticket: TicketSummary;
  try {
    ({ ticket } = await ctx.desk.createTicket({
      via: PLATFORM,
      requester: ownEmail ? { email: state.email, name: profile.displayName } : { email: state.email },
      submitter: operator,
      subject: state.subject,
      description: state.description,
      priority: state.priority,
      serviceId: state.serviceId,
      thread: { platform: PLATFORM, workspaceId: act.tenantKey, chatId: value.chat, threadRef: value.root, locale },
      sourceKey: larkRef(act.tenantKey, value.src),
    }));
  } catch (e) {
    if (!isDomainError(e)) throw e;
    // Show the refusal on the card the person is looking at; the form keeps what they typed.
    const field = (e.field && FIELD_OF[e.field]) || 'form';
    const text = errorText(locale, e, { min: ctx.desk.minDescriptionLength });
    const errors: FormErrors = { [field]: text };
    const form = requestFormCard(locale, state, services, value, errors, [act.operatorOpenId]);
    try {
      await ctx.api.updateCardByToken(act.cardToken, form);
    } catch {
      await tellUser(ctx, { chatId: value.eph === '1' ? value.chat : null, openId: act.operatorOpenId }, text);
    }
    return;
  }
  // The confirmation reaches the thread through the sync engine; here only the form goes away.
  try {
    if (value.eph === '1' && act.messageId) {
      await ctx.api.deleteEphemeral(act.messageId);
    } else {
      const out = renderRichMessage({ kind: 'ticket_confirmation', ticket }, locale);
      if (out.msgType === 'interactive') await ctx.api.updateCardByToken(act.cardToken, { ...out.card, open_ids: [act.operatorOpenId] });
    }
  } catch (e) {
    ctx.logger.info({ err: e instanceof Error ? e.message : String(e) }, 'lark: could not retire the request card');
  }
}

async function processRating(ctx: LarkContext, act: CardAction, value: Extract<ActionValue, { op: 'rate' | 'reopen' }>): Promise<void> {
  const locale: Locale = toLocale(value.loc);
  const form = ratingFormSchema.safeParse(act.formValue).data ?? {};
  const ticketNumber = Number(value.n);
  let ticket: TicketSummary;
  let sentence: string;
  try {
    const userId = await resolveUserId(ctx, act.tenantKey, act.operatorOpenId);
    if (value.op === 'rate') {
      const score = Number(value.s);
      ticket = await ctx.desk.rate({ via: PLATFORM, ticketNumber, userId, score, comment: form.comment?.trim() || null });
      sentence = t(locale, 'rating.thanks', { number: ticketNumber, score });
    } else {
      ticket = await ctx.desk.reopen({ via: PLATFORM, ticketNumber, userId, reason: form.reason?.trim() ?? '' });
      sentence = t(locale, 'reopen.done', { number: ticketNumber });
    }
  } catch (e) {
    if (!isDomainError(e)) throw e;
    // The card speaks the thread's language; the refusal goes only to the person who pressed, so it speaks theirs.
    const presser = await ctx.profiles.profile(act.tenantKey, act.operatorOpenId, locale);
    await tellUser(ctx, { chatId: act.chatId, openId: act.operatorOpenId }, errorText(presser.locale, e));
    return;
  }
  if (!act.messageId) return;
  try {
    await ctx.api.edit(act.messageId, { msgType: 'interactive', card: resolvedCard(locale, ticket, sentence) });
  } catch (e) {
    ctx.logger.info({ err: e instanceof Error ? e.message : String(e) }, 'lark: could not update the rating card');
  }
}

export async function processCardAction(ctx: LarkContext, flat: unknown): Promise<void> {
  const act = normalizeCardAction(flat);
  if (!act?.value) return;
  if (act.value.op === 'create_ticket') await processCreate(ctx, act, act.value);
  else await processRating(ctx, act, act.value);
}
