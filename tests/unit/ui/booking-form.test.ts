// @vitest-environment happy-dom
/**
 * The booking form and double bookings, over a fake REST surface and a fake worker: the warning
 * before Save, a tapped free time, "Double-book on purpose", the mark in the list, and "Move mine"
 * (the form on a held booking, saving sends RESOLVE_CONFLICT instead of a PATCH).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalAppointment, LocalPet, LocalUser } from '../../../src/api/entities.ts';
import { formatTimeRange } from '../../../src/format.ts';
import type { ConflictRecord, Resolution } from '../../../src/protocol/index.ts';
import { AppointmentFormScreen } from '../../../src/screens/appointment-form-screen.ts';
import { IMPOSSIBLE_DATE } from '../../../src/screens/appointment-draft.ts';
import { durationOptions } from '../../../src/screens/appointment-options.ts';
import { AppointmentsScreen } from '../../../src/screens/appointments-screen.ts';
import { FakeApi, fixtures } from './fake-api.ts';
import { FakeWorker, TEST_NOW, eventually, fakeServices, heldDoubleBooking } from './fakes.ts';
import { buttonByText, mount, settle, shadow, text } from './dom.ts';

afterEach(() => document.body.replaceChildren());

const NOW = TEST_NOW;
const at = (h: number, m: number) => new Date(2026, 10, 25, h, m).toISOString();
const owner2: LocalUser = { ...fixtures.owner, id: 6, name: 'Ben Owner' };
const bella: LocalPet = { ...fixtures.pet, id: 11, name: 'Bella', ownerId: 6 };
/** Rex sees Dr Vet at 14:30–15:00 (the shared fixture). */
const rexVisit = fixtures.appointment;

function setup(worker = new FakeWorker(), now = NOW) {
  const api = new FakeApi();
  api.users = [...api.users, owner2];
  api.pets = [...api.pets, bella];
  const services = fakeServices(worker, { fetch: api.fetch, now: () => now });
  return { api, worker, services };
}

function field(el: AppointmentFormScreen, id: string): HTMLInputElement | HTMLSelectElement {
  return shadow(el).querySelector(`#${id}`) as HTMLInputElement | HTMLSelectElement;
}

async function change(el: AppointmentFormScreen, id: string, value: string): Promise<void> {
  const control = field(el, id);
  control.value = value;
  control.dispatchEvent(new Event(control.tagName === 'SELECT' ? 'change' : 'input'));
  await settle(el);
}

const warning = (el: AppointmentFormScreen) => shadow(el).querySelector('[data-testid="clash-warning"]');
const slotButtons = (el: AppointmentFormScreen) => [
  ...shadow(el).querySelectorAll<HTMLButtonElement>('[data-testid="free-slots"] button'),
];

/** A new booking of Bella with Dr Vet at `time` (today by the form's clock, `now`). */
async function bookBella(time: string, now = NOW) {
  const s = setup(new FakeWorker(), now);
  const navigations: string[] = [];
  const el = await mount(new AppointmentFormScreen(), { services: s.services, recordId: null, date: '2026-11-25' });
  el.addEventListener('navigate', (e) => navigations.push(e.detail.path));
  await settle(el);
  await change(el, 'clientId', '6');
  await change(el, 'practitionerId', '2');
  await change(el, 'time', time);
  return { ...s, el, navigations };
}

