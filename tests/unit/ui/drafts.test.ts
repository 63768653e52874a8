import { describe, expect, it } from 'vitest';
import type { LocalAppointment, LocalUser } from '../../../src/api/entities.ts';
import {
  changedFields,
  draftFromRecord,
  draftToInput,
  emptyDraft,
  firstFreeTime,
  newDraft,
  suggestedTitle,
  unusualBooking,
  validateDraft,
} from '../../../src/screens/appointment-draft.ts';
import { Directory } from '../../../src/screens/directory.ts';
import { formatTime } from '../../../src/format.ts';
import {
  clientChanges,
  clientInput,
  emptyPetDraft,
  petInput,
  validateClient,
  validatePet,
} from '../../../src/screens/record-drafts.ts';
import { fixtures } from './fake-api.ts';

const owner: LocalUser = { ...fixtures.owner, email: null };
const vet = fixtures.vet;
const pet = fixtures.pet;
const directory = new Directory([owner, vet], [pet]);
const appointment: LocalAppointment = { ...fixtures.appointment, version: 1 };

describe('appointment draft', () => {
  it('fills from a record in local time, taking the client from the pet before the server derived it', () => {
    const draft = draftFromRecord(appointment, directory);
    expect(draft).toMatchObject({
      clientId: '5',
      petId: '9',
      practitionerId: '2',
      date: '2026-11-25',
      time: '14:30',
      durationMinutes: '30',
    });
  });

  it('validates what staff must fill', () => {
    const errors = validateDraft({ ...emptyDraft('2026-11-25'), title: '' });
    expect(Object.keys(errors).sort()).toEqual(['clientId', 'petId', 'title']);
  });

  it('builds the create body: numeric duration, ISO instant, no clientId', () => {
    const input = draftToInput({ ...draftFromRecord(appointment, directory), notes: '  ' });
    expect(input).toEqual({
      title: 'Checkup — Rex',
      type: 'checkup',
      date: appointment.date,
      durationMinutes: 30,
      status: 'scheduled',
      notes: null,
      petId: 9,
      practitionerId: 2,
      overlapAllowed: false,
    });
    expect(input).not.toHaveProperty('clientId');
  });

  it('carries the on-purpose choice both ways, and sends it only when it changed', () => {
    const onPurpose = { ...appointment, overlapAllowed: true };
    const draft = draftFromRecord(onPurpose, directory);
    expect(draft.overlapAllowed).toBe(true);
    expect(changedFields(onPurpose, draftToInput(draft))).toEqual({});
    expect(changedFields(onPurpose, draftToInput({ ...draft, overlapAllowed: false }))).toEqual({
      overlapAllowed: false,
    });
    // Older records have no field: not on purpose.
    expect(draftFromRecord(appointment, directory).overlapAllowed).toBe(false);
  });

  it('sends only changed fields on update', () => {
    const draft = { ...draftFromRecord(appointment, directory), time: '15:00', notes: 'Limping' };
    const changes = changedFields(appointment, draftToInput(draft));
    expect(Object.keys(changes).sort()).toEqual(['date', 'notes']);
    expect(changedFields(appointment, draftToInput(draftFromRecord(appointment, directory)))).toEqual({});
  });

  it('suggests a title from type and pet, and follows temp id remaps', () => {
    const draft = { ...emptyDraft('2026-11-25'), petId: '9', type: 'vaccination' };
    expect(suggestedTitle(draft, directory)).toBe('Vaccination — Rex');
  });
});

describe('client and pet drafts', () => {
  it('validates and normalises a client', () => {
    expect(validateClient({ name: ' ', phone: '', email: 'nope' })).toEqual({
      name: expect.any(String),
      email: expect.any(String),
    });
    expect(clientInput({ name: ' Ada ', phone: '', email: ' a@b.co ' })).toEqual({
      name: 'Ada',
      phone: null,
      email: 'a@b.co',
    });
    expect(clientChanges(owner, { name: 'Ada Owner', phone: '555', email: null })).toEqual({ phone: '555' });
  });

  it('a new pet starts with no species: it must be chosen, not left at a pre-filled "Dog"', () => {
    expect(emptyPetDraft().species).toBe('');
    expect(validatePet({ ...emptyPetDraft(), name: 'Misty' }, '2026-11-25')).toEqual({
      species: 'Species is required',
    });
  });

  it('validates a pet and refuses a birth date in the future', () => {
    expect(
      validatePet({ name: 'Rex', species: 'Dog', breed: '', birthDate: '2030-01-01' }, '2026-11-25'),
    ).toHaveProperty('birthDate');
    expect(petInput({ name: 'Rex', species: 'Dog', breed: '', birthDate: '' }, 'temp_user_z')).toEqual({
      name: 'Rex',
      species: 'Dog',
      breed: null,
      birthDate: null,
      ownerId: 'temp_user_z',
    });
  });
});

