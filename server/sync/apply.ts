/**
 * Applies ONE operation (create, update or delete of one record) for a signed-in user, exactly
 * once, atomically. Push and the REST surface both go through here, so the rules live in one
 * place:
 *
 * - opId seen before in this practice → the stored result, nothing applied;
 * - the role must allow the action (src/protocol/permissions.ts) → else FORBIDDEN;
 * - the practice and tenant come from the session; an operation naming others → FORBIDDEN;
 * - create: temp id → real id (recorded in the temp-id map; a temp id created before returns
 *   the record it made instead of a duplicate);
 * - update/delete: field-level conflict detection against the base version (`conflicts.ts`);
 *   references are checked when they change (an edit of an appointment whose pet was deleted
 *   since still applies, as long as it does not move it to a missing pet);
 * - double bookings (issue 11): a create or update of an appointment that touches a booking
 *   field and would overlap another live booking of the same practitioner or pet is not applied:
 *   a `double_booking` conflict carrying the clashing appointments (double-booking.ts);
 * - delete rules (D2): a client with live pets is refused (HAS_DEPENDENTS, naming them); a pet
 *   is deleted together with the cancellation of its upcoming appointments, as ordinary
 *   versioned changes, in the same transaction (refused beyond MAX_CANCELLED_BY_PET_DELETE);
 * - every value written passes the protocol's record schema first (validate.ts: assertStorable,
 *   run by parseCreateData for a create; data already in canonical form, canonical.ts, is).
 * appointments.clientId is not written: models derive it from the pet when reading (D1).
 * Every write stamps the row with when the edit was made on the device (`editedAt`: the
 * operation's timestamp, a timestamp from the future clamped to the server's clock); conflicts
 * report it as `serverEditedAt`, with `serverChangedFields` and who made it (`serverEditedBy`).
 *
 * Each operation is atomic: alone, in a transaction of its own; in a push batch (one
 * transaction per request), see BatchIsolation: a failed operation leaves no trace.
 * Only applied operations (success) are recorded under their opId: a failure or conflict
 * changed nothing, so evaluating it again later is safe and gives a fresh answer. The stored
 * result leaves out the record, rebuilt at the result's version on replay (sync/versions.ts).
 */
import {
  MAX_CANCELLED_WITH_PET,
  clientHasPetsMessage,
  isEntityType,
  isTempId,
  petHasTooManyUpcomingMessage,
  permissionDenied,
  type Clash,
  type ConflictData,
  type PushOperation,
  type PushResult,
  type UserRole,
} from '../../src/protocol/index.ts';
import { isExclusionViolation, isRetryable, isUniqueViolation, isUnstorableText, type Database } from '../db/engine.ts';
import type { EntityModel, EntityModels, Owner } from '../store/entities.ts';
import type { SyncLog } from '../store/sync-log.ts';
import type { Fields, WireRecord } from '../store/wire.ts';
import { decideDelete, decideUpdate, rebuildHistory, type ServerHistory } from './conflicts.ts';
import { bookingClashes, clashFields, touchesBooking } from './double-booking.ts';
import { OperationError } from './errors.ts';
import type { Resolver } from './references.ts';
import { conflict, failure, success } from './results.ts';
import { recordAt } from './versions.ts';
import { assertStorable, parseCreateData, parseUpdateData } from './validate.ts';

/** Who is writing: from the session, never from the request. */
export interface Actor extends Owner {
  userId: number;
  role: UserRole;
}

/** Upcoming appointments a pet delete cancels at most; more is refused (bounded work per request). */
export const MAX_CANCELLED_BY_PET_DELETE = MAX_CANCELLED_WITH_PET;
/** Versions of history replayed for a conflict check; further behind counts as "everything changed". */
export const MAX_REVISIONS_REPLAYED = 1000;

export interface ApplyOptions {
  /** Record the result under the opId (false for REST writes sent without an Idempotency-Key). */
  remember: boolean;
}

