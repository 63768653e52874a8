/**
 * The double-booking check of a create or an update of an appointment (issue 11), with the one
 * rule of `src/protocol/double-booking.ts` (findClashes): a live booking may not overlap another
 * live booking of the same practitioner or the same pet, unless it is kept on purpose
 * (`overlapAllowed`). The database only narrows the candidates (index ranges per practitioner
 * and per pet); the rule has the final word.
 *
 * It runs inside the operation's write transaction, right before the write, so two pushes (or two
 * server processes) booking the same slot cannot both pass it: the second one sees the first.
 */
import {
  MAX_DURATION_MINUTES,
  BOOKING_FIELDS,
  findClashes,
  holdsSlot,
  MAX_CLASHES_REPORTED,
  slotRange,
  type BookingSlot,
  type Clash,
} from '../../src/protocol/index.ts';
import { andThen, type MaybePromise } from '../db/engine.ts';
import { LONG_BOOKING_MINUTES } from '../db/schema.ts';
import type { AppointmentsModel } from '../store/entities.ts';
import type { Fields, WireRecord } from '../store/wire.ts';

/** The longest booking the writable schema accepts (1,440 minutes): anything starting earlier has ended. */
const LONGEST_BOOKING_MS = 1440 * 60_000;
/** How far back a booking of at most LONG_BOOKING_MINUTES can start and still overlap. */
const SHORT_LOOK_BACK_MS = LONG_BOOKING_MINUTES * 60_000;

const BOOKING = new Set<string>(BOOKING_FIELDS);

/** Whether a change touches a field that can make (or unmake) a clash; other edits are not checked. */
export function touchesBooking(changes: Fields): boolean {
  for (const field in changes) if (BOOKING.has(field)) return true;
  return false;
}

function slotOf(booking: Fields, id: number | null): BookingSlot {
  return {
    id,
    date: String(booking.date),
    durationMinutes: String(booking.durationMinutes),
    practitionerId: booking.practitionerId ?? null,
    petId: booking.petId,
    status: String(booking.status),
    deletedAt: typeof booking.deletedAt === 'string' ? booking.deletedAt : null,
    overlapAllowed: booking.overlapAllowed === true,
  };
}

/**
 * The appointments `booking` (wire form, references already real ids) clashes with, as stored,
 * at most MAX_CLASHES_REPORTED: practitioner clashes first, then by time. `id`: the booking's own
 * id for an update (it does not clash with itself), null for a create.
 */
export function bookingClashes(
  appointments: AppointmentsModel,
  practiceId: number,
  booking: Fields,
  id: number | null,
): MaybePromise<Clash[]> {
  // Concurrent writers (PostgreSQL) booking the same practitioner or pet on the same day take turns
  // from here to their commit, so this check sees the other's booking (the exclusion constraints
  // stay the last word, but two inserts meeting there deadlock before one of them gives way).
  if (appointments.locksBookings)
    return andThen(appointments.lockBookings(bookingLockKeys(booking)), () =>
      clashesOf(appointments, practiceId, booking, id),
    );
  return clashesOf(appointments, practiceId, booking, id);
}

function clashesOf(
  appointments: AppointmentsModel,
  practiceId: number,
  booking: Fields,
  id: number | null,
): MaybePromise<Clash[]> {
  const slot = slotOf(booking, id);
  const { start, end } = slotRange(slot);
  // Not live, kept on purpose, or no time range: the rule finds nothing, so no need to look.
  if (!holdsSlot(slot) || slot.overlapAllowed || !Number.isFinite(start) || !(end > start)) return [];
  const petId = typeof slot.petId === 'number' ? slot.petId : null;
  const practitionerId = typeof slot.practitionerId === 'number' ? slot.practitionerId : null;
  if (petId === null) return [];
  // A day back over the few long bookings, an hour back over the others (indexed apart: see schema.ts).
  const window = {
    practitionerId,
    petId,
    from: start - SHORT_LOOK_BACK_MS,
    longFrom: start - LONGEST_BOOKING_MS,
    start,
    to: end,
    exceptId: id,
  };
  return andThen(appointments.bookingsIn(practiceId, window), (records) => {
    if (records.length === 0) return [];
    const candidates = records.map((record) => Object.assign(slotOf(record, record.id), { record }));
    return findClashes(slot, candidates)
      .slice(0, MAX_CLASHES_REPORTED)
      .map((clash) => ({ reason: clash.reason, appointment: clash.appointment.record }));
  });
}

const DAY_MS = 86_400_000;

/**
 * Advisory lock keys of a booking: one per (practitioner, UTC day) and (pet, UTC day) its time
 * range touches. Two bookings that overlap share at least one key. Keys are numbers below 2^53;
 * two resources sharing a key only take turns needlessly.
 */
export function bookingLockKeys(booking: Fields): number[] {
  const { start, end } = slotRange({ date: String(booking.date), durationMinutes: String(booking.durationMinutes) });
  // Read before the data is validated: a duration beyond a day (the operation will fail) would
  // ask for a lock per day of it; "99999999999" crashed the process growing this array.
  if (!Number.isFinite(start) || !(end > start) || end - start > MAX_DURATION_MINUTES * 60_000) return [];
  const keys: number[] = [];
  const resources: [number, unknown][] = [
    [1, booking.practitionerId],
    [2, booking.petId],
  ];
  for (const [kind, id] of resources) {
    if (typeof id !== 'number') continue;
    for (let day = Math.floor(start / DAY_MS); day <= Math.floor((end - 1) / DAY_MS); day++) {
      keys.push(kind * 2 ** 50 + (id % 2 ** 30) * 2 ** 20 + (((day % 2 ** 20) + 2 ** 20) % 2 ** 20));
    }
  }
  return keys;
}

/**
 * The booking fields a clash involves, in BOOKING_FIELDS order: the time range, and the
 * practitioner and/or the pet the clashing appointments share.
 */
export function clashFields(clashes: readonly Clash[]): string[] {
  const involved = new Set(['date', 'durationMinutes']);
  for (const clash of clashes) involved.add(clash.reason === 'practitioner' ? 'practitionerId' : 'petId');
  return BOOKING_FIELDS.filter((field) => involved.has(field));
}

/** "Checkup" on 2026-03-11 10:30–11:00 UTC, for messages. */
export function describeBooking(record: WireRecord | Record<string, unknown>): string {
  const { start, end } = slotRange({ date: String(record.date), durationMinutes: String(record.durationMinutes) });
  const time = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  const day = new Date(start).toISOString().slice(0, 10);
  return `"${String(record.title)}" on ${day} ${time(start)}–${time(end)} UTC`;
}

/** The sentence of a REST 409 DOUBLE_BOOKING. */
export function doubleBookingMessage(clashes: readonly Clash[]): string {
  const practitioner = clashes.some((c) => c.reason === 'practitioner');
  const pet = clashes.some((c) => c.reason === 'pet');
  const whose =
    practitioner && pet ? 'the same practitioner and pet' : practitioner ? 'the same practitioner' : 'the same pet';
  const shown = clashes.slice(0, 2).map((c) => describeBooking(c.appointment));
  const more = clashes.length > shown.length ? ` and ${clashes.length - shown.length} more` : '';
  return `This booking overlaps ${clashes.length === 1 ? 'another booking' : `${clashes.length} bookings`} of ${whose}: ${shown.join(', ')}${more}. Choose another time, or keep both on purpose (overlapAllowed).`;
}
