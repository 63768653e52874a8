/**
 * What the resolution dialog shows and sends, as pure functions: the field rows (local vs server),
 * which fields need a choice under each strategy, and the `Resolution` message. The rules mirror the
 * worker's resolver (sw/core/resolve.ts): merge needs a choice for every field both sides changed
 * to different values; manual needs one for every field the user changed.
 */
import {
  DOUBLE_BOOKING_STRATEGIES,
  VERSION_STRATEGIES,
  SERVER_OWNED_FIELDS,
  WRITABLE_SCHEMAS,
  type ConflictRecord,
  type FieldChoice,
  type Resolution,
  type ResolutionStrategy,
} from '../protocol/index.ts';
import { formatDateTime, formatTime, formatTimeWithSeconds, localDateKey } from '../format.ts';
import { STRATEGY_DESCRIPTION } from './labels.ts';

export interface FieldRow {
  field: string;
  /** This tablet's value; only meaningful when changedLocally (else the tablet kept the old one). */
  local: unknown;
  server: unknown;
  /** The field is part of the change made on this tablet. */
  changedLocally: boolean;
  /** The server changed it since the tablet's version: true, false, or null when the server did not say. */
  changedOnServer: boolean | null;
  /** Worth a look: the values differ, or the server changed it. Highlighted. */
  differs: boolean;
  /** Both sides changed it, to different values: a real conflict. */
  conflicting: boolean;
}

type ConflictFields = Pick<
  ConflictRecord,
  'localData' | 'serverData' | 'affectedFields' | 'localTimestamp' | 'conflictType'
> &
  Partial<
    Pick<ConflictRecord, 'localOperation' | 'entityType' | 'serverChangedFields' | 'serverEditedAt' | 'serverEditedBy'>
  >;

/**
 * A deletion can only be kept or dropped: merge and manual apply to edits. A double booking has its
 * own ways out; "undo my change" (server wins) only where there is a server version to go back to.
 */
export function strategiesFor(conflict: ConflictFields): readonly ResolutionStrategy[] {
  if (conflict.conflictType === 'double_booking') {
    return conflict.localOperation === 'update'
      ? DOUBLE_BOOKING_STRATEGIES
      : DOUBLE_BOOKING_STRATEGIES.filter((s) => s !== 'server_wins');
  }
  return conflict.localOperation === 'delete' ? ['server_wins', 'client_wins', 'last_write_wins'] : VERSION_STRATEGIES;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const hidden = (field: string) => SERVER_OWNED_FIELDS.has(field) || field.startsWith('_') || field === 'clientId';

/**
 * One row per field: those both sides changed first, then this tablet's other changes, then what
 * only the server changed, then the rest of the server's record (so nothing changed elsewhere is
 * hidden from the person deciding).
 */
export function conflictRows(conflict: ConflictFields): FieldRow[] {
  const serverChanged = conflict.serverChangedFields ? new Set(conflict.serverChangedFields) : null;
  // A deletion's affectedFields are what the server changed; an update's are the overlap.
  const serverSide = conflict.localOperation === 'delete' ? new Set(conflict.affectedFields) : serverChanged;
  const writable = conflict.entityType ? Object.keys(WRITABLE_SCHEMAS[conflict.entityType].shape) : [];
  const candidates = [
    ...Object.keys(conflict.localData),
    ...conflict.affectedFields,
    ...(conflict.serverChangedFields ?? []),
    ...writable.filter((f) => f in conflict.serverData),
  ];
  const rows = [...new Set(candidates)]
    .filter((f) => !hidden(f))
    .map((field): FieldRow => {
      const local = conflict.localData[field];
      const server = conflict.serverData[field];
      const changedLocally = field in conflict.localData;
      const changedOnServer = serverSide
        ? serverSide.has(field)
        : conflict.affectedFields.includes(field)
          ? true
          : null;
      const differs = changedLocally ? !same(local, server) : changedOnServer === true;
      return {
        field,
        local,
        server,
        changedLocally,
        changedOnServer,
        differs,
        conflicting: changedLocally && conflict.affectedFields.includes(field) && differs,
      };
    });
  const rank = (r: FieldRow) => (r.conflicting ? 0 : r.changedLocally ? 1 : r.changedOnServer ? 2 : 3);
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => rank(a.row) - rank(b.row) || a.index - b.index)
    .map((x) => x.row);
}

/** Fields the user must decide under a strategy (the others are decided by the strategy). */
export function fieldsRequiringChoice(conflict: ConflictFields, strategy: ResolutionStrategy): string[] {
  const rows = conflictRows(conflict);
  if (strategy === 'merge') return rows.filter((r) => r.conflicting).map((r) => r.field);
  // As the worker's resolver: every field this tablet changed (and any both changed).
  if (strategy === 'manual')
    return rows.filter((r) => r.changedLocally || conflict.affectedFields.includes(r.field)).map((r) => r.field);
  return [];
}

/** Preselected choices: under manual, a field whose values already agree needs no thought. */
export function defaultChoices(conflict: ConflictFields, strategy: ResolutionStrategy): Record<string, FieldChoice> {
  const choices: Record<string, FieldChoice> = {};
  if (strategy !== 'manual') return choices;
  for (const row of conflictRows(conflict))
    if (row.changedLocally && !row.differs) choices[row.field] = { source: 'server' };
  return choices;
}

export type ResolutionDraft = { ok: true; resolution: Resolution } | { ok: false; missing: string[] };

