import { describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET_PATTERN } from './telegram-routes.ts';

describe('WEBHOOK_SECRET_PATTERN', () => {
  it("knows Telegram's secret_token alphabet", () => {
    expect(WEBHOOK_SECRET_PATTERN.test('abc_DEF-123')).toBe(true);
    expect(WEBHOOK_SECRET_PATTERN.test('has space')).toBe(false);
    expect(WEBHOOK_SECRET_PATTERN.test('x'.repeat(257))).toBe(false);
  });
});
