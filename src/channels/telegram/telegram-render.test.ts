import { describe, expect, it } from 'vitest';
import { parseTelegramHtml } from '../../../test/fakes/telegram/telegram-fake-html.ts';
import type { RequestDraft } from '../../core/chat/chat-messages.ts';
import { registerMessages } from '../../i18n/catalog.ts';
import { telegramMessages } from '../../i18n/messages/telegram.ts';
import { isRefusal, noticeText, render, type RenderOptions } from './telegram-render.ts';

registerMessages('telegram', telegramMessages);

const ticket = { number: 123456789, subject: 'Printer <on> fire & smoke', status: 'solved' as const, priority: 'high' as const, url: 'https://desk.example/tickets/123456789?a=1&b="2"' };
const o = (over: Partial<RenderOptions> = {}): RenderOptions => ({ locale: 'en', bot: 'ticket_bot', where: 'direct', fromGroup: false, name: 'Stan', ...over });
const read = (html: string) => {
  const r = parseTelegramHtml(html);
  if (!r.ok) throw new Error(`${r.description}: ${html}`);
  return r;
};
const labels = (k?: { text: string }[][]) => k?.map((row) => row.map((b) => b.text));

describe('render', () => {
  it('the confirmation shows number, subject and status literally, and links the ticket', () => {
    const r = read(render({ kind: 'ticket_confirmation', ticket }, o({ locale: 'ja' })).html);
    expect(r.text).toBe('リクエスト #123456789「Printer <on> fire & smoke」を作成しました。ステータス: 解決済み。\nリクエスト #123456789 を開く');
    expect(r.entities).toEqual([expect.objectContaining({ type: 'text_link', url: ticket.url })]);
  });

  it('the rating prompt has 1-5, return to work and view', () => {
    expect(labels(render({ kind: 'rating_prompt', ticket }, o({ locale: 'ru' })).keyboard)).toEqual([['1 ⭐', '2 ⭐', '3 ⭐', '4 ⭐', '5 ⭐'], ['Вернуть в работу'], ['Просмотреть заявку']]);
  });

  it('a request step by step: service, description, priority, then the summary to submit; Cancel on each', () => {
    const draft: RequestDraft = { id: '0f8fad5b-d9cb-469f-a165-70867728950e', subject: 'VPN', description: 'VPN <drops> hourly', priority: 'high', serviceId: 's2', priorityChosen: true, serviceChosen: true, requesterEmail: null };
    const services = [{ id: 's1', name: 'General' }, { id: 's2', name: 'Billing & Payments' }];
    const step = (s: 'service' | 'description' | 'priority' | 'confirm') => render({ kind: 'request_form', draft, services, step: s, minDescriptionLength: 10 }, o());
    expect(labels(step('service').keyboard)).toEqual([['General'], ['Billing & Payments'], ['Cancel']]);
    expect(read(step('description').html).text).toBe('Service: Billing & Payments\nDescribe the problem (at least 10 characters).');
    expect(labels(step('priority').keyboard)).toEqual([['Low', 'Normal'], ['High', 'Urgent'], ['Cancel']]);
    expect(read(step('confirm').html).text).toBe('Your request\nService: Billing & Payments\nPriority: High\nDescription:\nVPN <drops> hourly');
    expect(labels(step('confirm').keyboard)).toEqual([['Submit request', 'Cancel']]);
  });

  it("says Telegram's way of registering wherever the core says the person is not registered", () => {
    const m = { kind: 'notice' as const, key: 'common:error.not_registered' };
    expect(read(render(m, o()).html).text).toContain('send "/start <code>" here');
    expect(read(render(m, o({ where: 'group' })).html).text).toBe('Stan, please register with me in a private chat first: open t.me/ticket_bot and send /start with your code.');
    expect(noticeText(m, o())).toBe('Please register first: send /start with your code in a private chat with @ticket_bot.');
    expect(read(render({ kind: 'notice', key: 'common:error.description_too_short' }, o({ fromGroup: true })).html).text).toContain('when you mention @ticket_bot');
  });

  it('refusals are alerts; other brief answers are toasts', () => {
    expect(isRefusal({ kind: 'notice', key: 'common:error.ticket_not_found' })).toBe(true);
    expect(isRefusal({ kind: 'notice', key: 'common:chat.config_admins_only' })).toBe(true);
    expect(isRefusal({ kind: 'notice', key: 'telegram:error.button_unknown' })).toBe(true);
    expect(isRefusal({ kind: 'notice', key: 'common:rating.thanks' })).toBe(false);
  });

  it('an empty ticket list has no buttons; a private ticket a message has is never named', () => {
    expect(render({ kind: 'ticket_list', tickets: [] }, o())).toEqual({ html: 'You have no open requests.' });
    expect(render({ kind: 'request_exists', ticket: null }, o()).html).toBe('This message is already being handled by support.');
  });
});
