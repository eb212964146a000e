/**
 * Attachments end to end through the test channel and a real PostgreSQL (the default store): a customer's files
 * fetched by the worker with the bot's token and stored with the same bytes, served only to whom may see them,
 * an agent's upload delivered into the thread after its text, an internal note's file going nowhere, files over
 * the limit refused with a message and no 5xx, a duplicate event storing once.
 */
import { multipartForm } from '../helpers/multipart-form.ts';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { ConsoleClient } from '../console/console-client.ts';
import { ADMIN_TOKEN, auth, startTestService, threadTicket } from '../helpers/service.ts';
import { createTestChannel, TEST_SECRET } from '../helpers/test-channel/test-channel.ts';
import { TestPlatform } from '../helpers/test-channel/test-platform.ts';
import { waitFor } from '../helpers/wait.ts';

const MAX = 1024 * 1024; // ATTACHMENT_MAX_BYTES here: 1 MiB keeps the oversized files small
const platform = new TestPlatform();
let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;
let agent = '';
let otherAgent = '';
let seq = 0;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function api(method: string, url: string, body?: unknown, token = agent) {
  const r = await svc.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: { ...auth(token), 'content-type': 'application/json' }, payload: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.statusCode, body: JSON.parse(r.body || 'null') };
}

async function upload(name: string, bytes: Buffer, token = agent, contentType = 'application/octet-stream') {
  const r = await svc.app.inject({ method: 'POST', url: `/api/v1/uploads?filename=${encodeURIComponent(name)}`, headers: { ...auth(token), 'content-type': contentType }, payload: bytes });
  return { status: r.statusCode, body: JSON.parse(r.body || 'null') };
}

async function sendInbound(event: Record<string, unknown>) {
  const r = await svc.app.inject({ method: 'POST', url: '/test/events', headers: { 'x-test-secret': TEST_SECRET, 'content-type': 'application/json' }, payload: JSON.stringify(event) });
  expect(r.statusCode).toBe(200);
}

/** A customer's ticket living in a test-chat thread; the customer writes there as `user`. */
async function customerTicket() {
  const n = ++seq;
  const chatId = `C${n}`;
  const threadRef = `t${n}`;
  const user = `u${n}`;
  const email = `cust${n}@example.com`;
  const { ticket } = await threadTicket(svc, {
    via: 'test',
    requester: { email },
    subject: `Printer ${n}`,
    description: 'The printer prints nothing',
    thread: { platform: 'test', workspaceId: 'w', chatId, threadRef, locale: 'en' },
  });
  return { number: ticket.number, ticketId: ticket.id, chatId, threadRef, user, email };
}

type Ticket = Awaited<ReturnType<typeof customerTicket>>;

/** The customer says something with files in the ticket's thread; waits until the event is processed. */
async function customerSends(t: Ticket, text: string, files: { id: string; name: string; size?: number; contentType?: string; content?: string }[], eventId = randomUUID(), messageId?: string) {
  await sendInbound({ id: eventId, chatId: t.chatId, threadRef: t.threadRef, user: t.user, email: t.email, text, files, ...(messageId ? { messageId } : {}) });
  await waitFor(async () => (await db.inboundEvent.findFirst({ where: { platform: 'test', externalId: eventId } }))?.status === 'done', 20_000, 'inbound event processed');
}

async function attachmentsOf(ticketId: string) {
  return db.attachment.findMany({ where: { ticketId }, orderBy: [{ createdAt: 'asc' }, { position: 'asc' }] });
}

/** Waits until no attachment of the ticket is pending (the worker's fetch jobs ran). */
async function fetched(ticketId: string, count: number) {
  await waitFor(async () => {
    const rows = await attachmentsOf(ticketId);
    return rows.length === count && rows.every((r) => r.state !== 'pending');
  }, 30_000, 'attachments fetched');
  return attachmentsOf(ticketId);
}

/** A browser signed in as the customer of this ticket (by the sign-in link the bot would give them). */
async function customerBrowser(t: Pick<Ticket, 'user'>): Promise<ConsoleClient> {
  const link = await svc.signIn.linkForChatUser({ platform: 'test', workspaceId: 'w', platformUserId: t.user });
  if (!link) throw new Error('no sign-in link');
  const c = new ConsoleClient(svc.app);
  const path = new URL(link.url).pathname;
  await c.get(path);
  const res = await c.post(path, {});
  expect(res.statusCode).toBe(303);
  return c;
}

