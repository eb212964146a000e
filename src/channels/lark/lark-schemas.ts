/**
 * Zod shapes of everything Lark sends us, and the decoders that turn a stored body into named fields. Raw payloads
 * are parsed here and nowhere cast; unknown fields pass through because Lark adds fields over time.
 */
import { z } from 'zod';

const plainObject = z.record(z.string(), z.unknown());
const str = z.string().min(1);

export const encryptedBodySchema = z.object({ encrypt: str });

export const urlVerificationSchema = z.looseObject({ type: z.literal('url_verification'), challenge: z.string(), token: z.string().optional() });

export const v2EnvelopeSchema = z.looseObject({
  schema: z.literal('2.0'),
  header: z.looseObject({ event_id: str, event_type: str, token: z.string().optional() }),
  event: plainObject,
});

/** Events of the 1.0 schema: still delivered to apps created long ago (none of them is handled). */
export const v1EnvelopeSchema = z.looseObject({ uuid: str, type: z.literal('event_callback'), token: z.string().optional(), event: z.looseObject({ type: z.string() }) });

const cardActionPart = z.looseObject({ value: z.union([plainObject, z.string()]).nullish(), form_value: plainObject.nullish() });

/** The pre-2.0 "card request URL" callback. */
export const legacyCardSchema = z.looseObject({ open_id: str, open_message_id: str, open_chat_id: z.string().optional(), tenant_key: z.string().optional(), token: str, action: cardActionPart });

/** What our own buttons carry in `value`: a draft's id, or a ticket's number; anything else is not ours. */
const actionValueSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('submit'), d: z.uuid(), loc: z.string().optional() }),
  z.object({ op: z.literal('rate'), n: z.string().regex(/^\d{1,9}$/), s: z.string().regex(/^[1-5]$/), loc: z.string().optional() }),
  z.object({ op: z.literal('reopen'), n: z.string().regex(/^\d{1,9}$/), loc: z.string().optional() }),
]);

