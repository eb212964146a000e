/**
 * The inbound half of the fake: builds v2 events from the payload fixtures under test/fixtures/lark/ (with the
 * fake's ids filled in) and delivers them to a URL the way Lark does: compact JSON, optionally encrypted with
 * AES-256-CBC (key sha256(encryptKey), random IV prepended) and signed with
 * hex(sha256(timestamp + nonce + encryptKey + body)); legacy card callbacks signed with
 * hex(sha1(timestamp + nonce + verificationToken + body)).
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FakeUser, LarkFake, StoredMessage } from './lark-fake.ts';

type Obj = Record<string, unknown>;

const fixtureDir = fileURLToPath(new URL('../../fixtures/lark/', import.meta.url));
export function loadFixture(name: string): Obj {
  return JSON.parse(readFileSync(`${fixtureDir}${name}.json`, 'utf8')) as Obj;
}

export function encryptLarkPayload(plain: string, encryptKey: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, c.update(plain, 'utf8'), c.final()]).toString('base64');
}

export const signV2 = (ts: string, nonce: string, encryptKey: string, body: string) =>
  createHash('sha256').update(ts + nonce + encryptKey + body).digest('hex');
export const signLegacy = (ts: string, nonce: string, token: string, body: string) =>
  createHash('sha1').update(ts + nonce + token + body).digest('hex');

export interface DeliverOptions {
  /** Encrypt the body (needs an encrypt key); Lark does this whenever the app has one. */
  encrypt?: boolean;
  /** Sign the body; defaults to "an encrypt key is configured", as Lark does. */
  sign?: boolean;
  /** Sign as a legacy card callback (SHA-1 with the verification token). */
  legacySign?: boolean;
  /** Break something on purpose. */
  tamper?: 'signature' | 'body-after-signing' | 'ciphertext';
  /** Extra or replacing headers. */
  headers?: Record<string, string>;
}

export interface Delivery {
  status: number;
  text: string;
  json: unknown;
}

export class LarkInbound {
  constructor(
    private readonly fake: LarkFake,
    readonly secrets: { verificationToken: string; encryptKey?: string },
  ) {}

  private header(eventType: string): Obj {
    return {
      event_id: randomBytes(16).toString('hex'),
      event_type: eventType,
      create_time: String(this.fake.now()),
      token: this.secrets.verificationToken,
      app_id: this.fake.appId,
      tenant_key: this.fake.tenantKey,
    };
  }

  private sender(user: FakeUser): Obj {
    return {
      sender_id: { union_id: user.union_id, user_id: user.user_id, open_id: user.open_id },
      sender_type: 'user',
      tenant_key: this.fake.tenantKey,
    };
  }

  private messageEvent(m: StoredMessage, chatType: 'group' | 'p2p', sender: Obj, mentions: Obj[]): Obj {
    const tpl = loadFixture(chatType === 'p2p' ? 'im-message-receive-p2p' : 'im-message-receive-group-mention');
    return {
      ...tpl,
      header: this.header('im.message.receive_v1'),
      event: {
        sender,
        message: {
          message_id: m.message_id,
          ...(m.root_id ? { root_id: m.root_id, parent_id: m.parent_id } : {}),
          ...(m.thread_id ? { thread_id: m.thread_id } : {}),
          create_time: String(m.create_time),
          update_time: String(m.create_time),
          chat_id: m.chat_id,
          chat_type: chatType,
          message_type: m.msg_type,
          content: m.content,
          ...(mentions.length > 0 ? { mentions } : {}),
        },
      },
    };
  }

  /**
   * A person writes in a chat (stored in the fake, so the bot can reply to it). `mentionBot` puts `@_user_1` in
   * front, as Lark does; `replyTo` makes it a reply in that message's thread.
   */
  userMessage(opts: {
    from: FakeUser;
    chatId: string;
    text?: string;
    mentionBot?: boolean;
    replyTo?: string;
    msgType?: string;
    content?: Obj;
  }): { body: Obj; message: StoredMessage } {
    const chat = this.fake.chats.get(opts.chatId);
    if (!chat) throw new Error(`fake: unknown chat ${opts.chatId}`);
    const mentions = opts.mentionBot
      ? [{ key: '@_user_1', id: { union_id: 'on_bot', user_id: null, open_id: this.fake.botOpenId }, name: this.fake.appName, tenant_key: this.fake.tenantKey }]
      : [];
    const content = opts.content ?? { text: `${opts.mentionBot ? '@_user_1 ' : ''}${opts.text ?? ''}` };
    const m = this.fake.storeUserMessage(opts.from, opts.chatId, opts.msgType ?? 'text', JSON.stringify(content), opts.replyTo);
    return { body: this.messageEvent(m, chat.type, this.sender(opts.from), mentions), message: m };
  }

  /**
   * A person edits their text message: im.message.updated_v1, carrying the message as it now reads in the shape of
   * im.message.receive_v1 (the shape other integrations read; Lark's SDK has no type for this event).
   */
  edited(messageId: string, text: string): Obj {
    const m = this.fake.messages.get(messageId);
    const author = m && this.fake.users.get(m.sender.id);
    if (!m || !author) throw new Error(`fake: no message of a person ${messageId}`);
    Object.assign(m, { content: JSON.stringify({ text }), updated: true });
    return { ...this.messageEvent(m, this.fake.chats.get(m.chat_id)!.type, this.sender(author), []), header: this.header('im.message.updated_v1') };
  }

