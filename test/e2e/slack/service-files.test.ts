/**
 * Files both ways in a ticket's Slack thread, through the whole service (PostgreSQL, inbox worker, fetch jobs,
 * sync engine) against the strict Slack fake: a customer's PNG and text file stored with the same bytes and served
 * to agents; a Slack Connect stub fetched through files.info; an agent's upload delivered into the thread by the
 * external upload flow with the same bytes; an internal note's file going nowhere; a file over the limit refused
 * with a message and no 5xx; a re-delivered event storing once.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import { makePng, sha256, TEXT_FILE } from '../../helpers/chat-files.ts';
import { auth } from '../../helpers/service.ts';
import { ALICE, TEAM, startSlackService, type SlackService } from '../../helpers/slack/slack-service.ts';
import { waitFor } from '../../helpers/wait.ts';

let s: SlackService;
beforeAll(async () => {
  s = await startSlackService();
}, 60_000);
afterAll(async () => {
  await s?.close();
});

let seq = 0;
/** Alice shares files in the thread: the fake keeps the message, Slack sends the file_share event (signed). */
async function share(channel: string, root: string, text: string, files: Record<string, unknown>[], eventId = `EvF${Date.now()}${++seq}`, ts?: string) {
  const msgTs = ts ?? s.fake.addMessage(channel, { user: ALICE, text, thread_ts: root, files }).ts;
  const event = { type: 'message', subtype: 'file_share', channel, user: ALICE, text, ts: msgTs, event_ts: msgTs, thread_ts: root, channel_type: 'channel', upload: false, files };
  const res = await s.inbound.event({ token: 'x', team_id: TEAM, api_app_id: 'A0001', type: 'event_callback', event_id: eventId, event_time: 1, event, authorizations: [{ team_id: TEAM, is_bot: true }] });
  expect(res.status).toBe(200);
  await s.inboundDone(eventId);
  return { ts: msgTs, eventId };
}

async function attachments(ticketId: string, count: number) {
  await waitFor(async () => {
    const rows = await s.db.attachment.findMany({ where: { ticketId } });
    return rows.length === count && rows.every((r) => r.state !== 'pending');
  }, 30_000, 'attachments fetched');
  return s.db.attachment.findMany({ where: { ticketId }, orderBy: [{ createdAt: 'asc' }, { position: 'asc' }] });
}

async function upload(name: string, bytes: Buffer, contentType: string) {
  const r = await s.service.app.inject({ method: 'POST', url: `/api/v1/uploads?filename=${encodeURIComponent(name)}`, headers: { ...auth(s.agent), 'content-type': contentType }, payload: bytes });
  expect(r.statusCode).toBe(201);
  return (JSON.parse(r.body) as { upload: { id: string } }).upload.id;
}

const png = makePng(32, 16, 11);