/**
 * How an operation inside a batch is kept atomic:
 * - `savepoint`: each in a SAVEPOINT, rolled back alone if it throws;
 * - `none`: no savepoint (they cost about a fifth of a create). Safe because an operation only
 *   refuses (OperationError) before its first write, which `writeCount` verifies; anything else
 *   throws BatchAbort and the caller rolls the batch back and runs it again with savepoints.
 */
export type BatchIsolation = 'savepoint' | 'none';

/** An operation failed after it started writing, outside a savepoint: the batch must roll back. */
export class BatchAbort extends Error {
  constructor(readonly reason: unknown) {
    super('operation failed mid-write; batch rolled back');
    this.name = 'BatchAbort';
  }
}

export interface Applier {
  /** One operation in its own write transaction (REST writes). */
  apply(actor: Actor, op: PushOperation, now: number, options?: ApplyOptions): Promise<PushResult>;
  /** One operation of a batch, inside the caller's `writeTransaction` (push). */
  applyInBatch(actor: Actor, op: PushOperation, now: number, isolation: BatchIsolation): Promise<PushResult>;
}

type ServerSide = Pick<ConflictData, 'serverChangedFields' | 'serverEditedAt' | 'serverEditedBy'>;

/** One operation being applied: who, to which model, and its clocks (`editedAt`: the device's, clamped). */
interface Applying {
  actor: Actor;
  model: EntityModel;
  op: PushOperation;
  now: number;
  editedAt: number;
}

export interface ApplierDeps {
  db: Database;
  models: EntityModels;
  log: SyncLog;
  resolver: Resolver;
  /** Called for an unexpected error inside one operation (a bug): the operation fails as INTERNAL. */
  onInternalError: (err: unknown, op: PushOperation) => void;
}

