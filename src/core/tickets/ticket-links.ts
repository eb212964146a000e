/** The one place a ticket's public link is spelled: `$PUBLIC_URL/tickets/<number>` (see the contract). */
export function ticketUrl(publicUrl: string, number: number): string {
  return `${publicUrl}/tickets/${number}`;
}
