/** The user drops queued changes: the record shows as the server has it (or a never-synced create goes). */
import type { SyncDb } from '../db/schema.ts';
import { inWriteTransaction } from '../db/tx.ts';
import { closedConflict } from './conflicts.ts';
import { deleteRow, failedRows, rowForChange } from './queue.ts';
import { recomputeRecord } from './replica.ts';

/**
 * Drops one queued change (not while it is in flight); its open conflict counts as discarded, by
 * `userId` (the person signed in).
 */
export async function discardOperation(db: SyncDb, id: number, now: number, userId: number | null): Promise<boolean> {
  return inWriteTransaction(db, async (tx, writes) => {
    const op = await rowForChange(tx, id);
    if (!op) return false;
    deleteRow(tx, writes, id);
    const conflicts = tx.objectStore('conflicts');
    for (const conflict of await conflicts.index('operationId').getAll(id)) {
      if (!conflict.resolved) writes.add(() => conflicts.put(closedConflict(conflict, 'discarded', now, userId)));
    }
    await recomputeRecord(tx, op.entityType, op.entityId);
    return true;
  });
}

/** `userId`: only that person's failed changes ("Discard all failed" never drops another person's work). */
export async function discardFailed(db: SyncDb, now: number, userId?: number): Promise<number> {
  let count = 0;
  for (const op of await failedRows(db)) {
    if (userId !== undefined && op.userId !== userId) continue;
    if (await discardOperation(db, op.id, now, userId ?? null)) count++;
  }
  return count;
}
