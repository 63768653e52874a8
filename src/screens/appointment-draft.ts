/**
 * The appointment form's state as plain strings (what the inputs hold), and the conversions to and
 * from records and REST bodies. Pure, so the rules are unit-tested without a DOM.
 */
import type { AppointmentInput, LocalAppointment } from '../api/entities.ts';
import {
  formatLongDate,
  formatTime,
  formatTimeRange,
  isDateKey,
  localDateKey,
  localTimeKey,
  toIsoInstant,
} from '../format.ts';
import {
  WritableAppointmentSchema,
  appointmentTypeLabel,
  canonicalAppointmentType,
  type AppointmentStatus,
  type EntityId,
  type SessionUser,
} from '../protocol/index.ts';
import { parseIdSegment } from '../router.ts';
import { OPENING_HOURS } from './booking-clashes.ts';
import type { Directory } from './directory.ts';
import { fieldError } from './field-rules.ts';

export interface AppointmentDraft {
  clientId: string;
  petId: string;
  practitionerId: string;
  /** Local `YYYY-MM-DD`. */
  date: string;
  /** Local `HH:MM`. */
  time: string;
  durationMinutes: string;
  type: string;
  title: string;
  notes: string;
  status: AppointmentStatus;
  /** Booked over another appointment on purpose ("Double-book on purpose"). */
  overlapAllowed: boolean;
}

export type DraftErrors = Partial<Record<keyof AppointmentDraft, string>>;

export function emptyDraft(date: string): AppointmentDraft {
  return {
    clientId: '',
    petId: '',
    practitionerId: '',
    date,
    time: FIRST_SLOT,
    durationMinutes: '30',
    type: 'checkup',
    title: '',
    notes: '',
    status: 'scheduled',
    overlapAllowed: false,
  };
}

const idText = (id: EntityId | null | undefined) => (id === null || id === undefined ? '' : String(id));

/** What a draft is filled from: a replica record, or a booking held in a conflict (no clientId yet). */
export type BookingFields = Pick<
  LocalAppointment,
  'date' | 'petId' | 'practitionerId' | 'durationMinutes' | 'type' | 'title' | 'notes' | 'status' | 'overlapAllowed'
> &
  Partial<Pick<LocalAppointment, 'clientId'>>;

export function draftFromRecord(record: BookingFields, directory: Directory): AppointmentDraft {
  const when = new Date(record.date);
  const owner = record.clientId ?? directory.pet(record.petId)?.ownerId ?? null;
  return {
    clientId: idText(owner),
    petId: idText(record.petId),
    practitionerId: idText(record.practitionerId),
    date: localDateKey(when),
    time: localTimeKey(when),
    durationMinutes: record.durationMinutes,
    type: canonicalAppointmentType(record.type) ?? record.type,
    title: record.title,
    notes: record.notes ?? '',
    status: record.status,
    overlapAllowed: record.overlapAllowed ?? false,
  };
}

/** The title staff would type: "Checkup — Rex". Used until they type their own. */
export function suggestedTitle(draft: AppointmentDraft, directory: Directory): string {
  const pet = directory.pet(draft.petId);
  const type = appointmentTypeLabel(draft.type);
  return pet ? `${type} — ${pet.name}` : type;
}

/** What a new booking starts with, pre-filled from where it was opened (a client's or a pet's page). */
export interface DraftStart {
  date: string;
  clientId?: EntityId | null;
  petId?: EntityId | null;
  /** The signed-in user: a practitioner books for themself by default. */
  user?: SessionUser | null;
  /** The form's clock: a booking for today starts at the next quarter hour, not at a time gone by. */
  now?: Date;
}

/** The first time a new booking offers. */
export const FIRST_SLOT = '09:00';
const QUARTER_HOUR = 15;

/**
 * The time a new booking on `date` starts at: FIRST_SLOT, or on today once that has passed, the
 * next quarter hour (at 10:07, 10:15), so saving it unchanged does not book a time gone by. When
 * that would end after closing, FIRST_SLOT stays (another day is likelier meant).
 */
