/** Words for sync records, shared by the indicator, the panel and the dialog. */
import { fieldLabel, formatShortDay, formatTime, formatTimeRange, formatValue } from '../format.ts';
import {
  REFERENCE_FIELDS,
  appointmentTypeLabel,
  isTempId,
  type AppointmentStatus,
  type ConflictRecord,
  type EntityType,
  type ErrorInfo,
  type QuarantinedRecord,
  type QueuedOperation,
  type ResolutionStrategy,
  type SyncErrorCode,
} from '../protocol/index.ts';

export const STATUS_LABEL: Record<AppointmentStatus, string> = {
  scheduled: 'Scheduled',
  confirmed: 'Confirmed',
  checked_in: 'Checked in',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'No show',
};

/** A field's value in words: appointment types and statuses by their labels, the rest formatted. */
export function valueLabel(field: string, value: unknown): string {
  if (typeof value === 'string' && field === 'type') return appointmentTypeLabel(value);
  if (typeof value === 'string' && field === 'status' && value in STATUS_LABEL)
    return STATUS_LABEL[value as AppointmentStatus];
  if (field === 'durationMinutes' && (typeof value === 'string' || typeof value === 'number')) return `${value} min`;
  if (field === 'overlapAllowed') return value === true ? 'Yes' : 'No';
  return formatValue(value);
}

export const ENTITY_LABEL: Record<EntityType, string> = {
  appointments: 'appointment',
  pets: 'pet',
  users: 'client',
};

export const STRATEGY_LABEL: Record<ResolutionStrategy, string> = {
  // Words for the front desk, not the protocol's names (server_wins…): to reception a "client" is
  // the pet's owner.
  server_wins: 'Keep the server’s version',
  client_wins: 'Keep this tablet’s version',
  last_write_wins: 'Keep the newest edit',
  merge: 'Combine both',
  manual: 'Choose field by field',
  move: 'Move mine',
  keep_both: 'Keep both',
  cancel_mine: 'Cancel mine',
};

/** A strategy's name in the dialog and the history: for a double booking, server wins undoes my change. */
export function strategyLabel(
  strategy: ResolutionStrategy,
  conflictType: ConflictRecord['conflictType'] | null = null,
): string {
  return conflictType === 'double_booking' && strategy === 'server_wins' ? 'Undo my change' : STRATEGY_LABEL[strategy];
}

export const STRATEGY_DESCRIPTION: Record<ResolutionStrategy, string> = {
  server_wins: 'Discard the changes made on this tablet and keep the server’s version.',
  client_wins: 'Overwrite the server with every change made on this tablet.',
  last_write_wins: 'Keep whichever change was made most recently.',
  merge: 'Keep changes that do not overlap automatically; choose for fields both sides changed.',
  manual: 'Choose the value of each field yourself.',
  move: 'Give your booking another time, duration or practitioner, from the free times of that day.',
  keep_both: 'Keep both bookings on purpose; yours is marked “Double-booked on purpose”.',
  cancel_mine: 'Cancel the booking made on this tablet.',
};

const PHASE_LABEL = { push: 'Sending changes', pull: 'Receiving updates' } as const;
export function phaseLabel(phase: keyof typeof PHASE_LABEL): string {
  return PHASE_LABEL[phase];
}

const TRIGGER_LABEL: Record<string, string> = {
  manual: 'Sync Now',
  'background-sync': 'background sync',
  periodic: 'periodic update',
  startup: 'app start',
  online: 'reconnection',
  login: 'sign in',
};
export function triggerLabel(trigger: string): string {
  return TRIGGER_LABEL[trigger] ?? trigger;
}

/** A record's name for people: an appointment's title, a pet's or client's name. */
export function recordName(data: Record<string, unknown> | null | undefined): string | null {
  const name = data?.title ?? data?.name;
  return typeof name === 'string' && name.trim() ? name : null;
}

/**
 * "New appointment “Checkup — Rex”", "Change to pet “Rex”", "Deletion of client #12". `knownName`
 * is the record's name when the operation does not carry it (an update carries changed fields only).
 */
export function describeOperation(op: QueuedOperation, knownName: string | null = null): string {
  const entity = ENTITY_LABEL[op.entityType];
  const name = recordName(op.data) ?? knownName;
  const what =
    op.operation === 'create'
      ? `New ${entity}`
      : op.operation === 'update'
        ? `Change to ${entity}`
        : `Deletion of ${entity}`;
  return name ? `${what} “${name}”` : `${what} ${recordReference(op.entityId)}`;
}

/**
 * When a queued appointment is booked: "Tue 24 Nov, 11:00–11:30" (two "Checkup — Ruby" rows are
 * told apart by it). From the operation's data: a create carries it, an update that moves it the
 * new time (with the duration when that changed too); null otherwise.
 */
export function appointmentSlotText(op: Pick<QueuedOperation, 'entityType' | 'data'>): string | null {
  const date = op.data?.date;
  if (op.entityType !== 'appointments' || typeof date !== 'string' || Number.isNaN(Date.parse(date))) return null;
  const duration = op.data?.durationMinutes;
  const minutes = typeof duration === 'number' || typeof duration === 'string' ? Number(duration) : NaN;
  return Number.isInteger(minutes) && minutes > 0
    ? `${formatShortDay(date)}, ${formatTimeRange(date, minutes)}`
    : `${formatShortDay(date)}, ${formatTime(date)}`;
}

