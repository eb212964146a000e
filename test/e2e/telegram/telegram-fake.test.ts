import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramFake } from '../../fakes/telegram/telegram-fake.ts';
import { privateChatOf, supergroup, tgUser } from '../../fakes/telegram/telegram-updates.ts';

/** The fake must refuse what Telegram refuses, or tests against it prove nothing. */
describe('strict Telegram Bot API fake', () => {
  let fake: TelegramFake;
  beforeEach(async () => {
    fake = new TelegramFake();
    await fake.start();
  });
  afterEach(async () => {
    await fake.stop();
  });

  const alice = tgUser(111, 'Alice');
  const dm = privateChatOf(alice);

  async function call(method: string, params: Record<string, unknown> = {}, token = fake.token) {
    const res = await fetch(`${fake.url}bot${token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    return { status: res.status, body: (await res.json()) as { ok: boolean; result?: any; description?: string; parameters?: any } };
  }

  function started() {
    fake.observe(fake.updates.message(dm, alice, 'hi'));
  }

  it('401 for a wrong token, 404 for an unknown method', async () => {
    expect(await call('getMe', {}, '1:wrong')).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    expect((await call('sendSmokeSignal')).status).toBe(404);
  });

  it('sendMessage needs chat_id and a non-empty text of at most 4096 characters after entity parsing', async () => {
    started();
    expect((await call('sendMessage', { text: 'x' })).body.description).toBe('Bad Request: chat_id is empty');
    expect((await call('sendMessage', { chat_id: dm.id })).body.description).toBe('Bad Request: message text is empty');
    expect((await call('sendMessage', { chat_id: dm.id, text: '   ' })).body.description).toBe('Bad Request: message text is empty');
    expect((await call('sendMessage', { chat_id: dm.id, text: 'x'.repeat(4097) })).body.description).toBe('Bad Request: message is too long');
    // 4096 visible characters, many more raw: the tags and entities do not count.
    const html = `<b>${'&amp;'.repeat(4096)}</b>`;
    const ok = await call('sendMessage', { chat_id: dm.id, text: html, parse_mode: 'HTML' });
    expect(ok.status).toBe(200);
    expect(ok.body.result.text).toBe('&'.repeat(4096));
  });

  it('refuses bad HTML: unknown tag, unclosed tag, bare "<"', async () => {
    started();
    const send = (text: string) => call('sendMessage', { chat_id: dm.id, text, parse_mode: 'HTML' });
    expect((await send('<blink>x</blink>')).body.description).toBe(
      `Bad Request: can't parse entities: Unsupported start tag "blink" at byte offset 0`,
    );
    expect((await send('<b>bold')).body.description).toBe(
      `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
    );
    expect((await send('1 < 2 and <3')).status).toBe(400);
    expect((await send('1 &lt; 2 &amp; 3')).body.result.text).toBe('1 < 2 & 3');
  });

  it('callback_data is limited to 64 BYTES', async () => {
    started();
    const markup = (data: string) => ({ inline_keyboard: [[{ text: 'b', callback_data: data }]] });
    // 32 "ü" are 32 characters but 64 bytes: accepted; 33 are 66 bytes: refused.
    expect((await call('sendMessage', { chat_id: dm.id, text: 'x', reply_markup: markup('ü'.repeat(32)) })).status).toBe(200);
    const r = await call('sendMessage', { chat_id: dm.id, text: 'x', reply_markup: markup('ü'.repeat(33)) });
    expect(r.body.description).toBe('Bad Request: BUTTON_DATA_INVALID');
  });

  it('refuses chats it does not know and users who never started the bot', async () => {
    expect((await call('sendMessage', { chat_id: 999, text: 'x' })).body.description).toBe('Bad Request: chat not found');
    // Seen in a group but never started the bot: Telegram knows the user and refuses, 403 (telegraf#15, lnp2pBot#159).
    fake.observe(fake.updates.message(supergroup(-100777, 'G'), alice, 'hello group'));
    expect(await call('sendMessage', { chat_id: dm.id, text: 'x' })).toMatchObject({ status: 403, body: { description: "Forbidden: bot can't initiate conversation with a user" } });
    const bob = tgUser(222, 'Bob');
    fake.store.chatRecord(privateChatOf(bob));
    expect((await call('sendMessage', { chat_id: 222, text: 'x' })).body.description).toBe(
      "Forbidden: bot can't initiate conversation with a user",
    );
  });

  it('edits: unknown message, unchanged content', async () => {
    started();
    const sent = (await call('sendMessage', { chat_id: dm.id, text: '<b>hi</b>', parse_mode: 'HTML' })).body.result;
    expect((await call('editMessageText', { chat_id: dm.id, message_id: 9999, text: 'x' })).body.description).toBe(
      'Bad Request: message to edit not found',
    );
    const same = await call('editMessageText', { chat_id: dm.id, message_id: sent.message_id, text: '<b>hi</b>', parse_mode: 'HTML' });
    expect(same.body.description).toMatch(/^Bad Request: message is not modified/);
    // Same letters, different formatting: that is a change.
    expect((await call('editMessageText', { chat_id: dm.id, message_id: sent.message_id, text: 'hi' })).status).toBe(200);
    expect((await call('editMessageReplyMarkup', { chat_id: dm.id, message_id: sent.message_id })).body.description).toMatch(
      /not modified/,
    );
    expect((await call('deleteMessage', { chat_id: dm.id, message_id: sent.message_id })).body.result).toBe(true);
    expect((await call('deleteMessage', { chat_id: dm.id, message_id: sent.message_id })).body.description).toBe(
      'Bad Request: message to delete not found',
    );
  });

  it('reply_parameters to an unknown message fail unless allow_sending_without_reply', async () => {
    started();
    const r = await call('sendMessage', { chat_id: dm.id, text: 'x', reply_parameters: { message_id: 4242 } });
    expect(r.body.description).toBe('Bad Request: message to be replied not found');
    const ok = await call('sendMessage', {
      chat_id: dm.id,
      text: 'x',
      reply_parameters: { message_id: 4242, allow_sending_without_reply: true },
    });
    expect(ok.status).toBe(200);
  });

  it('answerCallbackQuery: known ids only, once, text up to 200 characters', async () => {
    started();
    const msg = (await call('sendMessage', { chat_id: dm.id, text: 'q', reply_markup: { inline_keyboard: [[{ text: 'Go', callback_data: 'go' }]] } })).body.result;
    const press = fake.press(alice, fake.lastSent(dm.id), 'Go');
    expect(press.callback_query).toMatchObject({ data: 'go', message: { message_id: msg.message_id } });
    fake.observe(press);
    const id = press.callback_query.id;
    expect((await call('answerCallbackQuery', { callback_query_id: id, text: 'x'.repeat(201) })).body.description).toBe(
      'Bad Request: MESSAGE_TOO_LONG',
    );
    expect((await call('answerCallbackQuery', { callback_query_id: id, text: 'x'.repeat(200) })).status).toBe(200);
    expect((await call('answerCallbackQuery', { callback_query_id: id })).status).toBe(400);
    expect((await call('answerCallbackQuery', { callback_query_id: 'never-seen' })).status).toBe(400);
  });

  it('scripted faults: 429 with retry_after, 500, 403 blocked, each for N calls', async () => {
    started();
    fake.failNext('sendMessage', { type: 'rate_limit', retryAfter: 7 }, 2);
    fake.failNext('sendMessage', { type: 'server_error' });
    fake.failNext('sendMessage', { type: 'blocked' });
    const statuses = [];
    for (let i = 0; i < 5; i += 1) statuses.push(await call('sendMessage', { chat_id: dm.id, text: 'x' }));
    expect(statuses.map((s) => s.status)).toEqual([429, 429, 500, 403, 200]);
    expect(statuses[0]!.body).toEqual({
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 7',
      parameters: { retry_after: 7 },
    });
    expect(statuses[3]!.body.description).toBe('Forbidden: bot was blocked by the user');
  });

  it('getUpdates: 409 while a webhook is set; holds until an update arrives; confirms by offset', async () => {
    expect((await call('setWebhook', { url: 'http://insecure.example/hook' })).body.description).toBe(
      'Bad Request: bad webhook: An HTTPS URL must be provided for webhook',
    );
    expect((await call('setWebhook', { url: 'https://ok.example/hook', secret_token: 's3cr3t' })).status).toBe(200);
    expect((await call('getUpdates')).status).toBe(409);
    await call('deleteWebhook');

    const held = call('getUpdates', { timeout: 10 });
    let done = false;
    void held.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    const u1 = fake.updates.message(dm, alice, 'one');
    fake.queueUpdate(u1);
    expect((await held).body.result.map((u: { update_id: number }) => u.update_id)).toEqual([u1.update_id]);
    // Not confirmed yet: asked again without an offset, it comes again.
    expect((await call('getUpdates')).body.result).toHaveLength(1);
    expect((await call('getUpdates', { offset: u1.update_id + 1 })).body.result).toEqual([]);
    expect((await call('getUpdates')).body.result).toEqual([]);
  });

  it('commands are stored per scope and language', async () => {
    await call('setMyCommands', { commands: [{ command: 'new', description: 'Новая заявка' }], language_code: 'ru' });
    expect((await call('getMyCommands', { language_code: 'ru' })).body.result).toEqual([{ command: 'new', description: 'Новая заявка' }]);
    expect((await call('getMyCommands')).body.result).toEqual([]);
    expect((await call('setMyCommands', { commands: [{ command: 'New!', description: 'x' }] })).body.description).toBe(
      'Bad Request: BOT_COMMAND_INVALID',
    );
  });

  it('getChatMember answers the status it was given; getChatAdministrators lists admins', async () => {
    const group = supergroup(-100555, 'Support');
    fake.observe(fake.updates.message(group, alice, 'hello'));
    fake.setMember(group.id, alice.id, 'administrator');
    expect((await call('getChatMember', { chat_id: group.id, user_id: alice.id })).body.result.status).toBe('administrator');
    expect((await call('getChatAdministrators', { chat_id: group.id })).body.result.map((m: any) => m.user.id)).toEqual([alice.id]);
    expect((await call('getChatMember', { chat_id: group.id, user_id: 31337 })).body.description).toBe('Bad Request: user not found');
  });
});