describe('<appointment-form-screen> and double bookings', () => {
  it('warns at once, with the free times of the day, and refuses Save until the user decides', async () => {
    const { el, api } = await bookBella('14:45');
    await eventually(() => expect(warning(el)).not.toBeNull());
    expect(text(warning(el))).toContain(`Dr Vet already has Rex at ${formatTimeRange(rexVisit.date, 30)}`);
    // It read the day's appointments of the practitioner and of the pet, not the whole replica.
    const reads = api.calls.filter((c) => c.method === 'GET' && c.path.startsWith('/api/appointments?'));
    expect(reads.some((c) => c.path.includes('practitionerId=2'))).toBe(true);
    expect(reads.some((c) => c.path.includes('petId=11'))).toBe(true);

    buttonByText(shadow(el), 'Book appointment').click();
    await settle(el);
    expect(api.callsOf('POST')).toHaveLength(0);
    expect(text(shadow(el).querySelector('[role="alert"]'))).toContain('overlaps another appointment');
    expect(shadow(el).activeElement).toBe(slotButtons(el)[0]);
  });

  it('a tapped free time takes the slot; the booking then goes out as an ordinary one', async () => {
    const { el, api, navigations } = await bookBella('14:45');
    await eventually(() => expect(slotButtons(el).length).toBeGreaterThan(0));
    // Nearest to 14:45 for 30 minutes: 14:00 before Rex, 15:00 right after.
    const times = slotButtons(el).map((b) => text(b));
    expect(times).toContain(formatTimeRange(at(15, 0), 0).split('–')[0]);
    expect(times).not.toContain(formatTimeRange(at(14, 30), 0).split('–')[0]);
    slotButtons(el)
      .find((b) => text(b) === formatTimeRange(at(15, 0), 0).split('–')[0])!
      .click();
    await settle(el);
    expect(field(el, 'time').value).toBe('15:00');
    expect(warning(el)).toBeNull();
    buttonByText(shadow(el), 'Book appointment').click();
    await eventually(() => expect(api.callsOf('POST')).toHaveLength(1));
    expect(api.callsOf('POST')[0]?.body).toMatchObject({
      petId: 11,
      practitionerId: 2,
      date: at(15, 0),
      overlapAllowed: false,
    });
    await eventually(() => expect(navigations).toEqual(['/appointments?date=2026-11-25']));
  });

  it('"Double-book on purpose" saves the overlap with overlapAllowed, and the list marks it', async () => {
    const { el, api, services } = await bookBella('14:45');
    await eventually(() => expect(warning(el)).not.toBeNull());
    const box = shadow(el).querySelector('input[name="overlapAllowed"]') as HTMLInputElement;
    box.checked = true;
    box.dispatchEvent(new Event('change'));
    await settle(el);
    buttonByText(shadow(el), 'Book appointment').click();
    await eventually(() => expect(api.callsOf('POST')).toHaveLength(1));
    expect(api.callsOf('POST')[0]?.body).toMatchObject({ date: at(14, 45), overlapAllowed: true });

    const list = await mount(new AppointmentsScreen(), { services, date: '2026-11-25' });
    await settle(list);
    const rows = [...shadow(list).querySelectorAll('a.row')];
    const marked = rows.filter((r) => r.querySelector('[data-badge="double-booked"]'));
    expect(marked.map((r) => text(r.querySelector('.title')))).toEqual(['Checkup — Bella']);
  });

  it('editing checks without clashing with itself, and a move to a free time drops the on-purpose mark', async () => {
    const s = setup();
    const onPurpose: LocalAppointment = {
      ...rexVisit,
      id: 300,
      title: 'Checkup — Bella',
      petId: 11,
      clientId: 6,
      date: at(14, 45),
      overlapAllowed: true,
      _pending: false,
    };
    s.api.appointments = [...s.api.appointments, onPurpose];
    const el = await mount(new AppointmentFormScreen(), { services: s.services, recordId: 300 });
    await settle(el);
    await eventually(() => expect(warning(el)).not.toBeNull());
    expect(text(shadow(el).querySelector('.heading'))).toContain('Double-booked on purpose');
    expect((shadow(el).querySelector('input[name="overlapAllowed"]') as HTMLInputElement).checked).toBe(true);
    // Rex's own visit, opened for editing, does not clash with itself (and Bella's is on purpose).
    const rex = await mount(new AppointmentFormScreen(), { services: s.services, recordId: rexVisit.id });
    await settle(rex);
    expect(warning(rex)).toBeNull();

    await change(el, 'time', '16:00');
    expect(warning(el)).toBeNull();
    buttonByText(shadow(el), 'Save changes').click();
    await eventually(() => expect(s.api.callsOf('PATCH')).toHaveLength(1));
    expect(s.api.callsOf('PATCH')[0]?.body).toEqual({ date: at(16, 0), overlapAllowed: false });
  });

  it('an overlap already stored warns but does not block an edit of the notes; moving within it does', async () => {
    const s = setup();
    const overlapping: LocalAppointment = {
      ...rexVisit,
      id: 301,
      title: 'Checkup — Bella',
      petId: 11,
      clientId: 6,
      date: at(14, 45),
      _pending: false,
    };
    s.api.appointments = [...s.api.appointments, overlapping];
    const el = await mount(new AppointmentFormScreen(), { services: s.services, recordId: 301 });
    await settle(el);
    await eventually(() => expect(warning(el)).not.toBeNull());
    await change(el, 'notes', 'Owner called');
    buttonByText(shadow(el), 'Save changes').click();
    await eventually(() => expect(s.api.callsOf('PATCH')).toHaveLength(1));
    expect(s.api.callsOf('PATCH')[0]?.body).toEqual({ notes: 'Owner called' });

    const again = await mount(new AppointmentFormScreen(), { services: s.services, recordId: 301 });
    await settle(again);
    await change(again, 'time', '14:40');
    buttonByText(shadow(again), 'Save changes').click();
    await settle(again);
    expect(s.api.callsOf('PATCH')).toHaveLength(1);
    expect(text(shadow(again).querySelector('[role="alert"]'))).toContain('overlaps another appointment');
  });
});

