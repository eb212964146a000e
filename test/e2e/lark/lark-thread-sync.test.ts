import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LarkHarness } from '../../helpers/lark/lark-harness.ts';
import {
  cardText,
  createTicketInGroup,
  findByName,
  parseContent,
  seedWorld,
  type World,
} from '../../helpers/lark/lark-flows.ts';

const modes = [
  { name: 'plain events', encryptKey: undefined },
  { name: 'encrypted and signed events', encryptKey: 'enc-key-0123456789' },
];

describe.each(modes)('Lark: two-way sync in a ticket thread ($name)', ({ encryptKey }) => {
  let h: LarkHarness;
  let w: World;
  let ticket: { number: number; rootId: string };

  beforeEach(async () => {
    h = await new LarkHarness(encryptKey ? { encryptKey } : {}).start();
    w = seedWorld(h);
    ticket = await createTicketInGroup(h, w);
  });
  afterEach(async () => {
    await h.stop();
  });

  const botRepliesInThread = () => h.fake.thread(ticket.rootId).filter((m) => m.sender.sender_type === 'app');

  it('turns a human reply in the thread into a public comment by the linked user, files as links', async () => {
    const { body, message } = h.inbound.userMessage({
      from: w.alice,
      chatId: w.group.chat_id,
      replyTo: ticket.rootId,
      msgType: 'post',
      content: {
        title: '',
        content: [
          [{ tag: 'text', text: 'still broken, see the photo ' }],
          [{ tag: 'img', image_key: 'img_v2_041b28e3' }],
        ],
      },
    });
    expect((await h.send(body)).status).toBe(200);
    await h.settle();

    const t = h.desk.ticket(ticket.number);
    const c = t.comments.at(-1)!;
    expect(c).toMatchObject({ body: 'still broken, see the photo', public: true, via: 'lark', externalRef: `lark:${h.fake.tenantKey}:${message.message_id}` });
    expect(c.authorId).toBe(h.desk.users.get('alice@example.com')!.id);
    expect(c.files).toEqual([
      { name: 'image-img_v2_041b28e3', url: `${h.fake.url}/open-apis/im/v1/messages/${message.message_id}/resources/img_v2_041b28e3?type=image` },
    ]);
    // a thread reply is not a new request: no form was sent
    expect(h.fake.ephemeralsFor(w.group.chat_id, w.alice.open_id).filter((m) => !m.deleted)).toHaveLength(0);
  });

  it('never syncs the bot’s own messages back', async () => {
    h.desk.agentComment(ticket.number, 'Dana Agent', 'Have you tried turning it off and on again?', true);
    await h.deliverOutbox();
    const before = h.desk.ticket(ticket.number).comments.length;
    // Lark reports both the text reply and the confirmation card the bot posted
    for (const own of botRepliesInThread()) {
      expect((await h.send(h.inbound.botEcho(own.message_id))).status).toBe(200);
    }
    await h.settle();
    expect(h.desk.ticket(ticket.number).comments).toHaveLength(before);
  });

  it('posts agent public replies and status changes into the thread, never internal notes', async () => {
    h.desk.agentComment(ticket.number, 'Dana Agent', 'We sent a technician <at user_id="all"></at>', true);
    h.desk.agentComment(ticket.number, 'Dana Agent', 'internal: the printer is cursed', false);
    h.desk.agentSetStatus(ticket.number, 'pending');
    await h.deliverOutbox();

    const replies = botRepliesInThread();
    // confirmation + agent reply + status change; the internal note is not among them
    expect(replies).toHaveLength(3);
    const agent = replies[1]!;
    expect(agent.msg_type).toBe('text');
    const text = String(parseContent(agent)['text']);
    expect(text).toContain(`Dana Agent replied to request #${ticket.number}:`);
    expect(text).toContain('We sent a technician');
    // a mention tag in an agent's text stays literal instead of pinging everyone
    expect(text).not.toContain('<at user_id="all">');
    expect(cardText(parseContent(replies[2]!))).toContain(`Request #${ticket.number}: status changed from New to Awaiting your reply.`);
    expect(h.fake.messagesIn(w.group.chat_id).some((m) => m.content.includes('cursed'))).toBe(false);
  });

  it('offers Rate and Reopen when solved; a rating closes the ticket and updates the card', async () => {
    h.desk.agentSetStatus(ticket.number, 'solved');
    await h.deliverOutbox();
    const prompt = botRepliesInThread().at(-1)!;
    const card = parseContent(prompt);
    expect(cardText(card)).toContain(`Request #${ticket.number} has been solved.`);
    const rate4 = findByName(card, 'rate_4');
    expect(rate4['value']).toEqual({ op: 'rate', n: String(ticket.number), s: '4', loc: 'en' });

    const { body } = h.inbound.cardAction({ from: w.alice, cardMessageId: prompt.message_id, value: rate4['value'] as Record<string, unknown>, formValue: { comment: 'quick fix, thanks' }, name: 'rate_4' });
    const res = await h.send(body);
    expect(res.json).toEqual({ toast: { type: 'success', content: 'Thank you! Your rating is being saved.' } });
    expect(h.desk.ticket(ticket.number).status).toBe('solved'); // durable work happens from the inbox

    await h.settle();
    const t = h.desk.ticket(ticket.number);
    expect(t.status).toBe('closed');
    expect(t.rating).toEqual({ score: 4, comment: 'quick fix, thanks' });
    expect(cardText(parseContent(h.fake.messages.get(prompt.message_id)!))).toContain(`Request #${ticket.number} is closed with rating 4/5.`);
    expect(cardText(parseContent(botRepliesInThread().at(-1)!))).toContain('status changed from Solved to Closed');
  });

  it('reopens with a reason, and refuses an empty reason on the spot without recording it', async () => {
    h.desk.agentSetStatus(ticket.number, 'solved');
    await h.deliverOutbox();
    const prompt = botRepliesInThread().at(-1)!;
    const value = findByName(parseContent(prompt), 'reopen')['value'] as Record<string, unknown>;

    const calls = h.inbox.calls;
    const empty = h.inbound.cardAction({ from: w.alice, cardMessageId: prompt.message_id, value, formValue: { reason: '   ' }, name: 'reopen' });
    const refused = await h.send(empty.body);
    expect(refused.json).toEqual({ toast: { type: 'error', content: 'Describe why the request should go back to work.' } });
    expect(h.inbox.calls).toBe(calls);

    const real = h.inbound.cardAction({ from: w.alice, cardMessageId: prompt.message_id, value, formValue: { reason: 'it caught fire again' }, name: 'reopen' });
    expect((await h.send(real.body)).status).toBe(200);
    await h.settle();
    const t = h.desk.ticket(ticket.number);
    expect(t.status).toBe('open');
    expect(t.comments.at(-1)!.body).toBe('it caught fire again');
    expect(cardText(parseContent(h.fake.messages.get(prompt.message_id)!))).toContain(`Request #${ticket.number} is back in work.`);
  });

  it('tells only the person who pressed Rate when the core refuses (not their ticket)', async () => {
    h.desk.agentSetStatus(ticket.number, 'solved');
    await h.deliverOutbox();
    const prompt = botRepliesInThread().at(-1)!;
    const value = findByName(parseContent(prompt), 'rate_5')['value'] as Record<string, unknown>;
    const { body } = h.inbound.cardAction({ from: w.bob, cardMessageId: prompt.message_id, value, formValue: {}, name: 'rate_5' });
    expect((await h.send(body)).status).toBe(200);
    await h.settle();

    expect(h.desk.ticket(ticket.number).status).toBe('solved');
    const notes = h.fake.ephemeralsFor(w.group.chat_id, w.bob.open_id);
    expect(notes).toHaveLength(1);
    expect(cardText(parseContent(notes[0]!))).toContain('Request not found.');
    // the shared rating card is unchanged for everyone else
    expect(h.fake.messages.get(prompt.message_id)!.updated).toBe(false);
  });

  it('marks a synced comment deleted when its message is recalled', async () => {
    const { body, message } = h.inbound.userMessage({ from: w.alice, chatId: w.group.chat_id, replyTo: ticket.rootId, text: 'oops, wrong thread' });
    await h.send(body);
    await h.settle();
    expect((await h.send(h.inbound.recalled(message.message_id))).status).toBe(200);
    await h.settle();
    expect(h.desk.ticket(ticket.number).comments.at(-1)).toMatchObject({ body: 'oops, wrong thread', deleted: true });
  });

  it('ignores group messages that neither mention the bot nor belong to a ticket thread', async () => {
    const { body } = h.inbound.userMessage({ from: w.bob, chatId: w.group.chat_id, text: 'lunch anyone?' });
    await h.send(body);
    const before = h.fake.calls.length;
    await h.settle();
    expect(h.inbox.rows.at(-1)!.processed).toBe(true);
    // no form, no reply, not even a profile lookup
    expect(h.fake.calls.slice(before)).toHaveLength(0);
  });
});
