import { z } from 'zod';
import { ProblemError, notFound } from '@/lib/api/problem';
import { getInventory } from '@/lib/cluster/inventory';
import { readHistory } from './store';
import { HISTORY_RANGES, type History, type HistoryKind } from './types';

/** ?range=hour|day|week|90d (default hour). */
export const HistoryQuery = z.object({ range: z.enum(HISTORY_RANGES).default('hour') });

/** The history of a machine or host the inventory knows (404 otherwise); the route checked the caller may read it. */
export async function historyOf(kind: HistoryKind, id: string, range: z.output<typeof HistoryQuery>['range']): Promise<History> {
  const inv = getInventory();
  await inv.start();
  if (kind === 'vm' ? !inv.machine(id) : !inv.host(id)) throw new ProblemError(notFound(`${kind === 'vm' ? 'Machine' : 'Host'} ${id}`));
  return readHistory(kind, id, range);
}
