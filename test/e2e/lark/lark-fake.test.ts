/** The fake must refuse what Lark refuses, or the end-to-end tests prove nothing. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODES, LarkFake, type FakeChat, type FakeUser } from '../../fakes/lark/lark-fake.ts';

let fake: LarkFake;
let token: string;
let alice: FakeUser;
let group: FakeChat;

async function call(method: string, path: string, body?: unknown, auth: string | null = `Bearer ${token}`) {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (auth) headers['authorization'] = auth;
  const res = await fetch(`${fake.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as { code: number; msg: string; data?: Record<string, unknown>; [k: string]: unknown } };
}

const text = (t: string) => ({ msg_type: 'text', content: JSON.stringify({ text: t }) });

beforeEach(async () => {
  fake = new LarkFake();
  await fake.start();
  const res = await call('POST', '/open-apis/auth/v3/tenant_access_token/internal', { app_id: fake.appId, app_secret: fake.appSecret }, null);
  token = String(res.json['tenant_access_token']);
  alice = fake.addUser({ name: 'Alice', email: 'alice@example.com' });
  group = fake.addGroup([alice]);
});
afterEach(async () => {
  await fake.stop();
});

describe('LarkFake: tokens', () => {
  it('issues a t- token for the right credentials only', async () => {
    expect(token).toMatch(/^t-/);
    const bad = await call('POST', '/open-apis/auth/v3/tenant_access_token/internal', { app_id: fake.appId, app_secret: 'nope' }, null);
    expect(bad.json.code).toBe(CODES.appSecretInvalid);
    const badId = await call('POST', '/open-apis/auth/v3/tenant_access_token/internal', { app_id: 'cli_other', app_secret: fake.appSecret }, null);
    expect(badId.status).toBe(400);
  });

  it('refuses calls without a valid, unexpired Bearer t- token', async () => {
    expect((await call('GET', '/open-apis/bot/v3/info', undefined, null)).json.code).toBe(CODES.tokenMissing);
    expect((await call('GET', '/open-apis/bot/v3/info', undefined, 'Bearer t-made-up')).json.code).toBe(CODES.tokenInvalid);
    expect((await call('GET', '/open-apis/bot/v3/info')).json).toMatchObject({ code: 0, bot: { open_id: fake.botOpenId } });
    fake.advance(7200 * 1000);
    expect((await call('GET', '/open-apis/bot/v3/info')).json.code).toBe(CODES.tokenInvalid);
  });
});

describe('LarkFake: messages', () => {
  it('refuses an unknown receive_id_type and content of the wrong shape', async () => {
    expect((await call('POST', '/open-apis/im/v1/messages?receive_id_type=phone', { receive_id: group.chat_id, ...text('x') })).json.code).toBe(CODES.fieldValidation);
    const send = (body: Record<string, unknown>) => call('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', { receive_id: group.chat_id, ...body });
    expect((await send({ msg_type: 'text', content: { text: 'not a string' } })).json.code).toBe(CODES.invalidParam);
    expect((await send({ msg_type: 'text', content: '{"txt":"x"}' })).json.code).toBe(CODES.invalidParam);
    expect((await send({ msg_type: 'interactive', content: '{"elements":[{"tag":"button","text":{"tag":"plain_text","content":"x"},"action_type":"form_submit"}]}' })).json.code).toBe(CODES.invalidParam);
    expect((await send({ msg_type: 'interactive', content: '{"elements":[{"tag":"form","name":"f","elements":[{"tag":"input"}]}]}' })).json.code).toBe(CODES.invalidParam);
    expect((await send({ msg_type: 'text', content: JSON.stringify({ text: 'x'.repeat(160 * 1024) }) })).json.code).toBe(CODES.invalidParam);
    expect((await send(text('fine'))).json.code).toBe(0);
  });

  it('honours uuid: the same uuid within an hour returns the first message, later it sends anew', async () => {
    const send = () => call('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', { receive_id: group.chat_id, ...text('once'), uuid: 'u-1' });
    const a = await send();
    const b = await send();
    expect(b.json.data?.['message_id']).toBe(a.json.data?.['message_id']);
    expect(fake.botMessagesIn(group.chat_id)).toHaveLength(1);
    fake.advance(61 * 60 * 1000);
    const fresh = await call('POST', '/open-apis/auth/v3/tenant_access_token/internal', { app_id: fake.appId, app_secret: fake.appSecret }, null);
    token = String(fresh.json['tenant_access_token']);
    const c = await send();
    expect(c.json.data?.['message_id']).not.toBe(a.json.data?.['message_id']);
    expect((await call('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', { receive_id: group.chat_id, ...text('x'), uuid: 'u'.repeat(51) })).json.code).toBe(CODES.fieldValidation);
  });

  it('refuses replies to unknown or withdrawn messages, and threads replies under the root', async () => {
    expect((await call('POST', '/open-apis/im/v1/messages/om_nope/reply', text('x'))).json.code).toBe(CODES.invalidParam);
    const root = fake.storeUserMessage(alice, group.chat_id, 'text', '{"text":"help"}');
    const r1 = await call('POST', `/open-apis/im/v1/messages/${root.message_id}/reply`, { ...text('a'), reply_in_thread: true });
    const r2 = await call('POST', `/open-apis/im/v1/messages/${String(r1.json.data?.['message_id'])}/reply`, text('b'));
    expect(r1.json.data).toMatchObject({ root_id: root.message_id, parent_id: root.message_id });
    expect(r2.json.data).toMatchObject({ root_id: root.message_id, thread_id: r1.json.data?.['thread_id'] });
    expect(fake.thread(root.message_id)).toHaveLength(2);
    const id = String(r1.json.data?.['message_id']);
    expect((await call('DELETE', `/open-apis/im/v1/messages/${id}`)).json.code).toBe(0);
    expect((await call('POST', `/open-apis/im/v1/messages/${id}/reply`, text('c'))).json.code).toBe(CODES.messageRecalled);
    expect((await call('DELETE', `/open-apis/im/v1/messages/${root.message_id}`)).json.code).toBe(CODES.notSender);
  });

  it('edits cards with PATCH (shared cards only) and text with PUT', async () => {
    const send = (body: Record<string, unknown>) => call('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', { receive_id: group.chat_id, ...body });
    const card = (multi: boolean) => JSON.stringify({ config: { update_multi: multi }, elements: [{ tag: 'div', text: { tag: 'plain_text', content: 'x' } }] });
    const shared = String((await send({ msg_type: 'interactive', content: card(true) })).json.data?.['message_id']);
    const personal = String((await send({ msg_type: 'interactive', content: card(false) })).json.data?.['message_id']);
    const plain = String((await send(text('x'))).json.data?.['message_id']);
    expect((await call('PATCH', `/open-apis/im/v1/messages/${shared}`, { content: card(true) })).json.code).toBe(0);
    expect((await call('PATCH', `/open-apis/im/v1/messages/${personal}`, { content: card(true) })).json.code).toBe(CODES.cardNotShared);
    expect((await call('PATCH', `/open-apis/im/v1/messages/${plain}`, { content: card(true) })).json.code).toBe(CODES.invalidParam);
    expect((await call('PUT', `/open-apis/im/v1/messages/${plain}`, text('y'))).json.code).toBe(0);
    expect((await call('PUT', `/open-apis/im/v1/messages/${shared}`, text('y'))).json.code).toBe(CODES.invalidParam);
  });
});

describe('LarkFake: ephemeral cards and delayed updates', () => {
  const card = { elements: [{ tag: 'div', text: { tag: 'plain_text', content: 'only you' } }] };

  it('sends ephemeral cards only in groups, to exactly one of open_id / user_id / email', async () => {
    const ok = await call('POST', '/open-apis/ephemeral/v1/send', { chat_id: group.chat_id, open_id: alice.open_id, msg_type: 'interactive', card });
    expect(ok.json.code).toBe(0);
    expect(fake.ephemeralsFor(group.chat_id, alice.open_id)).toHaveLength(1);
    const two = await call('POST', '/open-apis/ephemeral/v1/send', { chat_id: group.chat_id, open_id: alice.open_id, email: alice.email, msg_type: 'interactive', card });
    expect(two.json.code).toBe(CODES.fieldValidation);
    const none = await call('POST', '/open-apis/ephemeral/v1/send', { chat_id: group.chat_id, msg_type: 'interactive', card });
    expect(none.json.code).toBe(CODES.fieldValidation);
    const p2p = fake.p2pChat(alice);
    const dm = await call('POST', '/open-apis/ephemeral/v1/send', { chat_id: p2p.chat_id, open_id: alice.open_id, msg_type: 'interactive', card });
    expect(dm.status).toBe(400);
    const id = String(ok.json.data?.['message_id']);
    expect((await call('POST', '/open-apis/ephemeral/v1/delete', { message_id: id })).json.code).toBe(0);
    expect((await call('POST', '/open-apis/ephemeral/v1/delete', { message_id: id })).json.code).toBe(CODES.messageRecalled);
  });

  it('accepts a card token twice within 30 minutes, needs open_ids on 1.0 cards, and refuses unknown tokens', async () => {
    const sent = await call('POST', '/open-apis/ephemeral/v1/send', { chat_id: group.chat_id, open_id: alice.open_id, msg_type: 'interactive', card });
    const cardToken = fake.issueCardToken(String(sent.json.data?.['message_id']));
    const update = (c: Record<string, unknown>, t = cardToken) => call('POST', '/open-apis/interactive/v1/card/update', { token: t, card: c });
    expect((await update(card)).json.code).toBe(CODES.cardNeedsOpenIds);
    expect((await update({ ...card, open_ids: [alice.open_id] })).json.code).toBe(0);
    expect((await update({ ...card, open_ids: [alice.open_id] })).json.code).toBe(0);
    expect((await update({ ...card, open_ids: [alice.open_id] })).json.code).toBe(CODES.cardTokenInvalid);
    expect((await update({ ...card, open_ids: [alice.open_id] }, 'c-unknown')).json.code).toBe(CODES.cardTokenInvalid);
    const late = fake.issueCardToken(String(sent.json.data?.['message_id']));
    fake.advance(31 * 60 * 1000);
    const fresh = await call('POST', '/open-apis/auth/v3/tenant_access_token/internal', { app_id: fake.appId, app_secret: fake.appSecret }, null);
    token = String(fresh.json['tenant_access_token']);
    expect((await update({ ...card, open_ids: [alice.open_id] }, late)).json.code).toBe(CODES.cardTokenInvalid);
  });
});

describe('LarkFake: faults and contacts', () => {
  it('answers the next N matching calls with the scripted fault, then normally', async () => {
    fake.rateLimitNext('/open-apis/im/v1/messages', 1, 9);
    const send = () => call('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', { receive_id: group.chat_id, ...text('x') });
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(limited.json.code).toBe(CODES.rateLimited);
    expect(limited.headers.get('x-ogw-ratelimit-reset')).toBe('9');
    expect((await send()).status).toBe(200);
    fake.botNotInChatNext('/open-apis/im/v1/messages/:id/reply', 1);
    const root = fake.storeUserMessage(alice, group.chat_id, 'text', '{"text":"hi"}');
    expect((await call('POST', `/open-apis/im/v1/messages/${root.message_id}/reply`, text('x'))).json.code).toBe(CODES.botNotInChat);
  });

  it('throttles a path for a window, counting the calls that came too early, and says how long is left', async () => {
    const limiter = fake.throttle('/open-apis/im/v1/messages', 30);
    const send = () => call('POST', '/open-apis/im/v1/messages?receive_id_type=chat_id', { receive_id: group.chat_id, ...text('x') });
    const first = await send();
    expect(first.status).toBe(429);
    expect(first.json.code).toBe(CODES.rateLimited);
    expect(first.headers.get('x-ogw-ratelimit-reset')).toBe('30');
    fake.advance(29_500);
    const second = await send();
    expect(second.headers.get('x-ogw-ratelimit-reset')).toBe('1');
    expect(limiter.refused()).toBe(2);
    fake.advance(500);
    expect((await send()).status).toBe(200);
    expect(limiter.refused()).toBe(2);
  });

  it('returns contact profiles by open_id, with email and name', async () => {
    const res = await call('GET', `/open-apis/contact/v3/users/${alice.open_id}?user_id_type=open_id`);
    expect(res.json.data?.['user']).toMatchObject({ open_id: alice.open_id, name: 'Alice', email: 'alice@example.com' });
    expect((await call('GET', '/open-apis/contact/v3/users/ou_nobody?user_id_type=open_id')).json.code).toBe(CODES.userNotFound);
  });
});
