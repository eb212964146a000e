import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { privateChatOf, tgUser } from '../../fakes/telegram/telegram-updates.ts';
import { TelegramHarness } from '../../helpers/telegram/telegram-harness.ts';

describe('telegram private chat: registration', () => {
  let h: TelegramHarness;
  beforeEach(async () => {
    h = await new TelegramHarness().start();
  });
  afterEach(async () => {
    await h.close();
  });

  const alice = tgUser(111111111, 'Alice', { username: 'alice', languageCode: 'en' });
  const dm = privateChatOf(alice);

  it('links the account with /start <code> and shows the menu', async () => {
    const user = h.desk.addUser('alice@example.com', 'Alice Liddell');
    const code = h.desk.issueCode(user.id);
    const answer = await h.send(h.fake.updates.command(dm, alice, '/start', code));
    expect(answer.status).toBe(200);
    const linked = await h.desk.findLinkedUser({ platform: 'telegram', workspaceId: String(h.botUser.id), platformUserId: '111111111' });
    expect(linked?.id).toBe(user.id);
    const reply = h.fake.lastSent(dm.id);
    expect(reply.text).toContain('Welcome, Alice Liddell!');
    expect(reply.text).toContain('alice@example.com');
    expect(reply.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(['New request', 'Open requests', 'Help']);
  });

  it('answers a wrong, an expired and a reused code clearly, and links nothing', async () => {
    const user = h.desk.addUser('alice@example.com', 'Alice');
    const expired = h.desk.issueCode(user.id, { expired: true });
    await h.send(h.fake.updates.command(dm, alice, '/start', 'nonsense'));
    expect(h.fake.lastSent(dm.id).text).toBe('This code is not valid. Check it, or ask support for a new one.');
    await h.send(h.fake.updates.command(dm, alice, '/start', expired));
    expect(h.fake.lastSent(dm.id).text).toBe('This code has expired. Ask support for a new one.');

    const bob = tgUser(222, 'Bob', { languageCode: 'en' });
    const used = h.desk.issueCode(user.id);
    await h.send(h.fake.updates.command(privateChatOf(bob), bob, '/start', used));
    await h.send(h.fake.updates.command(dm, alice, '/start', used));
    expect(h.fake.lastSent(dm.id).text).toBe('This code has already been used. Ask support for a new one.');
    expect(await h.desk.findLinkedUser({ platform: 'telegram', workspaceId: String(h.botUser.id), platformUserId: String(alice.id) })).toBeNull();
  });

  it('tells an unregistered user how to register, and lets them do nothing else', async () => {
    for (const text of ['/new', '/tickets', 'my printer is on fire']) {
      await h.send(h.fake.updates.message(dm, alice, text));
      expect(h.fake.lastSent(dm.id).text).toContain('send "/start <code>" here');
    }
    // A button from an old message is refused too, with an alert and the explanation.
    const menuLike = h.fake.updates.message(dm, alice, 'x').message;
    const press = h.fake.updates.callbackQuery(alice, menuLike, 'm:n');
    await h.send(press);
    const answer = h.answers().at(-1)!;
    expect(answer).toMatchObject({ id: press.callback_query.id, alert: true });
    expect(answer.text).toContain('Please register first');
    expect(h.desk.dialog.size).toBe(0);
    expect(h.desk.created).toHaveLength(0);
  });

  it('speaks Russian and Japanese from language_code', async () => {
    const ivan = tgUser(333, 'Ivan', { languageCode: 'ru' });
    await h.send(h.fake.updates.message(privateChatOf(ivan), ivan, '/help'));
    expect(h.fake.lastSent(ivan.id).text).toContain('привяжите аккаунт Telegram');
    const yuki = tgUser(444, 'Yuki', { languageCode: 'ja-JP' });
    await h.send(h.fake.updates.message(privateChatOf(yuki), yuki, '/help'));
    expect(h.fake.lastSent(yuki.id).text).toContain('ヘルプセンターに連携');
  });

  it('registers the command menu in en, ja and ru at start', async () => {
    const lists = h.fake.callsTo('setMyCommands').filter(
      (c) => (c.params['scope'] as { type: string }).type === 'all_private_chats',
    );
    const byLang = Object.fromEntries(lists.map((c) => [String(c.params['language_code'] ?? ''), c.params['commands']]));
    expect(Object.keys(byLang).sort()).toEqual(['', 'en', 'ja', 'ru']);
    for (const commands of Object.values(byLang)) {
      expect((commands as { command: string }[]).map((c) => c.command)).toEqual(['new', 'tickets', 'help']);
    }
    expect((byLang['ru'] as { description: string }[])[0]!.description).toBe('Новая заявка');
    expect((byLang['ja'] as { description: string }[])[0]!.description).toBe('新しいリクエスト');
  });
});
