/**
 * Local-first writes: the replica record and the queued operation change in ONE IndexedDB
 * transaction, committed with strict durability, so a write is either fully kept (and will reach
 * the server) or not at all. Each returns the record as the page sees it.
 */
import {
  isTempId,
  mayDecideOnChange,
  REFERENCE_FIELDS,
  type EntityId,
  type EntityType,
} from '../../src/protocol/index.ts';
import {
  LocalWriteError,
  buildCreatedRecord,
  makeTempId,
  parseCreateBody,
  parseUpdateBody,
  type SessionContext,
} from '../core/write-input.ts';
import { changedFields, type Row } from '../core/rebase.ts';
import {
  ReplicaView,
  deleteRecord,
  putRecord,
  serverStateOf,
  serverVersionOf,
  type AnyReplicaRecord,
} from '../db/records.ts';
import { localKeyOf, type NewOperation, type SyncDb } from '../db/schema.ts';
import { inWriteTransaction, type RequestPipeline, type Tx } from '../db/tx.ts';
import { closedConflict } from './conflicts.ts';
import { checkDeletable } from './delete-rules.ts';
import { deleteRow, enqueue, inFlightIds, rowsOf } from './queue.ts';

export interface WriteContext {
  session: SessionContext;
  now: number;
  uuid: () => string;
}

