/**
 * The addresses and ids that carry a ticket's token through mail, made and read here only:
 * - the reply address `<local>+t-<token>@<domain>` (the local part of EMAIL_FROM, plus-addressed);
 * - every notification's `Message-ID` `<delivery-<id>.<token>@<domain>>`, made from the delivery's stable key (a
 *   retry of one delivery is the same message), and its `In-Reply-To`/`References` `<ticket.<token>@<domain>>`,
 *   the one root all mails of a ticket hang under in the customer's mail program.
 * The token is 32 lower-case hex characters (see src/core/tickets/address-rules.ts): case-folding relays keep it.
 */
export const EMAIL_PLATFORM = 'email';

const TOKEN = '[0-9a-f]{32}';

export function splitAddress(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf('@');
  return { local: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
}

export function replyAddress(from: string, token: string): string {
  const { local, domain } = splitAddress(from);
  return `${local}+t-${token}@${domain}`;
}

export function messageIdFor(deliveryKey: string, token: string, domain: string): string {
  return `<${deliveryKey.replace(/[^A-Za-z0-9_-]/g, '_')}.${token}@${domain}>`;
}

export function rootIdFor(token: string, domain: string): string {
  return `<ticket.${token}@${domain}>`;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The token of a reply address of ours (`local+t-<token>@domain`), else null. */
export function tokenFromAddress(address: string, from: string): string | null {
  const { local, domain } = splitAddress(from);
  const m = new RegExp(`^${escape(local.toLowerCase())}\\+t-(${TOKEN})@${escape(domain)}$`).exec(address.trim().toLowerCase());
  return m ? m[1]! : null;
}

/** The token in one of our Message-IDs (a notification's or a ticket's root), else null. */
export function tokenFromMessageId(id: string, domain: string): string | null {
  const m = new RegExp(`\\.(${TOKEN})@${escape(domain)}>?$`).exec(id.trim().toLowerCase());
  return m ? m[1]! : null;
}

/** Whether an address is one this service receives mail at: EMAIL_FROM itself or its plus-addresses. */
export function isOurMailbox(address: string, from: string): boolean {
  const { local, domain } = splitAddress(from);
  const a = splitAddress(address.trim().toLowerCase());
  if (a.domain !== domain) return false;
  const l = local.toLowerCase();
  return a.local === l || a.local.startsWith(`${l}+`);
}

export function sameDomain(address: string, from: string): boolean {
  return splitAddress(address.trim()).domain === splitAddress(from).domain;
}
