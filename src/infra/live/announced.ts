/**
 * A condition that is always true and names `ticketId`, for the rest of its transaction, as announced by the
 * service itself once committed: the live triggers stay silent for that ticket (migration live_after_commit), and
 * the caller announces it on the live bus (pg-live-bus.ts) after the commit.
 */
import { Prisma } from '../../generated/prisma/client.ts';

export const announcedSql = (ticketId: string): Prisma.Sql => Prisma.sql`set_config('tb.live_announced', ${ticketId}::text, true) IS NOT NULL`;
