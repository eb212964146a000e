import { describe, expect, it } from 'vitest';
import { secretMatches, WEBHOOK_SECRET_PATTERN } from './telegram-verify.ts';

describe('secretMatches', () => {
  it('accepts only the exact secret', () => {
    expect(secretMatches('s3cret_A-1', 's3cret_A-1')).toBe(true);
    for (const wrong of ['s3cret_A-', 's3cret_A-12', 'S3CRET_A-1', '', undefined, ['s3cret_A-1']]) {
      expect(secretMatches('s3cret_A-1', wrong as string | string[] | undefined)).toBe(false);
    }
  });

  it('never accepts anything when no secret is configured', () => {
    expect(secretMatches('', '')).toBe(false);
  });

  it("knows Telegram's secret_token alphabet", () => {
    expect(WEBHOOK_SECRET_PATTERN.test('abc_DEF-123')).toBe(true);
    expect(WEBHOOK_SECRET_PATTERN.test('has space')).toBe(false);
    expect(WEBHOOK_SECRET_PATTERN.test('x'.repeat(257))).toBe(false);
  });
});
