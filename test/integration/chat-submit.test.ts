/**
 * A chat request's submit on the real service and PostgreSQL: the ticket, its description, its thread, its SLA
 * clock, the draft's mark and the end of its owner's dialog are one write in one transaction, so a failure at any
 * point leaves nothing half done, a retry makes the ticket once, and two submits of one draft make one ticket.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatEvent, ChatPerson, ChatPlace, DraftFields, SourceMessage } from '../../src/core/chat/chat-events.ts';
import type { ChatOutcome } from '../../src/core/chat/chat-service.ts';
import { createPrisma, type Db } from '../../src/infra/db/prisma.ts';
import { startTestService } from '../helpers/service.ts';

// Every statement this process sends, by its first words, while `counting` is set (as bench/service-child.ts counts).
let counting: string[] | null = null;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const q = args[0] as string | { text?: string };
  counting?.push((typeof q === 'string' ? q : (q?.text ?? '')).replace(/\s+/g, ' ').trim().slice(0, 40).trim());
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

let svc: Awaited<ReturnType<typeof startTestService>>;
let db: Db;

const person = (id: string): ChatPerson => {
  const ref = { platform: 'test', workspaceId: 'w', platformUserId: id };
  return { ...ref, profile: async () => ({ ...ref, displayName: `User ${id}`, verifiedEmail: `${id}@customer.example`, locale: 'en' }) };
};
const place = (chatId: string, threadRef: string | null): ChatPlace => ({ platform: 'test', workspaceId: 'w', chatId, threadRef, direct: false });
const fields = (description: string): DraftFields => ({ subject: description.slice(0, 20), description, priority: 'normal', serviceId: null });
const source = (chatId: string, ts: string, text: string): SourceMessage => ({ messageId: `${chatId}:${ts}`, text, files: [], url: null });

/** A draft asked for about a message, as a reaction leaves it. */
async function draftAbout(who: ChatPerson, where: ChatPlace, text: string): Promise<string> {
  const out = await svc.chat.handle({ type: 'request_wanted', place: where, actor: who, source: source(where.chatId, where.threadRef!, text), submitNow: false });
  const form = out.replies[0]!.message;
  if (form.kind !== 'request_form') throw new Error(`expected a form, got ${form.kind}`);
  return form.draft.id;
}

/** A submit as an adapter parses it: with the draft it read for it. */
async function submitEvent(who: ChatPerson, where: ChatPlace, draftId: string, text: string, posted?: SourceMessage): Promise<ChatEvent> {
  return { type: 'request_submitted', place: where, actor: who, draftId, fields: fields(text), draft: await svc.chat.drafts.read(draftId, who), ...(posted ? { source: posted } : {}) };
}

const answer = (o: ChatOutcome) => {
  const m = o.replies[0]?.message;
  return m?.kind === 'request_done' ? { kind: m.kind, number: m.ticket.number, created: m.created } : { kind: m?.kind ?? 'none' };
};
const dialogKey = (who: ChatPerson) => ({ platform: 'test', workspaceId: 'w', chatId: '', platformUserId: who.platformUserId });

beforeAll(async () => {
  svc = await startTestService({}, { worker: false });
  db = createPrisma(svc.databaseUrl);
});
afterAll(async () => {
  pg.Client.prototype.query = original;
  await db?.$disconnect();
  await svc?.stop();
  await svc?.dropDb();
});

