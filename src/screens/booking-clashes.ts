/**
 * Double bookings while booking (pure): which appointments the form reads to check a draft, the
 * draft's clashes by the protocol's one rule (`findClashes`, src/protocol/double-booking.ts), the
 * sentences staff read ("Dr. Patel already has Jasper at 11:00–11:20"), and the free slots of the
 * day to suggest instead. No I/O: the form passes in what it read from the replica and the clock.
 */
import { z } from 'zod';
import {
  addDays,
  formatShortDay,
  formatTimeRange,
  isDateKey,
  localDateKey,
  localTimeKey,
  parseDateKey,
  toIsoInstant,
} from '../format.ts';
import {
  AppointmentStatusSchema,
  EntityIdSchema,
  findClashes,
  holdsSlot,
  slotRange,
  type BookingSlot,
  type ClashReason,
  type ConflictRecord,
  type Resolution,
} from '../protocol/index.ts';
import { parseIdSegment } from '../router.ts';
import type { AppointmentDraft, BookingFields } from './appointment-draft.ts';
import type { Directory } from './directory.ts';

/** When the practice takes bookings (local wall clock). Suggestions stay inside these hours. */
export const OPENING_HOURS = { open: '08:00', close: '18:00' } as const;
export interface OpeningHours {
  open: string;
  close: string;
}

/** Free slots offered at once: the ones nearest the time asked for. */
export const SUGGESTED_SLOTS = 8;

/** Suggested starts are rounded up to this (an appointment may end at 10:17). */
const SLOT_GRANULARITY_MS = 5 * 60_000;

/** What an appointment the form checks against needs (a replica record or a server record). */
export type BookedAppointment = BookingSlot & { title?: unknown; date: string };

/**
 * The range to read for a booking on `day`: from a day before (the longest booking, 24 h, can
 * reach into the day) to the end of the next day (a late booking can run past midnight).
 */
export function clashReadRange(day: string): { from: string; to: string } {
  return { from: parseDateKey(addDays(day, -1)).toISOString(), to: parseDateKey(addDays(day, 2)).toISOString() };
}

/**
 * The draft as a booking the rule can check, or null while it cannot clash (no pet, no valid time
 * or duration yet). `id` is the record being edited, so it never clashes with itself. The on-purpose
 * choice is left out: the form wants to know about an overlap whatever was chosen.
 */
export function draftSlot(draft: AppointmentDraft, id: BookingSlot['id']): BookingSlot | null {
  const petId = parseIdSegment(draft.petId);
  const duration = Number(draft.durationMinutes);
  if (petId === null || !isDateKey(draft.date) || !/^\d{2}:\d{2}$/.test(draft.time) || !(duration > 0)) return null;
  const date = toIsoInstant(draft.date, draft.time);
  return {
    id,
    date,
    durationMinutes: duration,
    practitionerId: parseIdSegment(draft.practitionerId),
    petId,
    status: draft.status,
  };
}

export interface DraftClash<T extends BookedAppointment = BookedAppointment> {
  reason: ClashReason;
  appointment: T;
}

export function draftClashes<T extends BookedAppointment>(
  draft: AppointmentDraft,
  id: BookingSlot['id'],
  others: readonly T[],
): DraftClash<T>[] {
  const slot = draftSlot(draft, id);
  return slot ? findClashes(slot, others) : [];
}

/** "11:00–11:20", with the day when it is not `day` ("Tue 24 Nov, 23:30–00:30"). */
export function timeRange(
  appointment: Pick<BookingSlot, 'date' | 'durationMinutes'>,
  day: string | null = null,
): string {
  const range = formatTimeRange(appointment.date, appointment.durationMinutes);
  return day === null || localDateKey(new Date(appointment.date)) === day
    ? range
    : `${formatShortDay(appointment.date)}, ${range}`;
}

/**
 * The warning's sentence for one clash: "Dr. Sam Patel already has Jasper at 11:00–11:20", or for the
 * same pet with someone else "Jasper is already booked with Dr. Lena Okafor at 11:00–11:20".
 */
export function clashSentence(clash: DraftClash, directory: Directory, day: string | null = null): string {
  const other = clash.appointment;
  const when = timeRange(other, day);
  const pet = directory.pet(other.petId as string | number)?.name;
  const title = typeof other.title === 'string' && other.title ? `“${other.title}”` : 'an appointment';
  if (clash.reason === 'practitioner') {
    const vet = directory.user(other.practitionerId as string | number)?.name ?? 'The practitioner';
    return `${vet} already has ${pet ?? title} at ${when}`;
  }
  const vet = directory.user(other.practitionerId as string | number)?.name;
  return `${pet ?? 'This pet'} is already booked${vet ? ` with ${vet}` : ''} at ${when}`;
}

export interface FreeSlotQuery {
  /** Local `YYYY-MM-DD`. */
  day: string;
  durationMinutes: number;
  /** Appointments that hold the time (the practitioner's and the pet's); inactive ones are skipped. */
  busy: readonly Pick<BookingSlot, 'date' | 'durationMinutes' | 'status' | 'deletedAt'>[];
  /** No slot starts before this instant (ms): now, on today. */
  notBefore?: number;
  hours?: OpeningHours;
}

