/**
 * What the inbound processing stores and tells, with the real chat service over the in-memory store: an answer
 * the adapter says its platform would not show is neither stored with the event nor told; the others are stored
 * before the first is told, so a failed tell is retried with exactly what is left.
 */
import { describe, expect, it, vi } from 'vitest';
import { createMemoryCore } from '../../../test/helpers/memory/memory-core.ts';
import { ChannelSendError, type ChannelAdapter } from '../ports/channel-port.ts';
import type { ChatEvent } from '../chat/chat-events.ts';
import type { ChatReply } from '../chat/chat-service.ts';

const actor = { platform: 'quiet', workspaceId: 'W', platformUserId: 'U1', profile: async () => ({ platform: 'quiet', workspaceId: 'W', platformUserId: 'U1', displayName: 'U1', verifiedEmail: null, locale: null }) };
const dm = { platform: 'quiet', workspaceId: 'W', chatId: 'D1', threadRef: null, direct: true };

/**
 * A channel whose payload names the events it stands for (a person nobody knows asks for help, or for their
 * tickets: a notice to register); it shows no help text, as if its platform had its own.
 */
function quietChannel(fail: { next: number }) {
  const told: ChatReply[] = [];
  const adapter: ChannelAdapter = {
    platform: 'quiet',
    limits: { maxMessageLength: 4000, perChatIntervalMs: 0, perGroupPerMinute: 0, globalPerSecond: 0, ephemeral: true, buttons: true, forms: true },
    parse: async (env) =>
      (env.payload as string[]).map((k): ChatEvent => (k === 'help' ? { type: 'help_wanted', place: dm, actor } : { type: 'my_tickets', place: dm, actor })),
    says: (reply) => reply.message.kind !== 'help',
    tell: async (reply) => {
      if (fail.next-- > 0) throw new ChannelSendError('transient', 'the platform is busy');
      told.push(reply);
    },
    post: async () => ({ messageId: 'p' }),
    sendDirect: async () => ({ messageId: 'd' }),
    update: async () => {},
    delete: async () => {},
  };
  return { adapter, told };
}

describe('inbound processing', () => {
  it('stores and tells only the answers that say something on the platform', async () => {
    const fail = { next: 0 };
    const { adapter, told } = quietChannel(fail);
    const core = createMemoryCore({ adapters: [adapter] });
    const save = vi.spyOn(core.inbox, 'saveInboundOutcome');

    await core.inbox.record({ platform: 'quiet', externalId: 'e1', payload: ['help'] });
    await core.runJobs();
    // Nothing to show: nothing stored with the event, nothing told, and the event is done.
    expect(save).not.toHaveBeenCalled();
    expect(told).toEqual([]);
    expect(core.peek.inbound().map((r) => [r.externalId, r.status])).toEqual([['e1', 'done']]);

    await core.inbox.record({ platform: 'quiet', externalId: 'e2', payload: ['help', 'mine'] });
    await core.runJobs();
    expect(save).toHaveBeenCalledTimes(1);
    expect(save.mock.calls[0]![1].replies.map((r) => r.message.kind)).toEqual(['notice']);
    expect(told.map((r) => r.message.kind)).toEqual(['notice']);
  });

  it('a failed tell keeps what is left to say with the event, and the retry tells it without handling the event again', async () => {
    const fail = { next: 1 };
    const { adapter, told } = quietChannel(fail);
    const core = createMemoryCore({ adapters: [adapter] });
    const handle = vi.spyOn(core.chat, 'handle');

    await core.inbox.record({ platform: 'quiet', externalId: 'e3', payload: ['mine', 'help'] });
    await core.runJobs();
    // The in-place retry (the test's sleep returns at once) told it; the events were handled once.
    expect(told.map((r) => r.message.kind)).toEqual(['notice']);
    expect(handle).toHaveBeenCalledTimes(2);
    expect(core.peek.inbound().map((r) => [r.externalId, r.status, r.attempts])).toEqual([['e3', 'done', 1]]);
  });
});