describe('a submitted draft', () => {
  it('is one write: the ticket with its description, thread and clock, the draft marked, the dialog ended; then answers that ticket', async () => {
    const olga = person('olga');
    // Her first request links her chat account; the second is the one measured.
    await svc.chat.handle(await submitEvent(olga, place('C1', '1.1'), await draftAbout(olga, place('C1', '1.1'), 'The first printer is on fire'), 'The first printer is on fire'));
    const where = place('C1', '2.1');
    const draftId = await draftAbout(olga, where, 'The second printer is on fire too');
    // Something the bot was waiting for from her (a comment on another ticket): a submit ends it.
    await db.dialogState.create({ data: { ...dialogKey(olga), state: { awaiting: 'comment', ticket: 1 } } });
    const event = await submitEvent(olga, where, draftId, 'The second printer is on fire too');

    counting = [];
    const done = answer(await svc.chat.handle(event));
    const statements = counting;
    counting = null;
    // Who she is (her linked account), then the transaction: the insert, the publish (outbox, delivery, job); after
    // the commit, the new ticket announced on the live bus's own connection (not by a NOTIFY in the transaction).
    expect(statements).toEqual([
      'SELECT u.id::text AS id, u.email, u.name',
      'BEGIN',
      'WITH at AS (SELECT clock_timestamp() AS',
      'WITH ev AS (INSERT INTO ticket_events (t',
      'COMMIT',
      'SELECT pg_notify(x.c, x.p) FROM unnest($',
    ]);
    expect(done).toMatchObject({ kind: 'request_done', created: true });

    const t = await db.ticket.findUniqueOrThrow({ where: { number: (done as { number: number }).number }, include: { comments: true, threadLinks: true } });
    expect(t).toMatchObject({ sourceKey: 'test:w:C1:2.1', description: 'The second printer is on fire too' });
    // The description is its first comment, as a comment leaves a ticket: one version more, updated at the comment.
    expect(t.comments.map((c) => [c.body, c.public])).toEqual([['The second printer is on fire too', true]]);
    expect(t.version).toBe(2);
    expect(t.updatedAt).toEqual(t.comments[0]!.createdAt);
    // The customer has been waiting since the ticket was made; nobody answered yet.
    expect(t.waitingSince).toEqual(t.createdAt);
    expect(t.firstReplyAt).toBeNull();
    expect(t.threadLinks.map((l) => [l.chatId, l.threadRef, l.status, l.locale])).toEqual([['C1', '2.1', 'active', 'en']]);
    expect((await db.requestDraft.findUniqueOrThrow({ where: { id: draftId } })).ticketNumber).toBe(t.number);
    expect(await db.dialogState.count({ where: dialogKey(olga) })).toBe(0);

    // Submitted again (the platform's retry, a second click): the same ticket, nothing new.
    expect(answer(await svc.chat.handle(await submitEvent(olga, where, draftId, 'The second printer is on fire too')))).toEqual({ kind: 'request_done', number: t.number, created: false });
    expect(await db.ticket.count({ where: { sourceKey: 'test:w:C1:2.1' } })).toBe(1);
  });

  it('whose transaction fails leaves nothing behind (no ticket, the draft not marked, the dialog kept); handled again it makes one ticket', async () => {
    const ivan = person('ivan');
    const where = place('C2', '1.1');
    const draftId = await draftAbout(ivan, where, 'Crash here: the VPN drops every hour');
    await db.dialogState.create({ data: { ...dialogKey(ivan), state: { awaiting: 'comment', ticket: 1 } } });
    // Marking the draft fails (as a dying connection or process would fail it): once a write after the ticket's
    // commit, it is part of it now.
    await db.$executeRawUnsafe(`CREATE FUNCTION fail_crash() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.ticket_number IS NOT NULL THEN RAISE EXCEPTION 'crash'; END IF; RETURN NEW; END $$`);
    await db.$executeRawUnsafe(`CREATE TRIGGER fail_crash BEFORE UPDATE ON request_drafts FOR EACH ROW EXECUTE FUNCTION fail_crash()`);
    try {
      await expect(svc.chat.handle(await submitEvent(ivan, where, draftId, 'Crash here: the VPN drops every hour'))).rejects.toThrow(/crash/);
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER fail_crash ON request_drafts`);
      await db.$executeRawUnsafe(`DROP FUNCTION fail_crash()`);
    }
    expect(await db.ticket.count({ where: { sourceKey: 'test:w:C2:1.1' } })).toBe(0);
    expect(await db.comment.count({ where: { body: 'Crash here: the VPN drops every hour' } })).toBe(0);
    expect(await db.chatThreadLink.count({ where: { chatId: 'C2' } })).toBe(0);
    expect((await db.requestDraft.findUniqueOrThrow({ where: { id: draftId } })).ticketNumber).toBeNull();
    expect(await db.dialogState.count({ where: dialogKey(ivan) })).toBe(1);

    // The inbox handles the event again: now it goes through, once.
    const done = answer(await svc.chat.handle(await submitEvent(ivan, where, draftId, 'Crash here: the VPN drops every hour')));
    expect(done).toMatchObject({ kind: 'request_done', created: true });
    expect(await db.ticket.count({ where: { sourceKey: 'test:w:C2:1.1' } })).toBe(1);
    expect((await db.requestDraft.findUniqueOrThrow({ where: { id: draftId } })).ticketNumber).toBe((done as { number: number }).number);
    expect(await db.dialogState.count({ where: dialogKey(ivan) })).toBe(0);
  });

  it('without a message (a slash command), submitted from two forms at once, makes one ticket, and both answer it', async () => {
    const kenji = person('kenji');
    const draft = await svc.chat.drafts.open(place('C3', null), kenji, 'The badge reader at the door is dead');
    // Each submit has the request message its adapter posted for it: two sources, so only the draft can tell.
    const [a, b] = await Promise.all([
      submitEvent(kenji, place('C3', '10.1'), draft.id, draft.description, source('C3', '10.1', draft.description)),
      submitEvent(kenji, place('C3', '11.1'), draft.id, draft.description, source('C3', '11.1', draft.description)),
    ]);
    const answers = (await Promise.all([svc.chat.handle(a), svc.chat.handle(b)])).map(answer);
    expect(await db.ticket.count({ where: { sourceKey: { in: ['test:w:C3:10.1', 'test:w:C3:11.1'] } } })).toBe(1);
    const number = (await db.requestDraft.findUniqueOrThrow({ where: { id: draft.id } })).ticketNumber;
    expect(answers.sort((x, y) => Number(y.created) - Number(x.created))).toEqual([
      { kind: 'request_done', number, created: true },
      { kind: 'request_done', number, created: false },
    ]);
  });

  it("of a second person, on a message that has a ticket, answers it as far as they may know and leaves their draft unsubmitted", async () => {
    const alice = person('alice');
    const bob = person('bob');
    const where = place('C4', '1.1');
    const [ofAlice, ofBob] = [await draftAbout(alice, where, 'Payroll shows everyone salaries'), await draftAbout(bob, where, 'Payroll shows everyone salaries')];
    const made = answer(await svc.chat.handle(await submitEvent(alice, where, ofAlice, 'Payroll shows everyone salaries')));
    const out = await svc.chat.handle(await submitEvent(bob, where, ofBob, 'Payroll shows everyone salaries'));
    expect(out.replies.map((r) => r.message)).toMatchObject([{ kind: 'request_exists', ticket: { number: (made as { number: number }).number } }]);
    expect(await db.ticket.count({ where: { sourceKey: 'test:w:C4:1.1' } })).toBe(1);
    // Not marked with a ticket that is not his: were it made private, his draft would not show it to him.
    expect((await db.requestDraft.findUniqueOrThrow({ where: { id: ofBob } })).ticketNumber).toBeNull();
  });
});
