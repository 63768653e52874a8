/**
 * Conflict resolution (pure). The five strategies of the reference document:
 *   server_wins      discard the local change, keep the server's record;
 *   client_wins      overwrite the server with every locally changed field;
 *   last_write_wins  whichever edit was made last (see below);
 *   merge            fields only one side changed are kept automatically; fields both changed
 *                    need a choice (local, server or a typed value);
 *   manual           every field the user changed gets a choice.
 * A resolution becomes an update "from the server's version" (baseVersion = serverVersion), so it
 * cannot conflict again unless the server changes once more in between.
 *
 * A `deleted` conflict (the server deleted the record the user edited) cannot be updated: keeping
 * the local side re-creates the record as a new one. A `double_booking` has its own ways out
 * (resolve-double-booking.ts).
 *
 * "When" for last-write-wins is when each edit was made on its device: the local operation's
 * timestamp against the server's `serverEditedAt` (the server's `updatedAt`, when it was received,
 * only for a server that does not report it).
 */
import type { ConflictRecord, FieldChoice, Resolution } from '../../src/protocol/index.ts';
import type { Row } from './rebase.ts';
import { ResolutionError } from './resolution-error.ts';
import { resolveDoubleBooking, type HeldBooking } from './resolve-double-booking.ts';

export type ResolutionOutcome =
  /** Nothing to send: the server's record stands. */
  | { kind: 'discard'; winner: 'server' }
  /** Send an update of these fields on top of the server's version. */
  | { kind: 'update'; data: Row; baseVersion: number; winner: 'client' | 'mixed' }
  /** The server deleted the record: send a create of the local record. */
  | { kind: 'recreate'; data: Row; winner: 'client' | 'mixed' }
  /** The device deleted a record the server changed since: confirm the delete on top of the server version. */
  | { kind: 'delete'; baseVersion: number; winner: 'client' }
  /** A held create (a double booking): send it again with this data. */
  | { kind: 'create'; data: Row; winner: 'client' };

export { ResolutionError };

type ConflictInput = Pick<
  ConflictRecord,
  'conflictType' | 'localData' | 'serverData' | 'affectedFields' | 'serverVersion' | 'localTimestamp'
> &
  Partial<Pick<ConflictRecord, 'localOperation' | 'serverEditedAt'>>;

/** Whether the local edit was made after the server's (ties go to the server: everyone else sees it already). */
export function localEditIsNewer(
  conflict: Pick<ConflictInput, 'serverData' | 'serverEditedAt' | 'localTimestamp'>,
): boolean {
  const serverTime = conflict.serverEditedAt ?? Date.parse(String(conflict.serverData.updatedAt ?? ''));
  return Number.isFinite(serverTime) ? conflict.localTimestamp > serverTime : true;
}

/**
 * The server's state a held change sits on once the conflict is known: the server's current
 * record for a version conflict or a held update of a booking, nothing for a held create (the
 * server never had it); `undefined` keeps the state the replica holds (a `deleted` conflict keeps
 * the record as the device knew it until the user decides).
 */
export function serverStateBehind(
  conflict: Pick<ConflictRecord, 'conflictType' | 'serverData' | 'localOperation'>,
): Row | null | undefined {
  if (conflict.conflictType === 'version') return conflict.serverData;
  if (conflict.conflictType === 'double_booking')
    return conflict.localOperation === 'create' ? null : conflict.serverData;
  return undefined;
}

/** Fields both sides changed, i.e. those a merge cannot decide alone. */
export function fieldsNeedingChoice(conflict: ConflictInput): string[] {
  return conflict.affectedFields.filter(
    (f) => JSON.stringify(conflict.localData[f]) !== JSON.stringify(conflict.serverData[f]),
  );
}

function pick(conflict: ConflictInput, field: string, choice: FieldChoice): unknown {
  switch (choice.source) {
    case 'local':
      return conflict.localData[field];
    case 'server':
      return conflict.serverData[field];
    case 'custom':
      return choice.value;
  }
}

/** Builds the outcome from per-field values; fields equal to the server's are not sent. */
function outcomeFromFields(conflict: ConflictInput, values: Row, winner: 'client' | 'mixed'): ResolutionOutcome {
  if (conflict.conflictType === 'deleted') {
    const { id: _id, version: _v, createdAt: _c, updatedAt: _u, deletedAt: _d, ...serverFields } = conflict.serverData;
    return { kind: 'recreate', data: { ...serverFields, ...values }, winner };
  }
  const data: Row = {};
  for (const [field, value] of Object.entries(values)) {
    if (JSON.stringify(conflict.serverData[field]) !== JSON.stringify(value)) data[field] = value;
  }
  if (Object.keys(data).length === 0) return { kind: 'discard', winner: 'server' };
  return { kind: 'update', data, baseVersion: conflict.serverVersion, winner };
}

