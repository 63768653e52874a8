/**
 * The ways out of a held double booking (pure). The server did not apply the booking (a create or
 * an update of an appointment) because it overlaps another live booking of the same practitioner
 * or pet; the device's row waits in the queue, and the user picks:
 *
 *   move         the booking gets `changes` (date, durationMinutes, practitionerId, checked by
 *                the protocol's writable schema) and is sent again; if it still overlaps, the
 *                server holds it again as a new conflict;
 *   keep_both    sent again with `overlapAllowed: true`: the server records the overlap as chosen;
 *   cancel_mine  a held update: the booking is cancelled (status `cancelled`, with what the user
 *                changed). A held create is KEPT as a cancelled booking and sent as such, not
 *                dropped: nothing the user typed is lost (title, notes), the practice sees that
 *                the visit was asked for (a call back), and a cancelled booking can be deleted
 *                afterwards like any other. A cancelled booking holds no slot, so it cannot clash;
 *   server_wins  "Undo my change": a held update is dropped (the server's booking stands); a held
 *                create is discarded (it never reached the server).
 *
 * The reference's version strategies (client wins, merge, ...) do not apply: there is no other
 * version of this booking to weigh, only another booking.
 */
import type { ConflictRecord, Resolution } from '../../src/protocol/index.ts';
import { LocalWriteError, parseUpdateBody } from './write-input.ts';
import type { Row } from './rebase.ts';
import { ResolutionError } from './resolution-error.ts';

export type DoubleBookingOutcome =
  /** Nothing to send: the held change is dropped (a held create disappears with it). */
  | { kind: 'discard'; winner: 'server' }
  /** Send the held create again with this data (the whole booking). */
  | { kind: 'create'; data: Row; winner: 'client' }
  /** Send an update of these fields on top of the server's version. */
  | { kind: 'update'; data: Row; baseVersion: number; winner: 'client' };

export type HeldBooking = Pick<ConflictRecord, 'serverData' | 'serverVersion'> & {
  localOperation: 'create' | 'update';
  /** What the held row carries: the whole booking for a create, the changed fields for an update. */
  heldData: Row;
};

const MOVABLE_FIELDS = new Set(['date', 'durationMinutes', 'practitionerId']);

/** A move's new slot, checked and normalised as a local write is (UTC date, duration as text). */
export function moveChanges(changes: Resolution['changes']): Row {
  const given = Object.fromEntries(Object.entries(changes ?? {}).filter(([, value]) => value !== undefined));
  const unknown = Object.keys(given).filter((field) => !MOVABLE_FIELDS.has(field));
  if (unknown.length > 0)
    throw new ResolutionError(
      'UNKNOWN_FIELD',
      `A move changes only the time, duration or practitioner, not ${unknown.join(', ')}`,
    );
  if (Object.keys(given).length === 0)
    throw new ResolutionError('CHOICE_REQUIRED', 'Choose a new time, duration or practitioner for the booking');
  try {
    return parseUpdateBody('appointments', given);
  } catch (err) {
    if (err instanceof LocalWriteError) throw new ResolutionError('CHOICE_REQUIRED', err.message);
    throw err;
  }
}

/** The held change with `patch` on top, as the outcome that sends it again. */
function sendAgain(held: HeldBooking, patch: Row): DoubleBookingOutcome {
  const data = { ...held.heldData, ...patch };
  if (held.localOperation === 'create') return { kind: 'create', data, winner: 'client' };
  // An update: only what differs from the server's booking travels (a move back to where the
  // server has it leaves nothing to send).
  const changed: Row = {};
  for (const [field, value] of Object.entries(data)) {
    if (JSON.stringify(held.serverData[field]) !== JSON.stringify(value)) changed[field] = value;
  }
  if (Object.keys(changed).length === 0) return { kind: 'discard', winner: 'server' };
  return { kind: 'update', data: changed, baseVersion: held.serverVersion, winner: 'client' };
}

export function resolveDoubleBooking(held: HeldBooking, resolution: Resolution): DoubleBookingOutcome {
  switch (resolution.strategy) {
    case 'move':
      // Moved to a free time: no longer an overlap kept on purpose.
      return sendAgain(held, { ...moveChanges(resolution.changes), overlapAllowed: false });
    case 'keep_both':
      return sendAgain(held, { overlapAllowed: true });
    case 'cancel_mine':
      return sendAgain(held, { status: 'cancelled' });
    case 'server_wins':
      return { kind: 'discard', winner: 'server' };
    case 'client_wins':
    case 'last_write_wins':
    case 'merge':
    case 'manual':
      throw new ResolutionError(
        'NOT_APPLICABLE',
        'A double booking is resolved by moving it, keeping both or cancelling it',
      );
  }
}
