import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptLarkPayload, larkSignature, legacyCardSignature, storableBody, verifyLarkRequest } from './lark-verify.ts';

const KEY = 'test-encrypt-key';
const TOKEN = 'v3rificati0n';

function encrypt(plain: string, key = KEY): string {
  const iv = Buffer.alloc(16, 7);
  const c = createCipheriv('aes-256-cbc', createHash('sha256').update(key).digest(), iv);
  return Buffer.concat([iv, c.update(plain, 'utf8'), c.final()]).toString('base64');
}

function signed(raw: string, key = KEY) {
  return {
    'x-lark-request-timestamp': '1700000000',
    'x-lark-request-nonce': 'abc',
    'x-lark-signature': larkSignature('1700000000', 'abc', key, raw),
  };
}

const event = {
  schema: '2.0',
  header: { event_id: 'ev1', event_type: 'im.message.receive_v1', token: TOKEN, tenant_key: 'tk' },
  event: { message: {} },
};

describe('larkSignature', () => {
  it('is hex(sha256(timestamp + nonce + key + body)), not an HMAC', () => {
    // independently computed: sha256 of the concatenation "1" + "n" + "k" + "{}"
    const expected = createHash('sha256').update('1nk{}').digest('hex');
    expect(larkSignature('1', 'n', 'k', '{}')).toBe(expected);
    expect(legacyCardSignature('1', 'n', 't', '{}')).toBe(createHash('sha1').update('1nt{}').digest('hex'));
  });
});

describe('decryptLarkPayload', () => {
  it('round-trips what Lark encrypts and refuses a wrong key', () => {
    const enc = encrypt('{"a":1}');
    expect(decryptLarkPayload(enc, KEY)).toBe('{"a":1}');
    expect(() => decryptLarkPayload(enc, 'other')).toThrow();
    expect(() => decryptLarkPayload('AAAA', KEY)).toThrow();
  });
});

describe('verifyLarkRequest with an encrypt key', () => {
  const secrets = { encryptKey: KEY, verificationToken: TOKEN };

  it('accepts an encrypted, signed 2.0 event and exposes its id and type', () => {
    const raw = JSON.stringify({ encrypt: encrypt(JSON.stringify(event)) });
    const r = verifyLarkRequest(Buffer.from(raw), signed(raw), secrets);
    expect(r).toMatchObject({ ok: true, request: { kind: 'v2', eventId: 'ev1', eventType: 'im.message.receive_v1' } });
  });

  it('checks the signature over the raw bytes, so re-serialised JSON does not pass', () => {
    const raw = JSON.stringify({ encrypt: encrypt(JSON.stringify(event)) }, null, 2);
    const headers = signed(JSON.stringify(JSON.parse(raw)));
    expect(verifyLarkRequest(Buffer.from(raw), headers, secrets)).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses with 401: a bad signature, a missing one, a wrong key, a wrong token', () => {
    const raw = JSON.stringify({ encrypt: encrypt(JSON.stringify(event)) });
    const bad = { ...signed(raw), 'x-lark-signature': '0'.repeat(64) };
    expect(verifyLarkRequest(Buffer.from(raw), bad, secrets)).toMatchObject({ ok: false, status: 401 });
    expect(verifyLarkRequest(Buffer.from(raw), {}, secrets)).toMatchObject({ ok: false, status: 401 });
    const otherKey = JSON.stringify({ encrypt: encrypt(JSON.stringify(event), 'other') });
    expect(verifyLarkRequest(Buffer.from(otherKey), signed(otherKey), secrets)).toMatchObject({ ok: false, status: 401, reason: 'decryption failed' });
    const wrongToken = { ...event, header: { ...event.header, token: 'nope' } };
    const raw2 = JSON.stringify({ encrypt: encrypt(JSON.stringify(wrongToken)) });
    expect(verifyLarkRequest(Buffer.from(raw2), signed(raw2), secrets)).toMatchObject({ ok: false, status: 401, reason: 'bad token' });
  });

  it('answers an encrypted challenge without signature headers (decrypting proves the key)', () => {
    const raw = JSON.stringify({ encrypt: encrypt(JSON.stringify({ type: 'url_verification', challenge: 'c1', token: TOKEN })) });
    expect(verifyLarkRequest(Buffer.from(raw), {}, secrets)).toEqual({ ok: true, request: { kind: 'challenge', challenge: 'c1' } });
  });

  it('refuses a plaintext request that is not signed with the key, whatever token it carries', () => {
    const cardTrigger = { ...event, header: { ...event.header, event_type: 'card.action.trigger' } };
    const v1 = { uuid: 'u-1', type: 'event_callback', token: TOKEN, ts: '1', event: { type: 'message' } };
    for (const only of [{ encryptKey: KEY }, secrets]) {
      for (const body of [event, cardTrigger, v1]) {
        const raw = JSON.stringify(body);
        expect(verifyLarkRequest(Buffer.from(raw), {}, only)).toMatchObject({ ok: false, status: 401 });
        expect(verifyLarkRequest(Buffer.from(raw), signed(raw, 'not-the-key'), only)).toMatchObject({ ok: false, status: 401 });
        expect(verifyLarkRequest(Buffer.from(raw), signed(raw), only)).toMatchObject({ ok: true });
      }
    }
  });

  it('refuses a legacy card callback it cannot authenticate without the verification token', () => {
    const raw = JSON.stringify({ open_id: 'ou', open_message_id: 'om', token: 'c-1', action: { value: {} } });
    expect(verifyLarkRequest(Buffer.from(raw), {}, { encryptKey: KEY })).toMatchObject({ ok: false, status: 401 });
  });
});

