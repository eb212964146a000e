/**
 * Creating tickets from Slack, end to end: the real service (core, PostgreSQL, inbox worker, sync engine) and Bolt
 * against the strict Slack fake. Each test checks what Slack received and what the database holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { t } from '../../../src/i18n/catalog.ts';
import type { FakeView } from '../../fakes/slack/slack-fake-state.ts';
import { ALICE, KENJI, OLGA, PUBLIC_URL, TEAM, startSlackService, type SlackService } from '../../helpers/slack/slack-service.ts';
import { assistCommand, reactionAdded, submission, ticketFormValues } from '../../helpers/slack/slack-payloads.ts';
import { ADMIN_TOKEN } from '../../helpers/service.ts';
import { waitFor } from '../../helpers/wait.ts';

type Block = Record<string, any>;

let s: SlackService;
let itService = '';
let generalService = '';

beforeAll(async () => {
  s = await startSlackService();
  itService = (await s.api('POST', '/services', { name: 'IT' }, ADMIN_TOKEN)).body.service.id;
  generalService = (await s.api('GET', '/services')).body.services.find((x: { name: string }) => x.name === 'General').id;
});
afterAll(async () => {
  await s?.close();
});

function blockIds(view: FakeView): string[] {
  return (view.view['blocks'] as Block[]).map((b) => b['block_id']);
}

/** The read-only line saying whom the request is filed as. */
function filedAs(view: FakeView): string | undefined {
  return (view.view['blocks'] as Block[]).find((b) => b['type'] === 'context')?.['elements'][0]['text'];
}

function inputElement(view: FakeView, blockId: string): Block {
  const block = (view.view['blocks'] as Block[]).find((b) => b['block_id'] === blockId);
  if (!block) throw new Error(`no block ${blockId}`);
  return block['element'];
}

/** Top-level messages the bot posted into a conversation (the /assist requests). */
function requestsIn(channel: string) {
  return s.fake.messages(channel).filter((m) => m.user === 'UBOT' && (!m.thread_ts || m.thread_ts === m.ts));
}

