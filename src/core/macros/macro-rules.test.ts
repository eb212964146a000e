import { describe, expect, it } from 'vitest';
import { assertMacroDoesSomething, renderMacroBody } from './macro-rules.ts';

const ctx = { ticket: { number: 42, subject: 'VPN' }, requester: { name: 'Ольга', email: 'olga@x.example' }, agent: { name: '佐藤' } };
const none = { body: null, status: null, priority: null, assigneeId: null, assignToSelf: false, addTags: [], removeTags: [] };

describe('macro bodies', () => {
  it('fills in the ticket and the people', () => {
    expect(renderMacroBody('Hello {{requester.name}}, about #{{ ticket.number }} ({{ticket.subject}}). — {{agent.name}}', ctx)).toBe('Hello Ольга, about #42 (VPN). — 佐藤');
  });
  it('leaves unknown placeholders as typed', () => {
    expect(renderMacroBody('{{requester.phone}} {{x}}', ctx)).toBe('{{requester.phone}} {{x}}');
  });
});

describe('what a macro must do', () => {
  it('refuses a macro that does nothing', () => expect(() => assertMacroDoesSomething(none)).toThrow(/needs a reply/));
  it('accepts one change or a reply', () => {
    expect(() => assertMacroDoesSomething({ ...none, addTags: ['x'] })).not.toThrow();
    expect(() => assertMacroDoesSomething({ ...none, body: 'hi' })).not.toThrow();
  });
  it('refuses two assignees', () => expect(() => assertMacroDoesSomething({ ...none, assigneeId: 'a', assignToSelf: true })).toThrow(/not both/));
});
