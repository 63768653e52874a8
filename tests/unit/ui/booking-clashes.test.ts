import { describe, expect, it } from 'vitest';
import type { LocalAppointment, LocalPet, LocalUser } from '../../../src/api/entities.ts';
import { emptyDraft } from '../../../src/screens/appointment-draft.ts';
import {
  asBooked,
  busyFor,
  clashReadRange,
  clashSentence,
  draftClashes,
  freeSlots,
  heldBooking,
  moveChanges,
  nearestSlots,
} from '../../../src/screens/booking-clashes.ts';
import { Directory } from '../../../src/screens/directory.ts';
import { formatTime } from '../../../src/format.ts';
import { fixtures, row } from './fake-api.ts';
import { conflict } from './fakes.ts';

const patel: LocalUser = { ...fixtures.vet, name: 'Dr. Sam Patel' };
const okafor: LocalUser = { ...fixtures.vet, id: 3, name: 'Dr. Lena Okafor' };
const owner: LocalUser = { ...fixtures.owner, email: null };
const jasper: LocalPet = { ...fixtures.pet, name: 'Jasper', species: 'Cat' };
const rex: LocalPet = { ...fixtures.pet, id: 10 };
const directory = new Directory([patel, okafor, owner], [jasper, rex]);

const at = (h: number, m: number, day = 25) => new Date(2026, 10, day, h, m).toISOString();
/** A booking made on this tablet (as held in a conflict's localData): Rex with Dr. Patel at 11:00. */
const heldCreate = (title: string) => ({
  title,
  type: 'checkup',
  date: at(11, 0),
  durationMinutes: 30,
  status: 'scheduled',
  notes: null,
  petId: 10,
  practitionerId: 2,
});
function appt(id: number | string, overrides: Partial<LocalAppointment>): LocalAppointment {
  return {
    ...row,
    id,
    title: 'Checkup',
    type: 'checkup',
    date: at(11, 0),
    durationMinutes: '20',
    status: 'scheduled',
    notes: null,
    petId: 9,
    practitionerId: 2,
    clientId: 5,
    ...overrides,
  };
}

/** A draft for Rex with Dr. Patel on 25 Nov at `time`. */
/** "11:00–11:20" in the machine's locale (the form's format). */
const range = (from: string, to: string) => `${formatTime(from)}–${formatTime(to)}`;

const draft = (time: string, overrides = {}) => ({
  ...emptyDraft('2026-11-25'),
  clientId: '5',
  petId: '10',
  practitionerId: '2',
  time,
  durationMinutes: '30',
  ...overrides,
});

describe('double bookings in the form', () => {
  const jasperWithPatel = appt(100, {});

  it('finds what overlaps the draft by the protocol rule and says it in words', () => {
    const clashes = draftClashes(draft('10:45'), null, [jasperWithPatel]);
    expect(clashes.map((c) => c.reason)).toEqual(['practitioner']);
    const sentence = clashSentence(clashes[0]!, directory, '2026-11-25');
    expect(sentence).toBe(`Dr. Sam Patel already has Jasper at ${range(at(11, 0), at(11, 20))}`);
    // Touching ends do not overlap; a cancelled appointment frees its slot.
    expect(draftClashes(draft('10:30'), null, [jasperWithPatel])).toEqual([]);
    expect(draftClashes(draft('11:20'), null, [jasperWithPatel])).toEqual([]);
    expect(draftClashes(draft('11:00'), null, [{ ...jasperWithPatel, status: 'cancelled' }])).toEqual([]);
  });

  it('names the same pet booked with someone else, and never clashes a booking with itself', () => {
    const rexWithOkafor = appt(101, { petId: 10, practitionerId: 3 });
    const clashes = draftClashes(draft('11:10'), null, [rexWithOkafor]);
    expect(clashes.map((c) => c.reason)).toEqual(['pet']);
    expect(clashSentence(clashes[0]!, directory, '2026-11-25')).toBe(
      `Rex is already booked with Dr. Lena Okafor at ${range(at(11, 0), at(11, 20))}`,
    );
    expect(draftClashes(draft('11:10'), 101, [rexWithOkafor])).toEqual([]);
    // An unfinished draft (no pet, no date or time yet) is not checked.
    expect(draftClashes(draft('11:10', { petId: '' }), null, [rexWithOkafor])).toEqual([]);
    expect(draftClashes(draft('11:10', { date: '' }), null, [rexWithOkafor])).toEqual([]);
    expect(draftClashes(draft(''), null, [rexWithOkafor])).toEqual([]);
  });

  it('shows the day of a clash that starts on another day', () => {
    const lateTheDayBefore = appt(102, { date: at(23, 30, 24), durationMinutes: '120' });
    const sentence = clashSentence({ reason: 'practitioner', appointment: lateTheDayBefore }, directory, '2026-11-25');
    expect(sentence).toContain('24');
    expect(sentence.endsWith(`, ${range(at(23, 30, 24), at(1, 30, 25))}`)).toBe(true);
  });

  it('reads a day before and after the booking day (long and late bookings reach into it)', () => {
    const range = clashReadRange('2026-11-25');
    expect(range.from).toBe(new Date(2026, 10, 24).toISOString());
    expect(range.to).toBe(new Date(2026, 10, 27).toISOString());
  });
});

