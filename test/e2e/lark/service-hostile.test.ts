/**
 * Lark events carrying text PostgreSQL cannot hold (NUL), plain and encrypted, end to end: the real service, its
 * PostgreSQL inbox and worker, the strict Lark fake. Such an event is stored, answered 200 (Lark would otherwise
 * deliver it again and again) and processed, with U+FFFD where the NUL was (issue 10 of the security audit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventIdOf, LarkService } from '../../helpers/lark/lark-service.ts';

const NUL = '\u0000';

describe.each([
  ['plain', {}],
  ['encrypted', { encryptKey: 'enc-key-hostile-0123456789' }],
])('NUL in Lark events (%s, real service)', (_kind, opts) => {
  let s: LarkService;
  beforeAll(async () => {
    s = await new LarkService(opts).start();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('a request whose form carries NUL becomes a ticket with U+FFFD', async () => {
    const { message, form } = await s.mention(s.people.alice, `the scanner${NUL} is jammed again`);
    const { body } = s.submit(s.people.alice, form, { subject: `Scanner${NUL}`, description: `the scanner${NUL} is jammed again`, priority: 'normal', service: 'none', email: 'alice@example.com' });
    expect(JSON.stringify(body)).toContain('\\u0000');
    await s.sendAndProcess(body);
    const t = await s.db.ticket.findUniqueOrThrow({ where: { sourceKey: `lark:${s.fake.tenantKey}:${message.message_id}` } });
    expect(t.subject).toBe('Scanner\uFFFD');
    expect(t.description).toBe('the scanner\uFFFD is jammed again');
  });

  it('a thread reply with NUL in the event itself is stored, acknowledged 200 and becomes a comment', async () => {
    const t = await s.createTicket(s.people.alice, { subject: 'VPN down', description: 'the vpn does not connect', priority: 'normal', service: 'none', email: 'alice@example.com' });
    const { body } = s.inbound.userMessage({ from: s.people.alice, chatId: s.people.group.chat_id, replyTo: t.rootId, text: `still down${NUL}` });
    // A NUL in the event's own JSON (not only inside the message's content string): jsonb refuses that escape.
    const event = body['event'] as { message: Record<string, unknown> };
    event.message['mentions'] = [{ key: '@_user_9', name: `Bo${NUL}b`, id: { open_id: 'ou_nobody', union_id: 'on_nobody', user_id: null }, tenant_key: s.fake.tenantKey }];
    expect(JSON.stringify(body)).toMatch(/Bo\\u0000b/);
    const first = await s.send(body);
    expect(first.status).toBe(200);
    expect((await s.send(body)).status).toBe(200);
    await s.processed(eventIdOf(body));
    const comments = (await s.ticket(t.number)).comments.map((c) => c.body);
    expect(comments.at(-1)).toBe('still down\uFFFD');
    expect(await s.db.inboundEvent.count({ where: { externalId: eventIdOf(body) } })).toBe(1);
  });
});