/** What an update changes: "Notes, Date and time". Empty for creates and deletes. */
export function changedFieldsText(op: QueuedOperation): string {
  if (op.operation !== 'update' || !op.data) return '';
  return Object.keys(op.data).map(fieldLabel).join(', ');
}

/** "#123", or "(not on the server yet)" for a temp id. */
export function recordReference(id: string | number): string {
  return typeof id === 'number' ? `#${id}` : '(not on the server yet)';
}

const QUEUE_STATUS_LABEL: Record<QueuedOperation['status'], string> = {
  pending: 'Waiting',
  in_flight: 'Sending',
  failed: 'Failed',
  conflict: 'Held: conflict',
};
export function queueStatusLabel(status: QueuedOperation['status']): string {
  return QUEUE_STATUS_LABEL[status];
}

/** "Appointment #123": a quarantined record as support would look it up. */
export function describeQuarantined(record: QuarantinedRecord): string {
  const entity = ENTITY_LABEL[record.entityType];
  return `${entity.charAt(0).toUpperCase()}${entity.slice(1)} #${record.id}`;
}

/** The worker stores `strategy:outcome` ("merge:update"): the strategy's label. */
export function resolutionLabel(
  resolution: string | null,
  conflictType: ConflictRecord['conflictType'] | null = null,
): string {
  const strategy = resolution?.split(':')[0];
  // A held booking the server never stored, deleted from its form (sw/store/apply-write.ts).
  if (strategy === 'deleted') return 'Delete on its form';
  return strategy && strategy in STRATEGY_LABEL
    ? strategyLabel(strategy as ResolutionStrategy, conflictType)
    : 'Resolved';
}

/**
 * "Appointment “Checkup — Rex” (#42)"; a record the server never saw: "New appointment “…” (not on the server yet)".
 */
export function describeConflict(conflict: ConflictRecord): string {
  const entity = ENTITY_LABEL[conflict.entityType];
  const name = recordName(conflict.serverData) ?? recordName(conflict.localData);
  const what =
    conflict.localOperation === 'create' ? `New ${entity}` : `${entity.charAt(0).toUpperCase()}${entity.slice(1)}`;
  const reference = typeof conflict.entityId === 'number' ? `(#${conflict.entityId})` : '(not on the server yet)';
  return `${what} ${name ? `“${name}” ` : ''}${reference}`;
}

/** What a conflict is about, in the Sync tab's list. */
export function conflictSummary(conflict: ConflictRecord): string {
  if (conflict.conflictType === 'deleted') return 'Deleted on the server';
  if (conflict.conflictType !== 'double_booking')
    return `Both changed: ${conflict.affectedFields.map(fieldLabel).join(', ') || 'the record'}`;
  const clashes = conflict.clashes ?? [];
  const first = clashes[0]?.appointment;
  if (!first) return 'Double booking: it overlaps another appointment';
  const name = recordName(first);
  const when =
    typeof first.date === 'string' &&
    (typeof first.durationMinutes === 'string' || typeof first.durationMinutes === 'number')
      ? ` at ${formatShortDay(first.date)}, ${formatTimeRange(first.date, first.durationMinutes)}`
      : '';
  const more = clashes.length > 1 ? ` and ${clashes.length - 1} more` : '';
  return `Double booking: overlaps ${name ? `“${name}”` : 'another appointment'}${when}${more}`;
}

const ERROR_HINT: Partial<Record<SyncErrorCode, string>> = {
  PET_NOT_FOUND: 'The pet no longer exists on the server.',
  NOT_FOUND: 'The record no longer exists on the server.',
  VALIDATION: 'The server refused the data.',
  FORBIDDEN: 'This account may not make that change.',
  UNAUTHENTICATED: 'Sign in again to send it.',
  NETWORK: 'The server could not be reached.',
  SERVER_ERROR: 'The server had a problem; it will be retried.',
};
export function errorHint(code: SyncErrorCode): string | null {
  return ERROR_HINT[code] ?? null;
}

/** What a reference field names, in a sentence about the record holding it. */
const REFERENCE_PHRASE: Record<string, string> = {
  'appointments.petId': 'This appointment is for a new pet',
  'pets.ownerId': 'This pet belongs to a new client',
};

/**
 * A failed change's reason for people: the server's message with a hint by its code. A change
 * naming a record created on this tablet that the server does not have (the new pet of a booking,
 * discarded here before it was sent, or deleted since) says so, instead of the server's "petId: no
 * pet with id temp_…".
 */
export function failureText(
  error: ErrorInfo,
  op: Pick<QueuedOperation, 'entityType' | 'data'>,
): {
  message: string;
  hint: string | null;
} {
  if (error.code === 'PET_NOT_FOUND' || error.code === 'REFERENCE_NOT_FOUND') {
    const named = REFERENCE_FIELDS[op.entityType].find(
      ({ field }) => isTempId(op.data?.[field]) && error.message.startsWith(`${field}:`),
    );
    if (named) {
      const entity = ENTITY_LABEL[op.entityType];
      const target = ENTITY_LABEL[named.target];
      const subject = REFERENCE_PHRASE[`${op.entityType}.${named.field}`] ?? `This ${entity} names a new ${target}`;
      return {
        message: `${subject} that the server does not have: it was discarded or deleted before this ${entity} was sent. Discard this ${entity}, and make it again with a ${target} that exists.`,
        hint: null,
      };
    }
  }
  return { message: error.message, hint: errorHint(error.code) };
}
