/**
 * The adapter contract every channel passes, run once per channel (`<platform>.contract.test.ts`):
 * - every kind of message the core can ask it to say renders within the platform's limits, in every language,
 *   with hostile and very long text;
 * - every platform failure maps to the send-error kind the engine acts on (wait, retry, give up);
 * - every real third-party payload in test/fixtures/real-payloads/<platform>/ (see its SOURCES.md) parses into the
 *   expected events, and none throws.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/core/chat/chat-events.ts';
import type { ChatMessage, ChatMessageKind, TicketSummary } from '../../src/core/chat/chat-messages.ts';
import { LOCALES, type Locale } from '../../src/core/locale.ts';
import type { ChannelSendError } from '../../src/core/ports/channel-port.ts';
import { ROOT } from '../helpers/processes.ts';

export const FIXTURES = path.join(ROOT, 'test/fixtures/real-payloads');

export interface ContractSubject {
  platform: string;
  /** What the platform would refuse in what the channel sends for `message` (empty: it fits). */
  problems(message: ChatMessage, locale: Locale, to: 'actor' | 'place'): string[] | Promise<string[]>;
  /** Platform failures, as its SDK throws them, and the kind each must become. */
  failures: { name: string; error: () => unknown; kind: ChannelSendError['kind']; retryAfterMs?: number }[];
  toSendError(e: unknown): ChannelSendError;
  /** Every file of the platform's fixture folder, and what it must become (see SOURCES.md for wrappers). */
  fixtures: Record<string, { wrap?: (raw: unknown) => unknown; expect: (events: ChatEvent[]) => void }>;
  parse(payload: unknown): Promise<ChatEvent[]>;
}

const long = (n: number) => 'Ничего не работает 🔥 <b>&amp;</b> `x` *y* _z_ <@U1> @_user_1 '.repeat(Math.ceil(n / 60)).slice(0, n);
const ticket = (over: Partial<TicketSummary> = {}): TicketSummary => ({
  number: 123456,
  subject: 'プリンターが燃えています <script>alert(1)</script> & "quotes"',
  status: 'open',
  priority: 'urgent',
  url: 'https://help.example.com/tickets/123456',
  ...over,
});
const draft = { id: '0f8fad5b-d9cb-469f-a165-70867728950e', subject: long(150), description: long(3000), priority: 'high' as const, serviceId: null, priorityChosen: false, serviceChosen: false, requesterEmail: 'olga@customer.example' };
const services = Array.from({ length: 30 }, (_, i) => ({ id: `9b2f6c1e-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `Service ${i} ${long(40)}` }));

/** At least one sample of every kind (the Record makes a new kind fail to compile until it has one). */
export const SAMPLES: Record<ChatMessageKind, ChatMessage[]> = {
  ticket_confirmation: [{ kind: 'ticket_confirmation', ticket: ticket({ status: 'new' }) }],
  status_changed: [{ kind: 'status_changed', ticket: ticket(), from: 'pending', to: 'on_hold' }],
  agent_reply: [
    { kind: 'agent_reply', ticket: ticket(), authorName: 'Ann <admin>', body: 'Short' },
    { kind: 'agent_reply', ticket: ticket(), authorName: 'Ann', body: long(12_000) },
  ],
  rating_prompt: [{ kind: 'rating_prompt', ticket: ticket({ status: 'solved' }) }],
  reopen_prompt: [{ kind: 'reopen_prompt', ticket: ticket({ status: 'solved' }) }],
  notice: [
    { kind: 'notice', key: 'common:error.not_registered' },
    { kind: 'notice', key: 'common:rating.thanks', params: { number: 5, score: 4 }, ticket: ticket({ status: 'closed' }) },
    { kind: 'notice', key: 'common:error.description_too_short', params: { min: 10 } },
  ],
  request_form: (['service', 'description', 'priority', 'confirm'] as const).map((step) => ({ kind: 'request_form', draft, services, step, minDescriptionLength: 10 })),
  request_done: [{ kind: 'request_done', ticket: ticket({ status: 'new' }), created: true, draftId: draft.id }],
  request_exists: [
    { kind: 'request_exists', ticket: ticket() },
    { kind: 'request_exists', ticket: null },
  ],
  ticket_list: [
    { kind: 'ticket_list', tickets: [] },
    { kind: 'ticket_list', tickets: Array.from({ length: 50 }, (_, i) => ticket({ number: i + 1 })) },
  ],
  ticket_detail: [
    {
      kind: 'ticket_detail',
      ticket: { ...ticket({ status: 'solved' }), description: long(5000), requesterEmail: 'olga@customer.example', serviceName: 'Databases', createdAt: '2026-11-30T10:00:00.000Z', rating: { score: 5, comment: long(300) } },
    },
  ],
  comment_list: [
    { kind: 'comment_list', ticket: ticket(), comments: [] },
    { kind: 'comment_list', ticket: ticket(), comments: Array.from({ length: 40 }, (_, i) => ({ id: `c${i}`, authorName: i % 2 ? 'Ann' : 'Olga', authorIsStaff: i % 2 === 1, body: long(800), createdAt: '2026-11-30T10:00:00.000Z' })) },
  ],
  follow_up_started: [{ kind: 'follow_up_started', closedNumber: 41, ticket: ticket({ number: 42, status: 'new' }) }],
  prompt: (['comment', 'rating_comment', 'reopen_reason'] as const).map((f) => ({ kind: 'prompt', for: f, ticket: ticket() })),
  registered: [{ kind: 'registered', name: 'Ольга <b>', email: 'olga@customer.example' }],
  help: [
    { kind: 'help', registered: true },
    { kind: 'help', registered: false },
  ],
  service_choice: [{ kind: 'service_choice', services, current: services[3]! }],
  sign_in_link: [{ kind: 'sign_in_link', url: 'https://help.example.com/login/link/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG', expiresAt: '2026-12-01T10:15:00.000Z' }],
};

export function runChannelContract(name: string, subject: () => ContractSubject | Promise<ContractSubject>): void {
  describe(`${name}: the adapter contract`, () => {
    it('renders every message kind within the platform limits, in every language', async () => {
      const s = await subject();
      for (const [kind, samples] of Object.entries(SAMPLES)) {
        for (const [i, m] of samples.entries()) {
          for (const locale of LOCALES) {
            for (const to of ['actor', 'place'] as const) {
              expect(await s.problems(m, locale, to), `${kind}[${i}] ${locale} to ${to}`).toEqual([]);
            }
          }
        }
      }
    });

    it('maps every platform failure to the send-error kind the engine acts on', async () => {
      const s = await subject();
      expect(new Set(s.failures.map((f) => f.kind))).toEqual(new Set(['rate_limited', 'transient', 'permanent']));
      for (const f of s.failures) {
        const e = s.toSendError(f.error());
        expect(e.kind, f.name).toBe(f.kind);
        if (f.retryAfterMs !== undefined) expect(e.retryAfterMs, f.name).toBe(f.retryAfterMs);
      }
    });

    it('parses every real third-party payload into the expected events', async () => {
      const s = await subject();
      const dir = path.join(FIXTURES, s.platform);
      const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
      expect(Object.keys(s.fixtures).sort(), 'every fixture file has an expectation').toEqual(files);
      for (const file of files) {
        const raw: unknown = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
        const f = s.fixtures[file]!;
        const events = await s.parse(f.wrap ? f.wrap(raw) : raw);
        f.expect(events);
      }
    });
  });
}
