/**
 * The core's chat port (what every adapter calls) against a real PostgreSQL: registration codes, idempotent
 * creation, thread replies with reopen and follow-up, rating and reopen, what a requester may see, notifications
 * in the requester's own chat, and the automatic close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/core/errors.ts';
import type { ChatProfile } from '../../src/core/ports/desk-port.ts';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { ADMIN_TOKEN, auth, startTestService } from '../helpers/service.ts';
import { createTestChannel } from '../helpers/test-channel/test-channel.ts';
import { TestPlatform } from '../helpers/test-channel/test-platform.ts';
import { waitFor } from '../helpers/wait.ts';

const platform = new TestPlatform();
let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;
let agent = '';

const profile = (id: string, email: string | null = null): ChatProfile => ({ platform: 'test', workspaceId: 'w', platformUserId: id, displayName: `User ${id}`, email, locale: 'ja' });

async function api(method: string, url: string, body?: unknown, token = agent) {
  const r = await svc.app.inject({ method: method as 'GET', url: `/api/v1${url}`, headers: { ...auth(token), 'content-type': 'application/json' }, payload: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.statusCode, body: JSON.parse(r.body || 'null') };
}
async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return 'no error';
}
const thread = (chatId: string) => ({ platform: 'test', workspaceId: 'w', chatId, threadRef: 'root', locale: 'en' as const });

beforeAll(async () => {
  await platform.start();
  svc = await startTestService({}, { channels: (deps) => [createTestChannel({ apiUrl: platform.url }, deps)] });
  db = createPrisma(svc.databaseUrl);
  agent = (await api('POST', '/agents', { email: 'desk.agent@support.example', name: 'Desk Agent' }, ADMIN_TOKEN)).body.token;
});
afterAll(async () => {
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
  await platform.stop();
});

describe('registration with one-time codes', () => {
  it('links a chat account once; reused, expired and wrong codes are refused', async () => {
    const user = (await api('POST', '/users', { email: 'reg@example.com', name: 'Reg' })).body.user;
    const c1 = (await api('POST', `/users/${user.id}/link-code`)).body.code as string;
    expect(await svc.desk.findLinkedUser(profile('u1'))).toBeNull();
    const linked = await svc.desk.linkWithCode(profile('u1'), c1.toLowerCase());
    expect(linked).toMatchObject({ id: user.id, email: 'reg@example.com' });
    expect((await svc.desk.findLinkedUser(profile('u1')))?.id).toBe(user.id);
    expect(await code(svc.desk.linkWithCode(profile('u2'), c1))).toBe('link_code_used');
    expect(await code(svc.desk.linkWithCode(profile('u2'), 'ZZZZZZZZ'))).toBe('link_code_invalid');
    const c2 = (await api('POST', `/users/${user.id}/link-code`)).body.code as string;
    await db.linkCode.updateMany({ where: { usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await code(svc.desk.linkWithCode(profile('u2'), c2))).toBe('link_code_expired');
  });
});

describe('tickets from chat', () => {
  it('a second create from the same source message creates nothing', async () => {
    const input = { via: 'test', requester: { email: 'src@example.com' }, subject: 'From a message', description: 'The printer is on fire', sourceKey: 'test:w:C1:m1', thread: thread('src1') };
    const a = await svc.desk.createTicket(input);
    const b = await svc.desk.createTicket(input);
    expect(a.created).toBe(true);
    expect(b).toEqual({ ticket: a.ticket, created: false });
    expect((await svc.desk.findTicketBySource('test:w:C1:m1'))?.number).toBe(a.ticket.number);
    expect(await code(svc.desk.createTicket({ ...input, sourceKey: null, description: 'too short' }))).toBe('description_too_short');
  });

  it('a reply on a solved ticket reopens it; on a closed ticket it starts a linked follow-up in the same thread', async () => {
    const { ticket } = await svc.desk.createTicket({ via: 'test', requester: { email: 'fu@example.com' }, subject: 'Follow me', description: 'Something broke badly', thread: thread('fu') });
    await api('PATCH', `/tickets/${ticket.number}`, { status: 'solved' });
    const author = profile('fu-user', 'fu@example.com');
    const r1 = await svc.desk.addThreadReply({ via: 'test', thread: thread('fu'), author, body: 'not fixed', externalRef: 'test:w:fu:1' });
    expect(r1).toMatchObject({ ticket: { number: ticket.number, status: 'open' }, followUpOf: null });
    // the same platform message again adds nothing
    await svc.desk.addThreadReply({ via: 'test', thread: thread('fu'), author, body: 'not fixed', externalRef: 'test:w:fu:1' });
    expect((await api('GET', `/tickets/${ticket.number}/comments`)).body.comments).toHaveLength(2);
    await api('PATCH', `/tickets/${ticket.number}`, { status: 'solved' });
    await svc.desk.rate({ via: 'test', ticketNumber: ticket.number, userId: (await svc.desk.findLinkedUser(author))!.id, score: 2 });
    const r2 = await svc.desk.addThreadReply({ via: 'test', thread: thread('fu'), author, body: 'broken again', externalRef: 'test:w:fu:2' });
    expect(r2!.followUpOf).toBe(ticket.number);
    expect(r2!.ticket.number).toBeGreaterThan(ticket.number);
    const followUp = (await api('GET', `/tickets/${r2!.ticket.number}`)).body.ticket;
    expect(followUp).toMatchObject({ followUpOf: ticket.number, subject: 'Follow me', description: 'broken again', status: 'new' });
    expect((await svc.desk.findTicketByThread(thread('fu')))?.number).toBe(r2!.ticket.number);
  });

  it('a reply in the thread of a ticket made private is kept as an internal comment and nothing is revealed', async () => {
    const { ticket } = await svc.desk.createTicket({ via: 'test', requester: { email: 'pv@example.com' }, subject: 'Going private', description: 'This will turn private', thread: thread('pv') });
    expect((await api('PATCH', `/tickets/${ticket.number}`, { visibility: 'private' })).status).toBe(200);
    const r = await svc.desk.addThreadReply({ via: 'test', thread: thread('pv'), author: profile('pv-user', 'pv@example.com'), body: 'my words matter', externalRef: 'test:w:pv:1' });
    expect(r).toBeNull();
    expect(await svc.desk.findTicketByThread(thread('pv'))).toBeNull();
    const last = (await api('GET', `/tickets/${ticket.number}/comments`)).body.comments.at(-1);
    expect(last).toMatchObject({ body: 'my words matter', public: false });
  });

  it('finds the ticket of a message the bot delivered, never a private one', async () => {
    const { ticket } = await svc.desk.createTicket({ via: 'test', requester: { email: 'bm@example.com' }, subject: 'Bot message', description: 'Reply to the bot please', thread: thread('bm') });
    await waitFor(() => platform.thread('bm', 'root').length === 1);
    const messageId = platform.thread('bm', 'root')[0]!.id;
    expect((await svc.desk.findTicketByBotMessage!({ platform: 'test', workspaceId: 'w', messageId }))?.number).toBe(ticket.number);
    expect(await svc.desk.findTicketByBotMessage!({ platform: 'test', workspaceId: 'other', messageId })).toBeNull();
    await api('PATCH', `/tickets/${ticket.number}`, { visibility: 'private' });
    expect(await svc.desk.findTicketByBotMessage!({ platform: 'test', workspaceId: 'w', messageId })).toBeNull();
  });

  it('edits keep the old text in the history; deletes mark the comment', async () => {
    const { ticket } = await svc.desk.createTicket({ via: 'test', requester: { email: 'ed@example.com' }, subject: 'Edits', description: 'Edit me please now', thread: thread('ed') });
    const author = profile('ed-user', 'ed@example.com');
    await svc.desk.addThreadReply({ via: 'test', thread: thread('ed'), author, body: 'first text', externalRef: 'test:w:ed:1' });
    await svc.desk.editThreadReply({ via: 'test', externalRef: 'test:w:ed:1', body: 'second text' });
    await svc.desk.deleteThreadReply({ via: 'test', externalRef: 'test:w:ed:1' });
    const c = (await api('GET', `/tickets/${ticket.number}/comments`)).body.comments[1];
    expect(c).toMatchObject({ body: 'second text', deleted: true, editedAt: expect.any(String) });
    const events = (await api('GET', `/tickets/${ticket.number}/events`)).body.events;
    expect(events.find((e: { kind: string }) => e.kind === 'comment_edited')).toMatchObject({ from: 'first text', to: 'second text' });
    expect(events.some((e: { kind: string }) => e.kind === 'comment_deleted')).toBe(true);
  });
});

describe('rating and reopen', () => {
  it('only the requester rates, only solved tickets, 1 to 5; rating closes', async () => {
    const p = profile('rater', 'rater@example.com');
    const u = await svc.desk.linkByEmail({ ...p, email: 'rater@example.com' });
    const { ticket } = await svc.desk.createTicket({ via: 'test', requester: { chatUser: p }, subject: 'Rate me', description: 'Please rate this one', thread: thread('rate') });
    expect(await code(svc.desk.rate({ via: 'test', ticketNumber: ticket.number, userId: u.id, score: 5 }))).toBe('not_solved');
    await api('PATCH', `/tickets/${ticket.number}`, { status: 'solved' });
    expect(await code(svc.desk.rate({ via: 'test', ticketNumber: ticket.number, userId: u.id, score: 6 }))).toBe('invalid_score');
    const other = await svc.desk.linkByEmail({ ...profile('other'), email: 'other@example.com' });
    expect(await code(svc.desk.rate({ via: 'test', ticketNumber: ticket.number, userId: other.id, score: 5 }))).toBe('ticket_not_found');
    const rated = await svc.desk.rate({ via: 'test', ticketNumber: ticket.number, userId: u.id, score: 5, comment: 'great' });
    expect(rated.status).toBe('closed');
    await svc.desk.commentRating({ ticketNumber: ticket.number, userId: u.id, comment: 'really great' });
    expect((await api('GET', `/tickets/${ticket.number}`)).body.ticket.rating).toMatchObject({ score: 5, comment: 'really great' });
    // the solved notification offered the rating prompt in the thread
    await waitFor(() => platform.thread('rate', 'root').some((m) => m.text.startsWith('rating_prompt')));
  });

  it('reopen needs a solved ticket and a reason, which becomes the customer public comment', async () => {
    const p = profile('reopener', 'reopener@example.com');
    const u = await svc.desk.linkByEmail({ ...p, email: 'reopener@example.com' });
    const { ticket } = await svc.desk.createTicket({ via: 'test', requester: { chatUser: p }, subject: 'Reopen me', description: 'Please reopen this one', thread: thread('reo') });
    expect(await code(svc.desk.reopen({ via: 'test', ticketNumber: ticket.number, userId: u.id, reason: 'x' }))).toBe('not_solved');
    await api('PATCH', `/tickets/${ticket.number}`, { status: 'solved' });
    expect(await code(svc.desk.reopen({ via: 'test', ticketNumber: ticket.number, userId: u.id, reason: '  ' }))).toBe('reason_required');
    expect((await svc.desk.reopen({ via: 'test', ticketNumber: ticket.number, userId: u.id, reason: 'Still broken after reboot' })).status).toBe('open');
    const last = (await api('GET', `/tickets/${ticket.number}/comments`)).body.comments.at(-1);
    expect(last).toMatchObject({ body: 'Still broken after reboot', public: true, author: { id: u.id, role: 'end_user' } });
  });
});

describe('what a requester sees', () => {
  it('lists active public tickets only, and public comments only', async () => {
    const p = profile('viewer', 'viewer@example.com');
    const u = await svc.desk.linkByEmail({ ...p, email: 'viewer@example.com' });
    const pub = (await api('POST', '/tickets', { subject: 'Public one', description: 'visible', requesterId: u.id })).body.ticket;
    const priv = (await api('POST', '/tickets', { subject: 'Private one', description: 'hidden', requesterId: u.id, visibility: 'private' })).body.ticket;
    await api('POST', `/tickets/${pub.number}/comments`, { body: 'INTERNAL only', public: false });
    await api('POST', `/tickets/${pub.number}/comments`, { body: 'Public answer', public: true });
    expect((await svc.desk.listActiveTickets(u.id)).map((t) => t.number)).toEqual([pub.number]);
    expect(await svc.desk.getTicketForRequester(priv.number, u.id)).toBeNull();
    expect(await svc.desk.listPublicComments(priv.number, u.id)).toBeNull();
    const comments = (await svc.desk.listPublicComments(pub.number, u.id))!;
    expect(comments.map((c) => c.body)).toEqual(['visible', 'Public answer']);
    const detail = (await svc.desk.getTicketForRequester(pub.number, u.id))!;
    expect(detail).toMatchObject({ number: pub.number, ccEmail: 'viewer@example.com', requesterEmail: 'viewer@example.com', submitterEmail: 'desk.agent@support.example' });
  });

  it('notifies the requester in their own chat of a public ticket opened for them; a private one only once made public', async () => {
    const p = profile('dm-user', 'dm@example.com');
    const u = await svc.desk.linkByEmail({ ...p, email: 'dm@example.com' });
    const pub = (await api('POST', '/tickets', { subject: 'We noticed', description: 'Your disk is full', requesterId: u.id })).body.ticket;
    await waitFor(() => platform.thread('dm:dm-user', null).length === 1);
    expect(platform.thread('dm:dm-user', null)[0]!.text).toBe(`ticket_confirmation|#${pub.number}|new`);
    const priv = (await api('POST', '/tickets', { subject: 'Quiet', description: 'internal first', requesterId: u.id, visibility: 'private' })).body.ticket;
    await api('POST', `/tickets/${priv.number}/comments`, { body: 'NOTE before public', public: false });
    await new Promise((r) => setTimeout(r, 400));
    expect(platform.thread('dm:dm-user', null)).toHaveLength(1);
    await api('POST', `/tickets/${priv.number}/comments`, { body: 'Now public', public: true });
    await waitFor(() => platform.thread('dm:dm-user', null).some((m) => m.text === `agent_reply|#${priv.number}|Now public`));
    expect(platform.messages.some((m) => m.text.includes('NOTE before public') || m.text.includes('internal first'))).toBe(false);
  });
});

describe('automatic close', () => {
  it('closes tickets solved longer ago than the configured days, with an audit event', async () => {
    const t = (await api('POST', '/tickets', { subject: 'Old', description: 'solved long ago', requesterEmail: 'old@example.com' })).body.ticket;
    const fresh = (await api('POST', '/tickets', { subject: 'Fresh', description: 'solved now', requesterEmail: 'old@example.com' })).body.ticket;
    await api('PATCH', `/tickets/${t.number}`, { status: 'solved' });
    await api('PATCH', `/tickets/${fresh.number}`, { status: 'solved' });
    await db.ticket.update({ where: { number: t.number }, data: { solvedAt: new Date(Date.now() - 5 * 86_400_000) } });
    expect(await svc.tickets.closeStaleSolved(4)).toBe(1);
    expect((await api('GET', `/tickets/${t.number}`)).body.ticket.status).toBe('closed');
    expect((await api('GET', `/tickets/${fresh.number}`)).body.ticket.status).toBe('solved');
    const events = (await api('GET', `/tickets/${t.number}/events`)).body.events;
    expect(events.at(-1)).toMatchObject({ kind: 'status', from: 'solved', to: 'closed', actor: null });
  });
});