function newOperation(
  ctx: WriteContext,
  fields: Pick<NewOperation, 'operation' | 'entityType' | 'entityId' | 'tempId' | 'data' | 'baseVersion'>,
): NewOperation {
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

/**
 * Each reference must point at a record the replica has (and that is not deleted); it is stored
 * as that record's public id. Lookups run together.
 */
async function checkReferences(view: ReplicaView, entityType: EntityType, fields: Row): Promise<Row> {
  const out = { ...fields };
  const refs = REFERENCE_FIELDS[entityType].filter(
    ({ field }) => typeof out[field] === 'number' || typeof out[field] === 'string',
  );
  await Promise.all(
    refs.map(async ({ field, target }) => {
      const ref = out[field] as EntityId;
      const record = await view.find(target, ref);
      if (!record || record.deletedAt) {
        throw new LocalWriteError(
          'VALIDATION',
          `${field}: no ${target === 'users' ? 'user' : target.slice(0, -1)} with id ${String(ref)}`,
        );
      }
      out[field] = record.id;
    }),
  );
  return out;
}

export async function createLocal(db: SyncDb, entityType: EntityType, body: unknown, ctx: WriteContext): Promise<Row> {
  const parsed = parseCreateBody(entityType, body);
  const tempId = makeTempId(entityType, ctx.uuid());
  return inWriteTransaction(
    db,
    async (tx, writes) => {
      const view = new ReplicaView(tx);
      const fields = await checkReferences(view, entityType, parsed);
      const record: AnyReplicaRecord = {
        ...buildCreatedRecord(entityType, tempId, fields, ctx.session, ctx.now),
        id: tempId,
        _tempId: tempId,
        _pending: true,
        _conflict: false,
        _server: null,
      };
      putRecord(tx, entityType, record);
      await enqueue(
        tx,
        writes,
        newOperation(ctx, {
          operation: 'create',
          entityType,
          entityId: tempId,
          tempId,
          data: fields,
          baseVersion: null,
        }),
      );
      return view.toPublic(entityType, record);
    },
    'strict',
  );
}

async function liveRecord(view: ReplicaView, entityType: EntityType, rawId: EntityId): Promise<AnyReplicaRecord> {
  const record = await view.find(entityType, rawId);
  if (!record || record.deletedAt)
    throw new LocalWriteError('NOT_FOUND', `No ${entityType} record with id ${String(rawId)}`);
  return record;
}

/**
 * Queues one more change of `record` and stores what the screen sees now: the current view with
 * the change on top (the same as server state + every queued row, without reading them).
 */
async function storeChange(
  tx: Tx,
  writes: RequestPipeline,
  view: ReplicaView,
  ctx: WriteContext,
  entityType: EntityType,
  record: AnyReplicaRecord,
  change: Pick<NewOperation, 'operation' | 'data'>,
  visible: Row,
): Promise<Row> {
  const key = localKeyOf(record);
  const queued = await enqueue(
    tx,
    writes,
    newOperation(ctx, {
      ...change,
      entityType,
      entityId: key,
      tempId: isTempId(key) ? key : null,
      baseVersion: serverVersionOf(record),
    }),
  );
  const next: AnyReplicaRecord = {
    ...record,
    ...visible,
    id: record.id,
    _pending: true,
    // The server's state is kept while changes are pending (to rebase them and to undo a discard).
    _server: record._pending ? (record._server ?? null) : serverStateOf(record),
  };
  // A record created here and deleted before it was ever sent: nothing reaches the server.
  if (queued.kind === 'cancel') deleteRecord(tx, entityType, key);
  else putRecord(tx, entityType, next);
  return view.toPublic(entityType, next);
}

/** An update's or a delete's write transaction: the live record it changes, and how to queue that change. */
interface LiveChange {
  tx: Tx;
  writes: RequestPipeline;
  view: ReplicaView;
  record: AnyReplicaRecord;
  /** Queues `change` of the record and stores what the screen sees now (see storeChange). */
  store(change: Pick<NewOperation, 'operation' | 'data'>, visible: Row): Promise<Row>;
}

/** Runs `work` on the live (not deleted) record `rawId` in one strict write transaction. */
function changeLiveRecord<T>(
  db: SyncDb,
  entityType: EntityType,
  rawId: EntityId,
  ctx: WriteContext,
  work: (live: LiveChange) => Promise<T>,
): Promise<T> {
  return inWriteTransaction(
    db,
    async (tx, writes) => {
      const view = new ReplicaView(tx);
      const record = await liveRecord(view, entityType, rawId);
      return work({
        tx,
        writes,
        view,
        record,
        store: (change, visible) => storeChange(tx, writes, view, ctx, entityType, record, change, visible),
      });
    },
    'strict',
  );
}

export async function updateLocal(
  db: SyncDb,
  entityType: EntityType,
  rawId: EntityId,
  body: unknown,
  ctx: WriteContext,
): Promise<Row> {
  const patch = parseUpdateBody(entityType, body);
  return changeLiveRecord(db, entityType, rawId, ctx, async ({ view, record, store }) => {
    const [fields, shown] = await Promise.all([
      checkReferences(view, entityType, patch),
      view.toPublic(entityType, record),
    ]);
    const changed = changedFields(shown, fields);
    if (Object.keys(changed).length === 0) return shown;
    return store({ operation: 'update', data: changed }, { ...changed, updatedAt: new Date(ctx.now).toISOString() });
  });
}

/** What a local delete did: the record as the page sees it now, and the held conflicts it closed. */
export interface DeleteOutcome {
  record: Row;
  /** Conflicts the delete settled (a held booking the server never stored): the page drops them. */
  closedConflicts: number[];
}

export async function deleteLocal(
  db: SyncDb,
  entityType: EntityType,
  rawId: EntityId,
  ctx: WriteContext,
): Promise<DeleteOutcome> {
  return changeLiveRecord(db, entityType, rawId, ctx, async ({ tx, writes, view, record, store }) => {
    await checkDeletable(tx, view, entityType, record, ctx.now);
    const deletedAt = new Date(ctx.now).toISOString();
    const closedConflicts = await dropHeldCreate(tx, writes, entityType, record, ctx);
    if (closedConflicts) {
      return { record: await view.toPublic(entityType, { ...record, deletedAt }), closedConflicts };
    }
    return { record: await store({ operation: 'delete', data: null }, { deletedAt }), closedConflicts: [] };
  });
}

/**
 * Deleting a record whose create the server held back (a double booking), so never stored: the
 * delete settles the conflict the way "create + delete" settles a create not yet sent. Nothing is
 * sent (there is nothing on the server to delete, and the held create must not go first just to be
 * deleted); the held row, the edits queued behind it and the local record go, and the conflict is
 * marked resolved (`deleted:discard`). Deleting is the user's explicit choice (a cancelled booking,
 * confirmed), so nothing they meant to keep is lost. Returns the closed conflicts' ids, or null when
 * the record has no held create (or a row of it is on its way to the server: then the delete is
 * queued as usual). Only the held create's author settles it this way (src/protocol/ownership.ts):
 * someone else's delete is queued behind it under their own name, so the author still decides
 * about what they typed, and the delete follows.
 */
async function dropHeldCreate(
  tx: Tx,
  writes: RequestPipeline,
  entityType: EntityType,
  record: AnyReplicaRecord,
  ctx: WriteContext,
): Promise<number[] | null> {
  const now = ctx.now;
  const key = localKeyOf(record);
  if (!isTempId(key)) return null;
  const [rows, flying] = await Promise.all([rowsOf(tx, entityType, key), inFlightIds(tx)]);
  const [held] = rows;
  if (held?.operation !== 'create' || held.status !== 'conflict') return null;
  if (!mayDecideOnChange(held.userId, ctx.session.userId)) return null;
  if (rows.some((row) => flying.has(row.id))) return null;
  const conflicts = tx.objectStore('conflicts');
  const open = (await conflicts.index('operationId').getAll(held.id)).filter((conflict) => !conflict.resolved);
  for (const row of rows) deleteRow(tx, writes, row.id);
  for (const conflict of open) {
    writes.add(() => conflicts.put(closedConflict(conflict, 'deleted:discard', now, ctx.session.userId)));
  }
  deleteRecord(tx, entityType, key);
  return open.flatMap((conflict) => (conflict.id === undefined ? [] : [conflict.id]));
}
