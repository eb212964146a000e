import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChatEvent, ChatPerson } from '../../core/chat/chat-events.ts';
import type { StoredDraft } from '../../core/ports/draft-repo.ts';
import { formFields, parseLarkEvent, type ParseDeps } from './lark-parse.ts';

type Obj = Record<string, unknown>;
const fixture = (name: string): Obj => JSON.parse(readFileSync(new URL(`../../../test/fixtures/lark/${name}.json`, import.meta.url), 'utf8')) as Obj;

const BOT = 'ou_bot1';
const person = (workspaceId: string, openId: string): ChatPerson => ({ platform: 'lark', workspaceId, platformUserId: openId, profile: () => Promise.reject(new Error('not asked')) });
const DRAFT_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const draftPlace = { platform: 'lark', workspaceId: 'tk', chatId: 'oc_group', threadRef: 'om_src', direct: false };
function deps(draft: Partial<StoredDraft> | null = null): ParseDeps {
  return { botOpenId: async () => BOT, person, draft: async (id) => (draft && id === DRAFT_ID ? ({ place: draftPlace, description: '', ...draft } as StoredDraft) : null) };
}
/** Only what the adapter saw: the person's id, not the lazy profile. */
const facts = (events: ChatEvent[]) => JSON.parse(JSON.stringify(events)) as Obj[];

/** A received message of the given content, in a group (or p2p), optionally a thread reply. */
function message(content: Obj, o: { type?: string; chat?: 'group' | 'p2p'; root?: string; parent?: string; mentions?: Obj[]; sender?: Obj; eventType?: string } = {}): Obj {
  return {
    schema: '2.0',
    header: { event_id: 'ev1', event_type: o.eventType ?? 'im.message.receive_v1', tenant_key: 'tk' },
    event: {
      sender: o.sender ?? { sender_id: { open_id: 'ou_alice' }, sender_type: 'user' },
      message: { message_id: 'om_1', ...(o.root ? { root_id: o.root, parent_id: o.parent ?? o.root } : {}), chat_id: 'oc_1', chat_type: o.chat ?? 'group', message_type: o.type ?? 'text', content: JSON.stringify(content), ...(o.mentions ? { mentions: o.mentions } : {}) },
    },
  };
}
const botMention = { key: '@_user_1', id: { open_id: BOT }, name: 'TicketBot' };

