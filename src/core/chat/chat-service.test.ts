/**
 * The conversation rules, once for every channel: the real chat, ticket and directory services over the in-memory
 * store. Two channels stand in for the platforms: "forms" (modals or cards carry a request at once, like Slack and
 * Lark) and "steps" (asks step by step and copies group requests to the direct chat, like Telegram).
 */
import { describe, expect, it, vi } from 'vitest';
import type { ChannelAdapter, ChannelLimits } from '../ports/channel-port.ts';
import { createMemoryCore, type MemoryCore } from '../../../test/helpers/memory/memory-core.ts';
import type { ChatEvent, ChatPerson, ChatPlace } from './chat-events.ts';
import type { ChatOutcome } from './chat-service.ts';

function channel(platform: string, limits: Partial<ChannelLimits>): ChannelAdapter {
  return {
    platform,
    limits: { maxMessageLength: 4000, perChatIntervalMs: 0, perGroupPerMinute: 0, globalPerSecond: 0, ephemeral: true, buttons: true, forms: true, ...limits },
    parse: async () => [],
    tell: async () => {},
    post: async () => ({ messageId: `posted-${Math.random()}` }),
    sendDirect: async () => ({ messageId: `dm-${Math.random()}` }),
    update: async () => {},
    delete: async () => {},
  };
}

function setup() {
  const core = createMemoryCore({ adapters: [channel('forms', { forms: true }), channel('steps', { forms: false, directCopies: true })] });
  const person = (id: string, opts: { email?: string | null; platform?: string; locale?: 'en' | 'ja' | 'ru' | null } = {}): ChatPerson => {
    const ref = { platform: opts.platform ?? 'forms', workspaceId: 'W1', platformUserId: id };
    return { ...ref, profile: async () => ({ ...ref, displayName: `Person ${id}`, verifiedEmail: opts.email === undefined ? `${id.toLowerCase()}@customer.example` : opts.email, locale: opts.locale ?? null }) };
  };
  const place = (chatId: string, threadRef: string | null, o: { direct?: boolean; platform?: string } = {}): ChatPlace => ({
    platform: o.platform ?? 'forms', workspaceId: 'W1', chatId, threadRef, direct: o.direct ?? false,
  });
  let n = 0;
  const message = (author: ChatPerson, where: ChatPlace, text: string, repliesTo: string[] = []): ChatEvent => ({
    type: 'message', place: where, messageId: `${where.chatId}:m${++n}`, author, text, files: [], mentionsBot: false, repliesTo,
  });
  return { core, person, place, message };
}

const kinds = (o: ChatOutcome) => o.replies.map((r) => (r.message.kind === 'notice' ? `notice:${r.message.key}` : r.message.kind));

/** Alice asks about a message in a channel through the form and submits it: the ticket lives in that thread. */
async function aliceTicket(t: ReturnType<typeof setup>, chat = 'C1', root = '100.1') {
  const alice = t.person('U_ALICE');
  const where = t.place(chat, root);
  const wanted = await t.core.chat.handle({ type: 'request_wanted', place: where, actor: alice, source: { messageId: `${chat}:${root}`, text: 'The printer on floor 3 is on fire\nplease help', files: [], url: 'https://chat/p1' }, submitNow: false });
  const form = wanted.replies[0]!.message;
  if (form.kind !== 'request_form') throw new Error(`expected a form, got ${form.kind}`);
  const done = await t.core.chat.handle({ type: 'request_submitted', place: where, actor: alice, draftId: form.draft.id, fields: { subject: form.draft.subject, description: form.draft.description, priority: 'high', serviceId: null } });
  const r = done.replies[0]!.message;
  if (r.kind !== 'request_done') throw new Error(`expected request_done, got ${r.kind}`);
  return { alice, where, number: r.ticket.number, form };
}

/** A request made in one go in the direct chat of a channel without forms. */
async function stepsTicket(t: ReturnType<typeof setup>, description: string, priority: 'low' | 'normal' = 'normal') {
  const p = t.person('42', { platform: 'steps' });
  const dm = t.place('42', null, { platform: 'steps', direct: true });
  const made = await t.core.chat.handle({ type: 'draft_changed', place: dm, actor: p, draftId: null, set: { description, priority }, submit: true, cancel: false, stepMessageId: null });
  return { p, dm, n: (made.replies[0]!.message as { ticket: { number: number } }).ticket.number };
}

async function solve(core: MemoryCore, number: number) {
  const agent = await core.agent();
  await core.tickets.update(number, { id: agent.id, role: agent.role }, { status: 'solved' });
}

