import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventChatKey } from './lark-schemas.ts';

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../../test/fixtures/lark/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('the inbox ordering key of a Lark event', () => {
  it('is tenant and chat for messages, recalls and card actions, in both callback shapes', () => {
    const chat = '736588c9260f175d:oc_5ce6d572455d361153b7xx51da133945';
    expect(eventChatKey(fixture('im-message-receive-group-mention'))).toBe(chat);
    expect(eventChatKey(fixture('im-message-receive-thread-reply'))).toBe(chat);
    expect(eventChatKey(fixture('im-message-recalled'))).toBe(chat);
    expect(eventChatKey(fixture('card-action-legacy'))).toBe(chat);
    const trigger = fixture('card-action-trigger-form');
    expect(eventChatKey({ ...trigger, header: { event_id: 'e', event_type: 'card.action.trigger', tenant_key: 'tk' } })).toMatch(/^tk:oc_/);
  });

  it('is absent when the event names no chat, or is not an object', () => {
    expect(eventChatKey({ schema: '2.0', header: { event_id: 'e', event_type: 'x' }, event: {} })).toBeUndefined();
    expect(eventChatKey(null)).toBeUndefined();
    expect(eventChatKey('text')).toBeUndefined();
  });
});