describe('parseLarkEvent: messages', () => {
  it('turns a group mention outside a thread into a request about that message, without the mention', async () => {
    const events = await parseLarkEvent(fixture('im-message-receive-group-mention'), deps());
    expect(facts(events)).toEqual([
      {
        type: 'request_wanted',
        place: { platform: 'lark', workspaceId: '736588c9260f175d', chatId: 'oc_5ce6d572455d361153b7xx51da133945', threadRef: 'om_5ce6d572455d361153b7cb51da133945', direct: false },
        actor: { platform: 'lark', workspaceId: '736588c9260f175d', platformUserId: 'ou_84aad35d084aa403a838cf73ee18467' },
        source: { messageId: 'om_5ce6d572455d361153b7cb51da133945', text: 'printer is on fire', files: [], url: null },
        submitNow: false,
      },
    ]);
  });

  it('ignores group chatter that neither mentions the bot nor replies in a thread, and every app message', async () => {
    expect(await parseLarkEvent(message({ text: 'lunch?' }), deps())).toEqual([]);
    expect(await parseLarkEvent(message({ text: '@_user_1 hi' }, { mentions: [botMention], sender: { sender_id: { open_id: BOT }, sender_type: 'user' } }), deps())).toEqual([]);
    expect(await parseLarkEvent(message({ text: 'echo' }, { chat: 'p2p', sender: { sender_id: { open_id: 'cli_x' }, sender_type: 'app' } }), deps())).toEqual([]);
  });

  it('makes a thread reply a message in that thread, naming the messages it answers', async () => {
    const [e] = facts(await parseLarkEvent(fixture('im-message-receive-thread-reply'), deps()));
    expect(e).toMatchObject({
      type: 'message',
      place: { threadRef: 'om_5ce6d572455d361153b7cb51da133945', direct: false },
      messageId: 'om_reply00000000000000000000000001',
      text: 'still broken, see the photo log (https://example.com/log)',
      files: [{ name: 'image-img_v2_041b28e3', url: null, platformFileId: 'img_v2_041b28e3', fetchRef: { messageId: 'om_reply00000000000000000000000001', fileKey: 'img_v2_041b28e3', type: 'image' } }],
      mentionsBot: false,
      repliesTo: ['om_5ce6d572455d361153b7cb51da133945'],
    });
    const dm = facts(await parseLarkEvent(message({ text: 'it flickers' }, { chat: 'p2p', root: 'om_notice', parent: 'om_mine' }), deps()));
    expect(dm[0]).toMatchObject({ type: 'message', place: { threadRef: 'om_notice', direct: true }, repliesTo: ['om_mine', 'om_notice'] });
  });

  it('keeps a mention inside a thread a message (the core decides whether it is a ticket’s thread)', async () => {
    const [e] = facts(await parseLarkEvent(message({ text: '@_user_1 any news?' }, { root: 'om_root', mentions: [botMention] }), deps()));
    expect(e).toMatchObject({ type: 'message', text: 'any news?', mentionsBot: true, place: { threadRef: 'om_root' } });
  });

  it('makes any private message that is not a reply a request; an empty one (a sticker) nothing', async () => {
    const [e] = facts(await parseLarkEvent(message({ text: 'my laptop does not boot' }, { chat: 'p2p' }), deps()));
    expect(e).toMatchObject({ type: 'request_wanted', place: { chatId: 'oc_1', threadRef: 'om_1', direct: true }, source: { text: 'my laptop does not boot' } });
    expect(await parseLarkEvent(message({ file_key: 'sticker_1' }, { chat: 'p2p', type: 'sticker' }), deps())).toEqual([]);
  });

  it('reads "link <code>", "login" and "tickets" as registration, a sign-in request and the list, privately or to the bot', async () => {
    expect(facts(await parseLarkEvent(message({ text: 'link AB12-CD34' }, { chat: 'p2p' }), deps()))).toMatchObject([{ type: 'registration', code: 'AB12-CD34', place: { direct: true } }]);
    for (const text of ['login', 'Sign in', '登录'])
      expect(facts(await parseLarkEvent(message({ text }, { chat: 'p2p' }), deps()))).toMatchObject([{ type: 'sign_in_wanted', place: { direct: true } }]);
    for (const text of ['tickets', 'My tickets', '我的工单']) expect(facts(await parseLarkEvent(message({ text }, { chat: 'p2p' }), deps()))).toMatchObject([{ type: 'my_tickets' }]);
    // In a group the core refuses them (a code is only taken in private); the adapter only says what was asked.
    expect(facts(await parseLarkEvent(message({ text: '@_user_1 link AB12CD' }, { mentions: [botMention] }), deps()))).toMatchObject([{ type: 'registration', code: 'AB12CD', place: { direct: false } }]);
    expect(facts(await parseLarkEvent(message({ text: 'please link my account to ann@x.example' }, { chat: 'p2p' }), deps()))[0]).toMatchObject({ type: 'request_wanted' });
  });

  it('reads both shapes of rich text: bare and wrapped in its language (which was dropped before)', async () => {
    const body = { title: 'VPN', content: [[{ tag: 'text', text: 'drops every ' }, { tag: 'at', user_id: '@_user_2', user_name: 'Bob' }], [{ tag: 'media', file_key: 'file_v2_9', file_name: 'screen.mp4' }]] };
    const mentions = [botMention, { key: '@_user_2', id: { open_id: 'ou_bob' }, name: 'Bob' }];
    for (const content of [body, { zh_cn: body }, { en_us: body, ja_jp: { title: 'ignored', content: [] } }]) {
      const [e] = facts(await parseLarkEvent(message(content, { type: 'post', root: 'om_root', mentions }), deps()));
      expect(e).toMatchObject({ text: 'VPN\ndrops every @Bob', files: [{ name: 'screen.mp4', platformFileId: 'file_v2_9' }] });
    }
  });

  it('resolves other mentions and @all, and drops the bot’s own mention in rich text too', async () => {
    const mentions = [botMention, { key: '@_user_2', id: { open_id: 'ou_x' }, name: 'Bob' }];
    const [t] = facts(await parseLarkEvent(message({ text: '@_user_1 @_user_2 please look @_all' }, { root: 'om_r', mentions }), deps()));
    expect(t).toMatchObject({ text: '@Bob please look @all', mentionsBot: true });
    const post = { content: [[{ tag: 'at', user_id: BOT, user_name: 'TicketBot' }, { tag: 'text', text: ' help' }]] };
    const [p] = facts(await parseLarkEvent(message(post, { type: 'post', root: 'om_r' }), deps()));
    expect(p).toMatchObject({ text: 'help' });
  });

  it('takes a file by name, and content that is not what its type says as nothing', async () => {
    const [f] = facts(await parseLarkEvent(message({ file_key: 'file_v2_1', file_name: 'log.txt' }, { type: 'file', root: 'om_r' }), deps()));
    expect(f).toMatchObject({ text: '', files: [{ name: 'log.txt', url: null, fetchRef: { messageId: 'om_1', fileKey: 'file_v2_1', type: 'file' } }] });
    const broken = { ...message({}, { root: 'om_r' }) };
    ((broken['event'] as Obj)['message'] as Obj)['content'] = 'not json';
    expect(facts(await parseLarkEvent(broken, deps()))[0]).toMatchObject({ text: '', files: [] });
  });

  it('turns an edit and a recall into message_edited and message_deleted', async () => {
    const edited = facts(await parseLarkEvent(message({ text: 'the printer on floor 4' }, { eventType: 'im.message.updated_v1', root: 'om_r' }), deps()));
    expect(edited).toMatchObject([{ type: 'message_edited', messageId: 'om_1', text: 'the printer on floor 4', author: { platformUserId: 'ou_alice' } }]);
    const recalled = await parseLarkEvent(fixture('im-message-recalled'), deps());
    expect(facts(recalled)).toMatchObject([{ type: 'message_deleted', place: { platform: 'lark' } }]);
  });
});

