import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { messageReceiveSchema } from './lark-schemas.ts';
import { extractMessage } from './lark-text.ts';

function fixtureMessage(name: string) {
  const raw: unknown = JSON.parse(readFileSync(new URL(`../../../test/fixtures/lark/${name}.json`, import.meta.url), 'utf8'));
  const env = raw as { header: Record<string, unknown>; event: Record<string, unknown> };
  // the shape the SDK's dispatcher hands over: header and event flattened
  return messageReceiveSchema.parse({ schema: '2.0', ...env.header, ...env.event }).message;
}

const base = { botOpenId: 'ou_bot1', domain: 'https://open.larksuite.com' };

describe('extractMessage', () => {
  it('drops the bot mention and sees that the bot was mentioned', () => {
    const m = fixtureMessage('im-message-receive-group-mention');
    const out = extractMessage({ ...base, messageId: m.message_id, messageType: m.message_type, content: m.content, mentions: m.mentions ?? [] });
    expect(out).toEqual({ text: 'printer is on fire', files: [], mentionsBot: true });
  });

  it('names other mentioned people and @all', () => {
    const out = extractMessage({
      ...base,
      messageId: 'om_1',
      messageType: 'text',
      content: JSON.stringify({ text: '@_user_1 @_user_2 please look @_all' }),
      mentions: [
        { key: '@_user_1', id: { open_id: 'ou_bot1' }, name: 'TicketBot' },
        { key: '@_user_2', id: { open_id: 'ou_x' }, name: 'Bob' },
      ],
    });
    expect(out.text).toBe('@Bob please look @all');
    expect(out.mentionsBot).toBe(true);
  });

  it('flattens rich text and turns images into resource links', () => {
    const m = fixtureMessage('im-message-receive-thread-reply');
    const out = extractMessage({ ...base, messageId: m.message_id, messageType: m.message_type, content: m.content, mentions: [] });
    expect(out.text).toBe('still broken, see the photo log (https://example.com/log)');
    expect(out.files).toEqual([
      { name: 'image-img_v2_041b28e3', url: `https://open.larksuite.com/open-apis/im/v1/messages/${m.message_id}/resources/img_v2_041b28e3?type=image` },
    ]);
    expect(out.mentionsBot).toBe(false);
  });

  it('links files by name and tolerates content that is not what its type says', () => {
    const file = extractMessage({ ...base, messageId: 'om_2', messageType: 'file', content: '{"file_key":"file_v2_1","file_name":"log.txt"}', mentions: [] });
    expect(file.files).toEqual([{ name: 'log.txt', url: 'https://open.larksuite.com/open-apis/im/v1/messages/om_2/resources/file_v2_1?type=file' }]);
    const broken = extractMessage({ ...base, messageId: 'om_3', messageType: 'text', content: 'not json', mentions: [] });
    expect(broken).toEqual({ text: '', files: [], mentionsBot: false });
    const sticker = extractMessage({ ...base, messageId: 'om_4', messageType: 'sticker', content: '{"file_key":"s"}', mentions: [] });
    expect(sticker).toEqual({ text: '', files: [], mentionsBot: false });
  });
});
