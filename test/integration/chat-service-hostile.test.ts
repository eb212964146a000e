/**
 * The conversation engine against what chats really send (issue 10 of the security audit), on the real service
 * and PostgreSQL: text PostgreSQL cannot hold, from the event or from the platform's own API (profiles, file
 * names), and one new person reaching the core from many events at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent, ChatPerson, ChatPlace } from '../../src/core/chat/chat-events.ts';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { ADMIN_TOKEN, auth, startTestService, threadTicket } from '../helpers/service.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;

const person = (id: string, email: string, displayName = `User ${id}`): ChatPerson => {
  const ref = { platform: 'test', workspaceId: 'w', platformUserId: id };
  return { ...ref, profile: async () => ({ ...ref, displayName, verifiedEmail: email, locale: 'en' }) };
};
const place = (chatId: string, threadRef: string | null = 'root'): ChatPlace => ({ platform: 'test', workspaceId: 'w', chatId, threadRef, direct: false });
const message = (author: ChatPerson, where: ChatPlace, id: string, text: string, files: { name: string; url: string }[] = []): ChatEvent => ({
  type: 'message', place: where, messageId: `${where.chatId}:${id}`, author, text, files, mentionsBot: false, repliesTo: [],
});
const parallel = <T>(n: number, f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));

beforeAll(async () => {
  svc = await startTestService({}, { worker: false });
  db = createPrisma(svc.databaseUrl);
});
afterAll(async () => {
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
});

describe('one new person, many events at once', () => {
  it('ten accounts with one new verified email, writing at once, link to one user', async () => {
    await threadTicket(svc, { via: 'test', requester: { email: 'owner.race@example.com' }, subject: 'Race', description: 'Replies will come', thread: { ...place('race'), locale: 'en' } });
    await parallel(10, (i) => svc.chat.handle(message(person(`race-${i}`, 'Race.Chat@Example.com'), place('race'), `m${i}`, `reply ${i}`)));
    expect(await db.user.count({ where: { email: 'race.chat@example.com' } })).toBe(1);
    const user = await db.user.findUniqueOrThrow({ where: { email: 'race.chat@example.com' } });
    expect(await db.chatIdentity.count({ where: { userId: user.id } })).toBe(10);
    expect(await db.comment.count({ where: { authorId: user.id } })).toBe(10);
  });

  it('one account writing ten times at once is one identity, ten comments', async () => {
    const { ticket } = await threadTicket(svc, { via: 'test', requester: { email: 'thread.owner@example.com' }, subject: 'Thread', description: 'Replies will come', thread: { ...place('replies'), locale: 'en' } });
    await parallel(10, (i) => svc.chat.handle(message(person('replier', 'new.replier@example.com'), place('replies'), `r${i}`, `reply ${i}`)));
    expect(await db.chatIdentity.count({ where: { platformUserId: 'replier' } })).toBe(1);
    expect(await db.comment.count({ where: { ticket: { number: ticket.number }, author: { email: 'new.replier@example.com' } } })).toBe(10);
  });

  it('the same message delivered ten times at once is one comment', async () => {
    const { ticket } = await threadTicket(svc, { via: 'test', requester: { email: 'dup.owner@example.com' }, subject: 'Dup', description: 'One reply, many deliveries', thread: { ...place('dup'), locale: 'en' } });
    const owner = person('dup-owner', 'dup.owner@example.com');
    await parallel(10, () => svc.chat.handle(message(owner, place('dup'), 'same', 'only once')));
    expect(await db.comment.count({ where: { ticket: { number: ticket.number }, body: 'only once' } })).toBe(1);
  });
});

describe('text PostgreSQL cannot hold, from a chat', () => {
  const NUL = '\u0000';

  it('is stored with U+FFFD in its place: names, subjects, descriptions, comments, files, edits and drafts', async () => {
    const who = person('nul-user', 'nul.user@example.com', `Nul${NUL}Name\uD800`);
    const where = place(`nul${NUL}chat`, `root${NUL}`);
    const out = await svc.chat.handle({ type: 'request_wanted', place: where, actor: who, source: { messageId: `src${NUL}`, text: `Sub${NUL}ject\nA description${NUL} with a NUL`, files: [], url: null }, submitNow: false });
    const form = out.replies[0]!.message;
    if (form.kind !== 'request_form') throw new Error(`expected a form, got ${form.kind}`);
    expect(form.draft.subject).toBe('Sub\uFFFDject');
    const done = await svc.chat.handle({ type: 'request_submitted', place: where, actor: who, draftId: form.draft.id, fields: { subject: form.draft.subject, description: form.draft.description, priority: 'normal', serviceId: null } });
    const number = (done.replies[0]!.message as { ticket: { number: number } }).ticket.number;
    const row = await db.ticket.findUniqueOrThrow({ where: { number }, include: { threadLinks: true, requester: true } });
    expect(row.subject).toBe('Sub\uFFFDject');
    expect(row.description).toBe('Sub\uFFFDject\nA description\uFFFD with a NUL');
    expect(row.requester.name).toBe('Nul\uFFFDName\uFFFD');
    expect(row.sourceKey).toBe('test:w:src\uFFFD');
    expect(row.threadLinks.map((l) => [l.chatId, l.threadRef])).toEqual([['nul\uFFFDchat', 'root\uFFFD']]);
    // The same source, as the chat sends it again, finds the same ticket.
    const again = await svc.chat.handle({ type: 'request_wanted', place: where, actor: who, source: { messageId: `src${NUL}`, text: 'x', files: [], url: null }, submitNow: false });
    expect(again.replies[0]!.message).toMatchObject({ kind: 'request_exists', ticket: { number } });

    await svc.chat.handle(message(who, where, `reply${NUL}`, `reply${NUL}`, [{ name: `file${NUL}.txt`, url: 'https://files.example/f' }]));
    const comment = await db.comment.findFirstOrThrow({ where: { ticketId: row.id, body: 'reply\uFFFD' } });
    expect(await db.attachment.findMany({ where: { commentId: comment.id } })).toMatchObject([{ name: 'file\uFFFD.txt', platformUrl: 'https://files.example/f' }]);
    await svc.chat.handle({ type: 'message_edited', place: where, messageId: `${where.chatId}:reply${NUL}`, author: who, text: `edited${NUL}` });
    expect((await db.comment.findUniqueOrThrow({ where: { id: comment.id } })).body).toBe('edited\uFFFD');
  });

  it('the API still refuses it from a person (400), so only chat text is replaced', async () => {
    const r = await svc.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { ...auth(ADMIN_TOKEN), 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'api.nul@example.com', name: `A${NUL}` }),
    });
    expect(r.statusCode).toBe(400);
  });
});