describe('parseLarkEvent: real payloads (test/fixtures/real-payloads/lark) as a person sees them', () => {
  /** The message part of a real payload, written to the bot in a private chat (so it is about itself). */
  const privately = (name: string): Obj => {
    const raw = JSON.parse(readFileSync(new URL(`../../../test/fixtures/real-payloads/lark/${name}`, import.meta.url), 'utf8')) as Obj;
    const sender = { sender_type: 'user', ...(raw['sender'] as Obj) };
    return { schema: '2.0', header: { event_id: 'e', event_type: 'im.message.receive_v1', tenant_key: 'tk' }, event: { sender, message: { ...(raw['message'] as Obj), chat_type: 'p2p' } } };
  };
  const source = async (name: string) => (facts(await parseLarkEvent(privately(name), deps()))[0] as { source: Obj }).source;
  // No link anyone could open (the endpoint needs the tenant token): what the adapter fetches the file with.
  const resource = (key: string, type: string) => ({ url: null, platformFileId: key, fetchRef: { messageId: 'om_x', fileKey: key, type } });

  it('reads a language-wrapped post with a mention and an inline image', async () => {
    expect(await source('node_sdk_post_image_mention.json')).toEqual({ messageId: 'om_x', text: 'Greeting\nhi @Bob', files: [{ name: 'image-img_1', ...resource('img_1', 'image') }], url: null });
  });

  it('takes images, files and videos as files', async () => {
    expect((await source('node_sdk_image.json'))['files']).toEqual([{ name: 'image-img_v3_xyz', ...resource('img_v3_xyz', 'image') }]);
    expect((await source('node_sdk_file_doc_pdf.json'))['files']).toEqual([{ name: 'doc.pdf', ...resource('f1', 'file') }]);
    expect((await source('node_sdk_media_clip_mp4.json'))['files']).toEqual([{ name: 'clip.mp4', ...resource('v1', 'file') }]);
  });

  it('names mentioned people (and everyone) the way Lark shows them', async () => {
    expect((await source('node_sdk_text_mention_please.json'))['text']).toBe('@Bob please');
    expect((await source('node_sdk_text_at_all.json'))['text']).toBe('@所有人 listen up');
  });
});

