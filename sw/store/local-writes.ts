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
import { ALL_STORES, RequestPipeline, getRecord, putRecord, resolveId, type AnyReplicaRecord, type Tx } from '../db/records.ts';
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

/**
 * Runs `work` in a read-write transaction over every store. Requests `work` adds to `writes` are
 * pipelined and settled before the commit. Quota failures become QuotaExceededError.
 *
 * Durability: what the user typed is committed `strict` (flushed to disk before the page hears
 * "saved"); sync bookkeeping is `relaxed`, as losing it to a power cut only means sending again.
 */
export async function inWriteTransaction<T>(
  db: SyncDb,
  work: (tx: Tx, writes: RequestPipeline) => Promise<T>,
  durability: IDBTransactionDurability = 'relaxed',
): Promise<T> {
  const tx = db.transaction(ALL_STORES, 'readwrite', { durability });
  const writes = new RequestPipeline();
  try {
    const result = await work(tx, writes);
    await writes.settle();
    await tx.done;
    return result;
  } catch (err) {
    writes.abandon();
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

interface CheckedReferences {
  fields: Row;
  /** The records the references point at, by field. */
  targets: Map<string, AnyReplicaRecord>;
}

/** Each reference must point at a record the replica has (and that is not deleted). Reads are pipelined. */
async function checkReferences(tx: Tx, entityType: EntityType, fields: Row): Promise<CheckedReferences> {
  const out = { ...fields };
  const targets = new Map<string, AnyReplicaRecord>();
  const refs = REFERENCE_FIELDS[entityType].filter(({ field }) => typeof out[field] === 'number' || typeof out[field] === 'string');
  await Promise.all(
    refs.map(async ({ field, target }) => {
      const ref = out[field] as EntityId;
      const id = await resolveId(tx, ref);
      const record = await getRecord(tx, target, id);
      if (!record || record.deletedAt) {
        throw new LocalWriteError('VALIDATION', `${field}: no ${target === 'users' ? 'user' : target.slice(0, -1)} with id ${String(ref)}`);
      }
      out[field] = id;
      targets.set(field, record);
    }),
  );
  return { fields: out, targets };
}

/** An appointment's client is its pet's owner, as the server derives it. */
function withDerivedClient(entityType: EntityType, record: Row, targets: Map<string, AnyReplicaRecord>): Row {
  const pet = targets.get('petId');
  return entityType === 'appointments' && pet ? { ...record, clientId: pet.ownerId } : record;
}

export async function createLocal(db: SyncDb, entityType: EntityType, body: unknown, ctx: WriteContext): Promise<AnyReplicaRecord> {
  const parsed = parseCreateBody(entityType, body);
  const tempId = makeTempId(entityType, ctx.uuid());
  return inWriteTransaction(db, async (tx, writes) => {
    const { fields, targets } = await checkReferences(tx, entityType, parsed);
    const visible = withDerivedClient(entityType, buildCreatedRecord(entityType, tempId, fields, ctx.session, ctx.now), targets);
    const record = { ...visible, id: tempId, _pending: true, _conflict: false, _server: null } as AnyReplicaRecord;
    writes.add(() => putRecord(tx, entityType, record));
    writes.add(() =>
      tx.objectStore('sync_operations').add(
        newOperation(ctx, { operation: 'create', entityType, entityId: tempId, tempId, data: fields, baseVersion: null }),
      ),
    );
    return record;
  }, 'strict');
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

/**
 * The screen's view after one more local change is the current view with the change on top
 * (the same as recomputing server state + every queued row, without reading the queue).
 */
function storeChange(
  tx: Tx,
  writes: RequestPipeline,
  ctx: WriteContext,
  entityType: EntityType,
  record: AnyReplicaRecord,
  change: Pick<StoredOperation, 'operation' | 'data'>,
  visible: Row,
): AnyReplicaRecord {
  const next = { ...record, ...visible, id: record.id, _pending: true } as AnyReplicaRecord;
  writes.add(() => putRecord(tx, entityType, next));
  writes.add(() =>
    tx.objectStore('sync_operations').add(
      newOperation(ctx, {
        ...change,
        entityType,
        entityId: record.id,
        tempId: isTempId(record.id) ? record.id : null,
        baseVersion: baseVersionOf(record),
      }),
    ),
  );
  return next;
}

export async function updateLocal(
  db: SyncDb,
  entityType: EntityType,
  rawId: EntityId,
  body: unknown,
  ctx: WriteContext,
): Promise<AnyReplicaRecord> {
  const patch = parseUpdateBody(entityType, body);
  return inWriteTransaction(db, async (tx, writes) => {
    const record = await liveRecord(tx, entityType, rawId);
    const { fields, targets } = await checkReferences(tx, entityType, patch);
    const changed = changedFields(record, fields);
    if (Object.keys(changed).length === 0) return record;
    const visible = withDerivedClient(entityType, { ...changed, updatedAt: new Date(ctx.now).toISOString() }, targets);
    return storeChange(tx, writes, ctx, entityType, record, { operation: 'update', data: changed }, visible);
  }, 'strict');
}

export async function deleteLocal(db: SyncDb, entityType: EntityType, rawId: EntityId, ctx: WriteContext): Promise<AnyReplicaRecord> {
  return inWriteTransaction(db, async (tx, writes) => {
    const record = await liveRecord(tx, entityType, rawId);
    return storeChange(tx, writes, ctx, entityType, record, { operation: 'delete', data: null }, { deletedAt: new Date(ctx.now).toISOString() });
  }, 'strict');
}
