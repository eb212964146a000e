/**
 * The email channel's module: the adapter the sync engine delivers through (outbound over SMTP_URL with the shared
 * MailPort), and, with SMTP_INBOUND_PORT, the SMTP listener that lives as long as the process.
 */
import type { ChannelDeps, ChannelModule } from '../channel-module.ts';
import type { MailPort } from '../../core/ports/mail-port.ts';
import { createEmailAdapter } from './email-adapter.ts';
import { createInboundListener } from './inbound-listener.ts';

export interface EmailChannelConfig {
  mail: MailPort;
  /** EMAIL_FROM. */
  from: string;
  host: string;
  /** SMTP_INBOUND_PORT; undefined: outbound only. */
  inboundPort?: number;
  /** The largest message the listener takes. */
  maxBytes: number;
}

/** Room for ATTACHMENT_MAX_BYTES (20 MiB) of files once MIME has base64-encoded them, and the text around them. */
export const DEFAULT_MAX_MESSAGE_BYTES = 30 * 1024 * 1024;

export function createEmailChannel(config: EmailChannelConfig, deps: ChannelDeps): ChannelModule & { inboundPort(): number | null } {
  const adapter = createEmailAdapter({ mail: config.mail, from: config.from, publicUrl: deps.publicUrl, log: deps.logger });
  const listener =
    config.inboundPort !== undefined
      ? createInboundListener({ host: config.host, port: config.inboundPort, from: config.from, maxBytes: config.maxBytes, inbox: deps.inbox, log: deps.logger })
      : null;
  let bound: number | null = null;
  return {
    adapter,
    routes: async () => {},
    async start() {
      if (listener) bound = await listener.start();
    },
    async stop() {
      await listener?.stop();
    },
    inboundPort: () => bound,
  };
}