describe('the ticket reaction (real service)', () => {
  it('reaction -> ephemeral button in the thread -> prefilled modal -> ticket -> confirmation with link and status in the thread', async () => {
    const channel = s.channel();
    const source = s.fake.addMessage(channel, { user: ALICE, text: 'Printer on fire\nIt smokes since <@U_REACTOR> touched it' });

    const { prompt, eventId } = await s.react(channel, source.ts, KENJI);
    // Kenji's Slack locale is ja-JP: the prompt is Japanese, shown only to him, in the message's thread.
    expect(prompt).toMatchObject({ channel, user: KENJI, thread_ts: source.ts, text: t('ja', 'slack:reaction.prompt') });
    const reacted = await s.db.inboundEvent.findUniqueOrThrow({ where: { platform_externalId: { platform: 'slack', externalId: eventId } } });
    expect(reacted).toMatchObject({ status: 'done', attempts: 0, lastError: null });
    // The verification token is never stored.
    expect(JSON.stringify(reacted.payload)).not.toContain('"token"');

    const view = await s.openForm(channel, KENJI, prompt);
    expect(view.view['title']).toMatchObject({ text: t('ja', 'common:form.title') });
    expect(inputElement(view, 'subject_block')['initial_value']).toBe('Printer on fire');
    expect(inputElement(view, 'description_block')['initial_value']).toBe('Printer on fire\nIt smokes since @kenji touched it');
    // Slack's client enforces the core's minimum before submitting (the server checks again).
    expect(inputElement(view, 'description_block')['min_length']).toBe(s.service.chat.minDescriptionLength);
    // Only the draft's id travels, in the button and in the modal.
    expect(JSON.parse(String(view.view['private_metadata']))).toEqual({ d: expect.stringMatching(/^[0-9a-f-]{36}$/), l: 'ja' });
    // No email to type: the form shows whom it files as, the person as Slack vouches for them (users:read.email).
    expect(blockIds(view)).not.toContain('email_block');
    expect(filedAs(view)).toBe(t('ja', 'slack:form.filed_as', { email: 'kenji@example.jp' }));
    // The service catalog: the default General and the IT service created above.
    const options = (inputElement(view, 'service_block')['options'] as Block[]).map((o) => [o['text']['text'], o['value']]);
    expect(options).toEqual(expect.arrayContaining([['General', generalService], ['IT', itService]]));
    expect(options).toHaveLength(2);
    // Opening a form stores nothing.
    expect(await s.db.ticket.count({ where: { sourceKey: `slack:${TEAM}:${channel}:${source.ts}` } })).toBe(0);

    const submit = await s.inbound.interaction(
      submission(view, KENJI, ticketFormValues({ subject: 'Printer on fire', description: 'It smokes since this morning', priority: 'high', service: itService })),
    );
    // An empty 200 closes the modal; the submission was recorded before that answer.
    expect(submit.status).toBe(200);
    expect(submit.text).toBe('');
    expect(await s.db.inboundEvent.count({ where: { platform: 'slack', externalId: `view:${TEAM}:${view.id}` } })).toBe(1);

    const ticket = await s.ticketOf(channel, source.ts);
    expect(ticket).toMatchObject({
      subject: 'Printer on fire',
      description: 'It smokes since this morning',
      status: 'new',
      priority: 'high',
      visibility: 'public',
      via: 'slack',
      sourceUrl: `https://acme.slack.com/archives/${channel}/p${source.ts.replace('.', '')}`,
    });
    expect(ticket.service?.name).toBe('IT');
    // Requester: the person who submitted, created from the Slack profile's email.
    expect(ticket.requester).toMatchObject({ email: 'kenji@example.jp', name: 'kenji', role: 'end_user' });
    expect(ticket.submitter.id).toBe(ticket.requester.id);
    expect(await s.db.chatIdentity.findFirst({ where: { platform: 'slack', workspaceId: TEAM, platformUserId: KENJI } })).toMatchObject({
      userId: ticket.requester.id,
      locale: 'ja',
    });
    // The description is the first, public comment.
    expect(ticket.comments.map((c) => [c.body, c.public, c.via])).toEqual([['It smokes since this morning', true, 'slack']]);
    expect(ticket.threadLinks.map((l) => [l.platform, l.workspaceId, l.chatId, l.threadRef, l.locale, l.status])).toEqual([
      ['slack', TEAM, channel, source.ts, 'ja', 'active'],
    ]);

    // The sync engine posts the confirmation in the thread: number, link, status, in Kenji's language.
    const [confirmation] = await s.botReplies(channel, source.ts, 1);
    expect(confirmation!.text).toBe(
      `${t('ja', 'common:ticket.confirmation', { number: ticket.number, subject: 'Printer on fire', status: t('ja', 'common:status.new') })} ${PUBLIC_URL}/tickets/${ticket.number}`,
    );
    expect(JSON.stringify(confirmation!.blocks)).toContain(`<${PUBLIC_URL}/tickets/${ticket.number}|`);
    await waitFor(async () => (await s.db.delivery.count({ where: { threadLink: { ticketId: ticket.id }, status: 'sent' } })) === 1);
    const delivery = await s.db.delivery.findFirstOrThrow({ where: { threadLink: { ticketId: ticket.id } }, include: { outboxEvent: true } });
    expect(delivery).toMatchObject({ status: 'sent', platformMessageId: confirmation!.ts, attempts: 1 });
    expect(delivery.outboxEvent.type).toBe('ticket.created');
    expect(confirmation!.metadata).toEqual({ event_type: 'ticket_delivery', event_payload: { key: `delivery-${delivery.id}` } });
  });

  it('the same reaction on a message that has a ticket shows the existing ticket and creates nothing', async () => {
    const channel = s.channel();
    const source = s.fake.addMessage(channel, { user: ALICE, text: 'VPN is down for the whole office' });
    const view = await s.openForm(channel, ALICE, (await s.react(channel, source.ts, ALICE)).prompt);
    await s.inbound.interaction(submission(view, ALICE, ticketFormValues({ subject: 'VPN is down', description: 'since 9am, all of us' })));
    const ticket = await s.ticketOf(channel, source.ts);
    await s.botReplies(channel, source.ts, 1);

    const viewsBefore = s.fake.callsTo('views.open').length;
    const { prompt: notice } = await s.react(channel, source.ts, OLGA);
    // Olga reads Russian: the notice names the existing request, its status and its link.
    expect(notice).toMatchObject({ channel, user: OLGA, thread_ts: source.ts });
    expect(notice.text).toBe(
      `${t('ru', 'slack:reaction.exists', { number: ticket.number, subject: 'VPN is down', status: t('ru', 'common:status.new') })} ${PUBLIC_URL}/tickets/${ticket.number}`,
    );
    expect(notice.blocks).not.toContainEqual(expect.objectContaining({ type: 'actions' }));
    expect(s.fake.callsTo('views.open')).toHaveLength(viewsBefore);
    expect(await s.db.ticket.count({ where: { sourceUrl: { contains: channel } } })).toBe(1);
    // Nothing new reached the thread either: still only the confirmation.
    expect(s.fake.botReplies(channel, source.ts)).toHaveLength(1);
  });

  it('two forms opened on one message and both submitted make one ticket; the second person is shown it', async () => {
    const channel = s.channel();
    const source = s.fake.addMessage(channel, { user: ALICE, text: 'Wi-Fi drops every ten minutes' });
    const first = await s.openForm(channel, ALICE, (await s.react(channel, source.ts, ALICE)).prompt);
    const second = await s.openForm(channel, OLGA, (await s.react(channel, source.ts, OLGA)).prompt);
    await s.inbound.interaction(submission(first, ALICE, ticketFormValues({ subject: 'Wi-Fi drops', description: 'every ten minutes' })));
    const ticket = await s.ticketOf(channel, source.ts);
    const before = s.fake.ephemerals.length;
    await s.inbound.interaction(submission(second, OLGA, ticketFormValues({ subject: 'Wi-Fi', description: 'drops all the time' })));
    await s.inboundDone(`view:${TEAM}:${second.id}`);
    expect(await s.db.ticket.count({ where: { sourceKey: `slack:${TEAM}:${channel}:${source.ts}` } })).toBe(1);
    expect(s.fake.ephemerals.slice(before)).toEqual([
      expect.objectContaining({ user: OLGA, thread_ts: source.ts, text: expect.stringContaining(`#${ticket.number}`) }),
    ]);
  });
});