export function firstFreeTime(
  date: string,
  now: Date,
  durationMinutes: number,
  hours: { close: string } = OPENING_HOURS,
): string {
  const current = minutesOf(localTimeKey(now));
  if (date !== localDateKey(now) || current < minutesOf(FIRST_SLOT)) return FIRST_SLOT;
  const next = (Math.floor(current / QUARTER_HOUR) + 1) * QUARTER_HOUR;
  if (next + durationMinutes > minutesOf(hours.close)) return FIRST_SLOT;
  return localTimeKey(new Date(now.getFullYear(), now.getMonth(), now.getDate(), 0, next));
}

export function newDraft(start: DraftStart, directory: Directory): AppointmentDraft {
  const draft = emptyDraft(start.date);
  if (start.now) draft.time = firstFreeTime(start.date, start.now, Number(draft.durationMinutes));
  const pet = directory.pet(start.petId);
  const clientId = pet?.ownerId ?? start.clientId ?? null;
  if (clientId !== null) {
    draft.clientId = String(clientId);
    const pets = directory.petsOf(clientId);
    const chosen = pet ?? (pets.length === 1 ? pets[0] : undefined);
    if (chosen) draft.petId = String(chosen.id);
  }
  // None chosen unless the signed-in user sees patients themself.
  const user = start.user;
  if (user?.role === 'PRACTITIONER' && directory.practitioners.some((p) => String(p.id) === String(user.id))) {
    draft.practitionerId = String(user.id);
  }
  return { ...draft, title: suggestedTitle(draft, directory) };
}

const FIELDS = WritableAppointmentSchema.shape;
const TIME = /^\d{2}:\d{2}$/;

/** Said when the date field holds something typed that is no day on the calendar (30 February). */
export const IMPOSSIBLE_DATE = 'Enter a complete date that exists (there is no 30 February or 31 April)';

/** What the form's controls know beyond their values. */
export interface DraftInputState {
  /**
   * The date field holds typed text that is not a real date: `<input type="date">` then reports
   * "" as its value (the same as empty) and `validity.badInput`.
   */
  dateUnreadable?: boolean;
}

/** Checks the draft with the protocol's field schemas: the messages are the ones sync would give. */
export function validateDraft(draft: AppointmentDraft, inputs: DraftInputState = {}): DraftErrors {
  const errors: DraftErrors = {};
  const set = (field: keyof AppointmentDraft, message: string | undefined) => {
    if (message) errors[field] = message;
  };
  if (!draft.clientId) errors.clientId = 'Client is required';
  set('petId', fieldError(FIELDS.petId, draft.petId ? parseIdSegment(draft.petId) : null));
  set(
    'practitionerId',
    draft.practitionerId ? fieldError(FIELDS.practitionerId, parseIdSegment(draft.practitionerId)) : undefined,
  );
  if (!draft.date) errors.date = inputs.dateUnreadable ? IMPOSSIBLE_DATE : 'Date is required';
  else if (!isDateKey(draft.date)) errors.date = fieldError(FIELDS.date, draft.date);
  if (!TIME.test(draft.time)) errors.time = 'Time is required';
  if (!errors.date && !errors.time) set('date', fieldError(FIELDS.date, toIsoInstant(draft.date, draft.time)));
  set('durationMinutes', fieldError(FIELDS.durationMinutes, Number(draft.durationMinutes)));
  set('type', fieldError(FIELDS.type, draft.type));
  set('title', fieldError(FIELDS.title, draft.title));
  set('notes', fieldError(FIELDS.notes, draft.notes));
  return errors;
}

/** How far ahead a booking is still usual; beyond it the form asks first (a year typed 2062 for 2026). */
export const USUAL_DAYS_AHEAD = 366;

