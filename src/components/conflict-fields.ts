/**
 * What the resolution dialog shows and sends, as pure functions: the field rows (local vs server),
 * which fields need a choice under each strategy, and the `Resolution` message. The rules mirror the
 * worker's resolver (sw/core/resolve.ts): merge needs a choice for every field both sides changed
 * to different values; manual needs one for every field the user changed.
 */
import {
  RESOLUTION_STRATEGIES,
  SERVER_OWNED_FIELDS,
  type ConflictRecord,
  type FieldChoice,
  type Resolution,
  type ResolutionStrategy,
} from '../protocol/index.ts';

export interface FieldRow {
  field: string;
  local: unknown;
  server: unknown;
  /** The field is part of the change made on this tablet. */
  changedLocally: boolean;
  /** Local and server values differ: highlighted. */
  differs: boolean;
  /** The server also changed it since the tablet's version: a real conflict. */
  conflicting: boolean;
}

type ConflictFields = Pick<ConflictRecord, 'localData' | 'serverData' | 'affectedFields' | 'localTimestamp' | 'conflictType'> &
  Partial<Pick<ConflictRecord, 'localOperation'>>;

/** A deletion can only be kept or dropped: merge and manual apply to edits. */
export function strategiesFor(conflict: ConflictFields): readonly ResolutionStrategy[] {
  return conflict.localOperation === 'delete' ? ['server_wins', 'client_wins', 'last_write_wins'] : RESOLUTION_STRATEGIES;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const hidden = (field: string) => SERVER_OWNED_FIELDS.has(field) || field.startsWith('_') || field === 'clientId';

export function conflictRows(conflict: ConflictFields): FieldRow[] {
  const fields = [...new Set([...Object.keys(conflict.localData), ...conflict.affectedFields])].filter((f) => !hidden(f));
  return fields.map((field) => {
    const local = conflict.localData[field];
    const server = conflict.serverData[field];
    const differs = !same(local, server);
    return {
      field,
      local,
      server,
      changedLocally: field in conflict.localData,
      differs,
      conflicting: conflict.affectedFields.includes(field) && differs,
    };
  });
}

/** Fields the user must decide under a strategy (the others are decided by the strategy). */
export function fieldsRequiringChoice(conflict: ConflictFields, strategy: ResolutionStrategy): string[] {
  const rows = conflictRows(conflict);
  if (strategy === 'merge') return rows.filter((r) => r.conflicting).map((r) => r.field);
  if (strategy === 'manual') return rows.map((r) => r.field);
  return [];
}

/** Preselected choices: under manual, a field whose values already agree needs no thought. */
export function defaultChoices(conflict: ConflictFields, strategy: ResolutionStrategy): Record<string, FieldChoice> {
  const choices: Record<string, FieldChoice> = {};
  if (strategy !== 'manual') return choices;
  for (const row of conflictRows(conflict)) if (!row.differs) choices[row.field] = { source: 'server' };
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

/** Which side last-write-wins picks; ties go to the server, as in the worker. */
export function lastWriteWinner(conflict: ConflictFields): 'local' | 'server' {
  const serverTime = Date.parse(String(conflict.serverData.updatedAt ?? ''));
  if (!Number.isFinite(serverTime)) return 'local';
  return conflict.localTimestamp > serverTime ? 'local' : 'server';
}

/** A sentence that says what applying the strategy will do, shown before "Apply". */
export function outcomeSummary(conflict: ConflictFields, strategy: ResolutionStrategy): string {
  if (conflict.localOperation === 'delete') {
    const keep = strategy === 'client_wins' || (strategy === 'last_write_wins' && lastWriteWinner(conflict) === 'local');
    return keep ? 'The record is deleted, the server’s changes with it.' : 'Your deletion is dropped; the server’s version stays.';
  }
  const deleted = conflict.conflictType === 'deleted';
  switch (strategy) {
    case 'server_wins':
      return deleted ? 'The record stays deleted; your changes are dropped.' : 'Your changes are dropped; the server’s version stays.';
    case 'client_wins':
      return deleted ? 'The record is created again with your changes.' : 'Your changes replace the server’s values.';
    case 'last_write_wins':
      return lastWriteWinner(conflict) === 'local'
        ? 'Your change is the most recent: it replaces the server’s values.'
        : 'The server’s change is the most recent: your changes are dropped.';
    case 'merge':
      return 'Fields only one side changed are kept as they are; pick a value for each field both sides changed.';
    case 'manual':
      return 'Pick a value for every field below.';
  }
}
