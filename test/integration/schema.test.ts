/**
 * The schema and the hand-written migrations must agree (nothing here can diff them): a database built only from
 * prisma/migrations has exactly the tables and columns of prisma/schema.prisma, with the same nullability, and
 * every model round-trips every column through the generated client.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/infra/db/prisma.ts';
import { ROOT } from '../helpers/processes.ts';
import { createMigratedDatabase } from '../helpers/test-db.ts';

interface Field { name: string; column: string; type: string; optional: boolean; relation: boolean }
interface Model { name: string; table: string; fields: Field[] }

function parseSchema(): Model[] {
  const text = readFileSync(path.join(ROOT, 'prisma/schema.prisma'), 'utf8');
  const blocks = [...text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)];
  const names = new Set(blocks.map((b) => b[1]!));
  return blocks.map(([, name, body]) => {
    const table = /@@map\("(\w+)"\)/.exec(body!)?.[1] ?? name!;
    const fields: Field[] = [];
    for (const line of body!.split('\n')) {
      // Unsupported("tsvector")? fields are generated columns: checked to exist, not written (the database computes them).
      const m = /^\s+(\w+)\s+(\w+)(?:\("[^"]*"\))?(\[\])?(\?)?(.*)$/.exec(line);
      if (!m || line.trim().startsWith('//') || line.trim().startsWith('@@')) continue;
      const [, fname, type, list, opt, rest] = m;
      const relation = names.has(type!);
      void list;
      if (type === 'Unsupported') generated.add(`${name}.${fname}`);
      fields.push({ name: fname!, column: /@map\("(\w+)"\)/.exec(rest!)?.[1] ?? fname!, type: type!, optional: Boolean(opt), relation });
    }
    return { name: name!, table, fields };
  });
}

const generated = new Set<string>();
const models = parseSchema();
let db: Db;
let close: () => Promise<void>;
let url = '';

beforeAll(async () => {
  ({ url, db, close } = await createMigratedDatabase());
});
afterAll(async () => {
  await close?.();
});

describe('schema.prisma and the migrations agree', () => {
  it('parses every model of the schema', () => {
    expect(models.map((m) => m.name)).toEqual(expect.arrayContaining(['User', 'Ticket', 'Comment', 'InboundEvent', 'Delivery']));
    expect(models.length).toBeGreaterThanOrEqual(17);
  });

  it('has exactly the tables, columns and nullability of the schema', async () => {
    const cols = await db.$queryRaw<{ table_name: string; column_name: string; is_nullable: string }[]>`
      SELECT table_name, column_name, is_nullable FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`;
    const inDb = new Map<string, Map<string, boolean>>();
    for (const c of cols) {
      if (!inDb.has(c.table_name)) inDb.set(c.table_name, new Map());
      inDb.get(c.table_name)!.set(c.column_name, c.is_nullable === 'YES');
    }
    expect([...inDb.keys()].sort()).toEqual(models.map((m) => m.table).sort());
    for (const m of models) {
      const scalar = m.fields.filter((f) => !f.relation);
      const dbCols = inDb.get(m.table)!;
      expect([...dbCols.keys()].sort(), m.table).toEqual(scalar.map((f) => f.column).sort());
      for (const f of scalar) expect(dbCols.get(f.column), `${m.table}.${f.column} nullable`).toBe(f.optional);
    }
  });
});

describe('every model round-trips every column through the generated client', () => {
  const when = new Date('2026-11-20T10:11:12.345Z');
  const later = new Date('2026-11-21T10:11:12.345Z');
  const ids: Record<string, string> = {};

  it('writes and reads each model with every scalar column set', async () => {
    const written: Record<string, Record<string, unknown>> = {};
    const check = async (model: string, data: Record<string, unknown>, read: () => Promise<unknown>) => {
      written[model] = data;
      const row = (await read()) as Record<string, unknown>;
      for (const [k, v] of Object.entries(data)) expect(row[k], `${model}.${k}`).toEqual(v);
    };

    const org = { id: '11111111-1111-4111-8111-111111111111', name: 'Acme', createdAt: when };
    await db.organization.create({ data: org });
    await check('Organization', org, () => db.organization.findUnique({ where: { id: org.id } }));

    const user = { id: '22222222-2222-4222-8222-222222222222', email: 'u@acme.example', emailDomain: 'acme.example', name: 'U', phone: '+1 555', locale: 'ja', role: 'agent', organizationId: org.id, passwordHash: 'scrypt$a$b', deactivatedAt: later, emailReplies: false, localeChosen: true, createdAt: when, updatedAt: later };
    await db.user.create({ data: user });
    await check('User', user, () => db.user.findUnique({ where: { id: user.id } }));

    const token = { id: '33333333-3333-4333-8333-333333333333', userId: user.id, tokenHash: 'h1', label: 'CI bot', createdAt: when, lastUsedAt: later, expiresAt: later, revokedAt: later };
    await db.apiToken.create({ data: token });
    await check('ApiToken', token, () => db.apiToken.findUnique({ where: { id: token.id } }));

    const service = { id: '44444444-4444-4444-8444-444444444444', name: 'Databases', description: 'Managed DBs', active: false, createdAt: when };
    await db.service.create({ data: service });
    await check('Service', service, () => db.service.findUnique({ where: { id: service.id } }));

    const parent = await db.ticket.create({ data: { subject: 'p', description: 'p', via: 'api', requesterId: user.id, submitterId: user.id } });
    const ticket = {
      id: '55555555-5555-4555-8555-555555555555', number: 424242, subject: 'S', description: 'D', descriptionPublic: false, status: 'solved', priority: 'urgent', visibility: 'private', via: 'slack',
      requesterId: user.id, submitterId: user.id, assigneeId: user.id, serviceId: service.id, organizationId: org.id, followUpOfId: parent.id,
      sourceUrl: 'https://acme.slack.com/archives/C1/p1', sourceKey: 'slack:T:C1:1.2', solvedAt: when, closedAt: later, createdAt: when,
      version: 7, tags: ['billing', 'важно', '請求'], firstReplyAt: when, waitingSince: later, firstReplyDueAt: when, nextReplyDueAt: later,
      resolutionDueAt: later, slaDueAt: later, slaCheckAt: when,
    };
    await db.ticket.create({ data: ticket });
    await check('Ticket', ticket, () => db.ticket.findUnique({ where: { id: ticket.id } }));
    written.Ticket!.updatedAt = 'auto';
    ids.ticket = ticket.id;

    const comment = { id: '66666666-6666-4666-8666-666666666666', ticketId: ticket.id, authorId: user.id, body: 'b', public: false, via: 'lark', externalRef: 'lark:t:c:m', editedAt: when, deletedAt: later, createdAt: when };
    await db.comment.create({ data: comment });
    await check('Comment', comment, () => db.comment.findUnique({ where: { id: comment.id } }));

    const ev = { ticketId: ticket.id, actorId: user.id, kind: 'status', field: 'status', fromValue: 'open', toValue: 'solved', via: 'api', createdAt: when };
    const evRow = await db.ticketEvent.create({ data: ev });
    await check('TicketEvent', { ...ev, id: evRow.id }, () => db.ticketEvent.findUnique({ where: { id: evRow.id } }));

    const rating = { id: '77777777-7777-4777-8777-777777777777', ticketId: ticket.id, raterId: user.id, score: 4, comment: 'ok', createdAt: when };
    await db.rating.create({ data: rating });
    await check('Rating', rating, () => db.rating.findUnique({ where: { id: rating.id } }));

    const identity = { id: '88888888-8888-4888-8888-888888888888', platform: 'telegram', workspaceId: 'bot', platformUserId: '42', userId: user.id, displayName: 'U', locale: 'ru', createdAt: when };
    await db.chatIdentity.create({ data: identity });
    await check('ChatIdentity', identity, () => db.chatIdentity.findUnique({ where: { id: identity.id } }));

    const code = { id: '99999999-9999-4999-8999-999999999999', codeHash: 'c1', userId: user.id, expiresAt: later, usedAt: when, createdAt: when };
    await db.linkCode.create({ data: code });
    await check('LinkCode', code, () => db.linkCode.findUnique({ where: { id: code.id } }));

    const link = { id: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', ticketId: ticket.id, platform: 'slack', workspaceId: 'T1', chatId: 'C1', threadRef: '1.2', directUserId: 'U9', locale: 'ja', status: 'broken', brokenReason: 'channel_not_found', createdAt: when };
    await db.chatThreadLink.create({ data: link });
    await check('ChatThreadLink', link, () => db.chatThreadLink.findUnique({ where: { id: link.id } }));

    const cfg = { id: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', platform: 'telegram', workspaceId: 'bot', chatId: '-100', serviceId: service.id };
    await db.chatConfig.create({ data: cfg });
    await check('ChatConfig', cfg, () => db.chatConfig.findUnique({ where: { id: cfg.id } }));
    written.ChatConfig!.updatedAt = 'auto';

    const dialog = { platform: 'telegram', workspaceId: 'bot', chatId: '42', platformUserId: '42', state: { step: 'describe', serviceId: service.id } };
    await db.dialogState.create({ data: dialog });
    await check('DialogState', dialog, () => db.dialogState.findUnique({ where: { platform_workspaceId_chatId_platformUserId: { platform: 'telegram', workspaceId: 'bot', chatId: '42', platformUserId: '42' } } }));
    written.DialogState!.updatedAt = 'auto';

    const inbound = { platform: 'slack', externalId: 'Ev1', orderingKey: 'T1:C1', payload: { a: 1 }, status: 'dead', attempts: 5, lastError: 'boom', failingSince: when, outcome: { replies: [] }, repliesSent: 2, receivedAt: when, processedAt: later, runAt: later, claimedUntil: when };
    const inRow = await db.inboundEvent.create({ data: inbound });
    await check('InboundEvent', { ...inbound, id: inRow.id }, () => db.inboundEvent.findUnique({ where: { id: inRow.id } }));

    const outbox = { ticketId: ticket.id, type: 'comment.added', payload: { commentId: comment.id }, createdAt: when };
    const outRow = await db.outboxEvent.create({ data: outbox });
    await check('OutboxEvent', { ...outbox, id: outRow.id }, () => db.outboxEvent.findUnique({ where: { id: outRow.id } }));

    const delivery = { outboxEventId: outRow.id, threadLinkId: link.id, status: 'failed', attempts: 3, lastError: 'x', platformMessageId: '1.3', claimedUntil: later, createdAt: when, sentAt: later };
    const dRow = await db.delivery.create({ data: delivery });
    await check('Delivery', { ...delivery, id: dRow.id }, () => db.delivery.findUnique({ where: { id: dRow.id } }));

    const drain = { threadLinkId: link.id, runAt: later, claimedUntil: when, seq: 5n, attempts: 2 };
    await db.threadDrain.create({ data: drain });
    await check('ThreadDrain', drain, () => db.threadDrain.findUnique({ where: { threadLinkId: link.id } }));

    const draft = {
      id: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', platform: 'lark', workspaceId: 'tenant', platformUserId: 'ou_1', chatId: 'oc_1', threadRef: 'om_1', direct: false,
      source: { messageId: 'om_1', text: 'printer on fire', files: [], url: null }, subject: 'Printer', description: 'printer on fire', priority: 'high', serviceId: service.id,
      priorityChosen: true, serviceChosen: true, ticketNumber: 424242, cancelled: true, createdAt: when,
    };
    await db.requestDraft.create({ data: draft });
    await check('RequestDraft', draft, () => db.requestDraft.findUnique({ where: { id: draft.id } }));
    written.RequestDraft!.updatedAt = 'auto';

    const beat = { poolId: 'pool-1', instance: 'host:1', seenAt: when };
    await db.workerHeartbeat.create({ data: beat });
    await check('WorkerHeartbeat', beat, () => db.workerHeartbeat.findUnique({ where: { poolId: 'pool-1' } }));

    const session = { idHash: 'sess-hash-1', userId: user.id, kind: 'end_user', csrfSecret: 'csrf-secret-1', createdAt: when, lastSeenAt: later, expiresAt: later };
    await db.consoleSession.create({ data: session });
    await check('ConsoleSession', session, () => db.consoleSession.findUnique({ where: { idHash: 'sess-hash-1' } }));
    const throttle = { keyHash: 'throttle-key-1', windowStart: when, hits: 3 };
    await db.signInThrottle.create({ data: throttle });
    await check('SignInThrottle', throttle, () => db.signInThrottle.findUnique({ where: { keyHash: 'throttle-key-1' } }));
    const signInLink = { tokenHash: 'link-hash-1', userId: user.id, nextPath: '/tickets/1', expiresAt: later, usedAt: when, createdAt: when };
    await db.signInLink.create({ data: signInLink });
    await check('SignInLink', signInLink, () => db.signInLink.findUnique({ where: { tokenHash: 'link-hash-1' } }));

    const tag = { name: 'billing', createdAt: when };
    await db.tag.create({ data: tag });
    await check('Tag', tag, () => db.tag.findUnique({ where: { name: 'billing' } }));
    const policy = { priority: 'urgent', firstReplyMinutes: 30, nextReplyMinutes: 60, resolutionMinutes: 480, businessHours: { timeZone: 'Asia/Tokyo', hours: [{ day: 1, start: '09:00', end: '18:00' }] } };
    await db.slaPolicy.create({ data: policy });
    await check('SlaPolicy', policy, () => db.slaPolicy.findUnique({ where: { priority: 'urgent' } }));
    written.SlaPolicy!.updatedAt = 'auto';
    const alert = { ticketId: ticket.id, target: 'first_reply', kind: 'breach', dueAt: when, createdAt: later };
    const aRow = await db.slaAlert.create({ data: alert });
    await check('SlaAlert', { ...alert, id: aRow.id }, () => db.slaAlert.findUnique({ where: { id: aRow.id } }));
    const note = { id: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', agentId: user.id, ticketId: ticket.id, kind: 'customer_replied', actorId: user.id, commentId: comment.id, detail: 'x', createdAt: when, readAt: later };
    await db.agentNotification.create({ data: note });
    await check('AgentNotification', note, () => db.agentNotification.findUnique({ where: { id: note.id } }));
    const macro = {
      id: 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', name: 'Ask for logs', ownerId: user.id, body: 'Send logs, {{requester.name}}', public: true, status: 'pending', priority: 'high',
      assigneeId: user.id, assignToSelf: false, addTags: ['logs'], removeTags: ['new'], createdById: user.id, createdAt: when,
    };
    await db.macro.create({ data: macro });
    await check('Macro', macro, () => db.macro.findUnique({ where: { id: macro.id } }));
    written.Macro!.updatedAt = 'auto';
    const view = { id: 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', name: 'VIP', ownerId: null, filters: { tags: ['vip'] }, sort: 'due', sortOrder: 'asc', createdById: user.id, createdAt: when };
    await db.savedView.create({ data: view });
    await check('SavedView', view, () => db.savedView.findUnique({ where: { id: view.id } }));
    written.SavedView!.updatedAt = 'auto';
    const blob = { key: 'ffffffff-ffff-4fff-8fff-ffffffffffff', complete: true, size: 3n, createdAt: when };
    await db.attachmentBlob.create({ data: blob });
    await check('AttachmentBlob', blob, () => db.attachmentBlob.findUnique({ where: { key: blob.key } }));
    const chunk = { key: blob.key, seq: 0, data: new Uint8Array([1, 2, 3]) };
    await db.attachmentBlobChunk.create({ data: chunk });
    await check('AttachmentBlobChunk', chunk, () => db.attachmentBlobChunk.findUnique({ where: { key_seq: { key: blob.key, seq: 0 } } }));
    const file = {
      id: 'abababab-abab-4bab-8bab-abababababab', ticketId: ticket.id, commentId: comment.id, uploaderId: user.id, name: 'a.png', contentType: 'image/png', size: 3,
      sha256: 'ab'.repeat(32), storageKey: blob.key, state: 'stored', reason: null, platform: 'lark', platformFileId: 'img_1', platformUrl: 'https://x/a.png',
      declaredSize: 3, declaredType: 'image/png', fetchRef: { messageId: 'om_1' }, position: 2, createdAt: when, storedAt: later,
    };
    await db.attachment.create({ data: file });
    await check('Attachment', file, () => db.attachment.findUnique({ where: { id: file.id } }));

    // Every scalar column of every model was written above: a new column without a round trip fails here.
    for (const m of models) {
      const scalar = m.fields.filter((f) => !f.relation && !generated.has(`${m.name}.${f.name}`)).map((f) => f.name).sort();
      expect(Object.keys(written[m.name] ?? {}).sort(), m.name).toEqual(scalar);
    }
  });

  it('enforces the rules the database owns', async () => {
    await expect(db.ticket.update({ where: { id: ids.ticket! }, data: { status: 'archived' } })).rejects.toThrow();
    await expect(db.rating.update({ where: { id: '77777777-7777-4777-8777-777777777777' }, data: { score: 9 } })).rejects.toThrow();
    await expect(db.user.create({ data: { email: 'Upper@Case.example', emailDomain: 'case.example', name: 'x' } })).rejects.toThrow();
    await expect(
      db.requestDraft.create({ data: { platform: 'x', workspaceId: 'w', platformUserId: 'u', chatId: 'c', direct: true, subject: '', description: '', priority: 'asap' } }),
    ).rejects.toThrow();
    await expect(db.consoleSession.create({ data: { idHash: 'sess-hash-2', userId: '22222222-2222-4222-8222-222222222222', kind: 'guest', csrfSecret: 's', expiresAt: later } })).rejects.toThrow();
    await expect(db.slaPolicy.create({ data: { priority: 'asap', firstReplyMinutes: 5 } })).rejects.toThrow();
    await expect(db.slaPolicy.create({ data: { priority: 'low', firstReplyMinutes: 0 } })).rejects.toThrow();
    await expect(db.agentNotification.create({ data: { agentId: '22222222-2222-4222-8222-222222222222', ticketId: ids.ticket!, kind: 'spam' } })).rejects.toThrow();
    // an attachment is in one of its four states, and a stored one says where and what its bytes are
    await expect(db.attachment.create({ data: { uploaderId: '22222222-2222-4222-8222-222222222222', name: 'x', state: 'lost' } })).rejects.toThrow();
    await expect(db.attachment.create({ data: { uploaderId: '22222222-2222-4222-8222-222222222222', name: 'x', state: 'stored' } })).rejects.toThrow();
    // the search documents follow their text
    await db.comment.update({ where: { id: '66666666-6666-4666-8666-666666666666' }, data: { body: 'Принтер сломался' } });
    const [doc] = await db.$queryRaw<{ hit: boolean }[]>`SELECT search_doc @@ search_query('ПРИНТЕР') AS hit FROM comments WHERE id = '66666666-6666-4666-8666-666666666666'`;
    expect(doc!.hit).toBe(true);
    const dup = { ticketId: ids.ticket!, target: 'resolution', kind: 'warning', dueAt: new Date('2026-11-20T00:00:00Z') };
    await db.slaAlert.create({ data: dup });
    await expect(db.slaAlert.create({ data: dup })).rejects.toThrow();
  });
});