describe('who a request is filed for, and what others learn of it (real service)', () => {
  it('a form cannot file in another customer\'s name: an email field added to the submission is ignored', async () => {
    const channel = s.channel();
    const source = s.fake.addMessage(channel, { user: ALICE, text: 'Reset the CEO password please' });
    const view = await s.openForm(channel, OLGA, (await s.react(channel, source.ts, OLGA)).prompt);
    const res = await s.inbound.interaction(
      submission(view, OLGA, ticketFormValues({ subject: 'Password reset', description: 'Reset the password of the CEO, please', forgedEmail: 'ceo@example.com' })),
    );
    expect(res.status).toBe(200);
    const ticket = await s.ticketOf(channel, source.ts);
    expect(ticket.requester.email).toBe('olga@example.ru');
    expect(ticket.submitter.email).toBe('olga@example.ru');
    expect(await s.db.user.count({ where: { email: 'ceo@example.com' } })).toBe(0);
  });

  it('a second person reacting on a message whose ticket was made private learns nothing of it', async () => {
    const channel = s.channel();
    const { ticket, root } = await s.ticketByReaction(channel, 'Payroll shows everyone\'s salary');
    expect((await s.api('PATCH', `/tickets/${ticket.number}`, { visibility: 'private' })).status).toBe(200);
    const { prompt: notice } = await s.react(channel, root, OLGA);
    expect(notice).toMatchObject({ user: OLGA, thread_ts: root, text: t('ru', 'common:chat.request_exists_hidden') });
    const shown = JSON.stringify(notice);
    expect(shown).not.toContain(`#${ticket.number}`);
    expect(shown).not.toContain('Payroll');
    expect(shown).not.toContain('/tickets/');
    expect(await s.db.ticket.count({ where: { sourceKey: { contains: channel } } })).toBe(1);
  });
});