/** A deletion made here against server edits: it is kept (sent again) or dropped, nothing in between. */
function resolveDeletion(conflict: ConflictInput, resolution: Resolution): ResolutionOutcome {
  const keepDeletion = { kind: 'delete', baseVersion: conflict.serverVersion, winner: 'client' } as const;
  switch (resolution.strategy) {
    case 'server_wins':
      return { kind: 'discard', winner: 'server' };
    case 'client_wins':
      return keepDeletion;
    case 'last_write_wins':
      return localEditIsNewer(conflict) ? keepDeletion : { kind: 'discard', winner: 'server' };
    case 'merge':
    case 'manual':
    case 'move':
    case 'keep_both':
    case 'cancel_mine':
      throw new ResolutionError(
        'NOT_APPLICABLE',
        "This record was deleted on this device: keep the deletion (client wins) or keep the server's record (server wins)",
      );
  }
}

/** Choices that only make sense for a double booking. */
const BOOKING_ONLY = new Set<Resolution['strategy']>(['move', 'keep_both', 'cancel_mine']);

export function resolveConflict(conflict: ConflictInput, resolution: Resolution): ResolutionOutcome {
  if (conflict.localOperation === 'delete') return resolveDeletion(conflict, resolution);
  if (BOOKING_ONLY.has(resolution.strategy) && conflict.conflictType !== 'double_booking') {
    throw new ResolutionError(
      'NOT_APPLICABLE',
      'Move, keep both and cancel are the choices for a double booking, not for this conflict',
    );
  }
  if (conflict.conflictType === 'double_booking') {
    const held: HeldBooking = {
      localOperation: conflict.localOperation === 'create' ? 'create' : 'update',
      heldData: conflict.localData,
      serverData: conflict.serverData,
      serverVersion: conflict.serverVersion,
    };
    return resolveDoubleBooking(held, resolution);
  }
  const choices = resolution.fields ?? {};
  for (const field of Object.keys(choices)) {
    if (!(field in conflict.localData) && !(field in conflict.serverData)) {
      throw new ResolutionError('UNKNOWN_FIELD', `"${field}" is not a field of this record`);
    }
  }

  switch (resolution.strategy) {
    case 'server_wins':
      return { kind: 'discard', winner: 'server' };

    case 'client_wins':
      return outcomeFromFields(conflict, { ...conflict.localData }, 'client');

    case 'last_write_wins':
      return localEditIsNewer(conflict)
        ? outcomeFromFields(conflict, { ...conflict.localData }, 'client')
        : { kind: 'discard', winner: 'server' };

    case 'merge': {
      const values: Row = {};
      for (const field of Object.keys(conflict.localData)) {
        if (!conflict.affectedFields.includes(field)) values[field] = conflict.localData[field];
      }
      const missing: string[] = [];
      for (const field of conflict.affectedFields) {
        const choice = choices[field];
        if (choice) values[field] = pick(conflict, field, choice);
        else if (JSON.stringify(conflict.localData[field]) === JSON.stringify(conflict.serverData[field])) continue;
        else missing.push(field);
      }
      if (missing.length > 0) {
        throw new ResolutionError('CHOICE_REQUIRED', `Choose a value for: ${missing.join(', ')}`);
      }
      return outcomeFromFields(conflict, values, 'mixed');
    }

    case 'manual': {
      const fields = new Set([...Object.keys(conflict.localData), ...conflict.affectedFields]);
      const values: Row = {};
      const missing: string[] = [];
      for (const field of fields) {
        const choice = choices[field];
        if (choice) values[field] = pick(conflict, field, choice);
        else missing.push(field);
      }
      if (missing.length > 0) {
        throw new ResolutionError('CHOICE_REQUIRED', `Choose a value for: ${missing.join(', ')}`);
      }
      return outcomeFromFields(conflict, values, 'mixed');
    }

    case 'move':
    case 'keep_both':
    case 'cancel_mine':
      throw new ResolutionError('NOT_APPLICABLE', 'Move, keep both and cancel are the choices for a double booking');
  }
}