describe('"Move mine" in the booking form', () => {
  /** A new booking of Bella with Dr Vet at 14:45, held because Rex's visit was there first. */
  const held = (overrides: Partial<ConflictRecord> = {}) =>
    heldDoubleBooking({ ...rexVisit, id: 77, title: 'Checkup — Rex' }, overrides);

  async function moveForm(record: ConflictRecord, refuse = false) {
    const resolutions: Resolution[] = [];
    const worker = new FakeWorker({
      GET_CONFLICTS: () => [record],
      RESOLVE_CONFLICT: (m) => {
        if (refuse) throw new Error('This version of the app cannot resolve double bookings yet');
        resolutions.push(m.resolution);
        return { queuedOperationId: 41 };
      },
    });
    const s = setup(worker);
    // The replica does not show Rex's visit (reported by the server only).
    s.api.appointments = [];
    const navigations: string[] = [];
    const el = await mount(new AppointmentFormScreen(), {
      services: s.services,
      recordId: record.entityId,
      moveConflictId: record.id,
    });
    el.addEventListener('navigate', (e) => navigations.push(e.detail.path));
    await settle(el);
    return { ...s, el, resolutions, navigations };
  }

  it('opens on the held booking with only time, duration and practitioner open, and the server’s clash shown', async () => {
    const { el } = await moveForm(held());
    expect(text(shadow(el).querySelector('h1'))).toBe('Move my booking');
    expect(field(el, 'time').value).toBe('14:45');
    // (happy-dom keeps the first option selected in a disabled select: read the option the form marks.)
    expect(field(el, 'clientId').querySelector('option[selected]')?.getAttribute('value')).toBe('6');
    for (const id of ['clientId', 'petId', 'type', 'title', 'notes']) expect(field(el, id).disabled, id).toBe(true);
    for (const id of ['practitionerId', 'date', 'time', 'durationMinutes'])
      expect(field(el, id).disabled, id).toBe(false);
    await eventually(() => expect(text(warning(el))).toContain('Dr Vet already has Rex'));
    expect(shadow(el).querySelector('input[name="overlapAllowed"]')).toBeNull();
    expect(text(warning(el))).toContain('Keep both');
  });

  it('saving sends RESOLVE_CONFLICT move with the changed slot (no PATCH), then shows the day', async () => {
    const { el, api, resolutions, navigations } = await moveForm(held());
    await eventually(() => expect(slotButtons(el).length).toBeGreaterThan(0));
    buttonByText(shadow(el), 'Move booking').click();
    await settle(el);
    expect(resolutions).toEqual([]);
    expect(text(shadow(el).querySelector('[role="alert"]'))).toContain('still overlaps');

    await change(el, 'practitionerId', '');
    expect(warning(el)).toBeNull();
    await change(el, 'time', '16:00');
    buttonByText(shadow(el), 'Move booking').click();
    await eventually(() => expect(resolutions).toHaveLength(1));
    expect(resolutions[0]).toEqual({ strategy: 'move', changes: { date: at(16, 0), practitionerId: null } });
    expect(api.callsOf('PATCH')).toHaveLength(0);
    expect(api.callsOf('POST')).toHaveLength(0);
    await eventually(() => expect(navigations).toEqual(['/appointments?date=2026-11-25']));
  });

  it('says so when the worker refuses the move, and when the conflict is no longer waiting', async () => {
    const { el, resolutions } = await moveForm(held(), true);
    await change(el, 'time', '16:00');
    buttonByText(shadow(el), 'Move booking').click();
    await eventually(() =>
      expect(text(shadow(el).querySelector('[role="alert"]'))).toContain(
        'Not moved: This version of the app cannot resolve double bookings yet',
      ),
    );
    expect(resolutions).toEqual([]);

    const gone = await moveForm(held({ resolved: true, resolution: 'keep_both' }));
    expect(text(shadow(gone.el))).toContain('This double booking is no longer waiting for a decision');
  });

  it('asks for a new slot before sending an unchanged one', async () => {
    const { el, resolutions } = await moveForm(held({ clashes: [] }));
    buttonByText(shadow(el), 'Move booking').click();
    await settle(el);
    expect(text(shadow(el).querySelector('[role="alert"]'))).toContain(
      'Choose another time, duration or practitioner first',
    );
    expect(resolutions).toEqual([]);
  });
});

