/**
 * The `conflicts` store and applying a resolution. A resolution rewrites the held-back queue row
 * in place (so it keeps its position before later changes of the same record) with a new opId.
 * A held double booking is sent again the same way: a create stays a create (same temp id, so the
 * server's temp-id map still links it), moved, kept on purpose or cancelled; dropping a held
 * create drops the record and its later edits, as the server never had it.
 */
import { ConflictRecordSchema, type ConflictRecord, type Resolution } from '../../src/protocol/index.ts';
import { makeTempId } from '../core/write-input.ts';
import { ResolutionError, resolveConflict, serverStateBehind, type ResolutionOutcome } from '../core/resolve.ts';
import { putRecord, ReplicaView, serverStateOf, type AnyReplicaRecord } from '../db/records.ts';
import type { Row } from '../core/rebase.ts';
import { localKeyOf, type StoredConflict, type StoredOperation, type SyncDb } from '../db/schema.ts';
import { inWriteTransaction } from '../db/tx.ts';
import { deleteRow, moveRows, rebaseLater, rewriteRow, rowForChange, rowsOf } from './queue.ts';
import { recomputeRecord } from './replica.ts';

export class ConflictNotFoundError extends Error {
  readonly code = 'CONFLICT_NOT_FOUND';
  constructor(id: number) {
    super(`No open conflict with id ${id}`);
    this.name = 'ConflictNotFoundError';
  }
}

/** Conflicts as stored, checked on the way out (newest first). */
export async function listConflicts(db: SyncDb): Promise<ConflictRecord[]> {
  const rows = await db.getAll('conflicts');
  return rows
    .map((row) => ConflictRecordSchema.safeParse(row))
    .filter((r) => r.success)
    .map((r) => r.data)
    .sort((a, b) => b.detectedAt - a.detectedAt);
}

/**
 * `conflict` closed: at `at`, the way it ended (`resolution`: "server_wins:…", "discarded", …), by
 * `by` (the person signed in; the Sync tab's Recently resolved names them).
 */
export function closedConflict<C extends StoredConflict>(
  conflict: C,
  resolution: string,
  at: number,
  by: number | null,
): C {
  return { ...conflict, resolved: true, resolvedAt: at, resolution, resolvedBy: by };
}

export interface ResolveContext {
  now: number;
  uuid: () => string;
  /** The person resolving it (the one signed in), recorded as `resolvedBy`. */
  userId: number | null;
}

export interface ResolveSummary {
  outcome: ResolutionOutcome;
  /** The queue row that will carry the resolution to the server, if any. */
  queuedOperationId: number | null;
  conflict: ConflictRecord;
}

