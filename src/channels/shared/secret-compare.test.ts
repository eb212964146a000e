import { describe, expect, it } from 'vitest';
import { secretEquals } from './secret-compare.ts';

describe('secretEquals', () => {
  it('accepts only the exact secret', () => {
    expect(secretEquals('s3cret_A-1', 's3cret_A-1')).toBe(true);
    for (const wrong of ['s3cret_A-', 's3cret_A-12', 'S3CRET_A-1', '', undefined, ['s3cret_A-1']]) {
      expect(secretEquals('s3cret_A-1', wrong)).toBe(false);
    }
  });

  it('never accepts anything when no secret is configured', () => {
    expect(secretEquals('', '')).toBe(false);
  });
});