export function buildResolution(
  conflict: ConflictFields,
  strategy: ResolutionStrategy,
  choices: Record<string, FieldChoice>,
): ResolutionDraft {
  const required = fieldsRequiringChoice(conflict, strategy);
  if (required.length === 0) return { ok: true, resolution: { strategy } };
  const missing = required.filter((f) => !choices[f]);
  if (missing.length > 0) return { ok: false, missing };
  const fields: Record<string, FieldChoice> = {};
  for (const f of required) fields[f] = choices[f] as FieldChoice;
  return { ok: true, resolution: { strategy, fields } };
}

/**
 * When the server's side was edited: by the clock of the device that made the edit
 * (`serverEditedAt`) when the server says, else when the server received it (`updatedAt`).
 */
export function serverEditTime(conflict: ConflictFields): { at: number; onDevice: boolean } | null {
  if (conflict.serverEditedAt !== undefined && Number.isFinite(conflict.serverEditedAt))
    return { at: conflict.serverEditedAt, onDevice: true };
  const received = Date.parse(String(conflict.serverData.updatedAt ?? ''));
  return Number.isFinite(received) ? { at: received, onDevice: false } : null;
}

/** Which side last-write-wins picks, by when each edit was made; ties go to the server, as in the worker. */
export function lastWriteWinner(conflict: ConflictFields): 'local' | 'server' {
  const server = serverEditTime(conflict);
  if (!server) return 'local';
  return conflict.localTimestamp > server.at ? 'local' : 'server';
}

/**
 * Last write wins in words, naming when each edit was made and where: "Your edit (10:42 on this
 * tablet) is newer than the other edit (10:39, when it was made)" ("…than Dr. Sam Patel’s edit"
 * when the server says who made it).
 */
export function lastWriteSentence(conflict: ConflictFields): string {
  const server = serverEditTime(conflict);
  const mine = conflict.localTimestamp;
  if (!server)
    return `Your edit (${formatEditTime(mine, mine)} on this tablet) is kept: the server’s version has no edit time.`;
  const yours = `${formatEditTime(mine, server.at)} on this tablet`;
  const theirs = server.onDevice
    ? `${formatEditTime(server.at, mine)}, when it was made`
    : `${formatEditTime(server.at, mine)}, when the server received it`;
  // "Dr. Sam Patel’s edit" when the server says who made it.
  const editor = conflict.serverEditedBy?.name;
  const other = editor ? `${editor}’s edit` : 'the other edit';
  const Other = editor ? other : 'The other edit';
  if (mine > server.at) return `Your edit (${yours}) is newer than ${other} (${theirs}).`;
  if (mine < server.at) return `${Other} (${theirs}) is newer than yours (${yours}).`;
  return `Both edits were made at the same moment (${yours}): ${other} is kept.`;
}

/**
 * A time of day, with the date when the two edits were not made on the same day, and the seconds
 * when they were made in the same minute (else "10:42 is newer than 10:42").
 */
function formatEditTime(at: number, other: number): string {
  if (localDateKey(new Date(at)) !== localDateKey(new Date(other))) return formatDateTime(at);
  return Math.floor(at / 60_000) === Math.floor(other / 60_000)
    ? formatTimeWithSeconds(at)
    : formatTime(new Date(at).toISOString());
}

/** A sentence that says what applying the strategy will do, shown before "Apply". */
export function outcomeSummary(conflict: ConflictFields, strategy: ResolutionStrategy): string {
  if (conflict.conflictType === 'double_booking') return doubleBookingOutcome(conflict, strategy);
  if (conflict.localOperation === 'delete') {
    const keep =
      strategy === 'client_wins' || (strategy === 'last_write_wins' && lastWriteWinner(conflict) === 'local');
    return keep
      ? 'The record is deleted, the server’s changes with it.'
      : 'Your deletion is dropped; the server’s version stays.';
  }
  const deleted = conflict.conflictType === 'deleted';
  switch (strategy) {
    case 'server_wins':
      return deleted
        ? 'The record stays deleted; your changes are dropped.'
        : 'Your changes are dropped; the server’s version stays.';
    case 'client_wins':
      return deleted ? 'The record is created again with your changes.' : 'Your changes replace the server’s values.';
    case 'last_write_wins':
      return lastWriteWinner(conflict) === 'local'
        ? 'Your edit is the newer one: it replaces the other edit’s values.'
        : 'The other edit is the newer one: your changes are dropped.';
    case 'merge':
      return 'Fields only one side changed are kept as they are; pick a value for each field both sides changed.';
    case 'manual':
      return 'Pick a value for every field below.';
    case 'move':
    case 'keep_both':
    case 'cancel_mine':
      return doubleBookingOutcome(conflict, strategy);
  }
}

/** What each way out of a double booking does, said before "Apply". */
export function doubleBookingOutcome(conflict: ConflictFields, strategy: ResolutionStrategy): string {
  const created = conflict.localOperation === 'create';
  switch (strategy) {
    case 'move':
      return 'The booking form opens on your booking with the free times of that day; saving there sends the new time.';
    case 'keep_both':
      return 'Both bookings stay at the same time; yours is marked “Double-booked on purpose”.';
    case 'cancel_mine':
      return created
        ? 'Your booking is kept as cancelled, so the day shows it was asked for; the other appointment stays.'
        : 'Your booking is cancelled; the other appointment stays.';
    case 'server_wins':
      return 'Your change is dropped: the booking goes back to how it is on the server, and the other appointment stays.';
    default:
      return STRATEGY_DESCRIPTION[strategy];
  }
}