describe('free slots', () => {
  const busy = [
    appt(1, { date: at(8, 0), durationMinutes: '30' }),
    appt(2, { date: at(9, 0), durationMinutes: '45' }),
    appt(3, { date: at(10, 0), durationMinutes: '20', status: 'cancelled' }),
    appt(4, { date: at(17, 0), durationMinutes: '90' }),
  ];

  it('fills each gap inside opening hours in steps of the duration, from the end of the one before', () => {
    const slots = freeSlots({ day: '2026-11-25', durationMinutes: 30, busy });
    expect(slots.slice(0, 5)).toEqual(['08:30', '09:45', '10:15', '10:45', '11:15']);
    // The last one ends when the 17:00 appointment starts; none runs past closing.
    expect(slots.at(-1)).toBe('16:15');
    // A cancelled appointment does not hold its time.
    expect(slots).toContain('10:15');
  });

  it('an appointment ending off the grid pushes the next start to the next 5 minutes', () => {
    const slots = freeSlots({
      day: '2026-11-25',
      durationMinutes: 60,
      busy: [appt(1, { date: at(8, 0), durationMinutes: '17' })],
      hours: { open: '08:00', close: '10:30' },
    });
    expect(slots).toEqual(['08:20', '09:20']);
  });

  it('today: nothing before now; none when the day is full', () => {
    const now = new Date(2026, 10, 25, 14, 2).getTime();
    expect(freeSlots({ day: '2026-11-25', durationMinutes: 60, busy: [], notBefore: now })[0]).toBe('14:05');
    expect(
      freeSlots({
        day: '2026-11-25',
        durationMinutes: 30,
        busy: [appt(1, { date: at(8, 0), durationMinutes: '600' })],
      }),
    ).toEqual([]);
  });

  it('offers the slots nearest the time asked for, in time order', () => {
    const all = ['08:00', '08:30', '09:00', '12:00', '12:30', '16:00'];
    expect(nearestSlots(all, '12:10', 3)).toEqual(['09:00', '12:00', '12:30']);
  });

  it('busy means the practitioner’s or the pet’s live appointments, not the booking itself', () => {
    const list = [
      appt(1, {}),
      appt(2, { practitionerId: 3, petId: 10 }),
      appt(3, { practitionerId: 3, petId: 11 }),
      appt(4, { status: 'no_show' }),
    ];
    expect(busyFor(list, { id: 1, practitionerId: 2, petId: 10 }).map((a) => a.id)).toEqual([2]);
  });
});

describe('a held double booking', () => {
  it('is the server record with this tablet’s change over it (update), or the new booking (create)', () => {
    const update = conflict({
      conflictType: 'double_booking',
      localData: { date: at(11, 0), durationMinutes: 20 },
      serverData: {
        id: 42,
        title: 'Checkup — Rex',
        type: 'checkup',
        date: at(9, 0),
        durationMinutes: '30',
        status: 'scheduled',
        notes: null,
        petId: 10,
        practitionerId: 2,
        clientId: 5,
      },
    });
    expect(heldBooking(update)).toMatchObject({
      date: at(11, 0),
      durationMinutes: '20',
      petId: 10,
      practitionerId: 2,
      clientId: 5,
    });
    const create = conflict({
      conflictType: 'double_booking',
      localOperation: 'create',
      entityId: 'temp_appt_1',
      serverData: {},
      localData: heldCreate('Checkup — Rex'),
    });
    expect(heldBooking(create)).toMatchObject({ durationMinutes: '30', petId: 10, practitionerId: 2 });
    expect(heldBooking(conflict({ localData: { date: 'soon' }, serverData: {} }))).toBeNull();
  });

  it('a move sends only the slot fields that changed', () => {
    const held = heldBooking(
      conflict({
        serverData: {},
        localData: heldCreate('T'),
      }),
    )!;
    expect(moveChanges(held, draft('11:00'))).toEqual({});
    expect(moveChanges(held, draft('12:00'))).toEqual({ date: at(12, 0) });
    expect(moveChanges(held, draft('11:00', { durationMinutes: '20', practitionerId: '3' }))).toEqual({
      durationMinutes: 20,
      practitionerId: 3,
    });
  });

  it('reported clashes count as appointments when they carry a time', () => {
    expect(
      asBooked({ id: 7, date: at(11, 0), durationMinutes: '20', status: 'scheduled', petId: 9, practitionerId: 2 }),
    ).toMatchObject({ id: 7, overlapAllowed: false, deletedAt: null });
    expect(asBooked({ id: 7, status: 'scheduled' })).toBeNull();
  });
});
