import { describe, expect, it } from 'vitest';
import { isOurMailbox, messageIdFor, replyAddress, rootIdFor, tokenFromAddress, tokenFromMessageId } from './mail-ids.ts';

const FROM = 'Support@Help.Example.test';
const TOKEN = '0123456789abcdef0123456789abcdef';

describe('the ticket token in mail', () => {
  it('goes out in the reply address and comes back from it, whatever a relay did to the case', () => {
    expect(replyAddress(FROM, TOKEN)).toBe(`Support+t-${TOKEN}@help.example.test`);
    expect(tokenFromAddress(`support+t-${TOKEN}@HELP.example.test`, FROM)).toBe(TOKEN);
    expect(tokenFromAddress(`SUPPORT+T-${TOKEN.toUpperCase()}@help.example.test`, FROM)).toBe(TOKEN);
  });
  it('is not read from another mailbox, another domain or a short token', () => {
    expect(tokenFromAddress(`sales+t-${TOKEN}@help.example.test`, FROM)).toBeNull();
    expect(tokenFromAddress(`support+t-${TOKEN}@evil.test`, FROM)).toBeNull();
    expect(tokenFromAddress('support+t-0123@help.example.test', FROM)).toBeNull();
    expect(tokenFromAddress(FROM, FROM)).toBeNull();
  });
  it('is in every Message-ID of the ticket, which is stable per delivery', () => {
    const id = messageIdFor('delivery-42', TOKEN, 'help.example.test');
    expect(id).toBe(`<delivery-42.${TOKEN}@help.example.test>`);
    expect(messageIdFor('delivery-42', TOKEN, 'help.example.test')).toBe(id);
    expect(tokenFromMessageId(id, 'help.example.test')).toBe(TOKEN);
    expect(tokenFromMessageId(rootIdFor(TOKEN, 'help.example.test'), 'help.example.test')).toBe(TOKEN);
    expect(tokenFromMessageId(`<x.${TOKEN}@other.test>`, 'help.example.test')).toBeNull();
    expect(tokenFromMessageId('<CAB123@mail.gmail.com>', 'help.example.test')).toBeNull();
  });
  it('knows which addresses are ours to receive', () => {
    expect(isOurMailbox('support@help.example.test', FROM)).toBe(true);
    expect(isOurMailbox(`support+t-${TOKEN}@help.example.test`, FROM)).toBe(true);
    expect(isOurMailbox('sales@help.example.test', FROM)).toBe(false);
    expect(isOurMailbox('support@example.test', FROM)).toBe(false);
  });
});
