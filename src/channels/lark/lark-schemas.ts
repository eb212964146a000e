/**
 * Zod shapes of everything Lark sends us. Raw payloads are parsed here and nowhere cast; unknown fields pass
 * through untouched because Lark adds fields over time.
 */
import { z } from 'zod';

const plainObject = z.record(z.string(), z.unknown());

export const encryptedBodySchema = z.object({ encrypt: z.string().min(1) });

export const urlVerificationSchema = z.looseObject({
  type: z.literal('url_verification'),
  challenge: z.string(),
  token: z.string().optional(),
});

export const v2EnvelopeSchema = z.looseObject({
  schema: z.literal('2.0'),
  header: z.looseObject({
    event_id: z.string().min(1),
    event_type: z.string().min(1),
    token: z.string().optional(),
    tenant_key: z.string().optional(),
    app_id: z.string().optional(),
    create_time: z.string().optional(),
  }),
  event: plainObject,
});
export type V2Envelope = z.infer<typeof v2EnvelopeSchema>;

/** Events of the 1.0 schema: still delivered to apps created long ago. */
export const v1EnvelopeSchema = z.looseObject({
  uuid: z.string().min(1),
  type: z.literal('event_callback'),
  token: z.string().optional(),
  event: z.looseObject({ type: z.string() }),
});

const cardActionPart = z.looseObject({
  tag: z.string().optional(),
  name: z.string().optional(),
  value: z.union([plainObject, z.string()]).nullish(),
  form_value: plainObject.nullish(),
  option: z.string().optional(),
  input_value: z.string().optional(),
});

/** A card callback before the SDK's flattening: the pre-2.0 "card request URL" shape. */
export const legacyCardSchema = z.looseObject({
  open_id: z.string().min(1),
  open_message_id: z.string().min(1),
  open_chat_id: z.string().optional(),
  tenant_key: z.string().optional(),
  token: z.string().min(1),
  action: cardActionPart,
});

/**
 * A card action after the SDK flattened it (`{schema, ...header, ...event}` for card.action.trigger, the body as is
 * for a legacy callback). Both shapes are accepted so one normaliser serves the request and the worker.
 */
export const flatCardActionSchema = z.looseObject({
  event_id: z.string().optional(),
  tenant_key: z.string().optional(),
  token: z.string().min(1),
  operator: z.looseObject({ open_id: z.string().min(1), tenant_key: z.string().optional() }).optional(),
  open_id: z.string().optional(),
  open_message_id: z.string().optional(),
  open_chat_id: z.string().optional(),
  context: z.looseObject({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() }).optional(),
  action: cardActionPart,
});

/** Where a stored event happened, whatever its kind: a message's chat, a recalled message's chat, a card's chat. */
const eventChatSchema = z.looseObject({
  header: z.looseObject({ tenant_key: z.string().optional() }).optional(),
  tenant_key: z.string().optional(),
  open_chat_id: z.string().min(1).optional(),
  event: z
    .looseObject({
      message: z.looseObject({ chat_id: z.string().min(1).optional() }).optional(),
      chat_id: z.string().min(1).optional(),
      context: z.looseObject({ open_chat_id: z.string().min(1).optional() }).optional(),
      operator: z.looseObject({ tenant_key: z.string().optional() }).optional(),
    })
    .optional(),
});

/**
 * The inbox ordering key of a stored event: `<tenant>:<chat>`, so one chat's messages, recalls and card actions are
 * processed one at a time in the order Lark sent them (a reply after the Submit that created its ticket finds the
 * ticket). Undefined when the event names no chat.
 */
export function eventChatKey(body: unknown): string | undefined {
  const parsed = eventChatSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const b = parsed.data;
  const chat = b.event?.message?.chat_id ?? b.event?.chat_id ?? b.event?.context?.open_chat_id ?? b.open_chat_id;
  if (!chat) return undefined;
  const tenant = b.header?.tenant_key ?? b.event?.operator?.tenant_key ?? b.tenant_key ?? '';
  return `${tenant}:${chat}`;
}

const mentionSchema = z.looseObject({
  key: z.string(),
  name: z.string().optional(),
  id: z.looseObject({ open_id: z.string().optional(), user_id: z.string().nullish(), union_id: z.string().nullish() }),
});
export type LarkMention = z.infer<typeof mentionSchema>;

/** im.message.receive_v1 as the SDK's dispatcher hands it over (header and event flattened). */
export const messageReceiveSchema = z.looseObject({
  event_id: z.string().min(1),
  tenant_key: z.string().optional(),
  sender: z.looseObject({
    sender_id: z.looseObject({ open_id: z.string().optional(), user_id: z.string().nullish() }).optional(),
    sender_type: z.string(),
    tenant_key: z.string().optional(),
  }),
  message: z.looseObject({
    message_id: z.string().min(1),
    root_id: z.string().optional(),
    parent_id: z.string().optional(),
    thread_id: z.string().optional(),
    chat_id: z.string().min(1),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string(),
    mentions: z.array(mentionSchema).nullish(),
  }),
});
export type MessageReceive = z.infer<typeof messageReceiveSchema>;

export const messageRecalledSchema = z.looseObject({
  tenant_key: z.string().optional(),
  message_id: z.string().min(1),
  chat_id: z.string().optional(),
});

/** What our own buttons carry in `value`; anything else is not ours and is ignored. */
export const createTicketValueSchema = z.object({
  op: z.literal('create_ticket'),
  src: z.string().min(1),
  root: z.string().min(1),
  chat: z.string().min(1),
  eph: z.enum(['0', '1']),
  loc: z.string().optional(),
});
export const rateValueSchema = z.object({
  op: z.literal('rate'),
  n: z.string().regex(/^\d+$/),
  s: z.string().regex(/^[1-5]$/),
  loc: z.string().optional(),
});
export const reopenValueSchema = z.object({
  op: z.literal('reopen'),
  n: z.string().regex(/^\d+$/),
  loc: z.string().optional(),
});
export const actionValueSchema = z.discriminatedUnion('op', [createTicketValueSchema, rateValueSchema, reopenValueSchema]);
export type ActionValue = z.infer<typeof actionValueSchema>;
export type CreateTicketValue = z.infer<typeof createTicketValueSchema>;

/** Form inputs arrive as strings; a select that was never touched may be missing. */
export const requestFormSchema = z.object({
  subject: z.string().optional(),
  description: z.string().optional(),
  priority: z.string().optional(),
  service: z.string().optional(),
  email: z.string().optional(),
});

export const ratingFormSchema = z.object({
  comment: z.string().optional(),
  reason: z.string().optional(),
});

/** Envelope of every Open API answer. */
export const apiResponseSchema = z.looseObject({
  code: z.number(),
  msg: z.string().optional(),
  data: z.unknown().optional(),
});

export const sentMessageDataSchema = z.looseObject({ message_id: z.string().min(1), chat_id: z.string().optional() });

export const contactUserSchema = z.looseObject({
  user: z.looseObject({
    open_id: z.string().optional(),
    name: z.string().optional(),
    en_name: z.string().optional(),
    email: z.string().optional(),
    enterprise_email: z.string().optional(),
    locale: z.string().optional(),
  }),
});

/** bot/v3/info answers outside `data`. */
export const botInfoSchema = z.looseObject({
  code: z.number(),
  bot: z.looseObject({ open_id: z.string().min(1), app_name: z.string().optional() }).optional(),
});