describe('reactions that start nothing (real service)', () => {
  it('another emoji, or the ticket emoji on the bot\'s own message, shows nothing; a skin-tone variant counts', async () => {
    const channel = s.channel();
    const source = s.fake.addMessage(channel, { user: ALICE, text: 'thanks, all good now' });
    const botPost = s.fake.workspace.addMessage(channel, { user: 'UBOT', bot_id: 'BBOT', app_id: 'A0001', text: 'Request #99 has been created.' });
    const thumbs = reactionAdded({ channel, ts: source.ts, user: KENJI, reaction: 'thumbsup' });
    const onBot = reactionAdded({ channel, ts: botPost.ts, user: KENJI });
    for (const ev of [thumbs, onBot]) {
      expect((await s.inbound.event(ev)).status).toBe(200);
      await s.inboundDone(ev.event_id);
    }
    expect(s.fake.ephemerals.filter((e) => e.channel === channel)).toHaveLength(0);

    const skinTone = reactionAdded({ channel, ts: source.ts, user: ALICE, reaction: 'ticket::skin-tone-3' });
    await s.inbound.event(skinTone);
    await s.inboundDone(skinTone.event_id);
    expect(s.fake.ephemerals.filter((e) => e.channel === channel)).toEqual([expect.objectContaining({ user: ALICE, thread_ts: source.ts })]);
    expect(await s.db.ticket.count({ where: { sourceKey: { contains: channel } } })).toBe(0);
  });
});

