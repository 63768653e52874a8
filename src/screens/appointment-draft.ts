/**
 * The appointment form's state as plain strings (what the inputs hold), and the conversions to and
 * from records and REST bodies. Pure, so the rules are unit-tested without a DOM.
 */
import type { AppointmentInput, LocalAppointment } from '../api/entities.ts';
import { localDateKey, localTimeKey, toIsoInstant } from '../format.ts';
import type { AppointmentStatus, EntityId } from '../protocol/index.ts';
import { parseIdSegment } from '../router.ts';
import type { Directory } from './directory.ts';
import { typeLabel } from './appointment-options.ts';

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
}

export type DraftErrors = Partial<Record<keyof AppointmentDraft, string>>;

export function emptyDraft(date: string): AppointmentDraft {
  return {
    clientId: '',
    petId: '',
    practitionerId: '',
    date,
    time: '09:00',
    durationMinutes: '30',
    type: 'checkup',
    title: '',
    notes: '',
    status: 'scheduled',
  };
}

const idText = (id: EntityId | null | undefined) => (id === null || id === undefined ? '' : String(id));

export function draftFromRecord(record: LocalAppointment, directory: Directory): AppointmentDraft {
  const when = new Date(record.date);
  const owner = record.clientId ?? directory.pet(record.petId)?.ownerId ?? null;
  return {
    clientId: idText(owner),
    petId: idText(record.petId),
    practitionerId: idText(record.practitionerId),
    date: localDateKey(when),
    time: localTimeKey(when),
    durationMinutes: record.durationMinutes,
    type: record.type,
    title: record.title,
    notes: record.notes ?? '',
    status: record.status,
  };
}

/** The title staff would type: "Checkup — Rex". Used until they type their own. */
export function suggestedTitle(draft: AppointmentDraft, directory: Directory): string {
  const pet = directory.pet(draft.petId);
  return pet ? `${typeLabel(draft.type)} — ${pet.name}` : typeLabel(draft.type);
}

export function validateDraft(draft: AppointmentDraft): DraftErrors {
  const errors: DraftErrors = {};
  if (!draft.clientId) errors.clientId = 'Choose the client.';
  if (!draft.petId) errors.petId = 'Choose the pet.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.date)) errors.date = 'Choose a date.';
  if (!/^\d{2}:\d{2}$/.test(draft.time)) errors.time = 'Choose a time.';
  const minutes = Number(draft.durationMinutes);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) errors.durationMinutes = 'Choose a duration.';
  if (!draft.type.trim()) errors.type = 'Choose a type.';
  if (!draft.title.trim()) errors.title = 'Enter a title.';
  else if (draft.title.trim().length > 200) errors.title = 'Keep the title under 200 characters.';
  if (draft.notes.length > 5000) errors.notes = 'Notes are limited to 5,000 characters.';
  return errors;
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
  if (String(input.practitionerId ?? '') !== String(record.practitionerId ?? '')) changes.practitionerId = input.practitionerId ?? null;
  return changes;
}

/** A temp id in the draft that got its real id. */
export function remapDraft(draft: AppointmentDraft, tempId: string, realId: number): AppointmentDraft {
  const swap = (v: string) => (v === tempId ? String(realId) : v);
  return { ...draft, clientId: swap(draft.clientId), petId: swap(draft.petId), practitionerId: swap(draft.practitionerId) };
}
