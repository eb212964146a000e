/** Steps the Lark end-to-end tests share: reading cards the bot sent, and walking a person through the form. */
import type { FakeChat, FakeUser, StoredMessage } from '../../fakes/lark/lark-fake.ts';
import type { LarkHarness } from './lark-harness.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseContent(m: StoredMessage): Obj {
  const v: unknown = JSON.parse(m.content);
  if (!isObj(v)) throw new Error('content is not an object');
  return v;
}

/** Every element of a card, depth first (through forms, actions and `extra`). */
export function walkCard(card: unknown): Obj[] {
  const out: Obj[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isObj(v)) return;
    if (typeof v['tag'] === 'string') out.push(v);
    for (const k of ['elements', 'actions', 'extra', 'columns']) if (k in v) visit(v[k]);
  };
  visit(isObj(card) ? card['elements'] : undefined);
  return out;
}

export function findByName(card: unknown, name: string): Obj {
  const el = walkCard(card).find((e) => e['name'] === name);
  if (!el) throw new Error(`no element named ${name}`);
  return el;
}

/** All visible strings of a card (plain_text contents, markdown, header), for text assertions. */
export function cardText(card: unknown): string {
  const parts: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isObj(v)) return;
    if ((v['tag'] === 'plain_text' || v['tag'] === 'lark_md' || v['tag'] === 'markdown') && typeof v['content'] === 'string') parts.push(v['content']);
    for (const val of Object.values(v)) if (typeof val === 'object') visit(val);
  };
  visit(card);
  return parts.join('\n');
}

export interface World {
  alice: FakeUser;
  bob: FakeUser;
  group: FakeChat;
}

export function seedWorld(h: LarkHarness): World {
  const alice = h.fake.addUser({ name: 'Alice Example', email: 'alice@example.com' });
  const bob = h.fake.addUser({ name: 'Bob Other', email: 'bob@example.com', locale: 'ja_jp' });
  const group = h.fake.addGroup([alice, bob]);
  return { alice, bob, group };
}

/** Alice mentions the bot in the group; returns her message and the ephemeral form she was sent. */
export async function mentionInGroup(h: LarkHarness, w: World, text: string, replyTo?: string) {
  const { body, message } = h.inbound.userMessage({ from: w.alice, chatId: w.group.chat_id, text, mentionBot: true, ...(replyTo ? { replyTo } : {}) });
  const res = await h.send(body);
  if (res.status !== 200) throw new Error(`mention answered ${res.status}`);
  await h.processInbox();
  const forms = h.fake.ephemeralsFor(w.group.chat_id, w.alice.open_id).filter((m) => !m.deleted);
  const form = forms.at(-1);
  if (!form) throw new Error('no ephemeral form was sent');
  return { message, form };
}

export function submitValue(form: StoredMessage): Obj {
  const v = findByName(parseContent(form), 'submit')['value'];
  if (!isObj(v)) throw new Error('submit button has no value');
  return v;
}

export async function submitForm(h: LarkHarness, from: FakeUser, form: StoredMessage, formValue: Obj) {
  const { body, token } = h.inbound.cardAction({ from, cardMessageId: form.message_id, value: submitValue(form), formValue, name: 'submit' });
  const res = await h.send(body);
  return { res, token, body };
}

export const goodForm = {
  subject: 'Printer on fire',
  description: 'The printer on floor 3 is on fire again',
  priority: 'high',
  service: 'svc-it',
  email: 'alice@example.com',
};

/** The whole group flow: mention, submit, settle. Returns the ticket number and the thread root. */
export async function createTicketInGroup(h: LarkHarness, w: World, text = 'printer is on fire on floor 3') {
  const { message, form } = await mentionInGroup(h, w, text);
  const { res } = await submitForm(h, w.alice, form, goodForm);
  if (res.status !== 200) throw new Error(`submit answered ${res.status}`);
  await h.settle();
  const ticket = h.desk.tickets.at(-1);
  if (!ticket) throw new Error('no ticket was created');
  return { number: ticket.number, rootId: message.message_id, form };
}
