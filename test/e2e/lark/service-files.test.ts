/**
 * Files both ways in a ticket's Lark thread, through the whole service (PostgreSQL, inbox worker, fetch jobs, sync
 * engine) against the strict Lark fake: a customer's image, file and rich-text image stored with the same bytes and
 * served to agents; an agent's upload delivered into the thread (im/v1/images, im/v1/files) with the same bytes; an
 * internal note's file going nowhere; a file over the limit refused with no 5xx; a re-delivered event storing once.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng, sha256, TEXT_FILE } from '../../helpers/chat-files.ts';
import { eventIdOf, LarkService } from '../../helpers/lark/lark-service.ts';
import { auth } from '../../helpers/service.ts';
import { waitFor } from '../../helpers/wait.ts';

let s: LarkService;
const form = (subject: string) => ({ subject, description: `${subject}: it does not work`, priority: 'normal', service: 'none' });
beforeAll(async () => {
  s = await new LarkService().start();
}, 60_000);
afterAll(async () => {
  await s?.stop();
});

async function say(rootId: string, msgType: string, content: Record<string, unknown>) {
  const { body, message } = s.inbound.userMessage({ from: s.people.alice, chatId: s.people.group.chat_id, replyTo: rootId, msgType, content });
  await s.sendAndProcess(body);
  return { body, message };
}

async function attachments(ticketNumber: number, count: number) {
  const where = { ticket: { number: ticketNumber } };
  await waitFor(async () => {
    const rows = await s.db.attachment.findMany({ where });
    return rows.length === count && rows.every((r) => r.state !== 'pending');
  }, 30_000, 'attachments fetched');
  return s.db.attachment.findMany({ where, orderBy: [{ createdAt: 'asc' }, { position: 'asc' }] });
}

async function upload(name: string, bytes: Buffer, contentType: string) {
  const r = await s.svc.app.inject({ method: 'POST', url: `/api/v1/uploads?filename=${encodeURIComponent(name)}`, headers: { ...auth(s.agentToken), 'content-type': contentType }, payload: bytes });
  expect(r.statusCode).toBe(201);
  return (JSON.parse(r.body) as { upload: { id: string } }).upload.id;
}

const png = makePng(40, 30, 8);

describe('Lark files through the whole service', () => {
  it("a customer's image, text file and rich-text image are stored with the same bytes and served to agents", async () => {
    const t = await s.createTicket(s.people.alice, form('Screen flickers'));
    const small = makePng(6, 6, 1);
    await say(t.rootId, 'image', { image_key: s.fake.addResource('image', png) });
    await say(t.rootId, 'file', { file_key: s.fake.addResource('file', TEXT_FILE, 'screen.log'), file_name: 'screen.log' });
    await say(t.rootId, 'post', { title: '', content: [[{ tag: 'text', text: 'and this one' }], [{ tag: 'img', image_key: s.fake.addResource('image', small) }]] });
    const rows = await attachments(t.number, 3);
    expect(rows.map((r) => [r.state, r.contentType, r.sha256])).toEqual([
      ['stored', 'image/png', sha256(png)],
      ['stored', 'text/plain', sha256(TEXT_FILE)],
      ['stored', 'image/png', sha256(small)],
    ]);
    expect(rows[1]!.name).toBe('screen.log');
    const served = await s.svc.app.inject({ method: 'GET', url: `/attachments/${rows[0]!.id}/${encodeURIComponent(rows[0]!.name)}`, headers: auth(s.agentToken) });
    expect(served.statusCode).toBe(200);
    expect(createHash('sha256').update(served.rawPayload).digest('hex')).toBe(sha256(png));
    // Fetched with the tenant token, through the messages that hold them.
    const gets = s.fake.calls.filter((c) => c.path.includes('/resources/'));
    expect(gets.length).toBeGreaterThanOrEqual(3);
    expect(gets.every((c) => c.status === 200 && /^Bearer t-/.test(c.headers['authorization'] ?? ''))).toBe(true);
  }, 90_000);

  it("an agent's files reach the thread with the same bytes; an internal note's file goes nowhere", async () => {
    const t = await s.createTicket(s.people.alice, form('Printer jams'));
    const note = await upload('internal.png', makePng(8, 8, 3), 'image/png');
    expect((await s.api('POST', `/tickets/${t.number}/comments`, { body: 'their config, for us', public: false, attachmentIds: [note] })).status).toBe(201);
    const steps = Buffer.from('1. open the tray\n2. pull gently\n');
    const a = await upload('fix.png', png, 'image/png');
    const b = await upload('steps.txt', steps, 'text/plain');
    expect((await s.api('POST', `/tickets/${t.number}/comments`, { body: 'Try this', public: true, attachmentIds: [a, b] })).status).toBe(201);
    await waitFor(() => s.fake.sentFiles(t.rootId).length === 2, 30_000, 'files in the thread');
    expect(s.fake.sentFiles(t.rootId).map((f) => [f.kind, f.name, sha256(f.bytes)])).toEqual([['image', 'fix.png', sha256(png)], ['file', 'steps.txt', sha256(steps)]]);
    const replies = s.botReplies(t.rootId);
    const textAt = replies.findIndex((m) => m.content.includes('Try this'));
    expect(textAt).toBeGreaterThanOrEqual(0);
    expect(replies.findIndex((m) => m.msg_type === 'image')).toBeGreaterThan(textAt);
    expect(JSON.stringify(replies)).not.toContain('their config');
    expect(s.fake.calls.filter((c) => c.path === '/open-apis/im/v1/images')).toHaveLength(1);
  }, 90_000);

  it('a file over the limit (found from its length, Lark says none beforehand) keeps nothing, and nothing answers 5xx', async () => {
    const t = await s.createTicket(s.people.alice, form('Huge dump'));
    const blobs = await s.db.attachmentBlob.count();
    await say(t.rootId, 'file', { file_key: s.fake.addResource('file', Buffer.alloc(21 * 1024 * 1024, 1), 'dump.bin'), file_name: 'dump.bin' });
    const [row] = await attachments(t.number, 1);
    expect(row).toMatchObject({ name: 'dump.bin', state: 'too_large', storageKey: null, sha256: null });
    expect(await s.db.attachmentBlob.count()).toBe(blobs);
    const page = await s.api('GET', `/tickets/${t.number}/comments`);
    expect(page.status).toBe(200);
    expect(JSON.stringify(page.body)).toContain('too_large');
  }, 90_000);

  it('a re-delivered event (the same one, or the same message under another event id) stores the file once', async () => {
    const t = await s.createTicket(s.people.alice, form('Only once'));
    const { body } = await say(t.rootId, 'image', { image_key: s.fake.addResource('image', png) });
    expect((await s.send(body)).status).toBe(200);
    const header = body['header'] as Record<string, unknown>;
    const again = { ...body, header: { ...header, event_id: `${String(header['event_id'])}-again` } };
    await s.sendAndProcess(again);
    expect(eventIdOf(again)).not.toBe(eventIdOf(body));
    const rows = await attachments(t.number, 1);
    expect(rows).toMatchObject([{ state: 'stored', sha256: sha256(png) }]);
  }, 90_000);
});