describe('asking for help from a chat', () => {
  it('offers a form prefilled from the message, and the submit makes the ticket in its thread with the person as requester', async () => {
    const t = setup();
    const { number, form } = await aliceTicket(t);
    expect(form.kind === 'request_form' && form.draft).toMatchObject({ subject: 'The printer on floor 3 is on fire', description: 'The printer on floor 3 is on fire\nplease help', requesterEmail: 'u_alice@customer.example' });
    const ticket = (await t.core.store.getTicket(number))!;
    expect(ticket).toMatchObject({ subject: 'The printer on floor 3 is on fire', priority: 'high', via: 'forms', requester: { email: 'u_alice@customer.example' }, sourceUrl: 'https://chat/p1' });
    expect(t.core.peek.links(number).map((l) => [l.chatId, l.threadRef])).toEqual([['C1', '100.1']]);
    // The confirmation is the sync engine's: one delivery into that thread.
    expect(t.core.peek.deliveries().map((d) => d.type)).toEqual(['ticket.created']);
  });

  it('takes the requester from the account, never from the form: there is no email to type', async () => {
    const t = setup();
    const mallory = t.person('U_MALLORY');
    const where = t.place('C1', '200.1');
    const w = await t.core.chat.handle({ type: 'request_wanted', place: where, actor: mallory, source: { messageId: 'C1:200.1', text: 'Reset the password of ceo@customer.example please', files: [], url: null }, submitNow: false });
    const form = w.replies[0]!.message;
    expect(form.kind).toBe('request_form');
    const fields = { subject: 'Reset my password', description: 'Reset the password please, I am the CEO', priority: 'normal' as const, serviceId: null, requesterEmail: 'ceo@customer.example' };
    await t.core.chat.handle({ type: 'request_submitted', place: where, actor: mallory, draftId: form.kind === 'request_form' ? form.draft.id : '', fields });
    expect(t.core.peek.tickets().map((x) => x.requester.email)).toEqual(['u_mallory@customer.example']);
    expect(t.core.peek.users().map((u) => u.email)).not.toContain('ceo@customer.example');
  });

  it('answers are plain data (they are stored as JSON until told): the actor is a reference, not the person', async () => {
    const t = setup();
    const alice = t.person('U_ALICE');
    const out = await t.core.chat.handle({ type: 'request_wanted', place: t.place('C1', '5.1'), actor: alice, source: { messageId: 'C1:5.1', text: 'the scanner jams on every page', files: [], url: null }, submitNow: false });
    expect(out.replies[0]!.actor).toEqual({ platform: 'forms', workspaceId: 'W1', platformUserId: 'U_ALICE' });
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
    // What the repositories are given is data too (a database rejects a key with a function in it).
    const keys: object[] = [];
    const setDialogState = t.core.store.setDialogState.bind(t.core.store);
    t.core.store.setDialogState = (key, state) => (keys.push(key), setDialogState(key, state));
    const form = out.replies[0]!.message;
    if (form.kind !== 'request_form') throw new Error('no form');
    await t.core.chat.handle({ type: 'request_submitted', place: t.place('C1', '5.1'), actor: alice, draftId: form.draft.id, fields: { subject: 'Scanner', description: form.draft.description, priority: 'normal', serviceId: null } });
    expect(keys).toEqual([{ platform: 'forms', workspaceId: 'W1', platformUserId: 'U_ALICE', chatId: '' }]);
  });

  it('a request made from a message with files keeps them on its description; in its thread, a too-large one is told to its sender', async () => {
    const t = setup();
    const alice = t.person('U_ALICE', { platform: 'steps' });
    const files = [
      { name: '../screen.png', url: 'https://chat/f1', platformFileId: 'F1', size: 2048, contentType: 'image/png', fetchRef: { message: 'm1' } },
      { name: 'video.mp4', url: 'https://chat/f2', platformFileId: 'F2', size: 21 * 1024 * 1024 },
    ];
    await t.core.chat.handle({ type: 'request_wanted', place: t.place('C1', '1.1', { platform: 'steps' }), actor: alice, source: { messageId: 'C1:1.1', text: 'the scanner jams on every page', files, url: null }, submitNow: true });
    const [ticket] = t.core.peek.tickets();
    expect(ticket).toMatchObject({ description: 'the scanner jams on every page' });
    const [first] = await t.core.store.listComments(ticket!.id, { publicOnly: false });
    expect(first!.attachments.map((a) => [a.name, a.state, a.platformUrl])).toEqual([
      ['screen.png', 'pending', 'https://chat/f1'],
      ['video.mp4', 'too_large', 'https://chat/f2'],
    ]);
    // In its thread, a message that is only a file is a comment too, and a too-large one is told to its sender.
    const reply = await t.core.chat.handle({ ...t.message(alice, t.place('C1', '1.1', { platform: 'steps' }), ''), files: [files[1]!] } as ChatEvent);
    expect(kinds(reply)).toEqual(['notice:common:chat.file_too_large']);
    expect(reply.replies[0]!.message).toMatchObject({ params: { name: 'video.mp4', max: '20' } });
  });

  it("an agent's chat account cannot be a chat requester", async () => {
    const t = setup();
    await t.core.agent('ann@support.example');
    const ann = t.person('U_ANN', { email: 'ann@support.example' });
    const out = await t.core.chat.handle({ type: 'request_wanted', place: t.place('C1', '1.1'), actor: ann, source: { messageId: 'C1:1.1', text: 'help me with something long enough', files: [], url: null }, submitNow: true });
    expect(kinds(out)).toEqual(['notice:common:error.agent_cannot_request']);
    expect(t.core.peek.tickets()).toEqual([]);
  });

  it('nobody submits a draft that is not theirs', async () => {
    const t = setup();
    const alice = t.person('U_ALICE');
    const w = await t.core.chat.handle({ type: 'request_wanted', place: t.place('C1', '1.1'), actor: alice, source: { messageId: 'C1:1.1', text: 'my laptop does not boot at all', files: [], url: null }, submitNow: false });
    const draft = w.replies[0]!.message.kind === 'request_form' ? (w.replies[0]!.message as { draft: { id: string } }).draft.id : '';
    const out = await t.core.chat.handle({ type: 'request_submitted', place: t.place('C1', '1.1'), actor: t.person('U_BOB'), draftId: draft, fields: { subject: 'x', description: 'my laptop does not boot at all', priority: 'normal', serviceId: null } });
    expect(kinds(out)).toEqual(['notice:common:error.draft_expired']);
    expect(t.core.peek.tickets()).toEqual([]);
  });

  it('a second submit of the same draft answers the same ticket; a second person on the same message is told of it', async () => {
    const t = setup();
    const { alice, where, number, form } = await aliceTicket(t);
    const again = await t.core.chat.handle({ type: 'request_submitted', place: where, actor: alice, draftId: form.kind === 'request_form' ? form.draft.id : '', fields: { subject: 'x', description: 'again and again', priority: 'low', serviceId: null } });
    expect(again.replies[0]!.message).toMatchObject({ kind: 'request_done', created: false, ticket: { number } });
    const bob = await t.core.chat.handle({ type: 'request_wanted', place: where, actor: t.person('U_BOB'), source: { messageId: 'C1:100.1', text: 'same', files: [], url: null }, submitNow: false });
    expect(bob.replies[0]!.message).toMatchObject({ kind: 'request_exists', ticket: { number } });
    expect(t.core.peek.tickets()).toHaveLength(1);
  });

  it("never tells anyone about the private ticket a message already has (number, subject, status or link)", async () => {
    const t = setup();
    const { number } = await aliceTicket(t);
    const agent = await t.core.agent();
    await t.core.tickets.update(number, { id: agent.id, role: agent.role }, { visibility: 'private' });
    for (const who of ['U_BOB', 'U_ALICE']) {
      const out = await t.core.chat.handle({ type: 'request_wanted', place: t.place('C1', '100.1'), actor: t.person(who), source: { messageId: 'C1:100.1', text: 'x', files: [], url: null }, submitNow: false });
      expect(out.replies.map((r) => r.message)).toEqual([{ kind: 'request_exists', ticket: null }]);
      expect(JSON.stringify(out)).not.toMatch(/printer|#1\b|tickets\/1/i);
    }
  });

  it('a request from a group on a channel without forms is made at once, and followed in the direct chat too', async () => {
    const t = setup();
    const olga = t.person('42', { platform: 'steps', email: null, locale: 'ru' });
    const user = await t.core.endUser('olga@customer.example', 'Olga');
    await t.core.store.upsertIdentity({ platform: 'steps', workspaceId: 'W1', platformUserId: '42', userId: user.id, displayName: 'Olga', locale: 'ru' });
    const where = t.place('-100', '55', { platform: 'steps' });
    const out = await t.core.chat.handle({ type: 'request_wanted', place: where, actor: olga, source: { messageId: '-100:55', text: 'VPN drops every hour since Monday', files: [], url: null }, submitNow: true });
    expect(out.replies).toEqual([]);
    const [ticket] = t.core.peek.tickets();
    expect(ticket).toMatchObject({ subject: 'VPN drops every hour since Monday', requester: { email: 'olga@customer.example' } });
    expect(t.core.peek.links(ticket!.number).map((l) => [l.chatId, l.threadRef, l.directUserId, l.locale])).toEqual([['-100', '55', null, 'ru'], ['42', '', '42', 'ru']]);
    const short = await t.core.chat.handle({ type: 'request_wanted', place: t.place('-100', '56', { platform: 'steps' }), actor: olga, source: { messageId: '-100:56', text: 'help', files: [], url: null }, submitNow: true });
    expect(kinds(short)).toEqual(['notice:common:error.description_too_short']);
  });

  it('a draft opened without a message (a slash command) lives in the thread of the request the adapter posted at submit', async () => {
    const t = setup();
    const alice = t.person('U_ALICE');
    const draft = await t.core.chat.drafts.open(t.place('C7', null), alice, 'The badge reader at the door is dead');
    const posted = t.place('C7', '300.1');
    const source = { messageId: 'C7:300.1', text: 'The badge reader at the door is dead', files: [], url: 'https://chat/p300' };
    const fields = { subject: 'Badge reader', description: draft.description, priority: 'normal' as const, serviceId: null };
    const out = await t.core.chat.handle({ type: 'request_submitted', place: posted, actor: alice, draftId: draft.id, fields, source });
    expect(out.replies.map((r) => [r.message.kind, r.place.threadRef])).toEqual([['request_done', '300.1']]);
    const [ticket] = t.core.peek.tickets();
    expect(ticket).toMatchObject({ subject: 'Badge reader', sourceUrl: 'https://chat/p300' });
    expect(t.core.peek.links(ticket!.number).map((l) => [l.chatId, l.threadRef])).toEqual([['C7', '300.1']]);
    // Submitted again (a retry), the same request answers: nothing new is made.
    const again = await t.core.chat.handle({ type: 'request_submitted', place: posted, actor: alice, draftId: draft.id, fields, source });
    expect(again.replies[0]!.message).toMatchObject({ kind: 'request_done', created: false, ticket: { number: ticket!.number } });
    expect(t.core.peek.tickets()).toHaveLength(1);
  });

  it('a submit takes the draft its adapter read while parsing (checked, not read again), and the catalog only for a chosen service', async () => {
    const t = setup();
    const alice = t.person('U_ALICE');
    const databases = await t.core.service('Databases');
    const asked = async (root: string) => {
      const w = await t.core.chat.handle({ type: 'request_wanted', place: t.place('C1', root), actor: alice, source: { messageId: `C1:${root}`, text: 'Replication lag keeps growing', files: [], url: null }, submitNow: false });
      return (w.replies[0]!.message as { draft: { id: string } }).draft.id;
    };
    const submit = async (root: string, id: string, serviceId: string | null, actor = alice) =>
      t.core.chat.handle({ type: 'request_submitted', place: t.place('C1', root), actor, draftId: id, fields: { subject: 'Lag', description: 'Replication lag keeps growing', priority: 'normal', serviceId }, draft: await t.core.chat.drafts.read(id, actor) });
    const [plain, chosen, gone, fourth] = [await asked('1.1'), await asked('2.1'), await asked('3.1'), await asked('4.1')];
    const getDraft = vi.spyOn(t.core.drafts, 'getDraft');
    const listServices = vi.spyOn(t.core.directory, 'listServices');
    expect(kinds(await submit('1.1', plain, null))).toEqual(['request_done']);
    expect(listServices).not.toHaveBeenCalled();
    expect(kinds(await submit('2.1', chosen, databases.id))).toEqual(['request_done']);
    expect(listServices).toHaveBeenCalledTimes(1);
    expect(t.core.peek.tickets().map((x) => x.service?.name ?? null)).toEqual([null, 'Databases']);
    // A service not in the catalog (any more) is refused as before.
    expect(kinds(await submit('3.1', gone, '00000000-0000-4000-8000-000000000000'))).toEqual(['notice:common:error.service_not_found']);
    expect(getDraft).toHaveBeenCalledTimes(3); // only the adapter's reads (drafts.read), one per submit
    // A draft the adapter handed over that is not the actor's (or not this one) is no draft of theirs.
    const alicesDraft = await t.core.chat.drafts.read(fourth, alice);
    const bob = t.person('U_BOB');
    for (const e of [{ actor: bob, draftId: fourth }, { actor: alice, draftId: plain }]) {
      const out = await t.core.chat.handle({ type: 'request_submitted', place: t.place('C1', '4.1'), ...e, fields: { subject: 'x', description: 'Replication lag keeps growing', priority: 'normal', serviceId: null }, draft: alicesDraft });
      expect(kinds(out)).toEqual(['notice:common:error.draft_expired']);
    }
    expect(t.core.peek.tickets()).toHaveLength(2);
  });

  it("a draft's form, read at request time, shows whom it files as, and only to its owner", async () => {
    const t = setup();
    const draft = await t.core.chat.drafts.open(t.place('C7', null), t.person('U_ALICE'), '');
    expect(await t.core.chat.drafts.form(draft.id, t.person('U_ALICE'))).toMatchObject({ kind: 'request_form', draft: { id: draft.id, requesterEmail: 'u_alice@customer.example' } });
    expect(await t.core.chat.drafts.form(draft.id, t.person('U_BOB'))).toBeNull();
    const unknown = await t.core.chat.drafts.open(t.place('C7', null), t.person('U_ANON', { email: null }), '');
    expect(await t.core.chat.drafts.form(unknown.id, t.person('U_ANON', { email: null }))).toMatchObject({ draft: { requesterEmail: null } });
  });

  it('its answers name the person by reference only, so they survive being stored as JSON', async () => {
    const t = setup();
    const out = await t.core.chat.handle({ type: 'request_wanted', place: t.place('C1', '1.1'), actor: t.person('U_ALICE'), source: { messageId: 'C1:1.1', text: 'The badge reader is dead', files: [], url: null }, submitNow: false });
    expect(out.replies[0]!.actor).toEqual({ platform: 'forms', workspaceId: 'W1', platformUserId: 'U_ALICE' });
    expect(JSON.parse(JSON.stringify(out))).toEqual(JSON.parse(JSON.stringify(structuredClone(out))));
  });

  it('an unregistered person without a verified email is told so, and nothing is stored', async () => {
    const t = setup();
    const out = await t.core.chat.handle({ type: 'request_wanted', place: t.place('-1', '5', { platform: 'steps' }), actor: t.person('7', { platform: 'steps', email: null }), source: { messageId: '-1:5', text: 'long enough description', files: [], url: null }, submitNow: true });
    expect(kinds(out)).toEqual(['notice:common:error.not_registered']);
    expect(t.core.peek.users()).toEqual([]);
  });

  it('a step-by-step channel walks service, description, priority and confirm, then submits once', async () => {
    const t = setup();
    await t.core.service('Databases');
    const p = t.person('42', { platform: 'steps' });
    const dm = t.place('42', null, { platform: 'steps', direct: true });
    const step = async (e: Partial<Extract<ChatEvent, { type: 'draft_changed' }>>) =>
      (await t.core.chat.handle({ type: 'draft_changed', place: dm, actor: p, draftId: null, set: {}, submit: false, cancel: false, stepMessageId: 'm1', ...e })).replies[0]!.message;
    const s1 = await step({});
    expect(s1).toMatchObject({ kind: 'request_form', step: 'service' });
    const id = s1.kind === 'request_form' ? s1.draft.id : '';
    const services = s1.kind === 'request_form' ? s1.services : [];
    expect(await step({ draftId: id, set: { serviceId: services.find((x) => x.name === 'Databases')!.id } })).toMatchObject({ step: 'description' });
    // The description comes as a plain message: the core knows it is waiting for it.
    const typed = await t.core.chat.handle(t.message(p, dm, 'Replication lag keeps growing on db-2'));
    expect(typed.replies[0]!.message).toMatchObject({ kind: 'request_form', step: 'priority', draft: { description: 'Replication lag keeps growing on db-2' } });
    expect(await step({ draftId: id, set: { priority: 'urgent' } })).toMatchObject({ step: 'confirm' });
    const done = await step({ draftId: id, submit: true });
    expect(done).toMatchObject({ kind: 'request_done', created: true });
    expect(await step({ draftId: id, submit: true })).toMatchObject({ kind: 'request_done', created: false });
    expect(t.core.peek.tickets()).toEqual([expect.objectContaining({ priority: 'urgent', service: expect.objectContaining({ name: 'Databases' }) })]);
  });
});

describe("messages in a ticket's thread", () => {
  it("the requester's message is their comment and reopens a solved ticket", async () => {
    const t = setup();
    const { alice, where, number } = await aliceTicket(t);
    await solve(t.core, number);
    await t.core.chat.handle(t.message(alice, where, 'Still on fire'));
    expect((await t.core.store.getTicket(number))!.status).toBe('open');
    expect(t.core.peek.comments(number).at(-1)).toMatchObject({ body: 'Still on fire', public: true, author: { name: 'Person U_ALICE' } });
  });

  it("someone else's message is a public comment that never reopens, and on a closed ticket never starts a follow-up in the requester's name", async () => {
    const t = setup();
    const { where, number } = await aliceTicket(t);
    const bob = t.person('U_BOB');
    await solve(t.core, number);
    await t.core.chat.handle(t.message(bob, where, 'Same here on floor 4'));
    expect((await t.core.store.getTicket(number))!.status).toBe('solved');
    expect(t.core.peek.comments(number).at(-1)).toMatchObject({ body: 'Same here on floor 4', author: { name: 'Person U_BOB' } });
    await t.core.tickets.rate(number, { id: (await t.core.store.getTicket(number))!.requester.id, role: 'end_user' }, 5, null, 'forms');
    const out = await t.core.chat.handle(t.message(bob, where, 'It is back!'));
    expect(kinds(out)).toEqual(['notice:common:chat.closed_for_others']);
    expect(t.core.peek.tickets()).toHaveLength(1);
  });

  it('the requester on a closed ticket starts a follow-up that lives in the same thread', async () => {
    const t = setup();
    const { alice, where, number } = await aliceTicket(t);
    await solve(t.core, number);
    await t.core.tickets.rate(number, { id: (await t.core.store.getTicket(number))!.requester.id, role: 'end_user' }, 4, null, 'forms');
    const out = await t.core.chat.handle(t.message(alice, where, 'It is burning again'));
    expect(out.replies[0]!.message).toMatchObject({ kind: 'follow_up_started', closedNumber: number, ticket: { number: number + 1 } });
    const follow = (await t.core.store.getTicket(number + 1))!;
    expect(follow).toMatchObject({ followUpOf: number, requester: { email: 'u_alice@customer.example' }, description: 'It is burning again' });
    expect(t.core.peek.links(number + 1).map((l) => [l.chatId, l.threadRef])).toEqual([['C1', '100.1']]);
    // The thread now belongs to the follow-up.
    await t.core.chat.handle(t.message(alice, where, 'more smoke'));
    expect(t.core.peek.comments(number + 1).map((c) => c.body)).toEqual(['It is burning again', 'more smoke']);
  });

  it('a reply to one of the bot messages of a ticket in a direct chat is a comment on it; on a closed one the follow-up lives in that chat', async () => {
    const t = setup();
    const { alice, number } = await aliceTicket(t);
    await t.core.runJobs(); // the confirmation is delivered; its platform message id is what replies point at
    const botMessage = t.core.peek.deliveries()[0]!.platformMessageId!;
    const dm = t.place('D1', null, { direct: true });
    await t.core.chat.handle(t.message(alice, dm, 'adding a detail', [botMessage]));
    expect(t.core.peek.comments(number).at(-1)!.body).toBe('adding a detail');
    await solve(t.core, number);
    await t.core.tickets.rate(number, { id: (await t.core.store.getTicket(number))!.requester.id, role: 'end_user' }, 3, null, 'forms');
    const out = await t.core.chat.handle(t.message(alice, dm, 'broken again', [botMessage]));
    expect(kinds(out)).toEqual(['follow_up_started']);
    expect(t.core.peek.links(number + 1).map((l) => [l.chatId, l.threadRef])).toEqual([['D1', '']]);
  });

  it('on a ticket made private the message is kept as an internal note and nothing is said back', async () => {
    const t = setup();
    const { alice, where, number } = await aliceTicket(t);
    const agent = await t.core.agent();
    await t.core.tickets.update(number, { id: agent.id, role: agent.role }, { visibility: 'private' });
    const out = await t.core.chat.handle(t.message(alice, where, 'any news?'));
    expect(out.replies).toEqual([]);
    expect(t.core.peek.comments(number).at(-1)).toMatchObject({ body: 'any news?', public: false });
  });

  it('a person the help center does not know is told to register; nothing is stored', async () => {
    const t = setup();
    const { where, number } = await aliceTicket(t);
    const out = await t.core.chat.handle(t.message(t.person('U_ANON', { email: null }), where, 'who are you?'));
    expect(kinds(out)).toEqual(['notice:common:error.not_registered']);
    expect(t.core.peek.comments(number)).toHaveLength(1);
  });

  it('a re-delivered message adds nothing; an edit changes the comment (history kept); a delete marks it', async () => {
    const t = setup();
    const { alice, where, number } = await aliceTicket(t);
    const m = t.message(alice, where, 'first words');
    await t.core.chat.handle(m);
    await t.core.chat.handle(m);
    expect(t.core.peek.comments(number)).toHaveLength(2);
    const id = (m as { messageId: string }).messageId;
    await t.core.chat.handle({ type: 'message_edited', place: where, messageId: id, author: alice, text: 'better words' });
    expect(t.core.peek.comments(number)[1]).toMatchObject({ body: 'better words', editedAt: expect.any(Date) });
    expect(t.core.peek.events(number).find((e) => e.kind === 'comment_edited')).toMatchObject({ from: 'first words', to: 'better words' });
    await t.core.chat.handle({ type: 'message_deleted', place: where, messageId: id });
    expect(t.core.peek.comments(number)[1]!.deletedAt).toBeInstanceOf(Date);
  });

  it("an agent writing in the thread answers publicly, and it is not echoed back into that thread", async () => {
    const t = setup();
    const { where, number } = await aliceTicket(t);
    await t.core.agent('ann@support.example', 'Ann');
    await t.core.runJobs();
    await t.core.chat.handle(t.message(t.person('U_ANN', { email: 'ann@support.example' }), where, 'Fire brigade is on the way'));
    expect(t.core.peek.comments(number).at(-1)).toMatchObject({ body: 'Fire brigade is on the way', public: true, author: { name: 'Ann' } });
    expect((await t.core.store.getTicket(number))!.status).toBe('open');
    expect(t.core.peek.deliveries().map((d) => d.type)).toEqual(['ticket.created', 'ticket.status_changed']);
  });

  it('a mention of the bot in a group thread that has no ticket asks for help about that message, in that thread', async () => {
    const t = setup();
    const { where } = await aliceTicket(t);
    const bob = t.person('U_BOB');
    const mention = (at: ChatPlace, text: string): ChatEvent => ({ ...(t.message(bob, at, text) as Extract<ChatEvent, { type: 'message' }>), mentionsBot: true });
    // In a ticket's thread a mention is a comment like any other message: no second request.
    const inTicket = await t.core.chat.handle(mention(where, 'same here, any news?'));
    expect(inTicket.replies).toEqual([]);
    const other = t.place('C1', '300.1');
    const wanted = await t.core.chat.handle(mention(other, 'the wifi is down on floor 2'));
    expect(kinds(wanted)).toEqual(['request_form']);
    const form = wanted.replies[0]!.message;
    if (form.kind !== 'request_form') throw new Error('no form');
    expect(form.draft).toMatchObject({ description: 'the wifi is down on floor 2', requesterEmail: 'u_bob@customer.example' });
    expect(wanted.replies[0]).toMatchObject({ to: 'actor', place: other });
    const fields = { subject: form.draft.subject, description: form.draft.description, priority: 'normal' as const, serviceId: null };
    const done = await t.core.chat.handle({ type: 'request_submitted', place: other, actor: bob, draftId: form.draft.id, fields });
    const r = done.replies[0]!.message;
    expect(r.kind).toBe('request_done');
    expect(t.core.peek.links(r.kind === 'request_done' ? r.ticket.number : 0).map((l) => [l.chatId, l.threadRef])).toEqual([['C1', '300.1']]);
    // Without a mention, the same kind of message outside tickets is nobody's business.
    expect((await t.core.chat.handle(t.message(bob, t.place('C1', '400.1'), 'lunch anyone?'))).replies).toEqual([]);
  });

  it("shows a draft's form again only to its owner (a form with a submit's errors)", async () => {
    const t = setup();
    const { alice, form } = await aliceTicket(t);
    if (form.kind !== 'request_form') throw new Error('no form');
    expect(await t.core.chat.drafts.form(form.draft.id, alice)).toMatchObject({ kind: 'request_form', draft: { id: form.draft.id, requesterEmail: 'u_alice@customer.example' } });
    expect(await t.core.chat.drafts.form(form.draft.id, t.person('U_BOB'))).toBeNull();
    expect(await t.core.chat.drafts.form('0f8fad5b-d9cb-469f-a165-70867728950e', alice)).toBeNull();
  });

  it('ordinary chatter outside tickets is ignored; a direct message without a ticket gets the help', async () => {
    const t = setup();
    expect((await t.core.chat.handle(t.message(t.person('U_X'), t.place('C9', '9.9'), 'lunch?'))).replies).toEqual([]);
    const out = await t.core.chat.handle(t.message(t.person('U_X', { email: null }), t.place('D9', null, { direct: true }), 'hello'));
    expect(out.replies.map((r) => r.message)).toEqual([{ kind: 'help', registered: false }]);
  });
});

describe("the requester's own actions", () => {
  it('only the requester rates; a rating closes the ticket and updates the pressed buttons for everyone', async () => {
    const t = setup();
    const { alice, where, number } = await aliceTicket(t);
    await solve(t.core, number);
    const bob = await t.core.chat.handle({ type: 'ticket_action', place: where, actor: t.person('U_BOB'), ticketNumber: number, action: { kind: 'rate', score: 1, comment: 'bad' }, pressedMessageId: 'p1' });
    expect(kinds(bob)).toEqual(['notice:common:error.ticket_not_found']);
    expect((await t.core.store.getTicket(number))!.status).toBe('solved');
    const out = await t.core.chat.handle({ type: 'ticket_action', place: where, actor: alice, ticketNumber: number, action: { kind: 'rate', score: 5, comment: 'quick!' }, pressedMessageId: 'p1' });
    expect(out.replies.map((r) => [r.to, r.message.kind === 'notice' ? r.message.key : r.message.kind, r.replaces])).toEqual([
      ['actor', 'common:rating.thanks', null],
      ['place', 'common:rating.done_public', 'p1'],
    ]);
    expect((await t.core.store.getTicket(number))!).toMatchObject({ status: 'closed', rating: { score: 5, comment: 'quick!' } });
  });

  it('on a channel without forms the rating comment and the reopen reason are asked for and answered by plain messages', async () => {
    const t = setup();
    const { p, dm, n } = await stepsTicket(t, 'Mail does not arrive since Monday');
    await solve(t.core, n);
    const rated = await t.core.chat.handle({ type: 'ticket_action', place: dm, actor: p, ticketNumber: n, action: { kind: 'rate', score: 4, comment: null }, pressedMessageId: null });
    expect(kinds(rated)).toEqual(['notice:common:rating.thanks', 'prompt']);
    await t.core.chat.handle(t.message(p, dm, 'fast and friendly'));
    expect((await t.core.store.getTicket(n))!.rating).toMatchObject({ score: 4, comment: 'fast and friendly' });

    const { n: n2 } = await stepsTicket(t, 'Printer prints blank pages', 'low');
    await solve(t.core, n2);
    expect(kinds(await t.core.chat.handle({ type: 'ticket_action', place: dm, actor: p, ticketNumber: n2, action: { kind: 'ask_reopen_reason' }, pressedMessageId: null }))).toEqual(['prompt']);
    const reopened = await t.core.chat.handle(t.message(p, dm, 'Still blank pages'));
    expect(kinds(reopened)).toEqual(['notice:common:reopen.done']);
    expect((await t.core.store.getTicket(n2))!.status).toBe('open');
    // Nothing is waiting any more: the next message gets the help.
    expect(kinds(await t.core.chat.handle(t.message(p, dm, 'thanks')))).toEqual(['help']);
  });

  it('asking for help answers the help and abandons what the bot was waiting for', async () => {
    const t = setup();
    const { p, dm, n } = await stepsTicket(t, 'Mail does not arrive since Monday');
    expect(kinds(await t.core.chat.handle({ type: 'ticket_action', place: dm, actor: p, ticketNumber: n, action: { kind: 'ask_comment' }, pressedMessageId: null }))).toEqual(['prompt']);
    const help = await t.core.chat.handle({ type: 'help_wanted', place: dm, actor: p });
    expect(help.replies.map((r) => r.message)).toEqual([{ kind: 'help', registered: true }]);
    // The comment the bot was waiting for is no longer awaited: the next message is not a comment.
    expect(kinds(await t.core.chat.handle(t.message(p, dm, 'never mind that')))).toEqual(['help']);
    expect(t.core.peek.comments(n).map((c) => c.body)).toEqual(['Mail does not arrive since Monday']);
    const stranger = await t.core.chat.handle({ type: 'help_wanted', place: t.place('7', null, { platform: 'steps', direct: true }), actor: t.person('7', { platform: 'steps', email: null }) });
    expect(stranger.replies.map((r) => r.message)).toEqual([{ kind: 'help', registered: false }]);
  });

  it('answers are plain data, stored before they are told: the actor is a reference, not the platform lookup', async () => {
    const t = setup();
    const out = await t.core.chat.handle({ type: 'my_tickets', place: t.place('C1', null), actor: t.person('U_ALICE') });
    expect(structuredClone(out)).toEqual(out);
    expect(out.replies[0]!.actor).toEqual({ platform: 'forms', workspaceId: 'W1', platformUserId: 'U_ALICE' });
  });

  it('registers a chat account with a one-time code, in the direct chat only', async () => {
    const t = setup();
    const user = await t.core.endUser('kenji@customer.example', 'Kenji');
    const { code } = await t.core.directory.createLinkCode(user.id);
    const p = t.person('77', { platform: 'steps', email: null, locale: 'ja' });
    const inGroup = await t.core.chat.handle({ type: 'registration', place: t.place('-5', null, { platform: 'steps' }), actor: p, code });
    expect(kinds(inGroup)).toEqual(['notice:common:chat.register_direct_only']);
    const ok = await t.core.chat.handle({ type: 'registration', place: t.place('77', null, { platform: 'steps', direct: true }), actor: p, code });
    expect(ok.replies[0]).toMatchObject({ locale: 'ja', message: { kind: 'registered', name: 'Kenji', email: 'kenji@customer.example' } });
    expect(t.core.peek.identities()).toEqual([expect.objectContaining({ platformUserId: '77', userId: user.id, locale: 'ja' })]);
    const again = await t.core.chat.handle({ type: 'registration', place: t.place('78', null, { platform: 'steps', direct: true }), actor: t.person('78', { platform: 'steps', email: null }), code });
    expect(kinds(again)).toEqual(['notice:common:error.link_code_used']);
  });

  it('lists, shows and reads only the requester\'s public tickets', async () => {
    const t = setup();
    const { alice, where, number } = await aliceTicket(t);
    const list = await t.core.chat.handle({ type: 'my_tickets', place: where, actor: alice });
    expect(list.replies[0]!.message).toMatchObject({ kind: 'ticket_list', tickets: [{ number }] });
    const other = await t.core.chat.handle({ type: 'ticket_action', place: where, actor: t.person('U_BOB'), ticketNumber: number, action: { kind: 'show_detail' }, pressedMessageId: null });
    expect(kinds(other)).toEqual(['notice:common:error.ticket_not_found']);
    const agent = await t.core.agent();
    await t.core.tickets.comment(number, { id: agent.id, role: agent.role }, { body: 'internal only', public: false, via: 'web' });
    await t.core.tickets.comment(number, { id: agent.id, role: agent.role }, { body: 'We are on it', public: true, via: 'web' });
    const comments = await t.core.chat.handle({ type: 'ticket_action', place: where, actor: alice, ticketNumber: number, action: { kind: 'show_comments' }, pressedMessageId: null });
    const m = comments.replies[0]!.message;
    expect(m.kind === 'comment_list' && m.comments.map((c) => c.body)).toEqual(['The printer on floor 3 is on fire\nplease help', 'We are on it']);
  });
});
