/**
 * Resolves ids an operation names: its own entityId and the reference fields in its data
 * (pets.ownerId, appointments.petId / practitionerId). A temp id resolves through the temp-id
 * map, filled by creates of the same batch or of earlier pushes; a real id must be a live row of
 * the same practice. Only the practice's own rows are ever visible.
 */
import { REFERENCE_FIELDS, isTempId, type EntityId, type EntityType } from '../../src/protocol/index.ts';
import { andThen, type Database, type MaybePromise } from '../db/engine.ts';
import type { EntityModels, RefTarget } from '../store/entities.ts';
import type { SyncLog } from '../store/sync-log.ts';
import type { Fields } from '../store/wire.ts';
import { OperationError } from './errors.ts';

/** Rules a referenced row must meet beyond "exists, same practice, not deleted". */
const REFERENCE_RULES: Record<string, { role?: (role: unknown) => boolean; what: string }> = {
  'pets.ownerId': { role: (r) => r === 'CLIENT', what: 'client' },
  'appointments.petId': { what: 'pet' },
  'appointments.practitionerId': { role: (r) => r !== 'CLIENT', what: 'practitioner' },
};

export interface Resolver {
  /**
   * From here to the end of the current write transaction (one push batch), referenced rows are
   * remembered between its operations: a batch of appointments names the same practitioners and
   * often the same pets again and again. Rows the batch writes are forgotten as they are written
   * (see `forget`). The memory belongs to the transaction (several may run at once on PostgreSQL).
   */
  rememberInTransaction(): void;
  /** The row was just written (or its write rolled back): read it again next time. */
  forget(practiceId: number, entityType: EntityType, id: number): void;
  /** Real id of the record an update/delete names; NOT_FOUND for an unknown temp id. */
  entityId(practiceId: number, entityType: EntityType, id: EntityId): Promise<number>;
  /**
   * Rewrites reference fields of `fields` to real ids (in place) and returns the referenced
   * records by field name. With `current` (an update), a field naming the row it already names
   * is not checked again: references are checked when they change, so an edit of an appointment
   * whose pet was deleted since still applies.
   */
  references(
    practiceId: number,
    entityType: EntityType,
    fields: Fields,
    current?: Fields,
  ): MaybePromise<Map<string, RefTarget>>;
}

type ReferenceField = (typeof REFERENCE_FIELDS)[EntityType][number];

/** One operation's reference check: its fields (rewritten to real ids in place) and the records found. */
interface ReferenceCheck {
  practiceId: number;
  entityType: EntityType;
  fields: Fields;
  current: Fields | undefined;
  found: Map<string, RefTarget>;
}

export function createResolver(db: Database, models: EntityModels, log: SyncLog): Resolver {
  /** Only inside a transaction that asked for it; only rows found (a miss may be created later in the batch). */
  const transactionCache = (): Map<string, RefTarget> | undefined =>
    db.state()?.refCache as Map<string, RefTarget> | undefined;

  function lookup(practiceId: number, target: EntityType, id: number): MaybePromise<RefTarget | undefined> {
    const cache = transactionCache();
    if (!cache) return models[target].refTarget(practiceId, id);
    const key = `${target}:${practiceId}:${id}`;
    const cached = cache.get(key);
    if (cached) return cached;
    return andThen(models[target].refTarget(practiceId, id), (found) => {
      if (found) cache.set(key, found);
      return found;
    });
  }

  function realId(practiceId: number, entityType: EntityType, id: unknown): MaybePromise<number | undefined> {
    if (typeof id === 'number') return id;
    if (isTempId(id)) return log.findTempId(practiceId, entityType, id);
    return undefined;
  }

  /** Checks a reference field given its real id (undefined: a temp id never created). */
  function settle(
    check: ReferenceCheck,
    { field, target }: ReferenceField,
    id: number | undefined,
  ): MaybePromise<void> {
    const { fields, current, entityType } = check;
    const value = fields[field];
    if (current && id !== undefined && current[field] === id) {
      fields[field] = id;
      return;
    }
    const rule = REFERENCE_RULES[`${entityType}.${field}`] ?? { what: target };
    const code = entityType === 'appointments' && field === 'petId' ? 'PET_NOT_FOUND' : 'REFERENCE_NOT_FOUND';
    return andThen(id === undefined ? undefined : lookup(check.practiceId, target, id), (record) => {
      if (!record || record.deleted)
        throw new OperationError(code, `${field}: no ${rule.what} with id ${String(value)} in this practice`);
      if (rule.role && !rule.role(record.role))
        throw new OperationError(code, `${field}: user ${record.id} is not a ${rule.what}`);
      fields[field] = record.id;
      check.found.set(field, record);
    });
  }

  /**
   * The reference fields from `start` on, field by field: without a promise while the look-ups
   * answer at once (SQLite, on every pushed operation), a promise chain from the first one that
   * does not (PostgreSQL). Functions of the resolver, not closures made per operation: under tsx
   * each named closure costs a `__name` call (~1 µs per pushed operation, profiled).
   */
  function checkFrom(check: ReferenceCheck, start: number): MaybePromise<Map<string, RefTarget>> {
    const refs = REFERENCE_FIELDS[check.entityType];
    for (let i = start; i < refs.length; i++) {
      const ref = refs[i];
      if (ref === undefined) break;
      const value = check.fields[ref.field];
      // Nullability is the schema's business.
      if (!(ref.field in check.fields) || value === null || value === undefined) continue;
      const id = realId(check.practiceId, ref.target, value);
      const settled = id instanceof Promise ? id.then((real) => settle(check, ref, real)) : settle(check, ref, id);
      if (settled instanceof Promise) return settled.then(() => checkFrom(check, i + 1));
    }
    return check.found;
  }

  return {
    rememberInTransaction() {
      const state = db.state();
      if (!state) throw new Error('rememberInTransaction() outside a write transaction');
      state.refCache = new Map<string, RefTarget>();
    },
    forget(practiceId, entityType, id) {
      transactionCache()?.delete(`${entityType}:${practiceId}:${id}`);
    },
    async entityId(practiceId, entityType, id) {
      const real = await realId(practiceId, entityType, id);
      if (real === undefined)
        throw new OperationError('NOT_FOUND', `No ${entityType} record with id ${String(id)} (temp id never created)`);
      return real;
    },
    references: (practiceId, entityType, fields, current) =>
      checkFrom({ practiceId, entityType, fields, current, found: new Map() }, 0),
  };
}