describe('Slack files through the whole service', () => {
  it("a customer's PNG and text file are stored with the same bytes, typed from the bytes, and served to agents", async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    const downloadsBefore = s.fake.downloads.length;
    // Slack calls the PNG a binary: the type is the bytes'.
    await share(channel, root, 'screenshot and log', [s.fake.addFile({ name: 'screen.png', mimetype: 'application/octet-stream', bytes: png }), s.fake.addFile({ name: 'vpn.log', mimetype: 'text/plain', bytes: TEXT_FILE })]);
    const rows = await attachments(ticket.id, 2);
    expect(rows.map((r) => [r.name, r.state, r.contentType, r.size, r.sha256])).toEqual([
      ['screen.png', 'stored', 'image/png', png.length, sha256(png)],
      ['vpn.log', 'stored', 'text/plain', TEXT_FILE.length, sha256(TEXT_FILE)],
    ]);
    // Downloaded with the bot token, once each.
    expect(s.fake.downloads.slice(downloadsBefore)).toEqual([expect.objectContaining({ authorized: true }), expect.objectContaining({ authorized: true })]);
    const served = await s.service.app.inject({ method: 'GET', url: `/attachments/${rows[0]!.id}/screen.png`, headers: auth(s.agent) });
    expect(served.statusCode).toBe(200);
    expect(createHash('sha256').update(served.rawPayload).digest('hex')).toBe(sha256(png));
    expect((await s.service.app.inject({ method: 'GET', url: `/attachments/${rows[0]!.id}/screen.png` })).statusCode).toBe(404);
    const { body } = await s.api('GET', `/tickets/${ticket.number}/comments`);
    const c = body.comments.find((x: { body: string }) => x.body === 'screenshot and log');
    expect(c.attachments.map((a: { name: string; url: string }) => [a.name, a.url])).toEqual(rows.map((r) => [r.name, `http://help.test/attachments/${r.id}/${r.name}`]));
  }, 90_000);

  it('a Slack Connect stub is fetched through files.info', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    await share(channel, root, 'from the partner org', [s.fake.addFile({ name: 'partner.txt', mimetype: 'text/plain', bytes: TEXT_FILE, connect: true })]);
    const [row] = await attachments(ticket.id, 1);
    expect(row).toMatchObject({ name: 'partner.txt', state: 'stored', sha256: sha256(TEXT_FILE) });
    expect(s.fake.callsTo('files.info').length).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it("an agent's file reaches the thread by the external upload flow with the same bytes; an internal note's goes nowhere", async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    const note = await upload('internal.png', makePng(8, 8, 2), 'image/png');
    expect((await s.api('POST', `/tickets/${ticket.number}/comments`, { body: 'their config, for us', public: false, attachmentIds: [note] })).status).toBe(201);
    const steps = Buffer.from('1. unplug\n2. plug back in\n');
    const a = await upload('fix.png', png, 'image/png');
    const b = await upload('steps.txt', steps, 'text/plain');
    const c = await s.api('POST', `/tickets/${ticket.number}/comments`, { body: 'Here is how to fix it', public: true, attachmentIds: [a, b] });
    expect(c.status).toBe(201);
    await waitFor(() => s.fake.sharedFiles(channel, root).length === 2, 30_000, 'files shared into the thread');
    expect(s.fake.sharedFiles(channel, root).map((f) => [f.name, f.sha256])).toEqual([['fix.png', sha256(png)], ['steps.txt', sha256(steps)]]);
    const replies = s.fake.botReplies(channel, root);
    const textAt = replies.findIndex((m) => m.text.includes('Here is how to fix it'));
    const filesAt = replies.findIndex((m) => (m.files ?? []).length > 0);
    expect(textAt).toBeGreaterThanOrEqual(0);
    expect(filesAt).toBeGreaterThan(textAt);
    // The note's file and text are nowhere in Slack.
    expect(JSON.stringify(replies)).not.toMatch(/internal\.png|their config/);
    expect(s.fake.callsTo('files.getUploadURLExternal').map((x) => x.args['filename'])).not.toContain('internal.png');
    expect(s.fake.callsTo('files.upload')).toHaveLength(0);
  }, 90_000);

  it('a file over the limit is refused at once with a message to the person, nothing downloaded, no 5xx', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    const before = s.fake.downloads.length;
    const ephemerals = s.fake.ephemerals.length;
    const big = { ...s.fake.addFile({ name: 'video.mp4', mimetype: 'video/mp4', bytes: Buffer.alloc(10) }), size: 25 * 1024 * 1024 };
    await share(channel, root, 'the whole video', [big]);
    const [row] = await attachments(ticket.id, 1);
    expect(row).toMatchObject({ name: 'video.mp4', state: 'too_large', storageKey: null });
    expect(s.fake.downloads.length).toBe(before);
    await waitFor(() => s.fake.ephemerals.length > ephemerals, 20_000, 'the person told');
    expect(s.fake.ephemerals.slice(ephemerals).map((e) => e.text).join('\n')).toContain(t('en', 'common:chat.file_too_large', { name: 'video.mp4', max: '20' }));
    const page = await s.api('GET', `/tickets/${ticket.number}/comments`);
    expect(page.status).toBe(200);
    expect(page.body.comments.find((x: { body: string }) => x.body === 'the whole video').missingAttachments).toMatchObject([{ name: 'video.mp4', state: 'too_large' }]);
  }, 90_000);

  it('a re-delivered event (Slack retries, or another event id for the same message) stores the file once', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel);
    const files = [s.fake.addFile({ name: 'once.png', mimetype: 'image/png', bytes: png })];
    const first = await share(channel, root, 'only once', files);
    await share(channel, root, 'only once', files, first.eventId, first.ts);
    await share(channel, root, 'only once', files, `EvOther${Date.now()}`, first.ts);
    const rows = await attachments(ticket.id, 1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'stored', sha256: sha256(png) });
    expect(await s.db.comment.count({ where: { ticketId: ticket.id, body: 'only once' } })).toBe(1);
  }, 90_000);
});