const minutesOf = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * Why a booking deserves a second look before it is saved, one sentence per reason; empty when it
 * is usual: a day in the past, a time today that has already passed (tomorrow or 21:00 meant, as
 * often as a walk-in entered after it arrived), more than USUAL_DAYS_AHEAD days ahead, or outside
 * opening hours. Each is legitimate sometimes, so the form asks rather than refuses. A time counts
 * as passed once its minute is over: at 15:00:40, 15:00 is still now. `now` is the form's clock.
 * Only a slot the person set is checked: an edit that keeps the stored date, time and duration
 * asks nothing.
 */
export function unusualBooking(
  draft: AppointmentDraft,
  now: Date,
  record: Pick<LocalAppointment, 'date' | 'durationMinutes'> | null,
  hours: { open: string; close: string } = OPENING_HOURS,
): string[] {
  if (
    record &&
    draft.date === localDateKey(new Date(record.date)) &&
    draft.time === localTimeKey(new Date(record.date)) &&
    Number(draft.durationMinutes) === Number(record.durationMinutes)
  )
    return [];
  const reasons: string[] = [];
  const today = localDateKey(now);
  const day = formatLongDate(draft.date);
  const at = (time: string) => formatTime(toIsoInstant(draft.date, time));
  if (draft.date < today) reasons.push(`${day} is in the past.`);
  else if (draft.date === today && minutesOf(draft.time) < minutesOf(localTimeKey(now)))
    reasons.push(`${at(draft.time)} today has already passed (it is ${formatTime(now.toISOString())} now).`);
  const farthest = localDateKey(new Date(Date.parse(`${today}T12:00:00`) + USUAL_DAYS_AHEAD * 86_400_000));
  if (draft.date > farthest) reasons.push(`${day} is more than a year ahead.`);
  const start = minutesOf(draft.time);
  const end = start + Number(draft.durationMinutes);
  if (start < minutesOf(hours.open) || end > minutesOf(hours.close)) {
    reasons.push(
      `${formatTimeRange(toIsoInstant(draft.date, draft.time), draft.durationMinutes)} is outside opening hours (${at(hours.open)}–${at(hours.close)}).`,
    );
  }
  return reasons;
}

/** The REST body of a create (the server derives clientId from the pet; we never send it). */
export function draftToInput(draft: AppointmentDraft): AppointmentInput {
  const petId = parseIdSegment(draft.petId);
  if (petId === null) throw new Error('The draft has no pet');
  return {
    title: draft.title.trim(),
    type: draft.type,
    date: toIsoInstant(draft.date, draft.time),
    durationMinutes: Number(draft.durationMinutes),
    status: draft.status,
    notes: draft.notes.trim() ? draft.notes.trim() : null,
    petId,
    practitionerId: parseIdSegment(draft.practitionerId),
    overlapAllowed: draft.overlapAllowed,
  };
}

/** Only the fields that differ from the record (delta update). */
export function changedFields(record: LocalAppointment, input: AppointmentInput): Partial<AppointmentInput> {
  const changes: Partial<AppointmentInput> = {};
  if (input.title !== record.title) changes.title = input.title;
  if (input.type !== record.type) changes.type = input.type;
  if (Date.parse(input.date) !== Date.parse(record.date)) changes.date = input.date;
  if (String(input.durationMinutes) !== record.durationMinutes) changes.durationMinutes = input.durationMinutes;
  if (input.status !== record.status) changes.status = input.status;
  if ((input.notes ?? null) !== (record.notes ?? null)) changes.notes = input.notes ?? null;
  if (String(input.petId) !== String(record.petId)) changes.petId = input.petId;
  if (String(input.practitionerId ?? '') !== String(record.practitionerId ?? ''))
    changes.practitionerId = input.practitionerId ?? null;
  if ((input.overlapAllowed ?? false) !== (record.overlapAllowed ?? false))
    changes.overlapAllowed = input.overlapAllowed ?? false;
  return changes;
}
