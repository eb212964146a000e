/**
 * Rate and Reopen on a solved ticket's Slack thread, end to end: the real service and Bolt against the Slack fake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import type { FakeMessage, FakeView } from '../../fakes/slack/slack-fake-state.ts';
import { ALICE, KENJI, OLGA, PUBLIC_URL, TEAM, startSlackService, type SlackService } from '../../helpers/slack/slack-service.ts';
import { blockAction, select, submission, text, threadReply } from '../../helpers/slack/slack-payloads.ts';
import { waitFor } from '../../helpers/wait.ts';

type Block = Record<string, any>;

let s: SlackService;

beforeAll(async () => {
  s = await startSlackService();
});
afterAll(async () => {
  await s?.close();
});

/** A ticket Kenji (Japanese) opened by reaction, solved by an agent; returns it with the rating prompt. */
async function solvedTicket() {
  const channel = s.channel();
  const { ticket, root } = await s.ticketByReaction(channel, 'VPN disconnects every hour', KENJI);
  expect((await s.api('PATCH', `/tickets/${ticket.number}`, { status: 'solved' })).status).toBe(200);
  // new -> solved: the thread gets the rating prompt (which says the status itself) after the confirmation.
  const prompt = (await s.botReplies(channel, root, 2))[1]!;
  return { channel, ticket, root, prompt };
}

async function click(channel: string, root: string, prompt: FakeMessage, user: string, actionId: 'slack_rate' | 'slack_reopen'): Promise<FakeView> {
  const button = (prompt.blocks as Block[]).flatMap((b) => (b['elements'] ?? []) as Block[]).find((e) => e['action_id'] === actionId);
  expect(button).toBeDefined();
  const before = s.fake.views.length;
  const res = await s.inbound.interaction(
    blockAction({ user, channel, actionId, value: button!['value'], triggerId: s.fake.issueTrigger(), messageTs: prompt.ts, threadTs: root }),
  );
  expect(res.status).toBe(200);
  expect(s.fake.views).toHaveLength(before + 1);
  return s.fake.views.at(-1)!;
}

async function submit(view: FakeView, user: string, values: Parameters<typeof submission>[2]) {
  const res = await s.inbound.interaction(submission(view, user, values));
  expect(res.status).toBe(200);
  return res;
}

describe('the solved message (real service)', () => {
  it('offers Rate, Reopen and View, in the thread\'s language', async () => {
    const { channel, ticket, root, prompt } = await solvedTicket();
    expect(prompt.text).toBe(t('ja', 'common:ticket.solved_prompt', { number: ticket.number }));
    const buttons = (prompt.blocks as Block[]).flatMap((b) => (b['elements'] ?? []) as Block[]);
    expect(buttons.map((b) => [b['action_id'], b['text']['text']])).toEqual([
      ['slack_rate', t('ja', 'common:action.rate')],
      ['slack_reopen', t('ja', 'common:action.reopen')],
      ['slack_view', t('ja', 'common:action.view')],
    ]);
    expect(buttons[2]!['url']).toBe(`${PUBLIC_URL}/tickets/${ticket.number}`);
    // Slack has the message a moment before the engine records it as sent: wait for the record.
    await waitFor(async () => (await s.db.delivery.count({ where: { threadLink: { ticketId: ticket.id }, status: { not: 'sent' } } })) === 0);
    const deliveries = await s.db.delivery.findMany({ where: { threadLink: { ticketId: ticket.id } }, include: { outboxEvent: true }, orderBy: { id: 'asc' } });
    // new -> solved itself has nothing to say (the prompt says it), so it is recorded as sent with no message.
    expect(deliveries.map((d) => [d.outboxEvent.type, d.platformMessageId])).toEqual([
      ['ticket.created', s.fake.botReplies(channel, root)[0]!.ts],
      ['ticket.status_changed', null],
      ['ticket.solved', prompt.ts],
    ]);
  });
});

