/**
 * Inbox -> handlers. The stored payload is the verified, decrypted body; the SDK's EventDispatcher flattens and
 * routes it (its own checks are off: the route already verified the request, and the inbox is trusted).
 */
import { EventDispatcher, LoggerLevel, type Logger as SdkLogger } from '@larksuiteoapi/node-sdk';
import { ChannelSendError, type InboundEnvelope } from '../../core/ports/channel-port.ts';
import { processCardAction } from './lark-card-flow.ts';
import type { LarkContext } from './lark-context.ts';
import { handleMessageRecalled, handleMessageReceived } from './lark-message-flow.ts';
import { legacyCardSchema } from './lark-schemas.ts';

/** The events the route records; everything else is acknowledged and dropped. */
export const HANDLED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'im.message.receive_v1',
  'im.message.recalled_v1',
  'card.action.trigger',
]);

/** The SDK reads `data.headers` from the prototype, as its own HTTP adapters build it. */
export function withHeaders(body: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create({ headers: {} }) as Record<string, unknown>, body);
}

export function createInboundProcessor(ctx: LarkContext, sdkLog: SdkLogger) {
  const dispatcher = new EventDispatcher({ logger: sdkLog, loggerLevel: LoggerLevel.warn }).register({
    'im.message.receive_v1': (data: unknown) => handleMessageReceived(ctx, data),
    'im.message.recalled_v1': (data: unknown) => handleMessageRecalled(ctx, data),
    'card.action.trigger': (data: unknown) => processCardAction(ctx, data),
  });

  return async function processInbound(envelope: InboundEnvelope): Promise<void> {
    const payload = envelope.payload;
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
      ctx.logger.warn({ id: envelope.id }, 'lark: inbox payload is not an object');
      return;
    }
    const body = { ...payload };
    try {
      // A legacy card callback has no event type for the dispatcher to route by.
      if (!('schema' in body) && legacyCardSchema.safeParse(body).success) await processCardAction(ctx, body);
      else await dispatcher.invoke(withHeaders(body), { needCheck: false });
    } catch (e) {
      // Lark refused for good (bot removed from the chat, message gone): retrying cannot help.
      if (e instanceof ChannelSendError && e.kind === 'permanent') {
        ctx.logger.warn({ id: envelope.id, err: e.message }, 'lark: event dropped, Lark refused the answer');
        return;
      }
      throw e;
    }
  };
}
