/**
 * Telegram files through the adapter, against the strict fake Bot API with telegraf: every kind of file a person
 * sends (with or without caption) kept, downloaded by getFile + the file endpoint byte for byte (the largest photo
 * size), the 20 MB limit, and an agent's files uploaded as real multipart (sendPhoto, sendDocument, media groups)
 * as replies in the chat.
 */
import type { Update } from 'telegraf/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planFileSends } from '../../../src/channels/telegram/telegram-channel.ts';
import type { ChatEvent } from '../../../src/core/chat/chat-events.ts';
import { ChannelSendError, FileTooLargeError, type ThreadTarget } from '../../../src/core/ports/channel-port.ts';
import type { MediaKind } from '../../fakes/telegram/telegram-fake-files.ts';
import { makePng, outboundFile, readAll, sha256, TEXT_FILE } from '../../helpers/chat-files.ts';
import { TelegramHarness } from '../../helpers/telegram/telegram-harness.ts';

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
const ctx = (key = 'k1') => ({ locale: 'en' as const, deliveryKey: key });

describe('Telegram files (adapter against the fake)', () => {
  let h: TelegramHarness;
  beforeEach(async () => {
    h = await new TelegramHarness().start();
  });
  afterEach(async () => {
    await h.close();
  });

  /** A private message carrying `field` (and a caption or not), parsed by the adapter. */
  async function parsed(field: MediaKind, value: unknown, caption?: string): Promise<Extract<ChatEvent, { type: 'message' }>> {
    const { user, chat } = await h.customer(111, 'Alice');
    const base = h.fake.updates.message(chat, user, 'x');
    const { text: _t, entities: _e, ...rest } = base.message as typeof base.message & { entities?: unknown };
    const update = { update_id: base.update_id, message: { ...rest, [field]: value, ...(caption ? { caption } : {}) } } as unknown as Update;
    h.fake.observe(update);
    const events = await h.module.adapter.parse({ id: '1', platform: 'telegram', externalId: String(update.update_id), payload: update, receivedAt: new Date() });
    expect(events).toHaveLength(1);
    return events[0] as Extract<ChatEvent, { type: 'message' }>;
  }

  const png = makePng(20, 10, 5);

  it('a caption-less photo is a message with the largest size, downloaded byte for byte', async () => {
    const e = await parsed('photo', h.fake.addMedia('photo', png));
    expect(e.text).toBe('');
    expect(e.files).toHaveLength(1);
    const got = await h.module.adapter.fetchFile!(e.files[0]!, 1 << 20);
    expect(sha256(await readAll(got.body))).toBe(sha256(png));
    expect(h.fake.callsTo('getFile').map((c) => c.params['file_id'])).toEqual([e.files[0]!.platformFileId]);
    expect(h.fake.files.downloads).toEqual([expect.objectContaining({ authorized: true })]);
  });

  it.each([
    ['document', { name: 'vpn.log', mimeType: 'text/plain' }, 'vpn.log'],
    ['voice', { mimeType: 'audio/ogg' }, 'voice.ogg'],
    ['video', { mimeType: 'video/mp4' }, 'video.mp4'],
    ['audio', { name: 'call.mp3', mimeType: 'audio/mpeg' }, 'call.mp3'],
    ['animation', { name: 'fun.mp4', mimeType: 'video/mp4' }, 'fun.mp4'],
  ] as const)('a %s, with a caption, keeps its file and the caption as text', async (kind, o, name) => {
    const e = await parsed(kind, h.fake.addMedia(kind, TEXT_FILE, o), 'see attached');
    expect(e.text).toBe('see attached');
    expect(e.files.map((f) => [f.name, f.contentType, f.size])).toEqual([[name, o.mimeType, TEXT_FILE.length]]);
    // The download link holds the token: the file is kept by id, never by URL.
    expect(e.files[0]!.url).toBeNull();
    const got = await h.module.adapter.fetchFile!(e.files[0]!, 1 << 20);
    expect(sha256(await readAll(got.body))).toBe(sha256(TEXT_FILE));
  });

  it('a file over the limit: from its declared size, from getFile\'s "file is too big", and while streaming', async () => {
    const declared = await parsed('document', h.fake.addMedia('document', TEXT_FILE, { name: 'a.txt', mimeType: 'text/plain' }));
    expect(await failure(h.module.adapter.fetchFile!(declared.files[0]!, 10))).toBeInstanceOf(FileTooLargeError);
    expect(h.fake.callsTo('getFile')).toHaveLength(0);
    // Telegram says 25 MB: the Bot API refuses it whatever our own limit.
    const huge = await parsed('document', h.fake.addMedia('document', TEXT_FILE, { name: 'b.bin', claimedSize: 25 * 1024 * 1024 }));
    const e1 = await failure(h.module.adapter.fetchFile!({ ...huge.files[0]!, size: null }, 100 * 1024 * 1024));
    expect(e1).toBeInstanceOf(FileTooLargeError);
    expect((e1 as FileTooLargeError).maxBytes).toBe(20 * 1024 * 1024);
    expect(h.fake.callsTo('getFile').at(-1)!.response).toMatchObject({ ok: false, description: 'Bad Request: file is too big' });
    const unknownSize = { ...declared.files[0]!, size: null };
    const got = await h.module.adapter.fetchFile!(unknownSize, TEXT_FILE.length);
    expect((await readAll(got.body)).length).toBe(TEXT_FILE.length);
  });

  it('an unknown file id is a permanent failure; the file endpoint refuses a wrong token', async () => {
    const e = await failure(h.module.adapter.fetchFile!({ name: 'x', url: null, platformFileId: 'nope' }, 1000));
    expect((e as ChannelSendError).kind).toBe('permanent');
    const m = await parsed('document', h.fake.addMedia('document', TEXT_FILE, { name: 'a.txt' }));
    await h.module.adapter.fetchFile!(m.files[0]!, 1 << 20).then((f) => readAll(f.body));
    const path = h.fake.files.downloads[0]!.path;
    const wrong = await fetch(`${h.fake.url}file/bot7000001:wrong/${path}`);
    expect(wrong.status).toBe(404);
    expect(h.fake.files.downloads.at(-1)).toMatchObject({ authorized: false });
  });

  describe('outbound', () => {
    async function groupThread(): Promise<{ target: ThreadTarget; root: number; chatId: number }> {
      const { user } = await h.customer(111, 'Alice');
      const group = h.group();
      const root = h.fake.updates.message(group, user, '@ticket_bot the printer is on fire');
      h.fake.observe(root);
      return { target: { platform: 'telegram', workspaceId: String(h.botUser.id), chatId: String(group.id), threadRef: String(root.message.message_id) }, root: root.message.message_id, chatId: group.id };
    }

    it('one image is a photo, one text file a document, each a reply to the thread, uploaded as multipart', async () => {
      const { target, root, chatId } = await groupThread();
      const sent = await h.module.adapter.postFiles!(target, [outboundFile('a1', 'fix.png', 'image/png', png)], ctx('p1'));
      const sent2 = await h.module.adapter.postFiles!(target, [outboundFile('a2', 'steps.txt', 'text/plain', TEXT_FILE)], ctx('p2'));
      expect(h.fake.sentFiles(chatId).map((f) => [f.kind, f.sha256, f.replyTo])).toEqual([['photo', sha256(png), root], ['document', sha256(TEXT_FILE), root]]);
      expect(h.fake.sentFiles(chatId)[1]!.name).toBe('steps.txt');
      expect([...sent, ...sent2].map((s) => s.messageId)).toEqual(h.fake.sent(chatId).map((m) => `${chatId}:${m.message_id}`));
      const photoCall = h.fake.callsTo('sendPhoto')[0]!;
      expect(photoCall.params['_parts']).toEqual([{ name: 'photo', filename: 'fix.png', size: png.length }]);
      expect(h.fake.callsTo('sendDocument')[0]!.params['_parts']).toEqual([{ name: 'document', filename: 'steps.txt', size: TEXT_FILE.length }]);
    });

    it('several files: a photo group and a document group, in order, with the same bytes', async () => {
      const { target, root, chatId } = await groupThread();
      const png2 = makePng(12, 12, 9);
      const files = [outboundFile('a1', 'one.png', 'image/png', png), outboundFile('a2', 'two.png', 'image/png', png2), outboundFile('a3', 'a.txt', 'text/plain', TEXT_FILE), outboundFile('a4', 'b.csv', 'text/csv', Buffer.from('a,b\n1,2\n'))];
      const sent = await h.module.adapter.postFiles!(target, files, ctx());
      expect(h.fake.callsTo('sendMediaGroup')).toHaveLength(2);
      const got = h.fake.sentFiles(chatId);
      expect(got.map((f) => [f.kind, f.sha256, f.replyTo])).toEqual([
        ['photo', sha256(png), root],
        ['photo', sha256(png2), root],
        ['document', sha256(TEXT_FILE), root],
        ['document', sha256(Buffer.from('a,b\n1,2\n')), root],
      ]);
      expect(new Set(got.map((f) => f.group)).size).toBe(2);
      expect(sent).toHaveLength(4);
    });

    it('a failed second send is retried alone (the first group is not sent twice)', async () => {
      const { target, chatId } = await groupThread();
      const files = [outboundFile('a1', 'one.png', 'image/png', png), outboundFile('a3', 'a.txt', 'text/plain', TEXT_FILE)];
      h.fake.failNext('sendDocument', { type: 'server_error' });
      const e = await failure(h.module.adapter.postFiles!(target, files, ctx('retry')));
      expect((e as ChannelSendError).kind).toBe('transient');
      const sent = await h.module.adapter.postFiles!(target, files, ctx('retry'));
      expect(h.fake.sentFiles(chatId).map((f) => f.kind)).toEqual(['photo', 'document']);
      expect(sent).toHaveLength(2);
    });

    it('the fake refuses what Telegram refuses', async () => {
      const { chatId } = await groupThread();
      const api = `${h.fake.url}bot${h.fake.token}`;
      const form = (entries: [string, string | Blob, string?][]) => {
        const f = new FormData();
        for (const [k, v, name] of entries) typeof v === 'string' ? f.append(k, v) : f.append(k, v, name);
        return f;
      };
      const call = async (method: string, body: FormData) => (await (await fetch(`${api}/${method}`, { method: 'POST', body })).json()) as { ok: boolean; description?: string };
      const blob = new Blob([png], { type: 'image/png' });
      expect(await call('sendPhoto', form([['photo', blob, 'a.png']]))).toMatchObject({ ok: false, description: 'Bad Request: chat_id is empty' });
      expect(await call('sendPhoto', form([['chat_id', String(chatId)], ['file', blob, 'a.png']]))).toMatchObject({ ok: false, description: 'Bad Request: there is no photo in the request' });
      expect(await call('sendDocument', form([['chat_id', String(chatId)], ['document', 'AgADunknown']]))).toMatchObject({ ok: false, description: 'Bad Request: wrong file identifier/HTTP URL specified' });
      expect(await call('sendPhoto', form([['chat_id', String(chatId)], ['photo', new Blob([TEXT_FILE]), 'a.png']]))).toMatchObject({ ok: false, description: 'Bad Request: IMAGE_PROCESS_FAILED' });
      const mixed = JSON.stringify([{ type: 'photo', media: 'attach://p' }, { type: 'document', media: 'attach://d' }]);
      expect(await call('sendMediaGroup', form([['chat_id', String(chatId)], ['media', mixed], ['p', blob, 'a.png'], ['d', new Blob([TEXT_FILE]), 'a.txt']]))).toMatchObject({ ok: false, description: "Bad Request: document can't be mixed with other media types" });
      expect(await call('sendMediaGroup', form([['chat_id', String(chatId)], ['media', JSON.stringify([{ type: 'photo', media: 'attach://p' }])], ['p', blob, 'a.png']]))).toMatchObject({ ok: false });
      expect(await call('sendPhoto', form([['chat_id', String(chatId)], ['photo', blob, 'a.png']]))).toMatchObject({ ok: true });
    });

    it('an image Telegram cannot make a photo of is sent as a document instead', async () => {
      const { target, chatId } = await groupThread();
      // Says PNG, is not one: Telegram refuses it as a photo (IMAGE_PROCESS_FAILED), takes it as a document.
      await h.module.adapter.postFiles!(target, [outboundFile('a1', 'odd.png', 'image/png', TEXT_FILE)], ctx());
      expect(h.fake.callsTo('sendPhoto').at(-1)!.response).toMatchObject({ ok: false, description: 'Bad Request: IMAGE_PROCESS_FAILED' });
      expect(h.fake.sentFiles(chatId).map((f) => [f.kind, f.name, f.sha256])).toEqual([['document', 'odd.png', sha256(TEXT_FILE)]]);
    });

    it('a file over 50 MB cannot be uploaded by a bot: a permanent failure, nothing sent', async () => {
      const { target, chatId } = await groupThread();
      const huge = { ...outboundFile('a1', 'dump.bin', 'application/octet-stream', Buffer.alloc(1)), size: 60 * 1024 * 1024 };
      const e = await failure(h.module.adapter.postFiles!(target, [huge], ctx()));
      expect((e as ChannelSendError).kind).toBe('permanent');
      expect((e as Error).message).toContain('dump.bin');
      expect(h.fake.sentFiles(chatId)).toHaveLength(0);
    });

    it('plans sends: runs of one kind, at most ten, big or non-photo images as documents', () => {
      const f = (name: string, type: string, size = 10) => ({ ...outboundFile(name, name, type, Buffer.alloc(1)), size });
      const plan = planFileSends([f('a', 'image/png'), f('b', 'image/gif'), f('c', 'image/jpeg', 11 * 1024 * 1024), ...Array.from({ length: 11 }, (_, i) => f(`p${i}`, 'image/jpeg'))]);
      expect(plan.map((s) => [s.kind, s.files.length])).toEqual([['photo', 1], ['document', 2], ['photo', 10], ['photo', 1]]);
    });
  });
});

