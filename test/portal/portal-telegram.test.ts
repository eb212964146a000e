/**
 * Linking Telegram from the help center, against the real Telegram channel and the strict fake Bot API: /my/chats
 * shows the deep link https://t.me/<bot>?start=<code> (the bot's username learned by getMe), the code in it is
 * what `/start <code>` (what Telegram sends when the link is opened and Start pressed) accepts, once; the linked
 * account is listed, gets the news of tickets opened for the customer, and unlinking stops both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../console/console-client.ts';
import { MailCatcher, linkIn } from '../helpers/mail-catcher.ts';
import { TelegramServiceWorld } from '../helpers/telegram/telegram-service.ts';
import { waitFor } from '../helpers/wait.ts';

const mail = new MailCatcher();
const w = new TelegramServiceWorld();
let carol: ConsoleClient;
let user: { id: string; email: string };

beforeAll(async () => {
  await mail.start();
  await w.start({ env: { SMTP_URL: mail.url } });
  user = await w.helpCenterUser('Carol');
  carol = new ConsoleClient(w.svc.app);
  await carol.get('/login');
  await carol.post('/login/email', { email: user.email });
  const path = new URL(linkIn(await mail.waitFor(user.email))).pathname;
  await carol.get(path);
  expect((await carol.post(path, {})).statusCode).toBe(303);
}, 90_000);
afterAll(async () => {
  await w.stop();
  await mail.stop();
});

describe('linking Telegram from /my/chats', () => {
  it('links the account by the deep link\'s code, lists it, and unlinks it', async () => {
    const page = await carol.get('/my/chats');
    expect(page.statusCode).toBe(200);
    const deep = new RegExp(`href="https://t\\.me/${w.fake.bot.username}\\?start=([A-Z2-9]{8})"`).exec(page.body);
    expect(deep, 'deep link').not.toBeNull();
    const code = deep![1]!;
    expect(page.body).toContain(`/start ${code}`);
    expect(page.body).toContain(`@${w.fake.bot.username}`);

    const { tg, chat } = await w.person('Carol');
    await w.send(w.fake.updates.command(chat, tg, '/start', code));
    const reply = (await w.sentCount(chat.id, 1)).at(-1)!.text;
    expect(reply).toContain(user.email);
    const listed = await carol.get('/my/chats');
    expect(listed.body).toMatch(/<strong>Telegram<\/strong> · Carol/);
    // the code worked once
    const { tg: other, chat: otherChat } = await w.person('Mallory');
    await w.send(w.fake.updates.command(otherChat, other, '/start', code));
    expect((await w.sentCount(otherChat.id, 1)).at(-1)!.text).not.toContain(user.email);

    // a ticket opened for Carol is announced in her private chat
    const before = w.fake.sent(chat.id).length;
    const t = await w.api('POST', '/tickets', { subject: 'Badge does not open the door', description: 'My badge stopped working this morning.', requesterEmail: user.email });
    expect(t.status).toBe(201);
    await waitFor(() => w.fake.sent(chat.id).length > before, 20_000, 'the announcement in the private chat');

    const accountId = /action="\/my\/chats\/([0-9a-f-]{36})\/unlink"/.exec(listed.body)![1]!;
    await carol.get('/my/chats');
    expect((await carol.post(`/my/chats/${accountId}/unlink`, {})).headers.location).toBe('/my/chats?done=unlinked');
    expect(await w.db.chatIdentity.count({ where: { platform: 'telegram', workspaceId: w.botId, platformUserId: String(tg.id) } })).toBe(0);
    expect((await w.db.chatThreadLink.findFirstOrThrow({ where: { ticket: { number: t.body.ticket.number } } })).status).toBe('broken');
  });

  it('gives the chat side a sign-in link for a linked account (for a private chat), and none for an unknown one', async () => {
    const c = await w.customer('Dora');
    const link = await w.svc.signIn.linkForChatUser({ platform: 'telegram', workspaceId: w.botId, platformUserId: String(c.tg.id) });
    expect(link?.url).toMatch(/^https:\/\/help\.test\/login\/link\/[\w-]{43}$/);
    const d = new ConsoleClient(w.svc.app);
    const path = new URL(link!.url).pathname;
    await d.get(path);
    expect((await d.post(path, {})).headers.location).toBe('/my/tickets');
    expect((await d.get('/my/tickets')).body).toContain('Dora');
    expect(await w.svc.signIn.linkForChatUser({ platform: 'telegram', workspaceId: w.botId, platformUserId: '999999' })).toBeNull();
  });
});
