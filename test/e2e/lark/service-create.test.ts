/**
 * Creating tickets from Lark against the real service, with an Encrypt Key configured: every event arrives
 * encrypted and signed (SHA-256 over timestamp + nonce + key + body), as Lark sends it. Asserts what the fake Lark
 * received and what PostgreSQL holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptLarkPayload, signV2 } from '../../fakes/lark/lark-fake-events.ts';
import { cardText, findByName, parseContent, submitValue, walkCard } from '../../helpers/lark/lark-flows.ts';
import { eventIdOf, LarkService, VERIFICATION_TOKEN } from '../../helpers/lark/lark-service.ts';

const ENCRYPT_KEY = 'enc-key-0123456789abcdef';
let s: LarkService;
let generalServiceId = '';

beforeAll(async () => {
  s = await new LarkService({ encryptKey: ENCRYPT_KEY }).start();
  generalServiceId = (await s.db.service.findFirstOrThrow({ where: { name: 'General' } })).id;
});
afterAll(async () => {
  await s?.stop();
});

const sourceKey = (messageId: string) => `lark:${s.fake.tenantKey}:${messageId}`;

describe('Lark on the real service: a request from a group mention (encrypted, signed events)', () => {
  it('answers the encrypted url_verification with the challenge and stores nothing', async () => {
    const before = await s.stored();
    const res = await s.send(s.inbound.urlVerification('challenge-enc-1'));
    expect(res).toMatchObject({ status: 200, json: { challenge: 'challenge-enc-1' } });
    expect(await s.stored()).toEqual(before);
  });

  it('sends the member who mentioned the bot an ephemeral form, prefilled, and records the event once', async () => {
    const { alice, bob, group } = s.people;
    const { message, form, eventId } = await s.mention(alice, 'the printer on floor 3 is on fire\nit smells of smoke');

    const row = await s.db.inboundEvent.findUniqueOrThrow({ where: { platform_externalId: { platform: 'lark', externalId: eventId } } });
    expect(row).toMatchObject({ status: 'done', attempts: 0 });
    // stored decrypted (so the worker can read it) but without the verification token
    expect(JSON.stringify(row.payload)).toContain(message.message_id);
    expect(JSON.stringify(row.payload)).not.toContain(VERIFICATION_TOKEN);

    expect(form.ephemeralFor).toBe(alice.open_id);
    expect(s.fake.ephemeralsFor(group.chat_id, bob.open_id)).toHaveLength(0);
    expect(s.fake.botMessagesIn(group.chat_id)).toHaveLength(0); // nothing the whole group sees
    const card = parseContent(form);
    expect(cardText(card)).toContain('New support request');
    expect(findByName(card, 'subject')['default_value']).toBe('the printer on floor 3 is on fire');
    expect(findByName(card, 'description')['default_value']).toBe('the printer on floor 3 is on fire\nit smells of smoke');
    expect(findByName(card, 'priority')['initial_option']).toBe('normal');
    // who the request is filed as is shown (her Lark profile's email), not asked: there is no email field
    expect(cardText(card)).toContain('This request will be filed as alice@example.com.');
    expect(walkCard(card).filter((e) => e['tag'] === 'input').map((e) => e['name'])).toEqual(['subject', 'description']);
    // the service list is the core's catalog: a first start creates "General"
    const options = findByName(card, 'service')['options'] as { value: string; text: { content: string } }[];
    expect(options.map((o) => o.text.content)).toEqual(['Not specified', 'General']);
    expect(options[1]!.value).toBe(generalServiceId);
    // only the draft's id (and the card's language) travels in the button; the draft is the core's
    const value = submitValue(form);
    expect(Object.keys(value).sort()).toEqual(['d', 'loc', 'op']);
    expect(value).toMatchObject({ op: 'submit', loc: 'en' });
    const draft = await s.db.requestDraft.findUniqueOrThrow({ where: { id: String(value['d']) } });
    expect(draft).toMatchObject({ platform: 'lark', platformUserId: alice.open_id, chatId: group.chat_id, threadRef: message.message_id, direct: false, ticketNumber: null });
    expect(await s.db.ticket.count({ where: { sourceKey: sourceKey(message.message_id) } })).toBe(0);
  });

  it('on Submit creates the ticket for the person who asked, replies in the thread and removes the card', async () => {
    const { alice } = s.people;
    const { message, form } = await s.mention(alice, 'our VPN drops every ten minutes');
    const usersBefore = await s.db.user.count();
    // A form carries no email any more; one added by hand (a forged callback) changes nothing.
    const submit = s.submit(alice, form, { subject: 'VPN drops', description: 'our VPN drops every ten minutes', priority: 'high', service: generalServiceId, email: 'Carol@Customer.example' });
    const res = await s.send(submit.body);

    // answered at once with a toast and the card replaced; the work itself is recorded in the inbox
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ toast: { type: 'success', content: 'Request sent.' }, card: { type: 'raw' } });
    expect(cardText((res.json as { card: { data: unknown } }).card.data)).toContain('Your request "VPN drops" is being created.');
    await s.processed(submit.eventId);

    const t = await s.db.ticket.findUniqueOrThrow({ where: { sourceKey: sourceKey(message.message_id) } });
    await s.settled(t.number);
    const ticket = await s.ticket(t.number);
    expect(ticket).toMatchObject({ via: 'lark', subject: 'VPN drops', priority: 'high', status: 'new', visibility: 'public', serviceId: generalServiceId });
    // requester and submitter are the person who asked, linked by the email of her Lark profile
    expect(ticket.requester).toMatchObject({ email: 'alice@example.com', role: 'end_user' });
    expect(ticket.submitterId).toBe(ticket.requesterId);
    expect(await s.db.chatIdentity.findFirst({ where: { platform: 'lark', platformUserId: alice.open_id } })).toMatchObject({ userId: ticket.requesterId, workspaceId: s.fake.tenantKey });
    expect(await s.db.user.count()).toBe(usersBefore);
    expect(await s.db.user.findUnique({ where: { email: 'carol@customer.example' } })).toBeNull();
    expect(ticket.comments.map((c) => ({ body: c.body, public: c.public, via: c.via, author: c.author.email }))).toEqual([
      { body: 'our VPN drops every ten minutes', public: true, via: 'lark', author: 'alice@example.com' },
    ]);

    // the thread: the confirmation with number, link and status, as a threaded reply to the mention
    expect(ticket.threadLinks).toHaveLength(1);
    expect(ticket.threadLinks[0]).toMatchObject({ chatId: s.people.group.chat_id, threadRef: message.message_id, locale: 'en', status: 'active' });
    const replies = s.botReplies(message.message_id);
    expect(replies).toHaveLength(1);
    const text = cardText(parseContent(replies[0]!));
    expect(text).toContain(`Request #${t.number} "VPN drops" has been created. Status: New.`);
    expect(JSON.stringify(parseContent(replies[0]!))).toContain(`"url":"http://help.test/tickets/${t.number}"`);
    const deliveries = ticket.threadLinks[0]!.deliveries;
    expect(deliveries.map((d) => [d.outboxEvent.type, d.status, d.platformMessageId])).toEqual([['ticket.created', 'sent', replies[0]!.message_id]]);
    const call = s.fake.callsTo('POST', '/open-apis/im/v1/messages/:id/reply').find((c) => c.path.includes(message.message_id))!;
    expect(call.body).toMatchObject({ msg_type: 'interactive', reply_in_thread: true, uuid: `delivery-${deliveries[0]!.id}` });

    expect(s.fake.messages.get(form.message_id)!.deleted).toBe(true);
    expect((await s.db.requestDraft.findUniqueOrThrow({ where: { id: String(submitValue(form)['d']) } })).ticketNumber).toBe(t.number);
  });

  it('shows form errors on the card in the member’s language and stores nothing; a person the help center does not know files nothing', async () => {
    const { nina, group } = s.people;
    const { message, form } = await s.mention(nina, 'не работает принтер на третьем этаже');
    const card = parseContent(form);
    expect(cardText(card)).toContain('Новая заявка в поддержку');
    // no email in her Lark profile and no linked account: the form says so instead of asking for an address
    expect(cardText(card)).toContain('Ваш аккаунт в чате ещё не привязан к центру поддержки.');

    const before = await s.stored();
    const bad = s.submit(nina, form, { subject: '   ', description: 'принтер', priority: 'low', service: 'none' });
    const res = await s.send(bad.body);
    expect(res.status).toBe(200);
    const json = res.json as { toast: unknown; card: { data: unknown } };
    expect(json.toast).toEqual({ type: 'error', content: 'Исправьте отмеченные поля.' });
    const text = cardText(json.card.data);
    expect(text).toContain('Введите тему.');
    // the minimum is the core's own (checkDraft: 10 characters)
    expect(text).toContain('Опишите проблему не короче 10 символов.');
    expect(findByName(json.card.data, 'priority')['initial_option']).toBe('low'); // what she chose is kept
    expect(findByName(json.card.data, 'description')['default_value']).toBe('принтер');
    expect(findByName(json.card.data, 'submit')['value']).toEqual(submitValue(form));
    expect(await s.stored()).toEqual(before);

    // A valid form is taken, but the core files nothing for an account it cannot name: she is told so on the card.
    const good = s.submit(nina, form, { subject: 'Принтер', description: 'не работает принтер на третьем этаже', priority: 'low', service: 'none' });
    expect((await s.send(good.body)).json).toMatchObject({ toast: { type: 'success', content: 'Заявка отправлена.' } });
    await s.processed(good.eventId);
    expect(await s.db.ticket.count({ where: { sourceKey: sourceKey(message.message_id) } })).toBe(0);
    const update = s.fake.callsTo('POST', '/open-apis/interactive/v1/card/update').filter((c) => (c.body as { token: string }).token === good.token);
    expect(update).toHaveLength(1);
    expect(update[0]!.body).toMatchObject({ card: { open_ids: [nina.open_id] } });
    expect(cardText(parseContent(s.fake.messages.get(form.message_id)!))).toContain('Ваш аккаунт в чате ещё не привязан к центру поддержки.');
    expect(s.fake.ephemeralsFor(group.chat_id, nina.open_id)).toHaveLength(1);
  });

  it('speaks Japanese to a member whose Lark profile is Japanese, on the card and in the thread', async () => {
    const { bob } = s.people;
    const { message, form } = await s.mention(bob, 'プリンターが燃えています');
    expect(cardText(parseContent(form))).toContain('新しいサポートリクエスト');
    const submit = s.submit(bob, form, { subject: 'プリンター', description: 'プリンターが燃えています。至急対応してください。', priority: 'urgent', service: 'none' });
    expect((await s.send(submit.body)).json).toMatchObject({ toast: { type: 'success', content: 'リクエストを送信しました。' } });
    await s.processed(submit.eventId);
    const t = await s.db.ticket.findUniqueOrThrow({ where: { sourceKey: sourceKey(message.message_id) }, include: { requester: true } });
    await s.settled(t.number);
    // the requester is the account of his Lark profile: the new user gets his Lark name
    expect(t.requester).toMatchObject({ email: 'bob@example.com', name: 'Bob Other' });
    expect(cardText(parseContent(s.botReplies(message.message_id)[0]!))).toContain(`リクエスト #${t.number}「プリンター」を作成しました。ステータス: 新規。`);
  });

  it('keeps a request started inside an existing thread in that thread', async () => {
    const { alice, bob, group } = s.people;
    const root = s.fake.storeUserMessage(bob, group.chat_id, 'text', JSON.stringify({ text: 'anyone else without wifi?' }));
    const { message, form } = await s.mention(alice, 'yes, wifi is down on floor 2', root.message_id);
    expect(await s.db.requestDraft.findUniqueOrThrow({ where: { id: String(submitValue(form)['d']) } })).toMatchObject({ threadRef: root.message_id });
    const submit = s.submit(alice, form, { subject: 'Wifi down', description: 'yes, wifi is down on floor 2', priority: 'normal', service: 'none' });
    await s.sendAndProcess(submit.body);
    const t = await s.db.ticket.findUniqueOrThrow({ where: { sourceKey: sourceKey(message.message_id) }, include: { threadLinks: true } });
    await s.settled(t.number);
    expect(t.threadLinks.map((l) => l.threadRef)).toEqual([root.message_id]);
    expect(s.botReplies(root.message_id)).toHaveLength(1);
  });
});

describe('Lark on the real service: a request in a private chat', () => {
  it('sends the form as a normal card, and after Submit turns it into the confirmation and replies in the chat', async () => {
    const { alice } = s.people;
    const chat = s.fake.p2pChat(alice);
    const ephemeralCalls = s.fake.callsTo('POST', '/open-apis/ephemeral/v1/send').length;
    const { body, message } = s.inbound.userMessage({ from: alice, chatId: chat.chat_id, text: 'my laptop does not boot since this morning' });
    await s.sendAndProcess(body);

    expect(s.fake.callsTo('POST', '/open-apis/ephemeral/v1/send')).toHaveLength(ephemeralCalls);
    const cards = s.fake.botMessagesIn(chat.chat_id);
    expect(cards).toHaveLength(1);
    const form = cards[0]!;
    expect(await s.db.requestDraft.findUniqueOrThrow({ where: { id: String(submitValue(form)['d']) } })).toMatchObject({ chatId: chat.chat_id, threadRef: message.message_id, direct: true });

    const submit = s.submit(alice, form, { subject: 'Laptop does not boot', description: 'my laptop does not boot since this morning', priority: 'normal', service: 'none' });
    expect((await s.send(submit.body)).status).toBe(200);
    await s.processed(submit.eventId);
    const t = await s.db.ticket.findUniqueOrThrow({ where: { sourceKey: sourceKey(message.message_id) }, include: { threadLinks: true, requester: true } });
    await s.settled(t.number);

    expect(t.via).toBe('lark');
    expect(t.requester.email).toBe('alice@example.com');
    expect(t.threadLinks.map((l) => [l.chatId, l.threadRef])).toEqual([[chat.chat_id, message.message_id]]);
    // the form card became the confirmation (delayed update with the card token, open_ids as Card 1.0 requires)
    const update = s.fake.callsTo('POST', '/open-apis/interactive/v1/card/update').filter((c) => (c.body as { token: string }).token === submit.token);
    expect(update).toHaveLength(1);
    expect(update[0]!.body).toMatchObject({ card: { open_ids: [alice.open_id] } });
    expect(cardText(parseContent(s.fake.messages.get(form.message_id)!))).toContain(`Request #${t.number} "Laptop does not boot" has been created.`);
    // and the confirmation is also the first message of the ticket's thread
    const replies = s.botReplies(message.message_id);
    expect(replies.map((m) => m.chat_id)).toEqual([chat.chat_id]);
    expect(cardText(parseContent(replies[0]!))).toContain(`Request #${t.number} "Laptop does not boot" has been created. Status: New.`);
  });
});

describe('Lark on the real service: retries and duplicates', () => {
  it('stores and processes an event Lark delivers twice only once', async () => {
    const { bob, group } = s.people;
    const { body } = s.inbound.userMessage({ from: bob, chatId: group.chat_id, text: 'the scanner jams', mentionBot: true });
    const formsBefore = s.fake.ephemeralsFor(group.chat_id, bob.open_id).length;
    const first = await s.send(body);
    const second = await s.send(body);
    expect([first.status, second.status]).toEqual([200, 200]);
    await s.processed(eventIdOf(body));
    expect(await s.db.inboundEvent.count({ where: { externalId: eventIdOf(body) } })).toBe(1);
    expect(s.fake.ephemeralsFor(group.chat_id, bob.open_id)).toHaveLength(formsBefore + 1);
  });

  it('creates one ticket when the same Submit arrives twice, and none more on a second click', async () => {
    const { alice } = s.people;
    const { message, form } = await s.mention(alice, 'the coffee machine leaks water');
    const values = { subject: 'Coffee machine leaks', description: 'the coffee machine leaks water', priority: 'normal', service: 'none' };
    const submit = s.submit(alice, form, values);
    const first = await s.send(submit.body);
    const again = await s.send(submit.body);
    expect(again.json).toEqual(first.json);
    // a second click is a new callback (new event id, new card token) for the same source message
    const click2 = s.submit(alice, form, values);
    await s.send(click2.body);
    await s.processed(submit.eventId);
    await s.processed(click2.eventId);

    expect(await s.db.inboundEvent.count({ where: { externalId: { in: [submit.eventId, click2.eventId] } } })).toBe(2);
    const tickets = await s.db.ticket.findMany({ where: { sourceKey: sourceKey(message.message_id) } });
    expect(tickets).toHaveLength(1);
    await s.settled(tickets[0]!.number);
    expect(s.botReplies(message.message_id)).toHaveLength(1);
  });
});

describe('Lark on the real service: requests that are not from Lark', () => {
  const post = async (body: string, headers: Record<string, string>) => {
    const res = await fetch(s.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return res.status;
  };

  it.each([
    ['a wrong signature', { tamper: 'signature' as const }],
    ['a body changed after signing', { tamper: 'body-after-signing' as const }],
    ['no signature headers', { sign: false }],
    ['a plaintext body (Lark encrypts when a key is set)', { encrypt: false, sign: false }],
  ])('rejects an event with %s with 401 and stores nothing', async (_name, opts) => {
    const before = await s.stored();
    const { body } = s.inbound.userMessage({ from: s.people.alice, chatId: s.people.group.chat_id, text: 'forged request', mentionBot: true });
    const res = await s.send(body, opts);
    expect(res.status).toBe(401);
    expect(await s.stored()).toEqual(before);
    expect(await s.db.inboundEvent.count({ where: { externalId: eventIdOf(body) } })).toBe(0);
  });

  it('rejects an event encrypted with another key, and one whose verification token is wrong', async () => {
    const before = await s.stored();
    const { body } = s.inbound.userMessage({ from: s.people.alice, chatId: s.people.group.chat_id, text: 'forged request', mentionBot: true });
    const raw = JSON.stringify({ encrypt: encryptLarkPayload(JSON.stringify(body), 'another-key') });
    expect(await post(raw, { 'x-lark-request-timestamp': '1700000000', 'x-lark-request-nonce': 'n1', 'x-lark-signature': signV2('1700000000', 'n1', ENCRYPT_KEY, raw) })).toBe(401);
    (body['header'] as Record<string, unknown>)['token'] = 'WRONG-TOKEN';
    expect((await s.send(body)).status).toBe(401);
    expect(await s.stored()).toEqual(before);
  });

  it('rejects a forged card Submit before anything is created', async () => {
    const { alice } = s.people;
    const { message, form } = await s.mention(alice, 'a real problem with the door');
    const before = await s.stored();
    const forged = s.submit(alice, form, { subject: 'Door', description: 'a real problem with the door', priority: 'normal', service: 'none' });
    expect((await s.send(forged.body, { tamper: 'signature' })).status).toBe(401);
    expect(await s.stored()).toEqual(before);
    expect(await s.db.ticket.count({ where: { sourceKey: sourceKey(message.message_id) } })).toBe(0);
  });

  it('answers malformed bodies with 400 and oversized ones with 413, never 5xx, and stores nothing', async () => {
    const before = await s.stored();
    for (const url of [s.eventsUrl, s.cardsUrl]) {
      for (const junk of ['{"schema":"2.0",', '[1,2,3]', '"text"', 'null', '{}', '{"encrypt":42}', '{"encrypt":""}', '{"action":{}}', '\u0000\u0001']) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: junk });
        expect(res.status, `${url} ${junk}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${url} ${junk}`).toBeLessThan(500);
      }
    }
    const big = JSON.stringify({ encrypt: 'A'.repeat(1024 * 1024) });
    expect((await fetch(s.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big })).status).toBe(413);
    expect(await s.stored()).toEqual(before);
  });

  it('acknowledges an authentic event of a type it does not handle without storing it', async () => {
    const before = await s.stored();
    const res = await s.send({
      schema: '2.0',
      header: { event_id: 'ev-bot-added-1', event_type: 'im.chat.member.bot.added_v1', token: VERIFICATION_TOKEN, tenant_key: s.fake.tenantKey, app_id: s.fake.appId },
      event: { chat_id: s.people.group.chat_id },
    });
    expect(res.status).toBe(200);
    expect(await s.stored()).toEqual(before);
  });

  it('takes a legacy card callback on /lark/cards only with its SHA-1 signature', async () => {
    const { alice } = s.people;
    const { message, form } = await s.mention(alice, 'the elevator is stuck on floor 5');
    const values = { subject: 'Elevator stuck', description: 'the elevator is stuck on floor 5', priority: 'urgent', service: 'none' };
    const before = await s.stored();
    const forged = s.inbound.legacyCardAction({ from: alice, cardMessageId: form.message_id, value: submitValue(form), formValue: values });
    expect((await s.send(forged.body, { encrypt: false, legacySign: true, tamper: 'signature' }, s.cardsUrl)).status).toBe(401);
    expect(await s.stored()).toEqual(before);

    const real = s.inbound.legacyCardAction({ from: alice, cardMessageId: form.message_id, value: submitValue(form), formValue: values });
    const res = await s.send(real.body, { encrypt: false, legacySign: true }, s.cardsUrl);
    // the legacy answer is the new card itself
    expect(cardText(res.json)).toContain('Your request "Elevator stuck" is being created.');
    await s.processed(`card:${real.token}`);
    const t = await s.db.ticket.findUniqueOrThrow({ where: { sourceKey: sourceKey(message.message_id) } });
    expect(t).toMatchObject({ via: 'lark', priority: 'urgent' });
    await s.settled(t.number);
    expect(s.botReplies(message.message_id)).toHaveLength(1);
  });
});
