/**
 * Lark files through the adapter, against the strict fake with the official SDK: a person's images, files and
 * images inside rich text kept by message and key, fetched through the SDK's message-resource stream with the
 * tenant token (refused without it, or through a message that does not hold the file), within the limit; an
 * agent's files uploaded as real multipart (im/v1/images, im/v1/files) and replied into the thread.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { larkFileType } from '../../../src/channels/lark/lark-api.ts';
import type { ChatEvent, ChatFile } from '../../../src/core/chat/chat-events.ts';
import { ChannelSendError, FileTooLargeError, type ThreadTarget } from '../../../src/core/ports/channel-port.ts';
import { FILE_CODES, type FakeChat, type FakeUser, type StoredMessage } from '../../fakes/lark/lark-fake.ts';
import { makePng, outboundFile, readAll, sha256, TEXT_FILE } from '../../helpers/chat-files.ts';
import { LarkHarness } from '../../helpers/lark/lark-harness.ts';

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
const ctx = (key = 'outbox-1') => ({ locale: 'en' as const, deliveryKey: key });

describe('Lark files (adapter against the fake)', () => {
  let h: LarkHarness;
  let alice: FakeUser;
  let group: FakeChat;
  let root: StoredMessage;
  const png = makePng(24, 12, 7);

  beforeEach(async () => {
    h = await new LarkHarness().start();
    alice = h.fake.addUser({ name: 'Alice Example', email: 'alice@example.com' });
    group = h.fake.addGroup([alice]);
    root = h.inbound.userMessage({ from: alice, chatId: group.chat_id, text: 'printer broken', mentionBot: true }).message;
  });
  afterEach(async () => {
    await h.stop();
  });

  async function filesOf(msgType: string, content: Record<string, unknown>): Promise<ChatFile[]> {
    const { body } = h.inbound.userMessage({ from: alice, chatId: group.chat_id, msgType, content, replyTo: root.message_id });
    const events = await h.module.adapter.parse({ id: '1', platform: 'lark', externalId: 'e1', payload: body, receivedAt: new Date() });
    expect(events).toHaveLength(1);
    return (events[0] as Extract<ChatEvent, { type: 'message' }>).files;
  }

  it('an image and a file arrive byte for byte through the message-resource endpoint, with the tenant token', async () => {
    const img = h.fake.addResource('image', png);
    const doc = h.fake.addResource('file', TEXT_FILE, 'vpn.log');
    const [image] = await filesOf('image', { image_key: img });
    const [file] = await filesOf('file', { file_key: doc, file_name: 'vpn.log' });
    expect(image).toMatchObject({ url: null, platformFileId: img, fetchRef: { fileKey: img, type: 'image' } });
    expect(file).toMatchObject({ name: 'vpn.log', fetchRef: { fileKey: doc, type: 'file' } });
    const a = await h.module.adapter.fetchFile!(image!, 1 << 20);
    expect(a.size).toBe(png.length);
    expect(sha256(await readAll(a.body))).toBe(sha256(png));
    const b = await h.module.adapter.fetchFile!(file!, 1 << 20);
    expect(sha256(await readAll(b.body))).toBe(sha256(TEXT_FILE));
    const gets = h.fake.calls.filter((c) => c.path.includes('/resources/'));
    expect(gets.map((c) => [c.query['type'], c.status])).toEqual([['image', 200], ['file', 200]]);
    expect(gets.every((c) => /^Bearer t-/.test(c.headers['authorization'] ?? ''))).toBe(true);
  });

  it('images inside a rich-text post are files too, each fetched as an image', async () => {
    const k1 = h.fake.addResource('image', png);
    const k2 = h.fake.addResource('image', makePng(4, 4, 1));
    const files = await filesOf('post', { title: '', content: [[{ tag: 'text', text: 'see' }], [{ tag: 'img', image_key: k1 }], [{ tag: 'img', image_key: k2 }]] });
    expect(files.map((f) => f.fetchRef?.['fileKey'])).toEqual([k1, k2]);
    expect(sha256(await readAll((await h.module.adapter.fetchFile!(files[1]!, 1 << 20)).body))).toBe(sha256(makePng(4, 4, 1)));
  });

  it('the fake refuses a missing token, a message that does not hold the file, and the wrong type', async () => {
    const img = h.fake.addResource('image', png);
    const [image] = await filesOf('image', { image_key: img });
    const url = `${h.fake.url}/open-apis/im/v1/messages/${image!.fetchRef!['messageId']}/resources/${img}?type=image`;
    expect((await (await fetch(url)).json()) as object).toMatchObject({ code: 99991661 });
    const other = await failure(h.module.adapter.fetchFile!({ ...image!, fetchRef: { ...image!.fetchRef!, messageId: root.message_id } }, 1 << 20));
    expect((other as ChannelSendError).kind).toBe('permanent');
    expect(h.fake.calls.at(-1)).toMatchObject({ code: FILE_CODES.fileNotInMessage });
    const wrongType = await failure(h.module.adapter.fetchFile!({ ...image!, fetchRef: { ...image!.fetchRef!, type: 'file' } }, 1 << 20));
    expect((wrongType as ChannelSendError).kind).toBe('permanent');
  });

  it('a file over the limit is refused from its declared length, before its bytes are read', async () => {
    const [file] = await filesOf('file', { file_key: h.fake.addResource('file', TEXT_FILE, 'a.txt'), file_name: 'a.txt' });
    const e = await failure(h.module.adapter.fetchFile!(file!, 10));
    expect(e).toBeInstanceOf(FileTooLargeError);
    expect((e as FileTooLargeError).size).toBe(TEXT_FILE.length);
  });

  it("an agent's image and text file are uploaded as multipart and replied into the thread, same bytes", async () => {
    const target: ThreadTarget = { platform: 'lark', workspaceId: h.fake.tenantKey, chatId: group.chat_id, threadRef: root.message_id };
    const sent = await h.module.adapter.postFiles!(target, [outboundFile('att-1', 'fix.png', 'image/png', png), outboundFile('att-2', 'steps.pdf', 'application/pdf', TEXT_FILE)], ctx());
    const uploads = h.fake.calls.filter((c) => c.path === '/open-apis/im/v1/images' || c.path === '/open-apis/im/v1/files');
    expect(uploads.map((c) => [c.path, c.status])).toEqual([['/open-apis/im/v1/images', 200], ['/open-apis/im/v1/files', 200]]);
    expect(uploads[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(uploads[0]!.body).toEqual({ image_type: 'message', image: { filename: 'fix.png', size: png.length } });
    expect(uploads[1]!.body).toEqual({ file_type: 'pdf', file_name: 'steps.pdf', file: { filename: 'steps.pdf', size: TEXT_FILE.length } });
    const inThread = h.fake.sentFiles(root.message_id);
    expect(inThread.map((r) => [r.kind, sha256(r.bytes)])).toEqual([['image', sha256(png)], ['file', sha256(TEXT_FILE)]]);
    expect(sent.map((s) => s.messageId)).toEqual(inThread.map((r) => r.messageId));
    const replies = h.fake.calls.filter((c) => c.path.endsWith('/reply'));
    expect(replies.map((c) => (c.body as { msg_type: string; reply_in_thread: boolean }).msg_type)).toEqual(['image', 'file']);
  });

  it('a retry of the same delivery posts no second message (the uuid is the delivery and the file)', async () => {
    const target: ThreadTarget = { platform: 'lark', workspaceId: h.fake.tenantKey, chatId: group.chat_id, threadRef: root.message_id };
    const files = [outboundFile('att-1', 'fix.png', 'image/png', png)];
    const first = await h.module.adapter.postFiles!(target, files, ctx('k'));
    const again = await h.module.adapter.postFiles!(target, files, ctx('k'));
    expect(again).toEqual(first);
    expect(h.fake.sentFiles(root.message_id)).toHaveLength(1);
  });

  it('refuses what Lark cannot take: an empty file, one over 30 MB; a rejected upload is a send error', async () => {
    const target: ThreadTarget = { platform: 'lark', workspaceId: h.fake.tenantKey, chatId: group.chat_id, threadRef: root.message_id };
    const huge = { ...outboundFile('a', 'dump.bin', 'application/octet-stream', Buffer.alloc(1)), size: 31 * 1024 * 1024 };
    expect(((await failure(h.module.adapter.postFiles!(target, [huge], ctx()))) as ChannelSendError).kind).toBe('permanent');
    expect(((await failure(h.module.adapter.postFiles!(target, [outboundFile('b', 'e.txt', 'text/plain', Buffer.alloc(0))], ctx()))) as ChannelSendError).kind).toBe('permanent');
    // Claims to be a PNG but is not one: Lark refuses the image.
    const bad = await failure(h.module.adapter.postFiles!(target, [outboundFile('c', 'x.png', 'image/png', TEXT_FILE)], ctx()));
    expect((bad as ChannelSendError).kind).toBe('permanent');
    expect(h.fake.sentFiles()).toHaveLength(0);
  });

  it('names file types as Lark wants them', () => {
    expect(['a.pdf', 'b.DOCX', 'c.xls', 'd.pptx', 'e.mp4', 'f.opus', 'g.txt', 'h'].map(larkFileType)).toEqual(['pdf', 'doc', 'xls', 'ppt', 'mp4', 'opus', 'stream', 'stream']);
  });
});