describe('/assist (real service)', () => {
  async function assist(channel: string, user: string, text: string): Promise<FakeView> {
    const before = s.fake.views.length;
    const res = await s.inbound.command(assistCommand({ channel, user, text, triggerId: s.fake.issueTrigger() }));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(s.fake.views).toHaveLength(before + 1);
    return s.fake.views.at(-1)!;
  }

  async function submitAndFindRequest(channel: string, user: string, view: FakeView, values: Parameters<typeof ticketFormValues>[0]) {
    const before = s.fake.messages(channel).length;
    const res = await s.inbound.interaction(submission(view, user, ticketFormValues(values)));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await s.inboundDone(`view:${TEAM}:${view.id}`);
    const posted = s.fake.messages(channel).slice(before).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    expect(posted).toHaveLength(1);
    return posted[0]!;
  }

  it('/assist <text> opens the form prefilled with the description; submit posts the request and its thread becomes the ticket\'s', async () => {
    const channel = s.channel();
    const view = await assist(channel, ALICE, 'the printer on floor 3 is on fire');
    expect(inputElement(view, 'description_block')['initial_value']).toBe('the printer on floor 3 is on fire');
    // The core's draft suggests the subject from the text's first line.
    expect(inputElement(view, 'subject_block')['initial_value']).toBe('the printer on floor 3 is on fire');
    expect(filedAs(view)).toBe(t('en', 'slack:form.filed_as', { email: 'alice@example.com' }));
    // The modal carries the draft's id; the draft knows where /assist ran. Opening the form records no event.
    const { d: draftId } = JSON.parse(String(view.view['private_metadata']));
    expect(await s.db.requestDraft.findUniqueOrThrow({ where: { id: draftId } })).toMatchObject({ chatId: channel, platformUserId: ALICE, ticketNumber: null });
    expect(await s.db.inboundEvent.count({ where: { externalId: { contains: view.id } } })).toBe(0);

    const request = await submitAndFindRequest(channel, ALICE, view, {
      subject: 'Printer on fire',
      description: 'the printer on floor 3 is on fire',
      priority: 'urgent',
    });
    expect(request.user).toBe('UBOT');
    expect(request.text).toBe(t('en', 'slack:assist.request', { user: `<@${ALICE}>`, subject: 'Printer on fire' }));
    expect(JSON.stringify(request.blocks)).toContain('>the printer on floor 3 is on fire');

    const ticket = await s.ticketOf(channel, request.ts);
    expect(ticket).toMatchObject({ subject: 'Printer on fire', priority: 'urgent', via: 'slack', description: 'the printer on floor 3 is on fire' });
    expect(ticket.sourceUrl).toBe(`https://acme.slack.com/archives/${channel}/p${request.ts.replace('.', '')}`);
    expect(ticket.requester.email).toBe('alice@example.com');
    expect(ticket.threadLinks.map((l) => [l.chatId, l.threadRef])).toEqual([[channel, request.ts]]);
    // The request carries its draft in its metadata (a retry finds it there instead of posting it again).
    expect(request.metadata).toEqual({ event_type: 'ticket_request', event_payload: { draft: draftId } });
    expect(await s.db.requestDraft.findUniqueOrThrow({ where: { id: draftId } })).toMatchObject({ ticketNumber: ticket.number });

    const [confirmation] = await s.botReplies(channel, request.ts, 1);
    expect(confirmation!.text).toContain(`#${ticket.number}`);
    expect(confirmation!.text).toContain(`${PUBLIC_URL}/tickets/${ticket.number}`);
    expect(confirmation!.text).toContain(t('en', 'common:status.new'));
  });

  it('/assist without text opens an empty form in the person\'s language; what they type becomes the ticket', async () => {
    const channel = s.channel();
    const view = await assist(channel, OLGA, '');
    expect(inputElement(view, 'description_block')['initial_value']).toBeUndefined();
    expect(view.view['title']).toMatchObject({ text: t('ru', 'common:form.title') });
    expect(view.view['submit']).toMatchObject({ text: t('ru', 'common:action.submit') });

    const request = await submitAndFindRequest(channel, OLGA, view, { subject: 'Нет доступа к почте', description: 'Не могу войти в почту с утра' });
    expect(request.text).toBe(t('ru', 'slack:assist.request', { user: `<@${OLGA}>`, subject: 'Нет доступа к почте' }));
    const ticket = await s.ticketOf(channel, request.ts);
    expect(ticket.requester).toMatchObject({ email: 'olga@example.ru', role: 'end_user' });
    expect(ticket.submitter.email).toBe('olga@example.ru');
    const [confirmation] = await s.botReplies(channel, request.ts, 1);
    expect(confirmation!.text).toContain(t('ru', 'common:status.new'));
  });

  it('a submission Slack delivers twice (same view) is recorded once and makes one ticket', async () => {
    const channel = s.channel();
    const view = await assist(channel, ALICE, 'the disk is full again');
    const body = submission(view, ALICE, ticketFormValues({ subject: 'Disk', description: 'the disk is full again' }));
    expect((await s.inbound.interaction(body)).status).toBe(200);
    expect((await s.inbound.interaction(body)).status).toBe(200);
    await s.inboundDone(`view:${TEAM}:${view.id}`);
    expect(await s.db.inboundEvent.count({ where: { externalId: `view:${TEAM}:${view.id}` } })).toBe(1);
    const requests = requestsIn(channel);
    expect(requests).toHaveLength(1);
    expect(await s.db.ticket.count({ where: { sourceKey: { contains: channel } } })).toBe(1);
  });

  it('a Slack 5xx while posting the request is retried in the same conversation, and posts it once', async () => {
    const channel = s.channel();
    const view = await assist(channel, KENJI, 'プリンターが動きません');
    s.fake.failNext('chat.postMessage', 1, { kind: 'http', status: 500 }, channel);
    await s.inbound.interaction(submission(view, KENJI, ticketFormValues({ subject: 'プリンター', description: 'プリンターが朝から動きません' })));
    const row = await s.inboundDone(`view:${TEAM}:${view.id}`);
    expect(row.attempts).toBe(1);
    const requests = requestsIn(channel);
    expect(requests).toHaveLength(1);
    const ticket = await s.ticketOf(channel, requests[0]!.ts);
    expect(ticket.threadLinks.map((l) => [l.chatId, l.locale])).toEqual([[channel, 'ja']]);
  });

  it('an answer lost after Slack posted the request: the retry finds the request by its draft and posts nothing more', async () => {
    const channel = s.channel();
    const view = await assist(channel, OLGA, 'принтер не печатает с утра');
    s.fake.failNext('chat.postMessage', 1, { kind: 'lost_answer', status: 502 }, channel);
    await s.inbound.interaction(submission(view, OLGA, ticketFormValues({ subject: 'Принтер', description: 'принтер не печатает с утра' })));
    const row = await s.inboundDone(`view:${TEAM}:${view.id}`);
    expect(row.attempts).toBe(1);
    const requests = requestsIn(channel);
    expect(requests).toHaveLength(1);
    const ticket = await s.ticketOf(channel, requests[0]!.ts);
    expect(ticket.threadLinks.map((l) => [l.chatId, l.threadRef])).toEqual([[channel, requests[0]!.ts]]);
  });

  it('where the bot is not a member, the request goes to the person\'s direct chat with the app', async () => {
    const channel = 'C0PRIVATE';
    s.fake.addChannel({ id: channel, members: [ALICE], botMember: false });
    const view = await assist(channel, ALICE, 'need a new keyboard');
    const res = await s.inbound.interaction(
      submission(view, ALICE, ticketFormValues({ subject: 'Keyboard', description: 'need a new keyboard, keys stick' })),
    );
    expect(res.status).toBe(200);
    await s.inboundDone(`view:${TEAM}:${view.id}`);
    expect(s.fake.messages(channel)).toHaveLength(0);
    const link = await s.db.chatThreadLink.findFirstOrThrow({ where: { platform: 'slack', chatId: { startsWith: 'D' } } });
    expect(link.chatId).toBe(`D${ALICE.slice(1)}`);
    expect(s.fake.messages(link.chatId).map((m) => m.ts)).toContain(link.threadRef);
    await s.botReplies(link.chatId, link.threadRef, 1);
  });

  it('an expired trigger_id answers the command with an ephemeral error instead of failing silently', async () => {
    const channel = s.channel();
    const triggerId = s.fake.issueTrigger();
    s.fake.expireTrigger(triggerId);
    const res = await s.inbound.command(assistCommand({ channel, user: KENJI, text: 'help', triggerId }));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ response_type: 'ephemeral', text: t('ja', 'common:error.generic') });
  });
});