export async function applyResolution(
  db: SyncDb,
  conflictId: number,
  resolution: Resolution,
  ctx: ResolveContext,
): Promise<ResolveSummary> {
  return inWriteTransaction(
    db,
    async (tx, writes) => {
      const conflicts = tx.objectStore('conflicts');
      const stored = await conflicts.get(conflictId);
      if (!stored || stored.resolved) throw new ConflictNotFoundError(conflictId);
      const conflict = ConflictRecordSchema.parse(stored);
      const view = new ReplicaView(tx);
      const record = await view.find(conflict.entityType, conflict.entityId);
      await checkMovedPractitioner(view, resolution);
      const key = record ? localKeyOf(record) : conflict.entityId;
      const [row, rows] = await Promise.all([
        rowForChange(tx, conflict.operationId),
        rowsOf(tx, conflict.entityType, key),
      ]);
      const later = rows.filter((op) => op.id !== conflict.operationId);
      // A held booking goes again as the device queued it (its own ids), not as the server echoed it.
      const held =
        conflict.conflictType === 'double_booking' && row?.data ? { ...conflict, localData: row.data } : conflict;
      const outcome = resolveConflict(held, resolution);
      const behind = serverStateBehind(conflict);
      let queuedOperationId: number | null = null;
      let newKey: string | null = null;

      if (outcome.kind === 'discard' || !row) {
        if (row) deleteRow(tx, writes, row.id);
        // The record is gone on the server, or never reached it: later edits have nothing to apply to.
        if (conflict.conflictType === 'deleted' || conflict.localOperation === 'create')
          for (const op of later) deleteRow(tx, writes, op.id);
      } else if (outcome.kind === 'create') {
        rewriteRow(tx, writes, carrying(row, ctx, { operation: 'create', data: outcome.data, baseVersion: null }));
        queuedOperationId = row.id;
      } else if (outcome.kind === 'delete') {
        rewriteRow(
          tx,
          writes,
          carrying(row, ctx, { operation: 'delete', data: null, baseVersion: outcome.baseVersion }),
        );
        queuedOperationId = row.id;
      } else if (outcome.kind === 'update') {
        rewriteRow(
          tx,
          writes,
          carrying(row, ctx, { operation: 'update', data: outcome.data, baseVersion: outcome.baseVersion }),
        );
        queuedOperationId = row.id;
      } else {
        // The server deleted the record: keep the user's version as a new record, with the later edits.
        newKey = makeTempId(conflict.entityType, ctx.uuid());
        const recreated = newKey;
        for (const op of later) if (op.operation === 'delete') deleteRow(tx, writes, op.id);
        const carried = carrying(row, ctx, {
          operation: 'create',
          entityId: recreated,
          tempId: recreated,
          data: outcome.data,
          baseVersion: null,
        });
        await moveRows(tx, writes, [
          carried,
          ...later
            .filter((op) => op.operation !== 'delete')
            .map((op) => ({ ...op, entityId: recreated, tempId: recreated, baseVersion: null })),
        ]);
        const at = new Date(ctx.now).toISOString();
        putRecord(tx, conflict.entityType, {
          ...outcome.data,
          id: recreated,
          _tempId: recreated,
          version: 0,
          createdAt: at,
          updatedAt: at,
          deletedAt: null,
          _pending: true,
          _conflict: false,
          _server: null,
        });
        queuedOperationId = row.id;
      }

      // Later changes of this record were made on top of what the user saw; they now sit on the server's version.
      if (behind) rebaseLater(tx, writes, later, conflict.serverVersion);
      const resolved = closedConflict(conflict, `${resolution.strategy}:${outcome.kind}`, ctx.now, ctx.userId);
      writes.add(() => conflicts.put(resolved));
      // The deleted record's local copy goes; the server's version (or the rewritten row) shows: the
      // newer of the conflict's and the one a pull stored since (a pull does not bring it again).
      await recomputeRecord(tx, conflict.entityType, key, behind ? newerServerState(behind, record) : (behind ?? null));
      if (newKey) await recomputeRecord(tx, conflict.entityType, newKey);
      return { outcome, queuedOperationId, conflict: resolved };
    },
    'strict',
  );
}

/** A move to another practitioner names one this tablet knows (the server checks again). */
async function checkMovedPractitioner(view: ReplicaView, resolution: Resolution): Promise<void> {
  const id = resolution.strategy === 'move' ? resolution.changes?.practitionerId : undefined;
  if (id === undefined || id === null) return;
  const user = await view.find('users', id);
  if (!user || user.deletedAt || user.role !== 'PRACTITIONER') {
    throw new ResolutionError('CHOICE_REQUIRED', `Practitioner: no practitioner with id ${String(id)} on this tablet`);
  }
}

/** The conflict's server record, unless the replica has pulled a later version of it (or its deletion) since. */
function newerServerState(fromConflict: Row, record: AnyReplicaRecord | undefined): Row {
  const pulled = record ? serverStateOf(record) : null;
  return pulled && Number(pulled.version ?? 0) > Number(fromConflict.version ?? 0) ? pulled : fromConflict;
}

/** The held row, rewritten to carry the resolution: a fresh opId, never sent, in the same queue position. */
function carrying(
  row: StoredOperation,
  ctx: ResolveContext,
  change: Pick<StoredOperation, 'operation' | 'data' | 'baseVersion'> &
    Partial<Pick<StoredOperation, 'entityId' | 'tempId'>>,
): StoredOperation {
  return {
    ...row,
    ...change,
    opId: ctx.uuid(),
    timestamp: ctx.now,
    status: 'pending',
    attempts: 0,
    lastError: null,
    retryable: true,
  };
}
