import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encryptLarkPayload, signV2 } from '../../fakes/lark/lark-fake-events.ts';
import { LarkHarness } from '../../helpers/lark/lark-harness.ts';
import { mentionInGroup, seedWorld, type World } from '../../helpers/lark/lark-flows.ts';

const ENCRYPT_KEY = 'enc-key-0123456789';

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, text: await res.text() };
}

describe('Lark: requests with an encrypt key configured', () => {
  let h: LarkHarness;
  let w: World;
  beforeEach(async () => {
    h = await new LarkHarness({ encryptKey: ENCRYPT_KEY }).start();
    w = seedWorld(h);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('accepts an encrypted, correctly signed event and records it under its event id', async () => {
    const { body } = h.inbound.userMessage({ from: w.alice, chatId: w.group.chat_id, text: 'help', mentionBot: true });
    const res = await h.inbound.deliver(h.eventsUrl, body, { encrypt: true });
    expect(res.status).toBe(200);
    expect(h.inbox.rows.map((r) => r.externalId)).toEqual([(body['header'] as { event_id: string }).event_id]);
    // the verification token is not kept in the stored payload
    expect(JSON.stringify(h.inbox.rows[0]!.payload)).not.toContain(h.verificationToken);
  });

  it.each([
    ['a wrong signature', { tamper: 'signature' as const }],
    ['a body changed after signing', { tamper: 'body-after-signing' as const }],
    ['no signature headers', { sign: false }],
  ])('rejects %s with 401 and stores nothing', async (_name, opts) => {
    const { body } = h.inbound.userMessage({ from: w.alice, chatId: w.group.chat_id, text: 'help', mentionBot: true });
    const res = await h.inbound.deliver(h.eventsUrl, body, { encrypt: true, ...opts });
    expect(res.status).toBe(401);
    expect(h.inbox.calls).toBe(0);
  });

  it('rejects a body that does not decrypt (signed correctly over the broken ciphertext) with 401', async () => {
    const raw = JSON.stringify({ encrypt: Buffer.from('x'.repeat(47)).toString('base64') });
    const ts = '1700000000';
    const res = await post(h.eventsUrl, raw, {
      'x-lark-request-timestamp': ts,
      'x-lark-request-nonce': 'n1',
      'x-lark-signature': signV2(ts, 'n1', ENCRYPT_KEY, raw),
    });
    expect(res.status).toBe(401);
    expect(h.inbox.calls).toBe(0);
  });

  it('rejects an event encrypted with another key with 401', async () => {
    const { body } = h.inbound.userMessage({ from: w.alice, chatId: w.group.chat_id, text: 'help', mentionBot: true });
    const raw = JSON.stringify({ encrypt: encryptLarkPayload(JSON.stringify(body), 'some-other-key') });
    const res = await post(h.eventsUrl, raw, {
      'x-lark-request-timestamp': '1700000000',
      'x-lark-request-nonce': 'n2',
      'x-lark-signature': signV2('1700000000', 'n2', ENCRYPT_KEY, raw),
    });
    expect(res.status).toBe(401);
    expect(h.inbox.calls).toBe(0);
  });

  it('rejects a plaintext event with 401 even when its token is right (Lark would have signed it)', async () => {
    const { body } = h.inbound.userMessage({ from: w.alice, chatId: w.group.chat_id, text: 'help', mentionBot: true });
    const res = await h.inbound.deliver(h.eventsUrl, body, { encrypt: false, sign: false });
    expect(res.status).toBe(401);
    expect(h.inbox.calls).toBe(0);
  });

  it('rejects a correctly encrypted and signed event whose verification token is wrong', async () => {
    const { body } = h.inbound.userMessage({ from: w.alice, chatId: w.group.chat_id, text: 'help', mentionBot: true });
    (body['header'] as Record<string, unknown>)['token'] = 'WRONG-TOKEN';
    const res = await h.inbound.deliver(h.eventsUrl, body, { encrypt: true });
    expect(res.status).toBe(401);
    expect(h.inbox.calls).toBe(0);
  });

  it('answers an encrypted url_verification with the challenge, signed or not', async () => {
    const signed = await h.inbound.deliver(h.eventsUrl, h.inbound.urlVerification('ch-1'), { encrypt: true });
    expect(signed.status).toBe(200);
    expect(signed.json).toEqual({ challenge: 'ch-1' });
    const unsigned = await h.inbound.deliver(h.cardsUrl, h.inbound.urlVerification('ch-2'), { encrypt: true, sign: false });
    expect(unsigned.json).toEqual({ challenge: 'ch-2' });
    const wrong = await h.inbound.deliver(h.eventsUrl, h.inbound.urlVerification('ch-3', 'WRONG'), { encrypt: true });
    expect(wrong.status).toBe(401);
    expect(h.inbox.calls).toBe(0);
  });

  it('rejects a card callback with a bad signature before it reaches the core', async () => {
    const { form } = await mentionInGroup(h, w, 'printer is on fire on floor 3');
    const calls = h.inbox.calls;
    const { body } = h.inbound.cardAction({ from: w.alice, cardMessageId: form.message_id, value: { op: 'create_ticket' } });
    const res = await h.inbound.deliver(h.eventsUrl, body, { encrypt: true, tamper: 'signature' });
    expect(res.status).toBe(401);
    expect(h.inbox.calls).toBe(calls);
  });
});

describe('Lark: requests without an encrypt key', () => {
  let h: LarkHarness;
  let w: World;
  beforeEach(async () => {
    h = await new LarkHarness().start();
    w = seedWorld(h);
  });
  afterEach(async () => {
    await h.stop();
  });

  it('answers the plain url_verification and rejects one with a wrong token', async () => {
    const ok = await h.inbound.deliver(h.eventsUrl, h.inbound.urlVerification('plain-ch'));
    expect(ok).toMatchObject({ status: 200, json: { challenge: 'plain-ch' } });
    const bad = await h.inbound.deliver(h.eventsUrl, h.inbound.urlVerification('plain-ch', 'WRONG'));
    expect(bad.status).toBe(401);
  });

  it('checks the verification token of every event (the SDK alone would not)', async () => {
    const { body } = h.inbound.userMessage({ from: w.alice, chatId: w.group.chat_id, text: 'help', mentionBot: true });
    (body['header'] as Record<string, unknown>)['token'] = 'WRONG-TOKEN';
    expect((await h.inbound.deliver(h.eventsUrl, body)).status).toBe(401);
    delete (body['header'] as Record<string, unknown>)['token'];
    expect((await h.inbound.deliver(h.eventsUrl, body)).status).toBe(401);
    expect(h.inbox.calls).toBe(0);
  });

  it('records a duplicate delivery once, answers both with 200 and processes it once', async () => {
    const { body } = h.inbound.userMessage({ from: w.alice, chatId: w.group.chat_id, text: 'printer is on fire', mentionBot: true });
    const a = await h.inbound.deliver(h.eventsUrl, body);
    const b = await h.inbound.deliver(h.eventsUrl, body);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(h.inbox.calls).toBe(2);
    expect(h.inbox.rows).toHaveLength(1);
    await h.settle();
    expect(h.fake.ephemeralsFor(w.group.chat_id, w.alice.open_id)).toHaveLength(1);
  });

  it('answers 503 while the inbox cannot record (so Lark retries), then accepts the retry', async () => {
    const { body } = h.inbound.userMessage({ from: w.alice, chatId: w.group.chat_id, text: 'printer is on fire', mentionBot: true });
    h.inbox.failNext = true;
    expect((await h.inbound.deliver(h.eventsUrl, body)).status).toBe(503);
    expect(h.inbox.rows).toHaveLength(0);
    expect((await h.inbound.deliver(h.eventsUrl, body)).status).toBe(200);
    expect(h.inbox.rows).toHaveLength(1);
  });

  it('acknowledges event types it does not handle without recording them', async () => {
    const res = await h.inbound.deliver(h.eventsUrl, {
      schema: '2.0',
      header: { event_id: 'ev-other', event_type: 'im.chat.member.bot.added_v1', token: h.verificationToken, tenant_key: h.fake.tenantKey },
      event: { chat_id: w.group.chat_id },
    });
    expect(res.status).toBe(200);
    expect(h.inbox.calls).toBe(0);
  });

  it('answers malformed bodies with 400 and oversized ones with 413, never 5xx', async () => {
    expect((await post(h.eventsUrl, '{"schema":"2.0",')).status).toBe(400);
    expect((await post(h.eventsUrl, '[1,2,3]')).status).toBe(400);
    expect((await post(h.eventsUrl, '"just a string"')).status).toBe(400);
    expect((await post(h.eventsUrl, '{}')).status).toBe(400);
    expect((await post(h.eventsUrl, '{"schema":"2.0","header":{"event_id":"x"},"event":{}}')).status).toBe(400);
    expect((await post(h.eventsUrl, '{"encrypt":42}')).status).toBe(400);
    expect((await post(h.eventsUrl, '')).status).toBe(400);
    expect((await post(h.eventsUrl, 'hello', { 'content-type': 'text/plain' })).status).toBe(400);
    const big = JSON.stringify({ schema: '2.0', header: {}, event: { pad: 'x'.repeat(1024 * 1024) } });
    expect((await post(h.eventsUrl, big)).status).toBe(413);
    const junkBodies = [
      'null',
      'true',
      '{"encrypt":""}',
      '{"type":"url_verification"}',
      '{"action":{}}',
      '\u0000\u0001',
      '{"__proto__":{"schema":"2.0"},"open_id":"ou","open_message_id":"om","token":"c","action":{"value":{}}}',
    ];
    for (const junk of junkBodies) {
      const res = await post(h.cardsUrl, junk);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(h.inbox.calls).toBe(0);
  });

  it('verifies legacy card callbacks on /lark/cards by their SHA-1 signature', async () => {
    const { form } = await mentionInGroup(h, w, 'printer is on fire on floor 3');
    const calls = h.inbox.calls;
    const { body } = h.inbound.legacyCardAction({ from: w.alice, cardMessageId: form.message_id, value: { op: 'reopen', n: '1', loc: 'en' }, formValue: { reason: 'still broken' } });
    const bad = await h.inbound.deliver(h.cardsUrl, body, { legacySign: true, tamper: 'signature' });
    expect(bad.status).toBe(401);
    const unsigned = await h.inbound.deliver(h.cardsUrl, body);
    expect(unsigned.status).toBe(401);
    expect(h.inbox.calls).toBe(calls);
    const good = await h.inbound.deliver(h.cardsUrl, body, { legacySign: true });
    expect(good.status).toBe(200);
    expect(h.inbox.rows.at(-1)!.externalId).toBe(`card:${String(body['token'])}`);
  });
});
