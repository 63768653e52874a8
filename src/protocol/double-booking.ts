/**
 * Double bookings (pure): the one rule the server, the worker and the booking form apply.
 *
 * Two appointments clash when both are live (not deleted, not cancelled), their time ranges
 * [date, date + durationMinutes) overlap, and they share the practitioner or the pet. A booking
 * made with `overlapAllowed: true` is kept on purpose (some practices double-book short visits):
 * it clashes with nothing, and the choice stays visible on the record.
 */
import { z } from 'zod';

export const CLASH_REASONS = ['practitioner', 'pet'] as const;
export type ClashReason = (typeof CLASH_REASONS)[number];

/** One appointment a booking clashes with, and why. */
export const ClashSchema = z.object({
  reason: z.enum(CLASH_REASONS),
  /** The clashing appointment as its holder stores it (a server record, or a replica record). */
  appointment: z.record(z.string(), z.unknown()),
});
export type Clash = z.infer<typeof ClashSchema>;

/** Fields whose change can create a clash: a write touching none of them is not checked. */
export const BOOKING_FIELDS = [
  'date',
  'durationMinutes',
  'practitionerId',
  'petId',
  'status',
  'overlapAllowed',
] as const;

/** Statuses that free the slot. */
const INACTIVE_STATUSES = new Set(['cancelled', 'no_show']);

/** What the rule needs of an appointment (ids may be real or temp; date is ISO). */
export interface BookingSlot {
  id: unknown;
  date: string;
  durationMinutes: string | number;
  practitionerId: unknown;
  petId: unknown;
  status: string;
  deletedAt?: string | null;
  overlapAllowed?: boolean;
}

export function slotRange(slot: Pick<BookingSlot, 'date' | 'durationMinutes'>): { start: number; end: number } {
  const start = Date.parse(slot.date);
  return { start, end: start + Number(slot.durationMinutes) * 60_000 };
}

/** Live: holds its slot (not deleted, not cancelled or a no-show). */
export function holdsSlot(slot: Pick<BookingSlot, 'status' | 'deletedAt'>): boolean {
  return !slot.deletedAt && !INACTIVE_STATUSES.has(slot.status);
}

function sameId(a: unknown, b: unknown): boolean {
  return a !== null && a !== undefined && String(a) === String(b);
}

/**
 * The clashes of `candidate` among `others` (which may include the candidate itself: skipped by
 * id), practitioner clashes first, in time order. Empty when the candidate is not live or was
 * kept on purpose.
 */
export function findClashes<T extends BookingSlot>(
  candidate: BookingSlot,
  others: readonly T[],
): { reason: ClashReason; appointment: T }[] {
  if (!holdsSlot(candidate) || candidate.overlapAllowed) return [];
  const { start, end } = slotRange(candidate);
  if (!Number.isFinite(start) || !(end > start)) return [];
  const clashes: { reason: ClashReason; appointment: T }[] = [];
  for (const other of others) {
    if (sameId(other.id, candidate.id) || !holdsSlot(other) || other.overlapAllowed) continue;
    const range = slotRange(other);
    if (!(range.start < end && start < range.end)) continue;
    if (sameId(other.practitionerId, candidate.practitionerId))
      clashes.push({ reason: 'practitioner', appointment: other });
    else if (sameId(other.petId, candidate.petId)) clashes.push({ reason: 'pet', appointment: other });
  }
  return clashes.sort(
    (a, b) => clashRank(a) - clashRank(b) || Date.parse(a.appointment.date) - Date.parse(b.appointment.date),
  );
}

/** Practitioner clashes before pet clashes. */
function clashRank(clash: { reason: ClashReason }): number {
  return clash.reason === 'practitioner' ? 0 : 1;
}

/** At most this many clashes travel in a conflict (the first ones by the order above). */
export const MAX_CLASHES_REPORTED = 5;
