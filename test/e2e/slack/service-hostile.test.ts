/**
 * Slack events carrying text PostgreSQL cannot hold (NUL, a lone surrogate), end to end: the real service, its
 * PostgreSQL inbox and worker, Bolt, the strict Slack fake. Such an event is stored, answered 200 (so Slack does
 * not retry it forever) and processed, with U+FFFD where the NUL was (issue 10 of the security audit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, startSlackService, type SlackService } from '../../helpers/slack/slack-service.ts';
import { submission, threadReply, ticketFormValues } from '../../helpers/slack/slack-payloads.ts';

let s: SlackService;

beforeAll(async () => {
  s = await startSlackService();
});
afterAll(async () => {
  await s?.close();
});

const NUL = '\u0000';

describe('NUL in signed Slack events (real service)', () => {
  it('a thread reply with NUL is stored, acknowledged 200 once, and becomes a comment with U+FFFD', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel, 'The badge reader is broken');
    const text = `still broken${NUL} after \uD800 the reboot`;
    const msg = s.fake.addMessage(channel, { user: ALICE, text, thread_ts: root });
    const ev = threadReply({ channel, user: ALICE, text, ts: msg.ts, threadTs: root });
    // the body really carries the escape PostgreSQL's jsonb refuses
    expect(JSON.stringify(ev)).toContain('\\u0000');

    const res = await s.inbound.event(ev);
    expect(res.status).toBe(200);
    const retry = await s.inbound.event(ev, { retryNum: 1 });
    expect(retry.status).toBe(200);
    await s.inboundDone(ev.event_id);

    const stored = await s.db.inboundEvent.findUniqueOrThrow({ where: { platform_externalId: { platform: 'slack', externalId: ev.event_id } } });
    expect((stored.payload as { event: { text: string } }).event.text).toBe('still broken\uFFFD after \uFFFD the reboot');
    const comments = await s.db.comment.findMany({ where: { ticketId: ticket.id }, orderBy: { createdAt: 'asc' } });
    expect(comments.map((c) => c.body)).toEqual(['The badge reader is broken', 'still broken\uFFFD after \uFFFD the reboot']);
    expect(await s.db.inboundEvent.count({ where: { externalId: ev.event_id } })).toBe(1);
  });

  it('a request form submitted with NUL in every field opens the ticket, text replaced', async () => {
    const channel = s.channel();
    const root = s.fake.addMessage(channel, { user: ALICE, text: 'The door will not open' }).ts;
    const view = await s.openForm(channel, ALICE, (await s.react(channel, root, ALICE)).prompt);
    const values = ticketFormValues({ subject: `Door${NUL}`, description: `The door${NUL} will not open` });
    const res = await s.inbound.interaction(submission(view, ALICE, values));
    expect(res.status).toBe(200);
    const ticket = await s.ticketOf(channel, root);
    expect(ticket.subject).toBe('Door\uFFFD');
    expect(ticket.description).toBe('The door\uFFFD will not open');
    await s.botReplies(channel, root, 1);
  });

  it('an event whose NUL sits in a key and in a field the adapter never reads is stored and processed', async () => {
    const channel = s.channel();
    const { root } = await s.ticketByReaction(channel, 'Coffee machine leaks water');
    const msg = s.fake.addMessage(channel, { user: ALICE, text: 'and now it sparks', thread_ts: root });
    const ev = threadReply({ channel, user: ALICE, text: 'and now it sparks', ts: msg.ts, threadTs: root });
    ev.event.blocks = [{ type: 'rich_text', block_id: `b${NUL}`, elements: [] }];
    ev[`x${NUL}`] = NUL;
    expect((await s.inbound.event(ev)).status).toBe(200);
    await s.inboundDone(ev.event_id);
  });
});
