/** Recomputing a replica record from the server's state and the rows still queued for it. */
import type { EntityId, EntityType } from '../../src/protocol/index.ts';
import type { Row } from '../core/rebase.ts';
import { serverStateOf, writeVisible, type AnyReplicaRecord } from '../db/records.ts';
import type { Tx } from '../db/tx.ts';
import { rowsOf } from './queue.ts';

/**
 * Rewrites what the screens see for the record under `key`: `server` (or, when left out, the
 * server state the record holds) with every row still queued for it on top.
 */
export async function recomputeRecord(
  tx: Tx,
  entityType: EntityType,
  key: EntityId,
  server?: Row | null,
): Promise<AnyReplicaRecord | null> {
  const [existing, rows] = await Promise.all([
    tx.objectStore(entityType).get(key) as Promise<AnyReplicaRecord | undefined>,
    rowsOf(tx, entityType, key),
  ]);
  const base = server !== undefined ? server : existing ? serverStateOf(existing) : null;
  return writeVisible(tx, entityType, key, existing, base, rows);
}