describe('Rate (real service)', () => {
  it('opens a modal; score and comment are stored, the ticket closes, the person is thanked and the thread told', async () => {
    const { channel, ticket, root, prompt } = await solvedTicket();
    const view = await click(channel, root, prompt, KENJI, 'slack_rate');
    expect(view.view['callback_id']).toBe('slack_rate_form');
    expect(view.view['title']).toMatchObject({ text: t('ja', 'slack:rate.title') });
    const scoreOptions = ((view.view['blocks'] as Block[]).find((b) => b['block_id'] === 'score_block')!['element']['options'] as Block[]).map((o) => o['value']);
    expect(scoreOptions).toEqual(['1', '2', '3', '4', '5']);

    const res = await submit(view, KENJI, { score_block: { score_select: select('4') }, comment_block: { comment_input: text('quick fix, thanks') } });
    expect(res.text).toBe('');
    await s.inboundDone(`view:${TEAM}:${view.id}`);

    const after = await s.db.ticket.findUniqueOrThrow({ where: { id: ticket.id }, include: { rating: true } });
    expect(after.status).toBe('closed');
    expect(after.closedAt).not.toBeNull();
    expect(after.rating).toMatchObject({ score: 4, comment: 'quick fix, thanks', raterId: ticket.requester.id });
    expect(await s.db.ticketEvent.count({ where: { ticketId: ticket.id, kind: 'rated', toValue: '4', via: 'slack' } })).toBe(1);
    expect(s.fake.ephemerals.at(-1)).toMatchObject({
      user: KENJI,
      channel,
      thread_ts: root,
      text: t('ja', 'common:rating.thanks', { number: ticket.number, score: 4 }),
    });
    const [, outcome, closed] = await s.botReplies(channel, root, 3);
    // The buttons are spent: the solved message itself now says how it ended, for everyone in the thread.
    expect(outcome).toMatchObject({ ts: prompt.ts, text: t('ja', 'common:rating.done_public', { number: ticket.number, score: 4 }) });
    expect(JSON.stringify(outcome!.blocks)).not.toContain('slack_rate');
    expect(closed!.text).toContain(
      t('ja', 'common:ticket.status_changed', { number: ticket.number, from: t('ja', 'common:status.solved'), to: t('ja', 'common:status.closed') }),
    );
  });

  it('a second rating of the closed ticket is refused and the person is told why', async () => {
    const { channel, ticket, root, prompt } = await solvedTicket();
    const first = await click(channel, root, prompt, KENJI, 'slack_rate');
    const second = await click(channel, root, prompt, KENJI, 'slack_rate');
    await submit(first, KENJI, { score_block: { score_select: select('5') }, comment_block: { comment_input: text(null) } });
    await s.inboundDone(`view:${TEAM}:${first.id}`);
    await submit(second, KENJI, { score_block: { score_select: select('1') }, comment_block: { comment_input: text(null) } });
    await s.inboundDone(`view:${TEAM}:${second.id}`);
    expect((await s.db.rating.findUniqueOrThrow({ where: { ticketId: ticket.id } })).score).toBe(5);
    expect(s.fake.ephemerals.at(-1)).toMatchObject({ user: KENJI, text: t('ja', 'common:error.ticket_closed') });
  });

  it('someone who is not the requester cannot rate it: refused in their language, nothing changes', async () => {
    const { channel, ticket, root, prompt } = await solvedTicket();
    const view = await click(channel, root, prompt, OLGA, 'slack_rate');
    expect(view.view['title']).toMatchObject({ text: t('ru', 'slack:rate.title') });
    await submit(view, OLGA, { score_block: { score_select: select('1') }, comment_block: { comment_input: text(null) } });
    await s.inboundDone(`view:${TEAM}:${view.id}`);
    expect((await s.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('solved');
    expect(await s.db.rating.count({ where: { ticketId: ticket.id } })).toBe(0);
    expect(s.fake.ephemerals.at(-1)).toMatchObject({ user: OLGA, thread_ts: root, text: t('ru', 'common:error.ticket_not_found') });
  });
});

describe('only the requester decides (real service)', () => {
  it('someone else cannot return it to work: refused, the ticket stays solved and the buttons stay', async () => {
    const { channel, ticket, root, prompt } = await solvedTicket();
    const view = await click(channel, root, prompt, OLGA, 'slack_reopen');
    await submit(view, OLGA, { reason_block: { reason_input: text('it is broken for me too') } });
    await s.inboundDone(`view:${TEAM}:${view.id}`);
    expect((await s.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('solved');
    expect(await s.db.comment.count({ where: { ticketId: ticket.id, body: 'it is broken for me too' } })).toBe(0);
    expect(s.fake.ephemerals.at(-1)).toMatchObject({ user: OLGA, thread_ts: root, text: t('ru', 'common:error.ticket_not_found') });
    expect(JSON.stringify(s.fake.botReplies(channel, root)[1]!.blocks)).toContain('slack_reopen');
  });

  it('someone else\'s reply on a solved ticket is a comment that does not reopen it; on a closed one it starts nothing in the requester\'s name', async () => {
    const { channel, ticket, root, prompt } = await solvedTicket();
    const ts = s.fake.addMessage(channel, { user: OLGA, text: 'у меня то же самое', thread_ts: root }).ts;
    const ev = threadReply({ channel, user: OLGA, text: 'у меня то же самое', ts, threadTs: root });
    await s.inbound.event(ev);
    await s.inboundDone(ev.event_id);
    const after = await s.db.ticket.findUniqueOrThrow({ where: { id: ticket.id }, include: { comments: { include: { author: true }, orderBy: { createdAt: 'asc' } } } });
    expect(after.status).toBe('solved');
    expect(after.comments.at(-1)).toMatchObject({ body: 'у меня то же самое', public: true, author: { email: 'olga@example.ru' } });

    const view = await click(channel, root, prompt, KENJI, 'slack_rate');
    await submit(view, KENJI, { score_block: { score_select: select('5') }, comment_block: { comment_input: text(null) } });
    await s.inboundDone(`view:${TEAM}:${view.id}`);
    const later = s.fake.addMessage(channel, { user: OLGA, text: 'опять сломалось', thread_ts: root }).ts;
    const again = threadReply({ channel, user: OLGA, text: 'опять сломалось', ts: later, threadTs: root });
    await s.inbound.event(again);
    await s.inboundDone(again.event_id);
    expect(await s.db.ticket.count({ where: { followUpOfId: ticket.id } })).toBe(0);
    expect(s.fake.ephemerals.at(-1)).toMatchObject({ user: OLGA, thread_ts: root, text: t('ru', 'common:chat.closed_for_others', { number: ticket.number }) });
  });
});

describe('after the rating (real service)', () => {
  it('a reply in the closed ticket\'s thread starts a follow-up in the same thread; the person is shown its number', async () => {
    const { channel, ticket, root, prompt } = await solvedTicket();
    const view = await click(channel, root, prompt, KENJI, 'slack_rate');
    await submit(view, KENJI, { score_block: { score_select: select('3') }, comment_block: { comment_input: text(null) } });
    await s.inboundDone(`view:${TEAM}:${view.id}`);
    await s.botReplies(channel, root, 3); // confirmation, rating prompt, "closed"

    const ts = s.fake.addMessage(channel, { user: KENJI, text: 'また切断されました', thread_ts: root }).ts;
    const ev = threadReply({ channel, user: KENJI, text: 'また切断されました', ts, threadTs: root });
    await s.inbound.event(ev);
    await s.inboundDone(ev.event_id);

    const followUp = await s.db.ticket.findFirstOrThrow({ where: { followUpOfId: ticket.id }, include: { threadLinks: true, comments: true } });
    expect(followUp).toMatchObject({ subject: ticket.subject, description: 'また切断されました', status: 'new', via: 'slack', requesterId: ticket.requester.id });
    expect(followUp.threadLinks.map((l) => [l.chatId, l.threadRef])).toEqual([[channel, root]]);
    expect((await s.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('closed');
    expect(s.fake.ephemerals.at(-1)).toMatchObject({
      user: KENJI,
      thread_ts: root,
      text: `${t('ja', 'slack:thread.follow_up', { closed: ticket.number, number: followUp.number, subject: ticket.subject, status: t('ja', 'common:status.new') })} ${PUBLIC_URL}/tickets/${followUp.number}`,
    });

    // The follow-up's confirmation is delivered into the same thread by the sync engine.
    const confirmation = (await s.botReplies(channel, root, 4))[3]!;
    expect(confirmation.text).toContain(`#${followUp.number}`);
    // From now on the thread belongs to the follow-up: an agent's answer to it arrives there.
    await s.api('POST', `/tickets/${followUp.number}/comments`, { body: 'ルーターを再起動してください', public: true });
    const answer = (await s.botReplies(channel, root, 5))[4]!;
    expect(answer.text).toContain(t('ja', 'common:ticket.agent_reply', { author: 'Dana (Support)', number: followUp.number }));
  });

});

describe('Reopen (real service)', () => {
  it('asks for the reason in a modal; the reason becomes the requester\'s public comment and the ticket goes back to work', async () => {
    const { channel, ticket, root, prompt } = await solvedTicket();
    const view = await click(channel, root, prompt, KENJI, 'slack_reopen');
    expect(view.view['callback_id']).toBe('slack_reopen_form');
    await submit(view, KENJI, { reason_block: { reason_input: text('  まだ切断されます  ') } });
    await s.inboundDone(`view:${TEAM}:${view.id}`);

    expect((await s.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('open');
    const last = await s.db.comment.findFirstOrThrow({ where: { ticketId: ticket.id }, orderBy: { createdAt: 'desc' } });
    expect(last).toMatchObject({ body: 'まだ切断されます', public: true, via: 'slack', authorId: ticket.requester.id });
    expect(await s.db.ticketEvent.count({ where: { ticketId: ticket.id, kind: 'reopened', via: 'slack' } })).toBe(1);
    expect(s.fake.ephemerals.at(-1)).toMatchObject({ user: KENJI, thread_ts: root, text: t('ja', 'common:reopen.done', { number: ticket.number }) });
    const [, outcome, reopened] = await s.botReplies(channel, root, 3);
    expect(outcome).toMatchObject({ ts: prompt.ts, text: t('ja', 'common:reopen.done_public', { number: ticket.number }) });
    expect(reopened!.text).toContain(
      t('ja', 'common:ticket.status_changed', { number: ticket.number, from: t('ja', 'common:status.solved'), to: t('ja', 'common:status.open') }),
    );
  });

  it('an empty reason is shown as a form error and nothing is recorded', async () => {
    const { channel, ticket, root, prompt } = await solvedTicket();
    const view = await click(channel, root, prompt, ALICE, 'slack_reopen');
    const res = await submit(view, ALICE, { reason_block: { reason_input: text('   ') } });
    expect(res.json()).toEqual({ response_action: 'errors', errors: { reason_block: t('en', 'common:error.reason_required') } });
    expect(await s.db.inboundEvent.count({ where: { externalId: `view:${TEAM}:${view.id}` } })).toBe(0);
    expect((await s.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).status).toBe('solved');
  });
});