  /** The event Lark sends about a message the bot itself posted (it must be ignored). */
  botEcho(messageId: string): Obj {
    const m = this.fake.messages.get(messageId);
    if (!m) throw new Error(`fake: unknown message ${messageId}`);
    const chat = this.fake.chats.get(m.chat_id)!;
    const sender = { sender_id: { open_id: this.fake.botOpenId, union_id: 'on_bot', user_id: '' }, sender_type: 'app', tenant_key: this.fake.tenantKey };
    return this.messageEvent(m, chat.type, sender, []);
  }

  /** card.action.trigger for a button (form submit when `formValue` is given) on a card message. */
  cardAction(opts: { from: FakeUser; cardMessageId: string; value: Obj; formValue?: Obj; name?: string }): { body: Obj; token: string } {
    const card = this.fake.messages.get(opts.cardMessageId);
    if (!card) throw new Error(`fake: unknown card ${opts.cardMessageId}`);
    const token = this.fake.issueCardToken(opts.cardMessageId);
    const tpl = loadFixture('card-action-trigger-form');
    const body = {
      ...tpl,
      header: this.header('card.action.trigger'),
      event: {
        operator: { tenant_key: this.fake.tenantKey, user_id: opts.from.user_id, open_id: opts.from.open_id, union_id: opts.from.union_id },
        token,
        action: {
          tag: 'button',
          ...(opts.name ? { name: opts.name } : {}),
          value: opts.value,
          ...(opts.formValue ? { form_value: opts.formValue } : {}),
        },
        host: 'im_message',
        context: { open_message_id: card.message_id, open_chat_id: card.chat_id },
      },
    };
    return { body, token };
  }

  /** The pre-2.0 callback to the card request URL. */
  legacyCardAction(opts: { from: FakeUser; cardMessageId: string; value: Obj; formValue?: Obj }): { body: Obj; token: string } {
    const card = this.fake.messages.get(opts.cardMessageId);
    if (!card) throw new Error(`fake: unknown card ${opts.cardMessageId}`);
    const token = this.fake.issueCardToken(opts.cardMessageId);
    const tpl = loadFixture('card-action-legacy');
    return {
      token,
      body: {
        ...tpl,
        open_id: opts.from.open_id,
        user_id: opts.from.user_id,
        open_message_id: card.message_id,
        open_chat_id: card.chat_id,
        tenant_key: this.fake.tenantKey,
        token,
        action: { tag: 'button', value: opts.value, ...(opts.formValue ? { form_value: opts.formValue } : {}) },
      },
    };
  }

  urlVerification(challenge: string, token = this.secrets.verificationToken): Obj {
    return { ...loadFixture('url-verification'), challenge, token };
  }

  recalled(messageId: string): Obj {
    const m = this.fake.messages.get(messageId);
    const tpl = loadFixture('im-message-recalled');
    return { ...tpl, header: this.header('im.message.recalled_v1'), event: { message_id: messageId, chat_id: m?.chat_id ?? '', recall_time: String(this.fake.now()), recall_type: 'message_owner' } };
  }

  /** POSTs `body` to `url` as Lark would, and returns what the app answered. */
  async deliver(url: string, body: Obj, opts: DeliverOptions = {}): Promise<Delivery> {
    const key = this.secrets.encryptKey;
    let raw = JSON.stringify(body);
    if (opts.encrypt) {
      if (!key) throw new Error('fake: encrypt needs an encrypt key');
      let encrypt = encryptLarkPayload(raw, key);
      if (opts.tamper === 'ciphertext') encrypt = `${encrypt.slice(0, 30)}${encrypt.slice(30, 34) === 'AAAA' ? 'BBBB' : 'AAAA'}${encrypt.slice(34)}`;
      raw = JSON.stringify({ encrypt });
    }
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
    const ts = String(Math.floor(this.fake.now() / 1000));
    const nonce = randomBytes(8).toString('hex');
    if (opts.legacySign) {
      headers['x-lark-request-timestamp'] = ts;
      headers['x-lark-request-nonce'] = nonce;
      headers['x-lark-signature'] = signLegacy(ts, nonce, this.secrets.verificationToken, raw);
    } else if (opts.sign ?? Boolean(key)) {
      if (!key) throw new Error('fake: signing needs an encrypt key');
      headers['x-lark-request-timestamp'] = ts;
      headers['x-lark-request-nonce'] = nonce;
      headers['x-lark-signature'] = signV2(ts, nonce, key, raw);
    }
    if (opts.tamper === 'signature' && headers['x-lark-signature']) {
      headers['x-lark-signature'] = headers['x-lark-signature'].replace(/^./, (c) => (c === '0' ? '1' : '0'));
    }
    if (opts.tamper === 'body-after-signing') raw = raw.replace(/}$/, ' }');
    Object.assign(headers, opts.headers ?? {});
    const res = await fetch(url, { method: 'POST', headers, body: raw });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, text, json };
  }
}