export function createApplier(deps: ApplierDeps): Applier {
  const { db, models, log, resolver } = deps;
  /** Results of creates that made their record under a temp id (recorded in the map by applyOne). */
  const madeUnderTempId = new WeakSet<PushResult>();

  function checkTenancy(actor: Actor, op: PushOperation): void {
    const named: [string, unknown, unknown][] = [
      ['practiceId', op.practiceId, actor.practiceId],
      ['tenantId', op.tenantId, actor.tenantId],
      ['data.practiceId', op.data?.practiceId, actor.practiceId],
      ['data.tenantId', op.data?.tenantId, actor.tenantId],
    ];
    for (const [name, value, own] of named) {
      if (value !== undefined && value !== null && value !== own) {
        const shown = typeof value === 'object' ? 'that value' : JSON.stringify(value);
        throw new OperationError('FORBIDDEN', `${name} ${shown} is not your practice (${String(own)})`);
      }
    }
  }

  async function history(
    model: EntityModel,
    current: WireRecord,
    baseVersion: number | undefined,
  ): Promise<ServerHistory | null> {
    if (baseVersion === undefined || baseVersion >= current.version) return null;
    // Far behind: no replay of thousands of revisions; with none, every field counts as changed.
    const revisions =
      current.version - baseVersion > MAX_REVISIONS_REPLAYED
        ? []
        : await log.revisionsAfter(model.type, current.id, baseVersion);
    return rebuildHistory(current, model.fields, baseVersion, revisions);
  }

  /** Writes a change to an existing row: new version and seq, plus its undo revision. */
  async function write(
    actor: Actor,
    model: EntityModel,
    current: WireRecord,
    changes: Fields,
    now: number,
    editedAt: number,
  ): Promise<WireRecord> {
    const previous: Fields = {};
    for (const field of Object.keys(changes)) previous[field] = current[field] ?? null;
    const version = current.version + 1;
    resolver.forget(actor.practiceId, model.type, current.id);
    const record = await model.update(current.id, changes, {
      version,
      now,
      seq: log.nextSeq(),
      editedAt,
      editedBy: actor.userId,
    });
    await log.addRevision(model.type, current.id, version, previous, now);
    return record;
  }

  /**
   * The server's side of a conflict on `current`: every field it changed since the client's base
   * version (all of them when that base is unknown to it), and who edited its current version and
   * when, by the editing device's clock.
   */
  async function serverSide(
    model: EntityModel,
    current: WireRecord,
    baseVersion: number | undefined,
    past: ServerHistory | null,
  ): Promise<ServerSide> {
    const side: ServerSide = {
      serverChangedFields: past
        ? model.fields.filter((f) => past.changed.has(f))
        : baseVersion !== undefined && baseVersion > current.version
          ? [...model.fields]
          : [],
    };
    const edit = await model.lastEdit(current.id);
    if (!edit) return side;
    side.serverEditedAt = edit.at;
    const editor = edit.by === null ? undefined : await models.users.find(Number(current.practiceId), edit.by);
    if (editor && typeof editor.name === 'string') side.serverEditedBy = { id: editor.id, name: editor.name };
    return side;
  }

  /** An update or delete that met a newer server version: not applied, answered with both sides. */
  async function versionConflict(
    op: PushOperation,
    model: EntityModel,
    current: WireRecord,
    past: ServerHistory | null,
    tempId: string | undefined,
    mine: Pick<ConflictData, 'localData' | 'conflictType' | 'affectedFields'>,
  ): Promise<PushResult> {
    return conflict(
      op,
      current,
      {
        localData: mine.localData,
        serverData: current,
        conflictType: mine.conflictType,
        affectedFields: mine.affectedFields,
        baseVersion: op.version ?? current.version,
        serverVersion: current.version,
        ...(await serverSide(model, current, op.version, past)),
      },
      tempId,
    );
  }

  /** A booking that would overlap others: not applied, answered with the clashing appointments. */
  async function doubleBooking(
    op: PushOperation,
    local: Fields,
    clashes: Clash[],
    server: { model: EntityModel; current: WireRecord; past: ServerHistory | null } | null,
    tempId: string | undefined,
  ): Promise<PushResult> {
    const data: ConflictData = {
      localData: local,
      serverData: server ? server.current : {},
      conflictType: 'double_booking',
      affectedFields: clashFields(clashes),
      baseVersion: server ? (op.version ?? server.current.version) : 0,
      serverVersion: server ? server.current.version : 0,
      clashes,
    };
    if (server) Object.assign(data, await serverSide(server.model, server.current, op.version, server.past));
    return conflict(op, server?.current ?? null, data, tempId);
  }

  async function create({ actor, model, op, now, editedAt }: Applying): Promise<PushResult> {
    const entityTempId = isTempId(op.entityId) ? op.entityId : undefined;
    if (op.entityId !== undefined && entityTempId === undefined) {
      throw new OperationError('VALIDATION', 'A create names a temp id (or none), not a real id');
    }
    if (op.tempId !== undefined && entityTempId !== undefined && op.tempId !== entityTempId) {
      throw new OperationError('VALIDATION', `tempId ${op.tempId} and entityId ${entityTempId} differ`);
    }
    const tempId = op.tempId ?? entityTempId;
    if (tempId !== undefined) {
      // The same record pushed again under another opId: answer with the row it made.
      let existingId = log.findTempId(actor.practiceId, model.type, tempId);
      if (existingId instanceof Promise) existingId = await existingId;
      const existing = existingId === undefined ? undefined : await model.find(actor.practiceId, existingId);
      if (existing) return success(op, existing, tempId);
    }
    const fields = parseCreateData(model.type, op.data);
    let referenced = resolver.references(actor.practiceId, model.type, fields);
    if (referenced instanceof Promise) referenced = await referenced;
    if (model.type === 'appointments') {
      let clashes = bookingClashes(models.appointments, actor.practiceId, fields, null);
      if (clashes instanceof Promise) clashes = await clashes;
      if (clashes.length > 0) return doubleBooking(op, fields, clashes, null, tempId);
      // Not stored (D1): the new record's clientId, from the pet just checked in this transaction.
      fields.clientId = referenced.get('petId')?.ownerId ?? null;
    }
    // `x instanceof Promise ? await x : x` on the push path: SQLite answers at once, and an await
    // of a plain value still costs a turn of the microtask queue (~5% of a create, measured).
    let record = model.insert(actor, fields, { version: 1, now, seq: log.nextSeq(), editedAt, editedBy: actor.userId });
    if (record instanceof Promise) record = await record;
    const result = success(op, record, tempId);
    // Its op-log entry (applyOne) becomes the temp id's entry in the temp-id map.
    if (tempId !== undefined) madeUnderTempId.add(result);
    return result;
  }

  /** The row an update/delete names, which must be in the practice (and a client, for users). */
  async function target(actor: Actor, model: EntityModel, op: PushOperation): Promise<WireRecord> {
    if (op.entityId === undefined) throw new OperationError('VALIDATION', `An ${op.operation} needs "entityId"`);
    const id = await resolver.entityId(actor.practiceId, model.type, op.entityId);
    const current = await model.findForWrite(actor.practiceId, id);
    if (!current)
      throw new OperationError('NOT_FOUND', `No ${model.type} record with id ${String(op.entityId)} in this practice`);
    if (model.type === 'users' && current.role !== 'CLIENT') {
      throw new OperationError('FORBIDDEN', 'Staff accounts cannot be changed through sync; only clients');
    }
    return current;
  }

  /** What an update or delete starts from: the row it names, and its history since the op's base version. */
  async function existing({ actor, model, op }: Pick<Applying, 'actor' | 'model' | 'op'>) {
    const current = await target(actor, model, op);
    return { current, past: await history(model, current, op.version) };
  }

  async function update(applying: Applying): Promise<PushResult> {
    const { actor, model, op, now, editedAt } = applying;
    const tempId = isTempId(op.entityId) ? op.entityId : undefined;
    const local = parseUpdateData(model.type, op.data);
    const { current, past } = await existing(applying);
    if (current.deletedAt === null) await resolver.references(actor.practiceId, model.type, local, current);
    const decision = decideUpdate({ current, fields: model.fields, local, baseVersion: op.version, history: past });
    if (decision.kind === 'conflict') {
      return versionConflict(op, model, current, past, tempId, {
        localData: local,
        conflictType: decision.conflictType,
        affectedFields: decision.affectedFields,
      });
    }
    const changes = decision.changes;
    if (Object.keys(changes).length === 0) return success(op, current, tempId);
    assertStorable(model.type, changes);
    if (model.type === 'appointments' && touchesBooking(changes)) {
      const clashes = await bookingClashes(
        models.appointments,
        actor.practiceId,
        Object.assign({}, current, changes),
        current.id,
      );
      if (clashes.length > 0) return doubleBooking(op, local, clashes, { model, current, past }, tempId);
    }
    return success(op, await write(actor, model, current, changes, now, editedAt), tempId);
  }

  /**
   * What deleting `current` takes with it: a pet's upcoming appointments (cancelled with it).
   * Refuses (before any write) a client who still has live pets, and a pet with more upcoming
   * appointments than one request may cancel.
   */
  async function dependents(actor: Actor, model: EntityModel, current: WireRecord, now: number): Promise<WireRecord[]> {
    if (model.type === 'users') {
      const { names, count } = await models.pets.liveByOwner(actor.practiceId, current.id, 5);
      if (count > 0) {
        throw new OperationError('HAS_DEPENDENTS', clientHasPetsMessage(String(current.name), count, names));
      }
      return [];
    }
    if (model.type === 'pets') {
      const upcoming = await models.appointments.upcomingOfPet(
        actor.practiceId,
        current.id,
        now,
        MAX_CANCELLED_BY_PET_DELETE + 1,
      );
      if (upcoming.length > MAX_CANCELLED_BY_PET_DELETE) {
        throw new OperationError('HAS_DEPENDENTS', petHasTooManyUpcomingMessage(String(current.name)));
      }
      return upcoming;
    }
    return [];
  }

  async function remove(applying: Applying): Promise<PushResult> {
    const { actor, model, op, now, editedAt } = applying;
    const tempId = isTempId(op.entityId) ? op.entityId : undefined;
    const { current, past } = await existing(applying);
    const decision = decideDelete({ current, fields: model.fields, baseVersion: op.version, history: past });
    if (decision.kind === 'noop') return success(op, current, tempId);
    if (decision.kind === 'conflict') {
      return versionConflict(op, model, current, past, tempId, {
        localData: {},
        conflictType: 'version',
        affectedFields: decision.affectedFields,
      });
    }
    const cancelled = await dependents(actor, model, current, now);
    const version = current.version + 1;
    resolver.forget(actor.practiceId, model.type, current.id);
    const record = await model.tombstone(current.id, {
      version,
      now,
      seq: log.nextSeq(),
      editedAt,
      editedBy: actor.userId,
    });
    await log.addRevision(model.type, current.id, version, { deletedAt: null }, now);
    for (const appointment of cancelled)
      await write(actor, models.appointments, appointment, { status: 'cancelled' }, now, editedAt);
    return success(op, record, tempId);
  }

  /** The operation's reads, checks and writes; OperationError only before the first write. */
  async function applyOne(actor: Actor, op: PushOperation, now: number, remember: boolean): Promise<PushResult> {
    let stored = log.findOp(actor.practiceId, op.opId);
    if (stored instanceof Promise) stored = await stored;
    if (stored) {
      if (stored.entityType !== op.entityType || stored.operation !== op.operation) {
        return failure(
          op,
          'VALIDATION',
          `opId ${op.opId} was already used for a ${stored.operation} of ${stored.entityType}`,
        );
      }
      // The stored answer, as first given (only the client's queue row id may differ).
      const replay = stored.result;
      if (op.id !== undefined) replay.operationId = op.id;
      else delete replay.operationId;
      if (replay.realId !== undefined && replay.version !== undefined && isEntityType(stored.entityType)) {
        const model = models[stored.entityType];
        const current = await model.find(actor.practiceId, replay.realId);
        if (current) {
          const then = recordAt(
            current,
            replay.version,
            await log.revisionsAfter(stored.entityType, current.id, replay.version - 1),
          );
          replay.record = await model.withDerived(actor.practiceId, then);
        }
      }
      return replay;
    }
    if (!isEntityType(op.entityType)) {
      const hint = op.entityType === 'clients' ? ' (clients are users with role CLIENT)' : '';
      return failure(op, 'UNKNOWN_ENTITY', `Unknown entity type "${op.entityType}"${hint}`);
    }
    const denied = permissionDenied(actor.role, op.operation, op.entityType);
    if (denied) return failure(op, 'FORBIDDEN', denied);
    checkTenancy(actor, op);
    const model = models[op.entityType];
    // When the edit was made, by the device's clock; a clock ahead of the server's counts as now.
    const editedAt = Math.min(op.timestamp, now);
    const handle = op.operation === 'create' ? create : op.operation === 'update' ? update : remove;
    const result = await handle({ actor, model, op, now, editedAt });
    // Refused on an op-log look-up read before this transaction waited for locks (PostgreSQL's
    // prefetch): the same operation may have been applied meanwhile by another delivery.
    if (
      !result.success &&
      log.prefetched(actor.practiceId, op.opId) &&
      (await log.findOp(actor.practiceId, op.opId, true))
    )
      return applyOne(actor, op, now, false);
    const mapsTempId = madeUnderTempId.has(result);
    // A create under a temp id is recorded even when not remembered: the entry is its map entry.
    if (result.success && (remember || mapsTempId)) {
      const { realId, version } = result;
      if (realId === undefined || version === undefined)
        throw new Error('an applied operation without realId or version');
      const recorded = log.recordOp({
        practiceId: actor.practiceId,
        opId: op.opId,
        userId: actor.userId,
        entityType: model.type,
        operation: op.operation,
        realId,
        version,
        tempId: result.tempId,
        mapsTempId,
        now,
      });
      if (recorded instanceof Promise) await recorded;
    }
    return result;
  }

  /** In a SAVEPOINT of the caller's transaction: a throw rolls back this operation only. */
  const inSavepoint = (actor: Actor, op: PushOperation, now: number, remember: boolean): Promise<PushResult> =>
    db.savepoint(() => applyOne(actor, op, now, remember));

  /**
   * The answer when a constraint the database holds stopped an operation (its writes already
   * rolled back), or null for any other error:
   * - the op log's unique (practice, opId): the same operation was applied by another request
   *   first (another process, on PostgreSQL) → the result stored then;
   * - an exclusion constraint (PostgreSQL's double-booking guard) → the `double_booking`
   *   conflict, with the clashing appointments as the rule finds them now.
   */
  async function afterConstraint(
    actor: Actor,
    op: PushOperation,
    now: number,
    err: unknown,
  ): Promise<PushResult | null> {
    // The same operation delivered twice at once: the other delivery's booking or op-log row won.
    if ((isUniqueViolation(err) || isExclusionViolation(err)) && (await log.findOp(actor.practiceId, op.opId, true)))
      return applyOne(actor, op, now, false);
    if (!isExclusionViolation(err) || !isEntityType(op.entityType)) return null;
    const model = models[op.entityType];
    const tempId = op.tempId ?? (isTempId(op.entityId) ? op.entityId : undefined);
    if (op.operation === 'create') {
      const fields = parseCreateData(model.type, op.data);
      await resolver.references(actor.practiceId, model.type, fields);
      return doubleBooking(
        op,
        fields,
        await bookingClashes(models.appointments, actor.practiceId, fields, null),
        null,
        tempId,
      );
    }
    const { current, past } = await existing({ actor, model, op });
    const local = parseUpdateData(model.type, op.data);
    await resolver.references(actor.practiceId, model.type, local, current);
    const clashes = await bookingClashes(
      models.appointments,
      actor.practiceId,
      Object.assign({}, current, local),
      current.id,
    );
    return doubleBooking(op, local, clashes, { model, current, past }, tempId);
  }

  function internal(op: PushOperation, err: unknown): PushResult {
    deps.onInternalError(err, op);
    return failure(op, 'INTERNAL', 'The server could not apply this operation');
  }

  /** The result of an operation that threw inside its savepoint (rolled back). */
  async function failed(actor: Actor, op: PushOperation, now: number, err: unknown): Promise<PushResult> {
    if (err instanceof OperationError) return failure(op, err.code, err.message);
    // A deadlock victim: the whole transaction runs again (store/sync-log.ts).
    if (isRetryable(err)) throw err;
    if (isUnstorableText(err)) return failure(op, 'VALIDATION', 'Text may not contain the NUL character (U+0000)');
    try {
      const answer = await afterConstraint(actor, op, now, err);
      if (answer) return answer;
    } catch (again) {
      if (again instanceof OperationError) return failure(op, again.code, again.message);
    }
    return internal(op, err);
  }

  return {
    async apply(actor, op, now, options = { remember: true }) {
      try {
        // Its own write transaction, the operation in a savepoint: a throw rolls it back, and a
        // constraint the database holds can still be answered in the same transaction.
        return await log.writeTransaction(async () => {
          try {
            return await inSavepoint(actor, op, now, options.remember);
          } catch (err) {
            return failed(actor, op, now, err);
          }
        });
      } catch (err) {
        return internal(op, err);
      }
    },
    applyInBatch(actor, op, now, isolation) {
      if (isolation === 'savepoint')
        return inSavepoint(actor, op, now, true).catch((err: unknown) => failed(actor, op, now, err));
      const writesBefore = log.writeCount();
      return applyOne(actor, op, now, true).catch((err: unknown) => {
        // Refused before writing anything: nothing to undo.
        if (err instanceof OperationError && log.writeCount() === writesBefore)
          return failure(op, err.code, err.message);
        throw new BatchAbort(err);
      });
    },
  };
}