/**
 * Every start (local `HH:MM`) inside opening hours where a booking of the duration overlaps none of
 * `busy`: each free gap is filled in steps of the duration from its start (the end of the previous
 * appointment), so the suggestions pack the day without holes.
 */
export function freeSlots(query: FreeSlotQuery): string[] {
  const hours = query.hours ?? OPENING_HOURS;
  const length = query.durationMinutes * 60_000;
  if (!(length > 0)) return [];
  const open = Date.parse(toIsoInstant(query.day, hours.open));
  const close = Date.parse(toIsoInstant(query.day, hours.close));
  const taken = query.busy
    .filter(holdsSlot)
    .map(slotRange)
    .filter((r) => Number.isFinite(r.start) && r.end > open && r.start < close)
    .sort((a, b) => a.start - b.start);
  const slots: string[] = [];
  let cursor = roundUp(Math.max(open, query.notBefore ?? open));
  const fill = (gapEnd: number) => {
    for (let start = cursor; start + length <= gapEnd; start += length) slots.push(localTimeKey(new Date(start)));
  };
  for (const range of taken) {
    fill(range.start);
    cursor = Math.max(cursor, roundUp(range.end));
  }
  fill(close);
  return slots;
}

function roundUp(ms: number): number {
  return Math.ceil(ms / SLOT_GRANULARITY_MS) * SLOT_GRANULARITY_MS;
}

/** The `count` slots nearest to `time` (`HH:MM`), in time order. */
export function nearestSlots(slots: readonly string[], time: string, count = SUGGESTED_SLOTS): string[] {
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  const wanted = minutes(time);
  return [...slots]
    .sort((a, b) => Math.abs(minutes(a) - wanted) - Math.abs(minutes(b) - wanted) || minutes(a) - minutes(b))
    .slice(0, count)
    .sort((a, b) => minutes(a) - minutes(b));
}

/**
 * The appointments a booking must fit around: the practitioner's and the pet's, live, not the
 * booking itself. Kept on purpose ones count too: a suggestion should be truly free.
 */
export function busyFor<T extends BookedAppointment>(
  others: readonly T[],
  slot: Pick<BookingSlot, 'id' | 'practitionerId' | 'petId'>,
): T[] {
  const same = (a: unknown, b: unknown) => a !== null && a !== undefined && String(a) === String(b);
  return others.filter(
    (a) =>
      !same(a.id, slot.id) &&
      holdsSlot(a) &&
      (same(a.practitionerId, slot.practitionerId) || same(a.petId, slot.petId)),
  );
}

/**
 * The booking a double-booking conflict holds, as this tablet wanted it: the server's record (for
 * a held update) with this tablet's change over it, or the whole new booking (a held create). Null
 * when the conflict does not describe a booking the form can show.
 */
export function heldBooking(conflict: Pick<ConflictRecord, 'localData' | 'serverData'>): BookingFields | null {
  const parsed = HeldBookingSchema.safeParse({ ...conflict.serverData, ...conflict.localData });
  return parsed.success ? parsed.data : null;
}

const HeldBookingSchema = z.object({
  title: z.string(),
  type: z.string(),
  date: z.string().refine((d) => Number.isFinite(Date.parse(d))),
  // A create carries what the form sent (a number); records store text.
  durationMinutes: z.union([z.string(), z.number()]).transform(String),
  status: AppointmentStatusSchema.catch('scheduled'),
  notes: z.string().nullable().catch(null),
  petId: EntityIdSchema,
  practitionerId: EntityIdSchema.nullable().catch(null),
  clientId: EntityIdSchema.nullable().optional().catch(null),
  overlapAllowed: z.boolean().optional().catch(false),
});

/** What "Move mine" sends: the slot fields the draft changed from the held booking. */
export function moveChanges(held: BookingFields, draft: AppointmentDraft): NonNullable<Resolution['changes']> {
  const changes: NonNullable<Resolution['changes']> = {};
  const date = toIsoInstant(draft.date, draft.time);
  if (Date.parse(date) !== Date.parse(held.date)) changes.date = date;
  if (Number(draft.durationMinutes) !== Number(held.durationMinutes))
    changes.durationMinutes = Number(draft.durationMinutes);
  const practitionerId = parseIdSegment(draft.practitionerId);
  if (String(practitionerId ?? '') !== String(held.practitionerId ?? '')) changes.practitionerId = practitionerId;
  return changes;
}

/** A clash the server reported (its record) as the rule needs it, or null when it lacks a time. */
export function asBooked(record: Record<string, unknown>): BookedAppointment | null {
  const { date, durationMinutes, status } = record;
  if (typeof date !== 'string' || typeof status !== 'string') return null;
  if (typeof durationMinutes !== 'string' && typeof durationMinutes !== 'number') return null;
  return {
    ...record,
    id: record.id,
    date,
    durationMinutes,
    status,
    practitionerId: record.practitionerId,
    petId: record.petId,
    deletedAt: typeof record.deletedAt === 'string' ? record.deletedAt : null,
    overlapAllowed: record.overlapAllowed === true,
  };
}
