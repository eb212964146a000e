/** The Web API methods of the SlackFake, each as strict as the real one about the arguments this service sends. */
import type { SlackFake } from './slack-fake.ts';
import type { FakeConversation, FakeMessage } from './slack-fake-state.ts';

export type Args = Record<string, unknown>;
export type MethodResult = Record<string, unknown> & { ok: boolean };

const MAX_BLOCKS = 50;
const MAX_TEXT = 40_000;
const MAX_SECTION_TEXT = 3000;

function err(error: string, extra: Record<string, unknown> = {}): MethodResult {
  return { ok: false, error, ...extra };
}

function str(args: Args, key: string): string | undefined {
  const v = args[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function flag(args: Args, key: string): boolean {
  const v = args[key];
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** Form fields carry JSON as strings; JSON bodies carry it as values. */
function json(args: Args, key: string): { ok: true; value: unknown } | { ok: false } {
  const v = args[key];
  if (v === undefined || v === null || v === '') return { ok: true, value: undefined };
  if (typeof v !== 'string') return { ok: true, value: v };
  try {
    return { ok: true, value: JSON.parse(v) };
  } catch {
    return { ok: false };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function compareTs(a: string, b: string): number {
  const [as = '0', am = '0'] = a.split('.');
  const [bs = '0', bm = '0'] = b.split('.');
  return Number(as) - Number(bs) || Number(am) - Number(bm);
}

function textLength(t: unknown): number {
  return isRecord(t) && typeof t['text'] === 'string' ? [...t['text']].length : 0;
}

/** What Slack refuses in a message's blocks (the contract test checks renderings against it too). */
export function checkBlocks(blocks: unknown[]): string | null {
  if (blocks.length > MAX_BLOCKS) return 'invalid_blocks';
  for (const b of blocks) {
    if (!isRecord(b) || typeof b['type'] !== 'string') return 'invalid_blocks';
    if (b['type'] === 'section' && (textLength(b['text']) === 0 || textLength(b['text']) > MAX_SECTION_TEXT)) {
      return 'invalid_blocks';
    }
    if (b['type'] === 'context') {
      const elements = b['elements'];
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10) return 'invalid_blocks';
      if (elements.some((e) => textLength(e) === 0 || textLength(e) > MAX_SECTION_TEXT)) return 'invalid_blocks';
    }
    if (b['type'] === 'actions') {
      const elements = b['elements'];
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 25) return 'invalid_blocks';
      for (const e of elements) {
        if (!isRecord(e) || textLength(e['text']) > 75) return 'invalid_blocks';
        if (typeof e['value'] === 'string' && e['value'].length > 2000) return 'invalid_blocks';
        if (typeof e['url'] === 'string' && e['url'].length > 3000) return 'invalid_blocks';
      }
    }
  }
  return null;
}

function readContent(args: Args): { text: string; blocks?: unknown[] } | MethodResult {
  const text = str(args, 'text') ?? '';
  const parsed = json(args, 'blocks');
  if (!parsed.ok) return err('invalid_blocks_format');
  const blocks = parsed.value;
  if (blocks !== undefined && !Array.isArray(blocks)) return err('invalid_blocks_format');
  if (text === '' && (!blocks || blocks.length === 0)) return err('no_text');
  if ([...text].length > MAX_TEXT) return err('msg_too_long');
  if (blocks) {
    const problem = checkBlocks(blocks);
    if (problem) return err(problem);
  }
  return blocks ? { text, blocks } : { text };
}

function isError(v: object): v is MethodResult {
  return 'ok' in v && v.ok === false;
}

/**
 * The conversation, or the error Slack gives when the bot cannot use it. Only chat.postMessage takes a user id for
 * the app's direct chat with that person; every other method wants the conversation's own id (D…).
 */
function conversation(fake: SlackFake, args: Args, opts: { write: boolean; userIdOpensDirect?: boolean }): FakeConversation | MethodResult {
  const id = str(args, 'channel');
  if (!id) return err('channel_not_found');
  const conv = opts.userIdOpensDirect ? fake.workspace.resolveChannel(id) : fake.workspace.conversations.get(id);
  if (!conv) return err('channel_not_found');
  if (opts.write && conv.archived) return err('is_archived');
  if (!conv.members.has(fake.workspace.botUserId)) return err('not_in_channel');
  return conv;
}

function present(m: FakeMessage, withMetadata: boolean): Record<string, unknown> {
  const { metadata, ...rest } = m;
  return withMetadata && metadata ? { ...rest, metadata } : { ...rest };
}

function checkThread(fake: SlackFake, channel: string, threadTs: string | undefined): MethodResult | null {
  if (!threadTs) return null;
  const parent = fake.workspace.find(channel, threadTs);
  if (!parent) return err('thread_not_found');
  if (!fake.workspace.isTopLevel(parent)) return err('cannot_reply_to_message');
  return null;
}

const VIEW_TEXT_MAX = 24;

function checkView(view: unknown): string | null {
  if (!isRecord(view) || view['type'] !== 'modal') return 'invalid_arguments';
  if (textLength(view['title']) === 0 || textLength(view['title']) > VIEW_TEXT_MAX) return 'invalid_arguments';
  if (textLength(view['submit']) > VIEW_TEXT_MAX || textLength(view['close']) > VIEW_TEXT_MAX) return 'invalid_arguments';
  const meta = view['private_metadata'];
  if (meta !== undefined && (typeof meta !== 'string' || meta.length > 3000)) return 'invalid_arguments';
  const blocks = view['blocks'];
  if (!Array.isArray(blocks) || blocks.length > 100) return 'invalid_arguments';
  const ids = new Set<string>();
  let inputs = 0;
  for (const b of blocks) {
    if (!isRecord(b) || typeof b['type'] !== 'string') return 'invalid_arguments';
    if (typeof b['block_id'] === 'string') {
      if (ids.has(b['block_id'])) return 'invalid_arguments';
      ids.add(b['block_id']);
    }
    if (b['type'] !== 'input') continue;
    inputs += 1;
    const el = b['element'];
    if (!isRecord(el) || textLength(b['label']) === 0) return 'invalid_arguments';
    const initial = el['initial_value'];
    const max = el['max_length'];
    if (typeof initial === 'string' && typeof max === 'number' && [...initial].length > max) return 'invalid_arguments';
    const min = el['min_length'];
    if (min !== undefined && (typeof min !== 'number' || min < 0 || min > 3000 || (typeof max === 'number' && min > max))) {
      return 'invalid_arguments';
    }
    if (el['type'] === 'static_select') {
      const options = el['options'];
      if (!Array.isArray(options) || options.length === 0 || options.length > 100) return 'invalid_arguments';
      for (const o of options) {
        if (!isRecord(o) || textLength(o['text']) > 75 || typeof o['value'] !== 'string' || o['value'].length > 150) {
          return 'invalid_arguments';
        }
      }
    }
  }
  if (inputs > 0 && textLength(view['submit']) === 0) return 'invalid_arguments';
  return null;
}

type Method = (fake: SlackFake, args: Args) => MethodResult;

export const slackMethods: Record<string, Method> = {
  'auth.test': (fake) => ({
    ok: true,
    url: `https://${fake.workspace.teamDomain}.slack.com/`,
    team: 'Acme',
    user: 'helpdesk',
    team_id: fake.workspace.teamId,
    user_id: fake.workspace.botUserId,
    bot_id: fake.workspace.botId,
    is_enterprise_install: false,
  }),

  'chat.postMessage': (fake, args) => {
    const conv = conversation(fake, args, { write: true, userIdOpensDirect: true });
    if (isError(conv)) return conv;
    const content = readContent(args);
    if (isError(content)) return content;
    const threadTs = str(args, 'thread_ts');
    const threadProblem = checkThread(fake, conv.id, threadTs);
    if (threadProblem) return threadProblem;
    const metadata = json(args, 'metadata');
    if (!metadata.ok) return err('invalid_metadata_format');
    const md = metadata.value;
    if (md !== undefined && (!isRecord(md) || typeof md['event_type'] !== 'string' || !isRecord(md['event_payload']))) {
      return err('invalid_metadata_format');
    }
    const ws = fake.workspace;
    const msg = ws.addMessage(conv.id, {
      user: ws.botUserId,
      bot_id: ws.botId,
      app_id: ws.appId,
      ...content,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(isRecord(md) ? { metadata: md as FakeMessage['metadata'] } : {}),
    });
    return { ok: true, channel: conv.id, ts: msg.ts, message: present(msg, false) };
  },

  'chat.postEphemeral': (fake, args) => {
    const conv = conversation(fake, args, { write: true });
    if (isError(conv)) return conv;
    const user = str(args, 'user');
    if (!user) return err('invalid_arguments');
    if (!fake.workspace.users.has(user)) return err('user_not_found');
    if (!conv.members.has(user)) return err('user_not_in_channel');
    const content = readContent(args);
    if (isError(content)) return content;
    const threadTs = str(args, 'thread_ts');
    const threadProblem = checkThread(fake, conv.id, threadTs);
    if (threadProblem) return threadProblem;
    const messageTs = fake.workspace.nextTs();
    fake.workspace.ephemerals.push({
      channel: conv.id,
      user,
      thread_ts: threadTs ?? null,
      text: content.text,
      blocks: content.blocks ?? [],
      message_ts: messageTs,
    });
    return { ok: true, message_ts: messageTs };
  },

  'chat.update': (fake, args) => {
    const conv = conversation(fake, args, { write: true });
    if (isError(conv)) return conv;
    const ts = str(args, 'ts');
    if (!ts) return err('invalid_arguments');
    const msg = fake.workspace.find(conv.id, ts);
    if (!msg) return err('message_not_found');
    if (msg.user !== fake.workspace.botUserId) return err('cant_update_message');
    const content = readContent(args);
    if (isError(content)) return content;
    msg.text = content.text;
    if (content.blocks) msg.blocks = content.blocks;
    else delete msg.blocks;
    return { ok: true, channel: conv.id, ts, text: msg.text, message: present(msg, false) };
  },

  'chat.delete': (fake, args) => {
    const conv = conversation(fake, args, { write: true });
    if (isError(conv)) return conv;
    const ts = str(args, 'ts');
    if (!ts) return err('invalid_arguments');
    const list = fake.workspace.list(conv.id);
    const i = list.findIndex((m) => m.ts === ts);
    if (i < 0) return err('message_not_found');
    if (list[i]?.user !== fake.workspace.botUserId) return err('cant_delete_message');
    list.splice(i, 1);
    return { ok: true, channel: conv.id, ts };
  },

  'chat.getPermalink': (fake, args) => {
    const id = str(args, 'channel');
    const conv = id ? fake.workspace.conversations.get(id) : undefined;
    if (!conv) return err('channel_not_found');
    const ts = str(args, 'message_ts');
    if (!ts) return err('invalid_arguments');
    const msg = fake.workspace.find(conv.id, ts);
    if (!msg) return err('message_not_found');
    const base = `https://${fake.workspace.teamDomain}.slack.com/archives/${conv.id}/p${ts.replace('.', '')}`;
    const inThread = msg.thread_ts && msg.thread_ts !== msg.ts;
    return { ok: true, channel: conv.id, permalink: inThread ? `${base}?thread_ts=${msg.thread_ts}&cid=${conv.id}` : base };
  },

  'views.open': (fake, args) => {
    const triggerId = str(args, 'trigger_id');
    const parsed = json(args, 'view');
    if (!triggerId || !parsed.ok || parsed.value === undefined) return err('invalid_arguments');
    const state = fake.workspace.triggers.get(triggerId);
    if (state === undefined) return err('invalid_trigger_id');
    if (state !== 'valid') return err('expired_trigger_id');
    const problem = checkView(parsed.value);
    if (problem) return err(problem);
    fake.workspace.triggers.set(triggerId, 'used');
    const view = parsed.value as Record<string, unknown>;
    const stored = { id: fake.workspace.nextId('V'), hash: `${Date.now()}.${fake.workspace.nextId('h')}`, trigger_id: triggerId, view };
    fake.workspace.views.push(stored);
    return { ok: true, view: { ...view, id: stored.id, hash: stored.hash, state: { values: {} }, team_id: fake.workspace.teamId } };
  },

  'views.update': (fake, args) => {
    const viewId = str(args, 'view_id');
    const externalId = str(args, 'external_id');
    const parsed = json(args, 'view');
    if ((!viewId && !externalId) || !parsed.ok || parsed.value === undefined) return err('invalid_arguments');
    const stored = fake.workspace.views.find((v) => v.id === viewId || (externalId && v.view['external_id'] === externalId));
    if (!stored) return err('not_found');
    const hash = str(args, 'hash');
    if (hash && hash !== stored.hash) return err('hash_conflict');
    const problem = checkView(parsed.value);
    if (problem) return err(problem);
    stored.view = parsed.value as Record<string, unknown>;
    stored.hash = `${Date.now()}.${fake.workspace.nextId('h')}`;
    return { ok: true, view: { ...stored.view, id: stored.id, hash: stored.hash } };
  },

  'conversations.history': (fake, args) => {
    const conv = conversation(fake, args, { write: false });
    if (isError(conv)) return conv;
    const latest = str(args, 'latest');
    const oldest = str(args, 'oldest');
    const inclusive = flag(args, 'inclusive');
    const limit = Math.min(Number(str(args, 'limit') ?? 100) || 100, 999);
    const all = (fake.workspace.messages.get(conv.id) ?? [])
      .filter((m) => fake.workspace.isTopLevel(m))
      .filter((m) => !latest || (inclusive ? compareTs(m.ts, latest) <= 0 : compareTs(m.ts, latest) < 0))
      .filter((m) => !oldest || (inclusive ? compareTs(m.ts, oldest) >= 0 : compareTs(m.ts, oldest) > 0))
      .sort((a, b) => compareTs(b.ts, a.ts));
    const page = all.slice(0, limit).map((m) => present(m, flag(args, 'include_all_metadata')));
    return { ok: true, messages: page, has_more: all.length > limit, response_metadata: { next_cursor: '' } };
  },

  'conversations.replies': (fake, args) => {
    const conv = conversation(fake, args, { write: false });
    if (isError(conv)) return conv;
    const ts = str(args, 'ts');
    if (!ts) return err('thread_not_found');
    const msg = fake.workspace.find(conv.id, ts);
    if (!msg) return err('thread_not_found');
    const limit = Math.min(Number(str(args, 'limit') ?? 1000) || 1000, 1000);
    // Asked about a reply, Slack answers with that reply alone.
    const thread = fake.workspace.isTopLevel(msg) ? fake.workspace.thread(conv.id, ts) : [msg];
    const page = thread.slice(0, limit).map((m) => present(m, flag(args, 'include_all_metadata')));
    return { ok: true, messages: page, has_more: thread.length > limit, response_metadata: { next_cursor: '' } };
  },

  'conversations.open': (fake, args) => {
    // A bot opens (or finds) its direct chat with one person; several users would make a group DM (not used here).
    const users = str(args, 'users')?.split(',') ?? [];
    if (users.length !== 1) return err(users.length === 0 ? 'users_list_not_supplied' : 'not_implemented_in_fake');
    const user = fake.workspace.users.get(users[0]!);
    if (!user) return err('user_not_found');
    if (user.isBot) return err('cannot_dm_bot');
    const dm = fake.workspace.resolveChannel(user.id)!;
    return { ok: true, channel: { id: dm.id, is_im: true, user: user.id } };
  },

  'files.info': (fake, args) => {
    const id = str(args, 'file');
    const file = id ? fake.workspace.files.get(id) : undefined;
    if (!file) return err('file_not_found');
    return { ok: true, file: fake.fileObject(file), comments: [], response_metadata: { next_cursor: '' } };
  },

  'files.upload': () => err('method_deprecated'),

  'files.getUploadURLExternal': (fake, args) => {
    const filename = str(args, 'filename');
    const length = Number(str(args, 'length'));
    if (!filename) return err('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: filename'] } });
    if (!Number.isInteger(length) || length < 1) return err('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: length'] } });
    const fileId = fake.workspace.nextId('F');
    const key = `${fileId}-${Math.random().toString(16).slice(2, 12)}`;
    fake.workspace.uploads.set(key, { fileId, filename, length, bytes: null, completed: false });
    return { ok: true, upload_url: `${fake.url}/upload/v1/${key}`, file_id: fileId };
  },

  'files.completeUploadExternal': (fake, args) => {
    const parsed = json(args, 'files');
    const list = parsed.ok ? parsed.value : undefined;
    if (!Array.isArray(list) || list.length === 0 || !list.every((f) => isRecord(f) && typeof f['id'] === 'string')) return err('invalid_arguments');
    const entries = [...fake.workspace.uploads.entries()];
    const uploads = (list as { id: string; title?: unknown }[]).map((f) => ({ f, u: entries.find(([, u]) => u.fileId === f.id)?.[1] }));
    if (uploads.some(({ u }) => !u || u.completed)) return err('file_not_found');
    if (uploads.some(({ u }) => !u!.bytes)) return err('file_upload_failed');
    const channelId = str(args, 'channel_id');
    const threadTs = str(args, 'thread_ts');
    let conv: FakeConversation | undefined;
    if (channelId) {
      const c = conversation(fake, { channel: channelId }, { write: true });
      if (isError(c)) return c;
      conv = c;
      const threadProblem = checkThread(fake, conv.id, threadTs);
      if (threadProblem) return threadProblem;
    } else if (threadTs) {
      return err('invalid_arguments');
    }
    const ws = fake.workspace;
    const files = uploads.map(({ f, u }) => {
      u!.completed = true;
      const title = typeof f.title === 'string' && f.title !== '' ? f.title : u!.filename;
      const file = { id: u!.fileId, name: u!.filename, title, mimetype: 'application/octet-stream', user: ws.botUserId, bytes: u!.bytes!, channels: conv ? [conv.id] : [] };
      ws.files.set(file.id, file);
      return file;
    });
    if (conv) {
      ws.addMessage(conv.id, {
        user: ws.botUserId,
        bot_id: ws.botId,
        app_id: ws.appId,
        text: str(args, 'initial_comment') ?? '',
        files: files.map((f) => fake.fileObject(f)),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      });
    }
    return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) };
  },

  'users.info': (fake, args) => {
    const id = str(args, 'user');
    const user = id ? fake.workspace.users.get(id) : undefined;
    if (!user) return err('user_not_found');
    return {
      ok: true,
      user: {
        id: user.id,
        team_id: fake.workspace.teamId,
        name: user.name,
        real_name: user.realName,
        is_bot: user.isBot,
        tz: 'Europe/Berlin',
        ...(flag(args, 'include_locale') ? { locale: user.locale } : {}),
        profile: {
          display_name: user.name,
          real_name: user.realName,
          ...(fake.emailScope && user.email ? { email: user.email } : {}),
        },
      },
    };
  },
};