describe('parseLarkEvent: card buttons', () => {
  const card = (value: Obj, form: Obj = {}) => ({
    schema: '2.0',
    header: { event_id: 'ev2', event_type: 'card.action.trigger', tenant_key: 'tk' },
    event: { operator: { open_id: 'ou_alice' }, token: 'c-1', action: { tag: 'button', value, form_value: form }, context: { open_message_id: 'om_card', open_chat_id: 'oc_group' } },
  });

  it('submits a draft with what the form holds, where the draft was asked (and the draft it read, for the core)', async () => {
    const events = facts(await parseLarkEvent(card({ op: 'submit', d: DRAFT_ID, loc: 'en' }, { subject: 'VPN', description: 'it drops every ten minutes', priority: 'high', service: 'none', email: 'ceo@x.example' }), deps({})));
    expect(events).toEqual([
      {
        type: 'request_submitted', place: draftPlace, actor: { platform: 'lark', workspaceId: 'tk', platformUserId: 'ou_alice' }, draftId: DRAFT_ID,
        fields: { subject: 'VPN', description: 'it drops every ten minutes', priority: 'high', serviceId: null }, draft: { place: draftPlace, description: '' },
      },
    ]);
    // A draft it could not read is said so (null), not left for the core to read again.
    expect(facts(await parseLarkEvent(card({ op: 'submit', d: DRAFT_ID }, { description: 'it drops every ten minutes' }), deps(null)))[0]).toMatchObject({ draftId: DRAFT_ID, draft: null });
  });

  it('rates with the score of the button and the comment of the form; reopens with the reason', async () => {
    expect(facts(await parseLarkEvent(card({ op: 'rate', n: '12', s: '4', loc: 'en' }, { comment: ' quick ' }), deps()))).toMatchObject([
      { type: 'ticket_action', ticketNumber: 12, action: { kind: 'rate', score: 4, comment: 'quick' }, pressedMessageId: 'om_card', place: { chatId: 'oc_group' } },
    ]);
    expect(facts(await parseLarkEvent(card({ op: 'rate', n: '12', s: '5' }), deps()))[0]).toMatchObject({ action: { kind: 'rate', score: 5, comment: null } });
    expect(facts(await parseLarkEvent(card({ op: 'reopen', n: '12' }, { reason: 'again' }), deps()))).toMatchObject([{ action: { kind: 'reopen', reason: 'again' } }]);
  });

  it('ignores buttons that are not ours, values out of range and the legacy callback of another app', async () => {
    for (const v of [{ op: 'rate', n: '12', s: '9' }, { op: 'submit', d: 'not-a-uuid' }, { op: 'create_ticket', src: 'om_1' }, { action: 'approve' }]) expect(await parseLarkEvent(card(v), deps())).toEqual([]);
    expect(await parseLarkEvent(fixture('card-action-legacy'), deps())).toEqual([]);
  });
});

describe('formFields', () => {
  it('keeps a description longer than Lark’s input could show when the person left it as shown', () => {
    const long = 'x'.repeat(1500);
    expect(formFields({ subject: 'S', description: long.slice(0, 1000) }, { description: long }).description).toBe(long);
    expect(formFields({ subject: 'S', description: 'rewritten entirely' }, { description: long }).description).toBe('rewritten entirely');
    expect(formFields({ priority: 'bogus', service: 'svc-1' }, { description: '' })).toEqual({ subject: '', description: '', priority: 'normal', serviceId: 'svc-1' });
  });
});
