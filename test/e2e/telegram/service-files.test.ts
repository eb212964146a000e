/**
 * Files both ways in Telegram, through the whole service (PostgreSQL, inbox worker, fetch jobs, sync engine)
 * against the strict fake Bot API: a customer's caption-less photo and a text document become comments with their
 * files, stored with the same bytes; an agent's upload reaches the chat with the same bytes; an internal note's
 * file goes nowhere; a file over the limit is refused with a message and no 5xx; a re-delivered update stores once.
 */
import { createHash } from 'node:crypto';
import type { Update } from 'telegraf/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import type { MediaKind } from '../../fakes/telegram/telegram-fake-files.ts';
import { makePng, sha256, TEXT_FILE } from '../../helpers/chat-files.ts';
import { auth, threadTicket } from '../../helpers/service.ts';
import { TelegramServiceWorld, type Customer } from '../../helpers/telegram/telegram-service.ts';
import { waitFor } from '../../helpers/wait.ts';

const w = new TelegramServiceWorld();
beforeAll(async () => {
  await w.start();
}, 60_000);
afterAll(async () => {
  await w.stop();
});

async function ticketOf(c: Customer, subject: string) {
  const { ticket } = await threadTicket(w.svc, {
    via: 'telegram',
    requester: { email: c.email },
    subject,
    description: 'It does not work at all',
    thread: { platform: 'telegram', workspaceId: w.botId, chatId: String(c.chat.id), threadRef: null, locale: 'en' },
  });
  return ticket;
}

/** A message from the customer carrying a file (and a caption or not). */
function withFile(c: Customer, field: MediaKind, value: unknown, caption?: string): Update {
  const base = w.fake.updates.message(c.chat, c.tg, 'x');
  const { text: _t, entities: _e, ...rest } = base.message as typeof base.message & { entities?: unknown };
  return { update_id: base.update_id, message: { ...rest, [field]: value, ...(caption ? { caption } : {}) } } as unknown as Update;
}

/** "Add a comment" pressed on the ticket, then the customer's next message. */
async function commentWith(c: Customer, number: number, update: Update) {
  await w.send(w.fake.updates.callbackQuery(c.tg, w.fake.updates.message(c.chat, c.tg, 'x').message, `t:c:${number}`));
  await w.send(update);
}

async function attachments(ticketId: string, count: number) {
  await waitFor(async () => {
    const rows = await w.db.attachment.findMany({ where: { ticketId } });
    return rows.length === count && rows.every((r) => r.state !== 'pending');
  }, 30_000, 'attachments fetched');
  return w.db.attachment.findMany({ where: { ticketId }, orderBy: [{ createdAt: 'asc' }, { position: 'asc' }] });
}

async function upload(name: string, bytes: Buffer, contentType: string) {
  const r = await w.svc.app.inject({ method: 'POST', url: `/api/v1/uploads?filename=${encodeURIComponent(name)}`, headers: { ...auth(w.agentToken), 'content-type': contentType }, payload: bytes });
  expect(r.statusCode).toBe(201);
  return (JSON.parse(r.body) as { upload: { id: string } }).upload.id;
}

const png = makePng(30, 20, 4);

