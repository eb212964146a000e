import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../fixtures/telegram/', import.meta.url));

/** A recorded Telegram payload from test/fixtures/telegram (name without .json). */
export function telegramFixture(name: string): unknown {
  return JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8')) as unknown;
}

export function telegramFixtureNames(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length));
}