describe('durations in the booking form', () => {
  const durationSelect = (el: AppointmentFormScreen) => field(el, 'durationMinutes') as HTMLSelectElement;
  // The option the form marks selected (happy-dom's own selectedness does not follow re-rendered options).
  const chosen = (el: AppointmentFormScreen) => durationSelect(el).querySelector('option[selected]');

  it('offers up to a full day of surgery, labelled in hours, in order', () => {
    const options = durationOptions('30');
    expect(options.map((o) => o.label)).toEqual(
      expect.arrayContaining(['45 min', '1 h 30 min', '2 h 30 min', '5 h', '8 h']),
    );
    const minutes = options.map((o) => Number(o.value));
    expect(minutes).toEqual([...minutes].sort((a, b) => a - b));
    expect(Math.max(...minutes)).toBe(480);
  });

  it('a 5-hour surgery is booked with 300 minutes', async () => {
    const { el, api } = await bookBella('08:00');
    expect([...durationSelect(el).options].map((o) => o.textContent?.trim())).toContain('5 h');
    await change(el, 'durationMinutes', '300');
    expect(chosen(el)?.textContent?.trim()).toBe('5 h');
    buttonByText(shadow(el), 'Book appointment').click();
    await eventually(() => expect(api.callsOf('POST')).toHaveLength(1));
    expect(Number((api.callsOf('POST')[0]?.body as { durationMinutes: unknown }).durationMinutes)).toBe(300);
  });

  it('a stored duration off the list shows in its place and stays when something else is edited', async () => {
    const s = setup();
    const odd: LocalAppointment = { ...rexVisit, id: 302, date: at(9, 0), durationMinutes: '75', _pending: false };
    s.api.appointments = [odd];
    const el = await mount(new AppointmentFormScreen(), { services: s.services, recordId: 302 });
    await settle(el);
    await eventually(() => expect(chosen(el)?.getAttribute('value')).toBe('75'));
    expect(chosen(el)?.textContent?.trim()).toBe('1 h 15 min');
    const labels = [...durationSelect(el).options].map((o) => o.textContent?.trim());
    expect(labels.indexOf('1 h 15 min')).toBe(labels.indexOf('1 h') + 1);
    await change(el, 'notes', 'Fasted since midnight');
    buttonByText(shadow(el), 'Save changes').click();
    await eventually(() => expect(s.api.callsOf('PATCH')).toHaveLength(1));
    expect(s.api.callsOf('PATCH')[0]?.body).toEqual({ notes: 'Fasted since midnight' });
  });
});

describe('an impossible date in the booking form', () => {
  /** What Chromium does for 02/30: the value reads "" and validity.badInput is set. */
  function typeImpossibleDate(el: AppointmentFormScreen): void {
    const date = field(el, 'date') as HTMLInputElement;
    Object.defineProperty(date, 'validity', { configurable: true, value: { badInput: true, valid: false } });
    date.value = '';
    date.dispatchEvent(new Event('input'));
  }

  it('says the date does not exist (not that it is missing), next to the field, and focuses it', async () => {
    const { el, api } = await bookBella('08:00');
    typeImpossibleDate(el);
    await settle(el);
    buttonByText(shadow(el), 'Book appointment').click();
    await settle(el);
    expect(api.callsOf('POST')).toHaveLength(0);
    const date = field(el, 'date');
    const error = shadow(el).querySelector('#date-error');
    expect(text(error)).toBe(IMPOSSIBLE_DATE);
    expect(text(error)).not.toContain('required');
    expect(date.getAttribute('aria-invalid')).toBe('true');
    expect(date.getAttribute('aria-describedby')).toBe('date-error');
    expect(shadow(el).activeElement).toBe(date);
  });

  it('an empty date is still "required"', async () => {
    const { el } = await bookBella('08:00');
    await change(el, 'date', '');
    buttonByText(shadow(el), 'Book appointment').click();
    await settle(el);
    expect(text(shadow(el).querySelector('#date-error'))).toBe('Date is required');
  });
});