describe('Telegram files through the whole service', () => {
  it("a caption-less photo and a text document become comments with their files, stored with the same bytes", async () => {
    const c = await w.customer('Petra');
    const ticket = await ticketOf(c, 'Scanner broken');
    await commentWith(c, ticket.number, withFile(c, 'photo', w.fake.addMedia('photo', png)));
    await commentWith(c, ticket.number, withFile(c, 'document', w.fake.addMedia('document', TEXT_FILE, { name: 'scan.log', mimeType: 'text/plain' }), 'the log'));
    const rows = await attachments(ticket.id, 2);
    expect(rows.map((r) => [r.name, r.state, r.contentType, r.sha256])).toEqual([
      ['photo.jpg', 'stored', 'image/png', sha256(png)],
      ['scan.log', 'stored', 'text/plain', sha256(TEXT_FILE)],
    ]);
    const comments = (await w.ticket(ticket.number)).comments.filter((x) => x.authorId === c.userId && x.externalRef !== null);
    expect(comments.map((x) => x.body)).toEqual(['', 'the log']);
    expect(w.fake.files.downloads.every((d) => d.authorized)).toBe(true);
    const served = await w.svc.app.inject({ method: 'GET', url: `/attachments/${rows[1]!.id}/scan.log`, headers: auth(w.agentToken) });
    expect(createHash('sha256').update(served.rawPayload).digest('hex')).toBe(sha256(TEXT_FILE));
    // Nobody is told "text only": the bot confirmed both comments.
    expect(w.texts(c.chat.id).filter((x) => x === `Your comment was added to request #${ticket.number}.`)).toHaveLength(2);
  }, 90_000);

  it("a caption-less photo replying to the bot's message about a ticket is a comment with that photo", async () => {
    const c = await w.customer('Tomas');
    const ticket = await ticketOf(c, 'Router blinks');
    expect((await w.api('POST', `/tickets/${ticket.number}/comments`, { body: 'Can you send a photo of it?', public: true })).status).toBe(201);
    await waitFor(() => w.fake.sent(c.chat.id).some((m) => m.text.includes('Can you send a photo of it?')), 20_000, 'the agent reply in the chat');
    const asked = w.fake.sent(c.chat.id).find((m) => m.text.includes('Can you send a photo of it?'));
    const base = withFile(c, 'photo', w.fake.addMedia('photo', png)) as Update & { message: Record<string, unknown> };
    const reply = { ...base, message: { ...base.message, reply_to_message: w.fake.toMessage(asked!, c.chat as never) } } as unknown as Update;
    await w.send(reply);
    const [row] = await attachments(ticket.id, 1);
    expect(row).toMatchObject({ name: 'photo.jpg', state: 'stored', sha256: sha256(png) });
  }, 90_000);

  it("an agent's files reach the chat with the same bytes; an internal note's file goes nowhere", async () => {
    const c = await w.customer('Quinn');
    const ticket = await ticketOf(c, 'Printer jam');
    const note = await upload('internal.png', makePng(8, 8, 3), 'image/png');
    expect((await w.api('POST', `/tickets/${ticket.number}/comments`, { body: 'their config, for us', public: false, attachmentIds: [note] })).status).toBe(201);
    const steps = Buffer.from('1. open the tray\n2. pull gently\n');
    const a = await upload('fix.png', png, 'image/png');
    const b = await upload('steps.txt', steps, 'text/plain');
    expect((await w.api('POST', `/tickets/${ticket.number}/comments`, { body: 'Try this', public: true, attachmentIds: [a, b] })).status).toBe(201);
    await waitFor(() => w.fake.sentFiles(c.chat.id).length === 2, 30_000, 'files sent to the chat');
    expect(w.fake.sentFiles(c.chat.id).map((f) => [f.kind, f.sha256])).toEqual([['photo', sha256(png)], ['document', sha256(steps)]]);
    expect(w.fake.sentFiles(c.chat.id)[1]!.name).toBe('steps.txt');
    const sent = w.fake.sent(c.chat.id);
    const textAt = sent.findIndex((m) => m.text.includes('Try this'));
    expect(textAt).toBeGreaterThanOrEqual(0);
    expect(sent.findIndex((m) => m.file !== undefined)).toBeGreaterThan(textAt);
    expect(w.texts(c.chat.id).join('\n')).not.toContain('their config');
  }, 90_000);

  it('a file over the limit is refused at once with a message, nothing downloaded, no 5xx', async () => {
    const c = await w.customer('Rita');
    const ticket = await ticketOf(c, 'Video of the issue');
    const getFiles = w.fake.callsTo('getFile').length;
    await commentWith(c, ticket.number, withFile(c, 'video', w.fake.addMedia('video', Buffer.alloc(10), { mimeType: 'video/mp4', claimedSize: 25 * 1024 * 1024 }), 'the whole video'));
    const [row] = await attachments(ticket.id, 1);
    expect(row).toMatchObject({ name: 'video.mp4', state: 'too_large', storageKey: null });
    expect(w.fake.callsTo('getFile').length).toBe(getFiles);
    await waitFor(() => w.texts(c.chat.id).includes(t('en', 'common:chat.file_too_large', { name: 'video.mp4', max: '20' })), 20_000, 'the customer told');
    expect((await w.api('GET', `/tickets/${ticket.number}/comments`)).status).toBe(200);
  }, 90_000);

  it('a re-delivered update (the same one, or the same message again) stores the file once', async () => {
    const c = await w.customer('Sven');
    const ticket = await ticketOf(c, 'Once only');
    const update = withFile(c, 'document', w.fake.addMedia('document', TEXT_FILE, { name: 'once.txt', mimeType: 'text/plain' }), 'once');
    await commentWith(c, ticket.number, update);
    await w.send(update);
    await w.send({ ...update, update_id: update.update_id + 100_000 } as Update);
    const rows = await attachments(ticket.id, 1);
    expect(rows).toMatchObject([{ name: 'once.txt', state: 'stored', sha256: sha256(TEXT_FILE) }]);
    expect((await w.ticket(ticket.number)).comments.filter((x) => x.body === 'once')).toHaveLength(1);
  }, 90_000);
});