describe('verifyLarkRequest without an encrypt key', () => {
  const secrets = { verificationToken: TOKEN };

  it('accepts plain events with the right token and refuses others', () => {
    expect(verifyLarkRequest(Buffer.from(JSON.stringify(event)), {}, secrets)).toMatchObject({ ok: true });
    const wrong = { ...event, header: { ...event.header, token: 'x' } };
    expect(verifyLarkRequest(Buffer.from(JSON.stringify(wrong)), {}, secrets)).toMatchObject({ ok: false, status: 401 });
    // an encrypted body cannot be read at all
    expect(verifyLarkRequest(Buffer.from(JSON.stringify({ encrypt: encrypt('{}') })), {}, secrets)).toMatchObject({ ok: false, status: 401 });
  });

  it('classifies v1 events and legacy card callbacks', () => {
    const v1 = { uuid: 'u-1', type: 'event_callback', token: TOKEN, ts: '1', event: { type: 'message' } };
    expect(verifyLarkRequest(Buffer.from(JSON.stringify(v1)), {}, secrets)).toMatchObject({ ok: true, request: { kind: 'v1', uuid: 'u-1', eventType: 'message' } });
    const card = JSON.stringify({ open_id: 'ou', open_message_id: 'om', token: 'c-1', action: { value: {} } });
    const headers = { 'x-lark-request-timestamp': '1', 'x-lark-request-nonce': 'n', 'x-lark-signature': legacyCardSignature('1', 'n', TOKEN, card) };
    expect(verifyLarkRequest(Buffer.from(card), headers, secrets)).toMatchObject({ ok: true, request: { kind: 'legacy_card', cardToken: 'c-1' } });
  });

  it('answers 400 for what is not a Lark payload', () => {
    for (const body of ['{', '[]', '1', '{}', '{"schema":"2.0"}', '{"encrypt":1}', '{"type":"event_callback"}']) {
      expect(verifyLarkRequest(Buffer.from(body), {}, secrets)).toMatchObject({ ok: false, status: 400 });
    }
  });

  it('refuses everything with 401 when neither secret is configured (nothing could tell a forgery)', () => {
    const v1 = { uuid: 'u-1', type: 'event_callback', token: 'anything', ts: '1', event: { type: 'message' } };
    const card = { open_id: 'ou', open_message_id: 'om', token: 'c-1', action: { value: { op: 'rate', n: '1', s: '5' } } };
    const challenge = { type: 'url_verification', challenge: 'c', token: 'anything' };
    for (const body of [event, v1, card, challenge]) {
      expect(verifyLarkRequest(Buffer.from(JSON.stringify(body)), {}, {})).toMatchObject({ ok: false, status: 401 });
    }
  });

  it('compares the token on every kind of plain request: challenge, 2.0 event, card.action.trigger, 1.0 event, legacy card', () => {
    const cardTrigger = { ...event, header: { ...event.header, event_type: 'card.action.trigger', token: 'forged' } };
    const v1 = { uuid: 'u-1', type: 'event_callback', token: 'forged', ts: '1', event: { type: 'message' } };
    const challenge = { type: 'url_verification', challenge: 'c', token: 'forged' };
    for (const body of [cardTrigger, v1, challenge]) {
      expect(verifyLarkRequest(Buffer.from(JSON.stringify(body)), {}, secrets)).toMatchObject({ ok: false, status: 401 });
      const { token: _t, ...noToken } = body as Record<string, unknown>;
      const stripped = 'header' in noToken ? { ...noToken, header: { ...event.header, event_type: 'card.action.trigger', token: undefined } } : noToken;
      expect(verifyLarkRequest(Buffer.from(JSON.stringify(stripped)), {}, secrets)).toMatchObject({ ok: false, status: 401 });
    }
    const card = JSON.stringify({ open_id: 'ou', open_message_id: 'om', token: 'c-1', action: { value: {} } });
    expect(verifyLarkRequest(Buffer.from(card), {}, secrets)).toMatchObject({ ok: false, status: 401 });
    const forgedSig = { 'x-lark-request-timestamp': '1', 'x-lark-request-nonce': 'n', 'x-lark-signature': legacyCardSignature('1', 'n', 'guess', card) };
    expect(verifyLarkRequest(Buffer.from(card), forgedSig, secrets)).toMatchObject({ ok: false, status: 401 });
  });
});

describe('storableBody', () => {
  it('drops the verification token of 2.0 and 1.0 events but keeps the legacy card token', () => {
    const v2 = storableBody({ kind: 'v2', body: event, eventId: 'ev1', eventType: 'x' });
    expect(v2['header']).toEqual({ event_id: 'ev1', event_type: 'im.message.receive_v1', tenant_key: 'tk' });
    expect(v2['event']).toEqual({ message: {} });
    const v1 = storableBody({ kind: 'v1', body: { uuid: 'u', type: 'event_callback', token: TOKEN, event: { type: 'm' } }, uuid: 'u', eventType: 'm' });
    expect(v1).toEqual({ uuid: 'u', type: 'event_callback', event: { type: 'm' } });
    const legacy = storableBody({ kind: 'legacy_card', body: { token: 'c-1' }, cardToken: 'c-1' });
    expect(legacy).toEqual({ token: 'c-1' });
  });
});