describe('form errors are shown in the form (real service)', () => {
  it('an empty subject comes back as a block error, in the person\'s language; nothing is recorded', async () => {
    const channel = s.channel();
    const source = s.fake.addMessage(channel, { user: ALICE, text: 'Laptop will not boot' });
    const view = await s.openForm(channel, OLGA, (await s.react(channel, source.ts, OLGA)).prompt);
    const inboundBefore = await s.db.inboundEvent.count();

    const res = await s.inbound.interaction(submission(view, OLGA, ticketFormValues({ subject: '   ', description: 'black screen after the logo' })));
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('application/json');
    expect(res.json()).toEqual({
      response_action: 'errors',
      errors: { subject_block: t('ru', 'common:error.subject_required') },
    });
    expect(await s.db.inboundEvent.count()).toBe(inboundBefore);
    expect(await s.db.ticket.count({ where: { sourceKey: { contains: channel } } })).toBe(0);
  });

  it('a description shorter than the core\'s minimum is shown on the description field', async () => {
    const channel = s.channel();
    const view = await assist(channel, ALICE, '');
    const inboundBefore = await s.db.inboundEvent.count();
    const res = await s.inbound.interaction(submission(view, ALICE, ticketFormValues({ subject: 'Help', description: 'broken' })));
    expect(res.json()).toEqual({
      response_action: 'errors',
      errors: { description_block: t('en', 'common:error.description_too_short', { min: s.service.chat.minDescriptionLength }) },
    });
    expect(t('en', 'common:error.description_too_short', { min: 10 })).toContain('10');
    expect(await s.db.inboundEvent.count()).toBe(inboundBefore);
    expect(s.fake.messages(channel)).toHaveLength(0);
  });

  async function assist(channel: string, user: string, text: string): Promise<FakeView> {
    const res = await s.inbound.command(assistCommand({ channel, user, text, triggerId: s.fake.issueTrigger() }));
    expect(res.status).toBe(200);
    return s.fake.views.at(-1)!;
  }
});
