/**
 * The core's chat port against what chats really send (issue 10 of the security audit): text PostgreSQL cannot
 * hold, from the event or from the platform's own API, and one new person reaching the core from many events at
 * once. Real PostgreSQL, the real service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatProfile } from '../../src/core/ports/desk-port.ts';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { ADMIN_TOKEN, auth, startTestService } from '../helpers/service.ts';

let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;

const profile = (id: string, email: string, displayName = `User ${id}`): ChatProfile & { email: string } => ({
  platform: 'test',
  workspaceId: 'w',
  platformUserId: id,
  displayName,
  email,
  locale: 'en',
});
const thread = (chatId: string) => ({ platform: 'test', workspaceId: 'w', chatId, threadRef: 'root', locale: 'en' as const });
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
  it('ten accounts with one new email link to one user', async () => {
    const users = await parallel(10, (i) => svc.desk.linkByEmail(profile(`race-${i}`, 'Race.Chat@Example.com')));
    expect(new Set(users.map((u) => u.id)).size).toBe(1);
    expect(await db.user.count({ where: { email: 'race.chat@example.com' } })).toBe(1);
    expect(await db.chatIdentity.count({ where: { userId: users[0]!.id } })).toBe(10);
  });

  it('one account linked ten times at once is one identity', async () => {
    const users = await parallel(10, () => svc.desk.linkByEmail(profile('same-account', 'same.account@example.com')));
    expect(new Set(users.map((u) => u.id)).size).toBe(1);
    expect(await db.chatIdentity.count({ where: { platformUserId: 'same-account' } })).toBe(1);
  });

  it('ten requests by one new email are ten tickets for one user', async () => {
    const rs = await parallel(10, (i) =>
      svc.desk.createTicket({ via: 'test', requester: { email: 'race.requester@example.com', name: 'Racer' }, subject: `Race ${i}`, description: 'Ten at the same moment', thread: thread(`race-${i}`) }),
    );
    expect(rs.every((r) => r.created)).toBe(true);
    expect(await db.user.count({ where: { email: 'race.requester@example.com' } })).toBe(1);
    expect(await db.ticket.count({ where: { requester: { email: 'race.requester@example.com' } } })).toBe(10);
  });

  it('ten replies by one new author in one thread: one user, ten comments', async () => {
    const { ticket } = await svc.desk.createTicket({ via: 'test', requester: { email: 'thread.owner@example.com' }, subject: 'Thread', description: 'Replies will come', thread: thread('replies') });
    await parallel(10, (i) =>
      svc.desk.addThreadReply({ via: 'test', thread: thread('replies'), author: profile('replier', 'new.replier@example.com'), body: `reply ${i}`, externalRef: `test:w:replies:${i}` }),
    );
    expect(await db.user.count({ where: { email: 'new.replier@example.com' } })).toBe(1);
    expect(await db.comment.count({ where: { ticket: { number: ticket.number }, author: { email: 'new.replier@example.com' } } })).toBe(10);
  });
});

describe('text PostgreSQL cannot hold, from a chat', () => {
  const NUL = '\u0000';

  it('is stored with U+FFFD in its place: names, subjects, descriptions, comments, files and dialog state', async () => {
    const who = profile('nul-user', 'nul.user@example.com', `Nul${NUL}Name\uD800`);
    const user = await svc.desk.linkByEmail(who);
    expect(user.name).toBe('Nul\uFFFDName\uFFFD');
    expect((await db.chatIdentity.findFirstOrThrow({ where: { platformUserId: 'nul-user' } })).displayName).toBe('Nul\uFFFDName\uFFFD');

    const { ticket } = await svc.desk.createTicket({
      via: 'test',
      requester: { chatUser: who },
      subject: `Sub${NUL}ject`,
      description: `A description${NUL} with a NUL`,
      thread: thread(`nul${NUL}chat`),
      sourceKey: `test:w:nul${NUL}:1`,
    });
    const row = await db.ticket.findUniqueOrThrow({ where: { number: ticket.number }, include: { threadLinks: true } });
    expect(row.subject).toBe('Sub\uFFFDject');
    expect(row.description).toBe('A description\uFFFD with a NUL');
    expect(row.sourceKey).toBe('test:w:nul\uFFFD:1');
    expect(row.threadLinks[0]!.chatId).toBe('nul\uFFFDchat');
    // the same source key, as the chat sends it again, finds the same ticket
    expect((await svc.desk.findTicketBySource(`test:w:nul${NUL}:1`))?.number).toBe(ticket.number);

    const r = await svc.desk.addThreadReply({
      via: 'test',
      thread: thread(`nul${NUL}chat`),
      author: who,
      body: `reply${NUL}`,
      externalRef: `test:w:nul:reply${NUL}`,
      files: [{ name: `file${NUL}.txt`, url: 'https://files.example/f' }],
    });
    expect(r?.ticket.number).toBe(ticket.number);
    const comment = await db.comment.findFirstOrThrow({ where: { ticketId: row.id, body: 'reply\uFFFD' } });
    expect(comment.attachments).toEqual([{ name: 'file\uFFFD.txt', url: 'https://files.example/f' }]);
    await svc.desk.editThreadReply({ via: 'test', externalRef: `test:w:nul:reply${NUL}`, body: `edited${NUL}` });
    expect((await db.comment.findUniqueOrThrow({ where: { id: comment.id } })).body).toBe('edited\uFFFD');

    const key = { platform: 'test', workspaceId: 'w', chatId: 'c', platformUserId: 'nul-user' };
    await svc.desk.setDialogState(key, { draft: `half${NUL}typed`, [`k${NUL}`]: 1 });
    expect(await svc.desk.getDialogState(key)).toEqual({ draft: 'half\uFFFDtyped', 'k\uFFFD': 1 });
  });

  it('the API still refuses it from a person (400), so only chat text is replaced', async () => {
    const agent = await svc.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { ...auth(ADMIN_TOKEN), 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'api.nul@example.com', name: `A${NUL}` }),
    });
    expect(agent.statusCode).toBe(400);
  });
});
