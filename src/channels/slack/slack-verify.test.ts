import { describe, expect, it } from 'vitest';
import { computeSlackSignature, verifySlackSignature } from './slack-verify.ts';

// The worked example from Slack's "Verifying requests from Slack" guide.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

const verify = (over: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({
    signingSecret: DOC_SECRET,
    timestamp: DOC_TIMESTAMP,
    signature: DOC_SIGNATURE,
    rawBody: Buffer.from(DOC_BODY),
    nowSeconds: Number(DOC_TIMESTAMP) + 10,
    ...over,
  });

describe('Slack v0 signature', () => {
  it('computes the signature of Slack\'s documented example', () => {
    expect(computeSlackSignature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toBe(DOC_SIGNATURE);
  });

  it('accepts the documented request', () => {
    expect(verify()).toEqual({ ok: true });
  });

  it('refuses another secret, another body, a truncated signature', () => {
    expect(verify({ signingSecret: 'other' })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify({ rawBody: Buffer.from(`${DOC_BODY}&x=1`) })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify({ signature: DOC_SIGNATURE.slice(0, -2) })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses timestamps more than 5 minutes old or ahead, and keeps the edges', () => {
    const ts = Number(DOC_TIMESTAMP);
    expect(verify({ nowSeconds: ts + 301 })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verify({ nowSeconds: ts - 301 })).toEqual({ ok: false, reason: 'future_timestamp' });
    expect(verify({ nowSeconds: ts + 300 })).toEqual({ ok: true });
    expect(verify({ nowSeconds: ts - 300 })).toEqual({ ok: true });
  });

  it('refuses missing, repeated or malformed headers', () => {
    expect(verify({ timestamp: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verify({ signature: undefined })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verify({ signature: [DOC_SIGNATURE, DOC_SIGNATURE] })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verify({ timestamp: '1531420618.5' })).toEqual({ ok: false, reason: 'bad_timestamp' });
  });
});