describe('unusual bookings ask first', () => {
  const today = '2026-11-25';
  // The form's clock: 25 November 2026, local time (the rule reads the day and the minute from it).
  const clock = (time = '07:00', seconds = 0) =>
    new Date(2026, 10, 25, Number(time.slice(0, 2)), Number(time.slice(3, 5)), seconds);
  const morning = clock();
  const at = (date: string, time: string, durationMinutes = '30') => ({ ...emptyDraft(date), time, durationMinutes });

  it('a usual booking: later today or next month, inside opening hours', () => {
    expect(unusualBooking(at(today, '09:00'), morning, null)).toEqual([]);
    expect(unusualBooking(at('2026-12-24', '17:30', '30'), morning, null)).toEqual([]);
    expect(unusualBooking(at('2027-11-25', '08:00', '480'), morning, null)).toEqual([]);
  });

  it('names each reason: a past day, more than a year ahead, outside opening hours', () => {
    expect(unusualBooking(at('2026-11-24', '10:00'), morning, null)).toEqual([
      expect.stringContaining('is in the past'),
    ]);
    // A year typed wrong (2062 for 2026).
    expect(unusualBooking(at('2062-12-03', '10:00'), morning, null)).toEqual([
      expect.stringContaining('is more than a year ahead'),
    ]);
    expect(unusualBooking(at(today, '19:00'), morning, null)).toEqual([
      expect.stringContaining('is outside opening hours'),
    ]);
    // Starts inside, ends after closing: a 5-hour surgery at 14:00.
    expect(unusualBooking(at(today, '14:00', '300'), morning, null)).toEqual([
      expect.stringContaining('is outside opening hours'),
    ]);
    expect(unusualBooking(at('2020-01-01', '19:00'), morning, null)).toHaveLength(2);
  });

  it('a time earlier today has passed: at 15:00, 09:00 today asks, 16:00 today and 09:00 tomorrow do not', () => {
    const afternoon = clock('15:00');
    const nine = formatTime(new Date(2026, 10, 25, 9, 0).toISOString());
    const three = formatTime(afternoon.toISOString());
    expect(unusualBooking(at(today, '09:00'), afternoon, null)).toEqual([
      `${nine} today has already passed (it is ${three} now).`,
    ]);
    expect(unusualBooking(at(today, '16:00'), afternoon, null)).toEqual([]);
    expect(unusualBooking(at('2026-11-26', '09:00'), afternoon, null)).toEqual([]);
    // A day in the past says so once, not also that its time has passed.
    expect(unusualBooking(at('2026-11-24', '16:00'), afternoon, null)).toEqual([
      expect.stringContaining('is in the past'),
    ]);
    // Passed and outside opening hours: both reasons (07:00 at 15:00).
    expect(unusualBooking(at(today, '07:00'), afternoon, null)).toEqual([
      expect.stringContaining('today has already passed'),
      expect.stringContaining('is outside opening hours'),
    ]);
  });

  it('the minute boundary: a time passes when its minute is over', () => {
    expect(unusualBooking(at(today, '15:00'), clock('15:00'), null)).toEqual([]);
    expect(unusualBooking(at(today, '15:00'), clock('15:00', 59), null)).toEqual([]);
    expect(unusualBooking(at(today, '15:00'), clock('15:01'), null)).toEqual([
      expect.stringContaining('today has already passed'),
    ]);
    expect(unusualBooking(at(today, '15:01'), clock('15:00', 59), null)).toEqual([]);
    // Just before midnight every earlier time of the day has passed; just after, the new day has begun.
    expect(unusualBooking(at(today, '17:30'), clock('23:59', 59), null)).toHaveLength(1);
    expect(unusualBooking(at('2026-11-26', '08:00'), new Date(2026, 10, 26, 0, 0, 1), null)).toEqual([]);
  });

  it('an edit that keeps the stored slot asks nothing; moving it is checked', () => {
    const stored = { date: new Date(2026, 10, 20, 7, 0).toISOString(), durationMinutes: '30' };
    expect(unusualBooking(at('2026-11-20', '07:00'), morning, stored)).toEqual([]);
    expect(unusualBooking(at('2026-11-20', '07:00', '45'), morning, stored)).toHaveLength(2);
  });

  it('an edit of a booking earlier today that keeps its time asks nothing; moving it to another past time asks', () => {
    const afternoon = clock('15:00');
    const stored = { date: new Date(2026, 10, 25, 9, 0).toISOString(), durationMinutes: '30' };
    expect(unusualBooking(at(today, '09:00'), afternoon, stored)).toEqual([]);
    expect(unusualBooking(at(today, '10:00'), afternoon, stored)).toEqual([
      expect.stringContaining('today has already passed'),
    ]);
    expect(unusualBooking(at(today, '16:00'), afternoon, stored)).toEqual([]);
  });
});

describe('the time a new booking starts at', () => {
  const clock = (hours: number, minutes: number) => new Date(2026, 10, 25, hours, minutes);
  const today = '2026-11-25';

  it('09:00 on another day, and today until 09:00', () => {
    expect(firstFreeTime('2026-11-26', clock(15, 0), 30)).toBe('09:00');
    expect(firstFreeTime('2026-11-24', clock(15, 0), 30)).toBe('09:00');
    expect(firstFreeTime(today, clock(7, 30), 30)).toBe('09:00');
    expect(firstFreeTime(today, clock(8, 59), 30)).toBe('09:00');
  });

  it('today once 09:00 has begun: the next quarter hour, never the minute now', () => {
    expect(firstFreeTime(today, clock(9, 0), 30)).toBe('09:15');
    expect(firstFreeTime(today, clock(10, 7), 30)).toBe('10:15');
    expect(firstFreeTime(today, clock(10, 45), 30)).toBe('11:00');
    expect(firstFreeTime(today, clock(17, 29), 30)).toBe('17:30');
  });

  it('today when nothing fits before closing: 09:00 (another day is likelier meant)', () => {
    expect(firstFreeTime(today, clock(17, 31), 30)).toBe('09:00');
    expect(firstFreeTime(today, clock(23, 50), 30)).toBe('09:00');
  });

  it('a new booking for today opened at 10:07 starts at 10:15 and is not unusual', () => {
    const draft = newDraft({ date: today, now: clock(10, 7) }, directory);
    expect(draft.time).toBe('10:15');
    expect(unusualBooking(draft, clock(10, 7), null)).toEqual([]);
  });
});
