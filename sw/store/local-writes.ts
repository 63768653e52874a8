/**
 * Local-first writes: the replica record and the queued operation change in ONE IndexedDB
 * transaction, so a write is either fully kept (and will reach the server) or not at all.
 */
import { isTempId, REFERENCE_FIELDS, type EntityId, type EntityType } from '../../src/protocol/index.ts';
import {
  LocalWriteError,
  buildCreatedRecord,
  makeTempId,
  parseCreateBody,
  parseUpdateBody,
  type SessionContext,
} from '../core/local-write.ts';
import { changedFields, type Row } from '../core/rebase.ts';
import { ALL_STORES, getRecord, putRecord, recomputeRecord, resolveId, type AnyReplicaRecord, type Tx } from '../db/records.ts';
import type { StoredOperation, SyncDb } from '../db/schema.ts';

export interface WriteContext {
  session: SessionContext;
  now: number;
  uuid: () => string;
}

export class QuotaExceededError extends Error {
  constructor() {
    super('This device is out of storage space: the change was NOT saved. Free some space and try again.');
    this.name = 'QuotaExceededError';
  }
}

function isQuotaError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'name' in err &&
    ((err as { name: string }).name === 'QuotaExceededError' || (err as { name: string }).name === 'NS_ERROR_DOM_QUOTA_REACHED')
  );
}

/** Runs `work` in a read-write transaction over every store; quota failures become QuotaExceededError. */
export async function inWriteTransaction<T>(db: SyncDb, work: (tx: Tx) => Promise<T>): Promise<T> {
  const tx = db.transaction(ALL_STORES, 'readwrite');
  try {
    const result = await work(tx);
    await tx.done;
    return result;
  } catch (err) {
    try {
      tx.abort();
    } catch {
      // already finished or aborted
    }
    await tx.done.catch(() => undefined);
    if (isQuotaError(err) || (err instanceof DOMException && isQuotaError(tx.error))) throw new QuotaExceededError();
    throw err;
  }
}

function newOperation(
  ctx: WriteContext,
  fields: Pick<StoredOperation, 'operation' | 'entityType' | 'entityId' | 'tempId' | 'data' | 'baseVersion'>,
): StoredOperation {
  return {
    ...fields,
    opId: ctx.uuid(),
    timestamp: ctx.now,
    userId: ctx.session.userId,
    practiceId: ctx.session.practiceId,
    tenantId: ctx.session.tenantId,
    status: 'pending',
    attempts: 0,
    lastError: null,
    retryable: true,
  };
}

/** Each reference must point at a record the replica has (and that is not deleted). */
async function checkReferences(tx: Tx, entityType: EntityType, fields: Row): Promise<Row> {
  const out = { ...fields };
  for (const { field, target } of REFERENCE_FIELDS[entityType]) {
    const ref = out[field];
    if (ref === undefined || ref === null) continue;
    if (typeof ref !== 'number' && typeof ref !== 'string') continue;
    const id = await resolveId(tx, ref);
    const record = await getRecord(tx, target, id);
    if (!record || record.deletedAt) {
      const code = field === 'petId' ? 'pet' : target.slice(0, -1);
      throw new LocalWriteError('VALIDATION', `${field}: no ${code} with id ${String(ref)}`);
    }
    out[field] = id;
  }
  return out;
}

export async function createLocal(db: SyncDb, entityType: EntityType, body: unknown, ctx: WriteContext): Promise<AnyReplicaRecord> {
  const parsed = parseCreateBody(entityType, body);
  const tempId = makeTempId(entityType, ctx.uuid());
  return inWriteTransaction(db, async (tx) => {
    const fields = await checkReferences(tx, entityType, parsed);
    const skeleton = buildCreatedRecord(entityType, tempId, fields, ctx.session, ctx.now);
    // Put the skeleton first so recomputeRecord starts from the locally filled server fields.
    await putRecord(tx, entityType, { ...skeleton, id: tempId, _pending: true, _conflict: false, _server: null });
    await tx.objectStore('sync_operations').add(
      newOperation(ctx, { operation: 'create', entityType, entityId: tempId, tempId, data: fields, baseVersion: null }),
    );
    return (await recomputeRecord(tx, entityType, tempId))!;
  });
}

async function liveRecord(tx: Tx, entityType: EntityType, rawId: EntityId): Promise<AnyReplicaRecord> {
  const id = await resolveId(tx, rawId);
  const record = await getRecord(tx, entityType, id);
  if (!record || record.deletedAt) throw new LocalWriteError('NOT_FOUND', `No ${entityType} record with id ${String(rawId)}`);
  return record;
}

/** The version the device last saw from the server (0 for a record the server never saw). */
function baseVersionOf(record: AnyReplicaRecord): number {
  return record._server ? Number(record._server.version ?? 0) : 0;
}

export async function updateLocal(
  db: SyncDb,
  entityType: EntityType,
  rawId: EntityId,
  body: unknown,
  ctx: WriteContext,
): Promise<AnyReplicaRecord> {
  const patch = parseUpdateBody(entityType, body);
  return inWriteTransaction(db, async (tx) => {
    const record = await liveRecord(tx, entityType, rawId);
    const fields = await checkReferences(tx, entityType, patch);
    const changed = changedFields(record, fields);
    if (Object.keys(changed).length === 0) return record;
    await tx.objectStore('sync_operations').add(
      newOperation(ctx, {
        operation: 'update',
        entityType,
        entityId: record.id,
        tempId: isTempId(record.id) ? record.id : null,
        data: changed,
        baseVersion: baseVersionOf(record),
      }),
    );
    return (await recomputeRecord(tx, entityType, record.id))!;
  });
}

export async function deleteLocal(db: SyncDb, entityType: EntityType, rawId: EntityId, ctx: WriteContext): Promise<AnyReplicaRecord> {
  return inWriteTransaction(db, async (tx) => {
    const record = await liveRecord(tx, entityType, rawId);
    await tx.objectStore('sync_operations').add(
      newOperation(ctx, {
        operation: 'delete',
        entityType,
        entityId: record.id,
        tempId: isTempId(record.id) ? record.id : null,
        data: null,
        baseVersion: baseVersionOf(record),
      }),
    );
    const after = await recomputeRecord(tx, entityType, record.id);
    return after ?? { ...record, deletedAt: new Date(ctx.now).toISOString() };
  });
}
