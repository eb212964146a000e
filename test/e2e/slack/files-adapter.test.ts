/**
 * Slack files through the adapter, against the strict fake with the real WebClient: a person's files downloaded
 * with the bot token (and refused without it), Slack Connect stubs resolved with files.info, the size limit from
 * metadata and while streaming, and an agent's files sent by the external upload flow into the thread.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../../src/channels/slack/slack-adapter.ts';
import { SlackApi } from '../../../src/channels/slack/slack-api.ts';
import { createSlackParser } from '../../../src/channels/slack/slack-parse.ts';
import { SlackPeople } from '../../../src/channels/slack/slack-profile.ts';
import type { ChatEvent, ChatFile } from '../../../src/core/chat/chat-events.ts';
import { ChannelSendError, FileTooLargeError, type ChannelAdapter, type ThreadTarget } from '../../../src/core/ports/channel-port.ts';
import { SlackFake } from '../../fakes/slack/slack-fake.ts';
import { makePng, outboundFile, readAll, sha256, TEXT_FILE } from '../../helpers/chat-files.ts';
import { createMemoryCore } from '../../helpers/memory/memory-core.ts';

const ctx = { locale: 'en' as const, deliveryKey: 'outbox-7' };
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);

describe('Slack files (adapter against the fake)', () => {
  let fake: SlackFake;
  let api: SlackApi;
  let adapter: ChannelAdapter;
  let root: string;
  let target: ThreadTarget;
  const png = makePng(16, 16, 3);

  beforeEach(async () => {
    fake = new SlackFake();
    await fake.start();
    fake.addUser({ id: 'U1' });
    fake.addChannel({ id: 'C1', members: ['U1'] });
    root = fake.addMessage('C1', { user: 'U1', text: 'help' }).ts;
    target = { platform: 'slack', workspaceId: 'T0001', chatId: 'C1', threadRef: root };
    api = new SlackApi({ botToken: fake.botToken, apiUrl: fake.apiUrl });
    const parse = createSlackParser({ api, people: new SlackPeople(api), identity: () => api.authTest(), chat: createMemoryCore().chat, ticketEmoji: 'ticket', logger: pino({ level: 'silent' }) });
    adapter = createSlackAdapter({ api, parse });
  });
  afterEach(async () => {
    await fake.stop();
  });

  /** A thread reply with these files, parsed as the inbox worker would. */
  async function parsedFiles(files: Record<string, unknown>[]): Promise<ChatFile[]> {
    const event = { type: 'message', subtype: 'file_share', user: 'U1', text: '', ts: '1700000001.000100', thread_ts: root, channel: 'C1', channel_type: 'channel', files };
    const events = await adapter.parse({ id: '1', platform: 'slack', externalId: 'Ev1', payload: { type: 'event_callback', team_id: 'T0001', event_id: 'Ev1', event }, receivedAt: new Date() });
    expect(events).toHaveLength(1);
    return (events[0] as Extract<ChatEvent, { type: 'message' }>).files;
  }

  it('keeps every file of a message, and downloads each with the bot token, byte for byte', async () => {
    const files = await parsedFiles([fake.addFile({ name: 'screen.png', mimetype: 'image/png', bytes: png }), fake.addFile({ name: 'vpn.log', mimetype: 'text/plain', bytes: TEXT_FILE })]);
    expect(files.map((f) => [f.name, f.size, f.contentType])).toEqual([['screen.png', png.length, 'image/png'], ['vpn.log', TEXT_FILE.length, 'text/plain']]);
    expect(files.every((f) => f.fetchRef?.['download']?.includes('/download/'))).toBe(true);
    const [a, b] = [await adapter.fetchFile!(files[0]!, 1 << 20), await adapter.fetchFile!(files[1]!, 1 << 20)];
    expect(a.size).toBe(png.length);
    expect(a.contentType).toBe('image/png');
    expect(sha256(await readAll(a.body))).toBe(sha256(png));
    expect(sha256(await readAll(b.body))).toBe(sha256(TEXT_FILE));
    expect(fake.downloads).toEqual([expect.objectContaining({ authorized: true }), expect.objectContaining({ authorized: true })]);
  });

  it('the file host refuses a missing or wrong token (a redirect to sign-in), and the adapter gives up', async () => {
    const [file] = await parsedFiles([fake.addFile({ name: 'a.png', mimetype: 'image/png', bytes: png })]);
    const bare = await fetch(file!.fetchRef!['download']!, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    const wrong = createSlackAdapter({ api: new SlackApi({ botToken: 'xoxb-wrong', apiUrl: fake.apiUrl }), parse: async () => [] });
    const e = await failure(wrong.fetchFile!(file!, 1 << 20));
    expect(e).toBeInstanceOf(ChannelSendError);
    expect((e as ChannelSendError).kind).toBe('permanent');
    expect(fake.downloads.at(-1)).toMatchObject({ authorized: false });
  });

  it('never sends the token to a host that is not Slack', async () => {
    const e = await failure(adapter.fetchFile!({ name: 'x', url: null, platformFileId: 'F1', fetchRef: { download: 'https://files.evil.example/x' } }, 1000));
    expect((e as ChannelSendError).kind).toBe('permanent');
    expect(fake.downloads).toHaveLength(0);
  });

  it('a Slack Connect stub is resolved with files.info: when parsed (its name and size), else before the download', async () => {
    const stub = fake.addFile({ name: 'shared.txt', mimetype: 'text/plain', bytes: TEXT_FILE, connect: true });
    const [file] = await parsedFiles([stub]);
    expect(file).toMatchObject({ name: 'shared.txt', size: TEXT_FILE.length, platformFileId: stub['id'] });
    expect(file!.fetchRef?.['download']).toContain('/download/');
    expect(fake.callsTo('files.info').map((c) => c.args['file'])).toEqual([stub['id']]);
    // A stub kept as it came (files.info failed at parse time) is resolved when fetched.
    const got = await adapter.fetchFile!({ name: 'file', url: null, platformFileId: String(stub['id']), fetchRef: { info: '1' } }, 1 << 20);
    expect(sha256(await readAll(got.body))).toBe(sha256(TEXT_FILE));
    expect(fake.callsTo('files.info')).toHaveLength(2);
    // One the bot may not read stays a stub, and fetching it is a permanent failure.
    const [unknown] = await parsedFiles([{ id: 'F404', mode: 'file_access', file_access: 'check_file_info', created: 0, timestamp: 0, user: '' }]);
    expect(unknown).toMatchObject({ name: 'file', fetchRef: { info: '1' } });
    expect(((await failure(adapter.fetchFile!(unknown!, 1 << 20))) as ChannelSendError).kind).toBe('permanent');
  });

  it('refuses a file over the limit from its metadata (no download) and while streaming (size unknown)', async () => {
    const [file] = await parsedFiles([fake.addFile({ name: 'big.png', mimetype: 'image/png', bytes: png })]);
    const early = await failure(adapter.fetchFile!(file!, png.length - 1));
    expect(early).toBeInstanceOf(FileTooLargeError);
    expect((early as FileTooLargeError).size).toBe(png.length);
    expect(fake.downloads).toHaveLength(0);
    // A stub's metadata (files.info) says the size too.
    const stub = fake.addFile({ name: 'big.txt', mimetype: 'text/plain', bytes: TEXT_FILE, connect: true });
    expect(await failure(adapter.fetchFile!({ name: 'file', url: null, platformFileId: String(stub['id']), fetchRef: { info: '1' } }, 10))).toBeInstanceOf(FileTooLargeError);
    expect(fake.downloads).toHaveLength(0);
  });

  it('fails a stream that passes the limit when nothing said the size beforehand', async () => {
    const { limitBytes } = await import('../../../src/channels/shared/file-stream.ts');
    const { Readable } = await import('node:stream');
    const limited = limitBytes(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000);
    expect(await failure(readAll(limited))).toBeInstanceOf(FileTooLargeError);
    expect((await readAll(limitBytes(Readable.from([Buffer.alloc(600), Buffer.alloc(400)]), 1000))).length).toBe(1000);
  });

  it("sends an agent's files into the thread by the external upload flow, in order, with the same bytes", async () => {
    const sent = await adapter.postFiles!(target, [outboundFile('att-1', 'fix.png', 'image/png', png), outboundFile('att-2', 'steps.txt', 'text/plain', TEXT_FILE)], ctx);
    const flow = fake.calls.map((c) => c.method).filter((m) => m.startsWith('files.') || m === 'upload');
    expect(flow).toEqual(['files.getUploadURLExternal', 'upload', 'files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
    expect(fake.callsTo('files.getUploadURLExternal').map((c) => [c.args['filename'], Number(c.args['length'])])).toEqual([['fix.png', png.length], ['steps.txt', TEXT_FILE.length]]);
    const complete = fake.callsTo('files.completeUploadExternal')[0]!;
    expect(complete.args['channel_id']).toBe('C1');
    expect(complete.args['thread_ts']).toBe(root);
    const listed = JSON.parse(String(complete.args['files'])) as { id: string; title: string }[];
    expect(listed.map((f) => f.title)).toEqual(['fix.png', 'steps.txt']);
    const shared = fake.sharedFiles('C1', root);
    expect(shared.map((f) => [f.name, f.sha256])).toEqual([['fix.png', sha256(png)], ['steps.txt', sha256(TEXT_FILE)]]);
    expect(sent.map((s) => s.messageId)).toEqual(listed.map((f) => `file:${f.id}`));
    expect(fake.callsTo('files.upload')).toHaveLength(0);
  });

  it('a failed upload is a send error the engine acts on, and nothing is shared', async () => {
    fake.failNext('upload', 1, { kind: 'http', status: 503 });
    const e = await failure(adapter.postFiles!(target, [outboundFile('att-1', 'fix.png', 'image/png', png)], ctx));
    expect((e as ChannelSendError).kind).toBe('transient');
    expect(fake.callsTo('files.completeUploadExternal')).toHaveLength(0);
    expect(fake.sharedFiles('C1', root)).toHaveLength(0);
    const gone = await failure(adapter.postFiles!({ ...target, chatId: 'C404' }, [outboundFile('att-1', 'fix.png', 'image/png', png)], ctx));
    expect((gone as ChannelSendError).kind).toBe('permanent');
  });
});