describe('a time earlier today asks first', () => {
  /** The form's clock reads 15:00 on the day being booked. */
  const threePm = new Date(2026, 10, 25, 15, 0).getTime();
  const question = (el: AppointmentFormScreen) =>
    shadow(el).querySelector('[role="group"][aria-label="Confirm an unusual booking"]');

  it('at 15:00, booking 09:00 today asks, with the time in words; Yes books it', async () => {
    const { el, api, navigations } = await bookBella('09:00', threePm);
    buttonByText(shadow(el), 'Book appointment').click();
    await settle(el);
    expect(api.callsOf('POST')).toHaveLength(0);
    const nine = formatTimeRange(at(9, 0), 0).split('–')[0];
    const three = formatTimeRange(at(15, 0), 0).split('–')[0];
    expect(text(question(el))).toContain(`${nine} today has already passed (it is ${three} now).`);
    expect(text(question(el))).toContain('Book it anyway?');
    buttonByText(question(el) as HTMLElement, 'Yes, book it').click();
    await eventually(() => expect(api.callsOf('POST')).toHaveLength(1));
    expect(api.callsOf('POST')[0]?.body).toMatchObject({ date: at(9, 0) });
    await eventually(() => expect(navigations).toEqual(['/appointments?date=2026-11-25']));
  });

  it('"Change the date or time" keeps the form; tomorrow then books without a question', async () => {
    const { el, api, navigations } = await bookBella('09:00', threePm);
    buttonByText(shadow(el), 'Book appointment').click();
    await settle(el);
    buttonByText(question(el) as HTMLElement, 'Change the date or time').click();
    await settle(el);
    expect(question(el)).toBeNull();
    expect(shadow(el).activeElement).toBe(field(el, 'date'));
    await change(el, 'date', '2026-11-26');
    buttonByText(shadow(el), 'Book appointment').click();
    await eventually(() => expect(api.callsOf('POST')).toHaveLength(1));
    expect(api.callsOf('POST')[0]?.body).toMatchObject({ date: new Date(2026, 10, 26, 9, 0).toISOString() });
    await eventually(() => expect(navigations).toEqual(['/appointments?date=2026-11-26']));
  });

  it('at 15:00, 16:00 today books at once', async () => {
    const { el, api } = await bookBella('16:00', threePm);
    buttonByText(shadow(el), 'Book appointment').click();
    await eventually(() => expect(api.callsOf('POST')).toHaveLength(1));
    expect(question(el)).toBeNull();
    expect(api.callsOf('POST')[0]?.body).toMatchObject({ date: at(16, 0) });
  });

  it('an edit of the notes of a visit earlier today asks nothing; moving it to another passed time asks', async () => {
    const s = setup(new FakeWorker(), threePm);
    const morning: LocalAppointment = { ...rexVisit, id: 302, date: at(9, 0), _pending: false };
    s.api.appointments = [...s.api.appointments, morning];
    const el = await mount(new AppointmentFormScreen(), { services: s.services, recordId: 302 });
    await settle(el);
    await change(el, 'notes', 'Came in limping');
    buttonByText(shadow(el), 'Save changes').click();
    await eventually(() => expect(s.api.callsOf('PATCH')).toHaveLength(1));
    expect(s.api.callsOf('PATCH')[0]?.body).toEqual({ notes: 'Came in limping' });

    const again = await mount(new AppointmentFormScreen(), { services: s.services, recordId: 302 });
    await settle(again);
    await change(again, 'time', '10:00');
    buttonByText(shadow(again), 'Save changes').click();
    await settle(again);
    expect(s.api.callsOf('PATCH')).toHaveLength(1);
    expect(text(question(again))).toContain('today has already passed');
    expect(text(question(again))).toContain('Save it anyway?');
  });
});
