import { describe, expect, it } from 'vitest';
import { eventChatKey } from './lark-schemas.ts';

describe('the inbox ordering key of a Lark event', () => {
  it('is tenant and chat for messages, recalls and card actions, in both callback shapes', () => {
    const header = { event_id: 'e1', event_type: 'im.message.receive_v1', tenant_key: 'tk' };
    expect(eventChatKey({ schema: '2.0', header, event: { message: { message_id: 'om_1', chat_id: 'oc_a' } } })).toBe('tk:oc_a');
    expect(eventChatKey({ schema: '2.0', header, event: { message_id: 'om_1', chat_id: 'oc_b' } })).toBe('tk:oc_b');
    expect(eventChatKey({ schema: '2.0', header, event: { operator: { open_id: 'ou_1' }, context: { open_message_id: 'om_2', open_chat_id: 'oc_c' } } })).toBe('tk:oc_c');
    expect(eventChatKey({ open_id: 'ou_1', open_message_id: 'om_3', open_chat_id: 'oc_d', tenant_key: 'tk2', token: 'c-1', action: {} })).toBe('tk2:oc_d');
  });

  it('is absent when the event names no chat, or is not an object', () => {
    expect(eventChatKey({ schema: '2.0', header: { event_id: 'e', event_type: 'x' }, event: {} })).toBeUndefined();
    expect(eventChatKey(null)).toBeUndefined();
    expect(eventChatKey('text')).toBeUndefined();
  });
});
