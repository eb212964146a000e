import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client.ts';

export type Db = PrismaClient;
export type { Prisma } from '../../generated/prisma/client.ts';

export function createPrisma(connectionString: string, max = 10): PrismaClient {
  const adapter = new PrismaPg({ connectionString, max });
  return new PrismaClient({ adapter, errorFormat: 'minimal' });
}