/** JSON inside a payload's string field (a message's content, a legacy button's value); null when it is not JSON. */
export function jsonOrNull(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

const valueOf = (raw: Record<string, unknown> | string | null | undefined) =>
  actionValueSchema.safeParse(typeof raw === 'string' ? jsonOrNull(raw) : raw).data ?? null;

const cardTriggerSchema = z
  .looseObject({
    schema: z.literal('2.0'),
    header: z.looseObject({ event_type: z.literal('card.action.trigger'), tenant_key: z.string().optional() }),
    event: z.looseObject({
      operator: z.looseObject({ open_id: str, tenant_key: z.string().optional() }),
      token: z.string().optional(),
      action: cardActionPart,
      context: z.looseObject({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() }).optional(),
    }),
  })
  .transform(({ header, event }) => ({
    /** A legacy callback is answered with the card itself, card.action.trigger with `{toast, card}`. */
    legacy: false as boolean,
    tenantKey: header.tenant_key ?? event.operator.tenant_key ?? '',
    operatorOpenId: event.operator.open_id,
    /** The card's delayed-update token (30 minutes, two uses). */
    cardToken: event.token || null,
    messageId: event.context?.open_message_id || null,
    chatId: event.context?.open_chat_id || null,
    value: valueOf(event.action.value),
    /** The form's inputs by name, as Lark sends them (strings). */
    form: event.action.form_value ?? {},
  }));

export type LarkCardAction = z.output<typeof cardTriggerSchema>;

const legacyCardActionSchema = legacyCardSchema.transform(
  (d): LarkCardAction => ({
    legacy: true,
    tenantKey: d.tenant_key ?? '',
    operatorOpenId: d.open_id,
    cardToken: d.token,
    messageId: d.open_message_id,
    chatId: d.open_chat_id || null,
    value: valueOf(d.action.value),
    form: d.action.form_value ?? {},
  }),
);

/** A stored card callback of either kind (a 2.0 body is never a legacy one); null for anything else. */
export function decodeCardAction(body: unknown): LarkCardAction | null {
  const v2 = cardTriggerSchema.safeParse(body).data;
  if (v2 || (body && typeof body === 'object' && 'schema' in body)) return v2 ?? null;
  return legacyCardActionSchema.safeParse(body).data ?? null;
}

const mentionSchema = z.looseObject({ key: z.string(), name: z.string().optional(), id: z.looseObject({ open_id: z.string().optional() }).optional() });

const messageEventSchema = z
  .looseObject({
    header: z.looseObject({ tenant_key: z.string().optional() }),
    event: z.looseObject({
      sender: z.looseObject({ sender_id: z.looseObject({ open_id: z.string().optional() }).optional(), sender_type: z.string().optional(), tenant_key: z.string().optional() }),
      message: z.looseObject({
        message_id: str,
        root_id: z.string().nullish(),
        parent_id: z.string().nullish(),
        chat_id: str,
        chat_type: z.string(),
        message_type: z.string(),
        content: z.string(),
        mentions: z.array(mentionSchema).nullish(),
      }),
    }),
  })
  .transform(({ header, event: { sender, message: m } }) => ({
    tenantKey: header.tenant_key ?? sender.tenant_key ?? '',
    senderOpenId: sender.sender_id?.open_id || null,
    /** "user" for a person; apps, including this bot, are "app". */
    senderType: sender.sender_type ?? '',
    messageId: m.message_id,
    rootId: m.root_id || null,
    parentId: m.parent_id || null,
    chatId: m.chat_id,
    direct: m.chat_type === 'p2p',
    messageType: m.message_type,
    /** A JSON string whose shape depends on messageType. */
    content: m.content,
    mentions: m.mentions ?? [],
  }));

/** A person's (or an app's) message, as im.message.receive_v1 and im.message.updated_v1 carry it. */
export type LarkMessage = z.output<typeof messageEventSchema>;
export const decodeMessage = (body: unknown): LarkMessage | null => messageEventSchema.safeParse(body).data ?? null;

const recalledSchema = z
  .looseObject({ header: z.looseObject({ tenant_key: z.string().optional() }), event: z.looseObject({ message_id: str, chat_id: z.string().optional() }) })
  .transform(({ header, event }) => ({ tenantKey: header.tenant_key ?? '', messageId: event.message_id, chatId: event.chat_id ?? '' }));

export const decodeRecalled = (body: unknown) => recalledSchema.safeParse(body).data ?? null;

const eventTypeSchema = z.looseObject({ header: z.looseObject({ event_type: z.string() }) });
export const eventTypeOf = (body: unknown): string | null => eventTypeSchema.safeParse(body).data?.header.event_type ?? null;

/**
 * The inbox ordering key of a stored event: `<tenant>:<chat>`, so one chat's messages, edits, recalls and card
 * actions are processed one at a time in the order Lark sent them (a reply after the Submit that created its ticket
 * finds the ticket). Undefined when the event names no chat.
 */
export function eventChatKey(body: unknown): string | undefined {
  const e = decodeCardAction(body) ?? decodeMessage(body) ?? decodeRecalled(body);
  return e?.chatId ? `${e.tenantKey}:${e.chatId}` : undefined;
}

/** Envelope of every Open API answer. */
export const apiResponseSchema = z.looseObject({ code: z.number(), msg: z.string().optional(), data: z.unknown().optional() });

export const sentMessageDataSchema = z.looseObject({ message_id: str, chat_id: z.string().optional() });

const opt = z.string().optional();
export const contactUserSchema = z.looseObject({ user: z.looseObject({ name: opt, en_name: opt, email: opt, enterprise_email: opt, locale: opt }) });

/** bot/v3/info answers outside `data`. */
export const botInfoSchema = z.looseObject({ code: z.number(), bot: z.looseObject({ open_id: str }).optional() });