const get = (url: string, headers: Record<string, string> = {}) => svc.app.inject({ method: 'GET', url, headers });

let png: Buffer;
const text = Buffer.from('line one\nline two: ошибка 42\n'.repeat(50));

beforeAll(async () => {
  await platform.start();
  svc = await startTestService({ ATTACHMENT_MAX_BYTES: String(MAX) }, { channels: (deps) => [createTestChannel({ apiUrl: platform.url }, deps)] });
  db = createPrisma(svc.databaseUrl);
  agent = (await api('POST', '/agents', { email: 'files.agent@support.example', name: 'Files Agent' }, ADMIN_TOKEN)).body.token;
  otherAgent = (await api('POST', '/agents', { email: 'other.agent@support.example', name: 'Other Agent' }, ADMIN_TOKEN)).body.token;
  png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).png().toBuffer();
}, 60_000);
afterAll(async () => {
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
  await platform.stop();
});

describe('a customer sends files from the chat', () => {
  let t: Ticket;
  let rows: Awaited<ReturnType<typeof attachmentsOf>>;

  beforeAll(async () => {
    t = await customerTicket();
    // The platform calls the PNG a generic binary and the text file an image: the type comes from the bytes.
    platform.files.set(`png-${t.number}`, { bytes: png, contentType: 'application/octet-stream' });
    platform.files.set(`txt-${t.number}`, { bytes: text, contentType: 'image/png', chunked: true });
    await customerSends(t, 'screenshot and log attached', [
      { id: `png-${t.number}`, name: 'screen.png', size: png.length },
      { id: `txt-${t.number}`, name: 'printer.log' },
    ]);
    rows = await fetched(t.ticketId, 2);
  }, 60_000);

  it('stores both with the same bytes (sha256), sizes and types sniffed from the bytes, on the comment they came with', async () => {
    expect(rows.map((r) => [r.name, r.state, r.contentType, r.size, r.sha256])).toEqual([
      ['screen.png', 'stored', 'image/png', png.length, sha(png)],
      ['printer.log', 'stored', 'text/plain', text.length, sha(text)],
    ]);
    const comment = await db.comment.findUniqueOrThrow({ where: { id: rows[0]!.commentId! } });
    expect(comment).toMatchObject({ body: 'screenshot and log attached', public: true, ticketId: t.ticketId });
    // The platform's links are kept as a fallback only: not in the text.
    expect(comment.body).not.toContain(platform.url);
  });

  it('lists them in the comments API as attachments with help-center URLs', async () => {
    const { body } = await api('GET', `/tickets/${t.number}/comments`);
    const c = (body.comments as { body: string; attachments: unknown[]; missingAttachments: unknown[] }[]).find((x) => x.body === 'screenshot and log attached')!;
    expect(c.attachments).toEqual([
      { id: rows[0]!.id, name: 'screen.png', size: png.length, contentType: 'image/png', url: `http://help.test/attachments/${rows[0]!.id}/screen.png` },
      { id: rows[1]!.id, name: 'printer.log', size: text.length, contentType: 'text/plain', url: `http://help.test/attachments/${rows[1]!.id}/printer.log` },
    ]);
    expect(c.missingAttachments).toEqual([]);
  });

  it('serves them to an agent by token and by console session, with the same bytes and safe headers', async () => {
    const r = await get(`/attachments/${rows[0]!.id}/screen.png`, auth(agent));
    expect(r.statusCode).toBe(200);
    expect(sha(r.rawPayload)).toBe(sha(png));
    expect(r.headers['content-type']).toBe('image/png');
    expect(r.headers['content-disposition']).toMatch(/^inline; filename="screen.png"/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(r.headers['content-length']).toBe(String(png.length));

    const console = new ConsoleClient(svc.app);
    const created = await api('POST', '/agents', { email: `console${seq}@support.example`, name: 'Console Agent', password: 'correct horse battery' }, ADMIN_TOKEN);
    expect(created.status).toBe(201);
    await console.signIn(`console${seq}@support.example`, 'correct horse battery');
    const page = await console.get(`/tickets/${t.number}`);
    expect(page.body).toContain(`/attachments/${rows[0]!.id}/screen.png`);
    const viaSession = await console.get(`/attachments/${rows[1]!.id}/printer.log`);
    expect(viaSession.statusCode).toBe(200);
    expect(viaSession.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(sha(viaSession.rawPayload)).toBe(sha(text));
  });

  it('serves them to the requester signed in, and to nobody else (404)', async () => {
    const requester = await customerBrowser(t);
    const mine = await requester.get(`/attachments/${rows[0]!.id}/screen.png`);
    expect(mine.statusCode).toBe(200);
    expect(sha(mine.rawPayload)).toBe(sha(png));
    // Their page shows the files of their public comments.
    expect((await requester.get(`/tickets/${t.number}`)).body).toContain(`/attachments/${rows[1]!.id}/printer.log`);

    const other = await customerTicket();
    await customerSends(other, 'hello, I am someone else', []);
    const stranger = await customerBrowser(other);
    expect((await stranger.get(`/attachments/${rows[0]!.id}/screen.png`)).statusCode).toBe(404);
    expect((await get(`/attachments/${rows[0]!.id}/screen.png`)).statusCode).toBe(404);
    expect((await get(`/attachments/${rows[0]!.id}/screen.png`, auth('not-a-token'))).statusCode).toBe(404);
    expect((await get(`/attachments/${randomUUID()}/x.png`, auth(agent))).statusCode).toBe(404);
    expect((await get('/attachments/not-a-uuid/x.png', auth(agent))).statusCode).toBe(404);
  });

  it('answers ranges with 206 and an impossible range with 416', async () => {
    const part = await get(`/attachments/${rows[1]!.id}/printer.log`, { ...auth(agent), range: 'bytes=5-12' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 5-12/${text.length}`);
    expect(part.rawPayload.equals(text.subarray(5, 13))).toBe(true);
    const tail = await get(`/attachments/${rows[1]!.id}/printer.log`, { ...auth(agent), range: 'bytes=-7' });
    expect(tail.rawPayload.equals(text.subarray(text.length - 7))).toBe(true);
    const none = await get(`/attachments/${rows[1]!.id}/printer.log`, { ...auth(agent), range: `bytes=${text.length}-` });
    expect(none.statusCode).toBe(416);
    expect(none.headers['content-range']).toBe(`bytes */${text.length}`);
  });

  it('makes a thumbnail of an image for the console', async () => {
    const r = await get(`/attachments/${rows[0]!.id}/screen.png?thumb=1`, auth(agent));
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('image/webp');
    const meta = await sharp(r.rawPayload).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 64, 48]); // never enlarged
  });

  it('a re-delivered message (another event id, the same platform message) stores nothing twice', async () => {
    const u = await customerTicket();
    platform.files.set(`dup-${u.number}`, { bytes: png, contentType: 'image/png' });
    const eventId = randomUUID();
    const event = { id: eventId, messageId: 'm-dup', chatId: u.chatId, threadRef: u.threadRef, user: u.user, email: u.email, text: 'same message', files: [{ id: `dup-${u.number}`, name: 'a.png' }] };
    await sendInbound(event);
    await sendInbound(event); // the platform's retry of the very event: the inbox keeps one
    await waitFor(async () => (await db.inboundEvent.findFirst({ where: { externalId: eventId } }))?.status === 'done', 20_000);
    const [first] = await fetched(u.ticketId, 1);
    // The same platform message under another event id (a re-delivery the inbox cannot tell apart): nothing new.
    await customerSends(u, 'same message', [{ id: `dup-${u.number}`, name: 'a.png' }], randomUUID(), 'm-dup');
    expect((await attachmentsOf(u.ticketId)).map((r) => r.id)).toEqual([first!.id]);
    expect(await db.comment.count({ where: { ticketId: u.ticketId, body: 'same message' } })).toBe(1);

    // The fetch job running twice for one row (a retry after a lost answer) stores once.
    await db.attachmentBlob.delete({ where: { key: first!.storageKey! } });
    await db.attachment.update({ where: { id: first!.id }, data: { state: 'pending', storageKey: null, size: null, sha256: null, contentType: null } });
    const [a, b] = await Promise.all([svc.attachments.ingest(first!.id), svc.attachments.ingest(first!.id)]);
    expect([a, b].sort()).toEqual(['skipped', 'stored']);
    expect((await db.attachment.findUniqueOrThrow({ where: { id: first!.id } })).sha256).toBe(sha(png));
    // Every stored blob belongs to an attachment: the losing run deleted its copy.
    const referenced = new Set((await db.attachment.findMany({ where: { storageKey: { not: null } }, select: { storageKey: true } })).map((r) => r.storageKey));
    const complete = await db.attachmentBlob.findMany({ where: { complete: true }, select: { key: true } });
    expect(complete.filter((x) => !referenced.has(x.key))).toEqual([]);
  }, 60_000);
});

describe('files that cannot be kept', () => {
  it('a file the platform says is too large is refused at once: the customer is told, nothing is fetched, the comment says which and why', async () => {
    const t = await customerTicket();
    const fetches = platform.fileFetches;
    await customerSends(t, 'the whole video', [{ id: `big-${t.number}`, name: 'video.mp4', size: MAX + 1 }]);
    const [row] = await attachmentsOf(t.ticketId);
    expect(row).toMatchObject({ name: 'video.mp4', state: 'too_large', storageKey: null, declaredSize: MAX + 1 });
    expect(platform.fileFetches).toBe(fetches);
    await waitFor(() => platform.messages.some((m) => m.chatId === `tell:${t.user}` && m.text === 'notice|common:chat.file_too_large'), 20_000, 'the customer told');
    const { body } = await api('GET', `/tickets/${t.number}/comments`);
    const c = body.comments.find((x: { body: string }) => x.body === 'the whole video');
    expect(c.attachments).toEqual([]);
    expect(c.missingAttachments).toEqual([
      { id: row!.id, name: 'video.mp4', state: 'too_large', reason: `larger than ${MAX} bytes`, size: MAX + 1, platformUrl: `${platform.url}/view/big-${t.number}` },
    ]);
    // The customer's page says it too, with the platform's link.
    const page = (await (await customerBrowser(t)).get(`/tickets/${t.number}`)).body;
    expect(page).toContain('video.mp4');
    expect(page).toContain('not kept: larger than 1.0 MB');
    expect(page).toContain(`${platform.url}/view/big-${t.number}`);
  });

  it('a file found too large only while streaming (no size given) keeps nothing and is marked too large', async () => {
    const t = await customerTicket();
    const blobsBefore = await db.attachmentBlob.count();
    platform.files.set(`stream-${t.number}`, { bytes: Buffer.alloc(MAX + 300_000, 7), contentType: 'application/zip', chunked: true });
    await customerSends(t, 'logs.zip', [{ id: `stream-${t.number}`, name: 'logs.zip' }]);
    const [row] = await fetched(t.ticketId, 1);
    expect(row).toMatchObject({ state: 'too_large', storageKey: null, sha256: null });
    expect(await db.attachmentBlob.count()).toBe(blobsBefore);
    expect(await db.attachmentBlobChunk.count({ where: { blob: { complete: false } } })).toBe(0);
    const page = await api('GET', `/tickets/${t.number}/comments`);
    expect(page.status).toBe(200);
  });

  it('bytes that come with the event (a mail part) are stored directly, nothing fetched', async () => {
    const t = await customerTicket();
    const fetches = platform.fileFetches;
    await customerSends(t, 'from my mail', [{ id: `inline-${t.number}`, name: 'scan.png', content: png.toString('base64') }]);
    const [row] = await attachmentsOf(t.ticketId);
    expect(row).toMatchObject({ name: 'scan.png', state: 'stored', contentType: 'image/png', size: png.length, sha256: sha(png) });
    expect(platform.fileFetches).toBe(fetches);
  });

  it('a file the platform no longer has is unavailable, with its platform link', async () => {
    const t = await customerTicket();
    await customerSends(t, 'see attached', [{ id: `gone-${t.number}`, name: 'gone.pdf' }]);
    const [row] = await fetched(t.ticketId, 1);
    expect(row).toMatchObject({ state: 'unavailable', platformUrl: `${platform.url}/view/gone-${t.number}`, storageKey: null });
    expect(row!.reason).toMatch(/404/);
  });
});

describe('agents send files', () => {
  it("a public comment's files reach the thread after its text, with the same bytes", async () => {
    const t = await customerTicket();
    const pdfLike = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(200_000, 1)]);
    const a = await upload('manual.pdf', pdfLike);
    expect(a.status).toBe(201);
    expect(a.body.upload).toMatchObject({ name: 'manual.pdf', size: pdfLike.length, contentType: 'application/pdf' });
    const b = await upload('steps.txt', Buffer.from('1. unplug\n2. plug back\n'), agent, 'application/json');
    expect(b.body.upload.contentType).toBe('text/plain');
    const c = await api('POST', `/tickets/${t.number}/comments`, { body: 'Here is the manual', public: true, attachmentIds: [a.body.upload.id, b.body.upload.id] });
    expect(c.status).toBe(201);
    expect(c.body.comment.attachments.map((x: { name: string }) => x.name)).toEqual(['manual.pdf', 'steps.txt']);
    await waitFor(() => platform.uploads.filter((u) => u.chatId === t.chatId).length === 2, 20_000, 'files uploaded');
    const ups = platform.uploads.filter((u) => u.chatId === t.chatId);
    expect(ups.map((u) => [u.name, u.threadRef, u.sha256, u.contentType])).toEqual([
      ['manual.pdf', t.threadRef, sha(pdfLike), 'application/pdf'],
      ['steps.txt', t.threadRef, sha(Buffer.from('1. unplug\n2. plug back\n')), 'text/plain'],
    ]);
    const thread = platform.thread(t.chatId, t.threadRef).map((m) => m.text);
    const textAt = thread.indexOf(`agent_reply|#${t.number}|Here is the manual`);
    expect(textAt).toBeGreaterThanOrEqual(0);
    // Right after its text, in order (the status change the reply made comes after them).
    expect(thread.slice(textAt + 1, textAt + 3)).toEqual(['file|manual.pdf', 'file|steps.txt']);
    // The requester can open them in the help center too (their chat message links their account first).
    await customerSends(t, 'thanks', []);
    const requester = await customerBrowser(t);
    expect((await requester.get(`/attachments/${a.body.upload.id}/manual.pdf`)).statusCode).toBe(200);
  }, 60_000);

  it("an internal note's files go nowhere and are not the requester's to see", async () => {
    const t = await customerTicket();
    await customerSends(t, 'any news?', []);
    const a = await upload('internal.png', png);
    const c = await api('POST', `/tickets/${t.number}/comments`, { body: 'their config, for us', public: false, attachmentIds: [a.body.upload.id] });
    expect(c.status).toBe(201);
    const marker = await api('POST', `/tickets/${t.number}/comments`, { body: 'public marker', public: true });
    expect(marker.status).toBe(201);
    await waitFor(() => platform.thread(t.chatId, t.threadRef).some((m) => m.text.endsWith('public marker')), 20_000);
    expect(platform.uploads.filter((u) => u.chatId === t.chatId)).toEqual([]);
    expect(platform.thread(t.chatId, t.threadRef).map((m) => m.text).join('\n')).not.toMatch(/internal|config/);
    const requester = await customerBrowser(t);
    expect((await requester.get(`/attachments/${a.body.upload.id}/internal.png`)).statusCode).toBe(404);
    expect((await requester.get(`/tickets/${t.number}`)).body).not.toContain(a.body.upload.id);
    expect((await get(`/attachments/${a.body.upload.id}/internal.png`, auth(agent))).statusCode).toBe(200);
  }, 60_000);

  it('an upload over the limit is 413 and keeps nothing; attachmentIds take only your own unattached uploads', async () => {
    const before = { rows: await db.attachment.count(), blobs: await db.attachmentBlob.count() };
    const big = await upload('big.bin', Buffer.alloc(MAX + 1, 1));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('file_too_large');
    // Without Content-Length (chunked), the limit is found while streaming.
    const chunked = await svc.app.inject({
      method: 'POST',
      url: '/api/v1/uploads?filename=big2.bin',
      headers: { ...auth(agent), 'content-type': 'application/octet-stream' },
      payload: Readable.from((function* () {
        for (let i = 0; i < 20; i++) yield Buffer.alloc(64 * 1024, 2);
      })()),
    });
    expect(chunked.statusCode).toBe(413);
    expect({ rows: await db.attachment.count(), blobs: await db.attachmentBlob.count() }).toEqual(before);
    expect((await upload('', Buffer.from('x'))).status).toBe(400);
    expect((await svc.app.inject({ method: 'POST', url: '/api/v1/uploads?filename=a.txt', payload: 'x' })).statusCode).toBe(401);

    const t = await customerTicket();
    const theirs = await upload('theirs.txt', Buffer.from('other agent'), otherAgent);
    expect((await api('POST', `/tickets/${t.number}/comments`, { body: 'x', public: true, attachmentIds: [theirs.body.upload.id] })).status).toBe(404);
    expect((await api('POST', `/tickets/${t.number}/comments`, { body: 'x', public: true, attachmentIds: ['nope'] })).status).toBe(400);
    expect((await api('POST', `/tickets/${t.number}/comments`, { body: 'x', public: true, attachmentIds: [randomUUID()] })).status).toBe(404);
    const mine = await upload('mine.txt', Buffer.from('mine'));
    expect((await api('POST', `/tickets/${t.number}/comments`, { body: '', public: true, attachmentIds: [mine.body.upload.id] })).status).toBe(201);
    // Attached once: not again, anywhere.
    expect((await api('POST', `/tickets/${t.number}/comments`, { body: 'again', public: true, attachmentIds: [mine.body.upload.id] })).status).toBe(404);
    // A refused comment left nothing behind (no comment 'x').
    const { body } = await api('GET', `/tickets/${t.number}/comments`);
    expect(body.comments.map((c: { body: string }) => c.body)).not.toContain('x');
  }, 60_000);

  it('serves what a browser could run as a download, never inline', async () => {
    const html = await upload('page.html', Buffer.from('<html><script>alert(1)</script></html>'));
    const svg = await upload('logo.txt', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'));
    expect(html.body.upload.contentType).toBe('text/html');
    expect(svg.body.upload.contentType).toBe('image/svg+xml');
    for (const u of [html.body.upload, svg.body.upload]) {
      const r = await get(`/attachments/${u.id}/${u.name}`, auth(agent));
      expect(r.headers['content-disposition']).toMatch(/^attachment;/);
      expect(r.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    }
  });

  it('the console composer sends files as multipart (CSRF kept), streamed into the store; too large is a clear 413 page', async () => {
    const t = await customerTicket();
    const email = `composer${seq}@support.example`;
    expect((await api('POST', '/agents', { email, name: 'Composer Agent', password: 'correct horse battery' }, ADMIN_TOKEN)).status).toBe(201);
    const c = new ConsoleClient(svc.app);
    await c.signIn(email, 'correct horse battery');
    const page = await c.get(`/tickets/${t.number}`);
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toContain('type="file"');
    const form = (fields: Record<string, string>, files: { name: string; bytes: Buffer }[]) => multipartForm(fields, files);
    const post = (m: { body: Buffer; contentType: string }) =>
      svc.app.inject({ method: 'POST', url: `/tickets/${t.number}/comments`, remoteAddress: c.remoteAddress, headers: { cookie: c.cookieHeader(), 'content-type': m.contentType }, payload: m.body });

    const noToken = await post(form({ body: 'no token', mode: 'public' }, [{ name: 'x.png', bytes: png }]));
    expect(noToken.statusCode).toBe(403);
    const sent = await post(form({ _csrf: c.token, body: 'The screenshot you asked for', mode: 'public' }, [{ name: 'shot.png', bytes: png }, { name: 'notes.txt', bytes: text }]));
    expect(sent.statusCode).toBe(303);
    const comments = (await api('GET', `/tickets/${t.number}/comments`)).body.comments as { body: string; attachments: { name: string; size: number }[] }[];
    const mine = comments.find((x) => x.body === 'The screenshot you asked for')!;
    expect(mine.attachments.map((a) => [a.name, a.size])).toEqual([['shot.png', png.length], ['notes.txt', text.length]]);
    await waitFor(() => platform.uploads.filter((u) => u.chatId === t.chatId).length === 2, 20_000, 'composer files delivered');
    expect(platform.uploads.filter((u) => u.chatId === t.chatId).map((u) => u.sha256)).toEqual([sha(png), sha(text)]);

    const tooBig = await post(form({ _csrf: c.token, body: 'huge', mode: 'public' }, [{ name: 'huge.bin', bytes: Buffer.alloc(MAX + 10, 1) }]));
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.body).toContain('larger than the size limit');
    expect((await api('GET', `/tickets/${t.number}/comments`)).body.comments.map((x: { body: string }) => x.body)).not.toContain('huge');
  }, 60_000);
});
