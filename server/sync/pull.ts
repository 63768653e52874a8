/**
 * `GET /api/sync/pull` without HTTP: the practice's changes after a cursor (or after
 * `lastSyncTimestamp` on a first pull), at most `limit` per entity type, read in one snapshot.
 */
import {
  ENTITY_TYPES,
  type EntityType,
  type PullChange,
  type PullQuery,
  type PullResponse,
} from '../../src/protocol/index.ts';
import type { Database } from '../db/engine.ts';
import type { EntityModels } from '../store/entities.ts';
import type { SyncLog } from '../store/sync-log.ts';
import type { WireRecord } from '../store/wire.ts';
import { CursorError, decodeCursor, encodeCursor } from './cursor.ts';

export interface PullDeps {
  db: Database;
  models: EntityModels;
  log: SyncLog;
}

export function toChange(entityType: EntityType, record: WireRecord): PullChange {
  return {
    entityType,
    operation: record.deletedAt !== null ? 'delete' : record.version === 1 ? 'create' : 'update',
    data: record,
    id: record.id,
    version: record.version,
    updatedAt: record.updatedAt,
  };
}

/** Throws CursorError for a cursor that is malformed or belongs to another practice. */
export async function pullChanges(
  deps: PullDeps,
  practiceId: number,
  query: PullQuery,
  now: number,
): Promise<PullResponse> {
  const start = query.cursor ? decodeCursor(query.cursor) : null;
  if (start && start.practiceId !== practiceId) throw new CursorError('cursor belongs to another practice');
  const types = ENTITY_TYPES.filter((t) => !query.entityTypes || query.entityTypes.includes(t));
  const positions = { ...(start?.positions ?? {}) };

  // One read snapshot: every query sees the same committed state. Writers commit in change-number
  // order (store/sync-log.ts), so every change up to `head` is in it.
  const { changes, hasMore } = await deps.db.read(async () => {
    const head = await deps.log.currentSeq();
    const changes: PullChange[] = [];
    let hasMore = false;
    for (const type of types) {
      const after = positions[type];
      const rows =
        after !== undefined
          ? await deps.models[type].changesSince(practiceId, after, -1, query.limit + 1)
          : await deps.models[type].changesSince(practiceId, 0, query.lastSyncTimestamp, query.limit + 1);
      const more = rows.length > query.limit;
      if (more) rows.length = query.limit;
      hasMore ||= more;
      // Nothing more of this type up to `head` in this snapshot: later changes get a higher seq.
      positions[type] = more ? (rows.at(-1)?.seq ?? head) : head;
      for (const row of rows) changes.push(toChange(type, row.record));
    }
    return { changes, hasMore };
  });

  let nextTimestamp = 0;
  for (const change of changes) nextTimestamp = Math.max(nextTimestamp, Date.parse(change.updatedAt));
  return {
    success: true,
    timestamp: now,
    changes,
    hasMore,
    nextTimestamp: changes.length > 0 ? nextTimestamp : now,
    cursor: encodeCursor({ practiceId, positions }),
  };
}
