/** What every chat channel says about a ticket the same way: the catalog's parameters of its one-line summary. */
import type { TicketSummary } from '../../core/chat/chat-messages.ts';
import type { Locale } from '../../core/locale.ts';
import { t } from '../../i18n/catalog.ts';

export const statusName = (locale: Locale, status: string) => t(locale, `status.${status}`);

/** For ticket.confirmation, ticket.list_item, chat.request_done and chat.request_exists. */
export const summaryParams = (locale: Locale, tk: TicketSummary) => ({
  number: tk.number,
  subject: tk.subject,
  status: statusName(locale, tk.status),
});
