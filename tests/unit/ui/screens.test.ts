// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { AppointmentFormScreen } from '../../../src/screens/appointment-form-screen.ts';
import { AppointmentsScreen } from '../../../src/screens/appointments-screen.ts';
import { FakeApi, fixtures } from './fake-api.ts';
import { FakeWorker, eventually, fakeServices } from './fakes.ts';
import { buttonByText, mount, settle, shadow, text } from './dom.ts';

afterEach(() => document.body.replaceChildren());

function services(api: FakeApi, worker: FakeWorker) {
  return fakeServices(worker, { fetch: api.fetch });
}

describe('<appointments-screen>', () => {
  it('lists the day with names and a Not synced badge that clears once the server has the booking', async () => {
    const api = new FakeApi();
    const worker = new FakeWorker();
    const el = await mount(new AppointmentsScreen(), { services: services(api, worker), date: '2026-11-25' });
    await settle(el);
    const row = () => shadow(el).querySelector('a.row') as HTMLAnchorElement;
    expect(text(row())).toContain('Checkup — Rex');
    expect(text(row())).toContain('Rex (Dog) · Ada Owner · Dr Vet');
    expect(row().querySelector('[data-badge="not-synced"]')).not.toBeNull();
    expect(row().getAttribute('href')).toBe('/appointments/temp_appt_x');
    // The range asked for is the local day.
    expect(api.calls.find((c) => c.path.startsWith('/api/appointments'))?.path).toContain('from=');

    api.remapAppointment('temp_appt_x', 501);
    worker.emit({ type: 'DATA_CHANGED', entityTypes: ['appointments'] });
    await eventually(() => expect(row().getAttribute('href')).toBe('/appointments/501'));
    expect(row().querySelector('[data-badge]')).toBeNull();
  });

  it('a day read slowly never overwrites the day asked for after it, nor a reload of that day', async () => {
    const api = new FakeApi();
    api.appointments.push({
      ...fixtures.appointment,
      id: 601,
      title: 'Dental — Rex',
      date: new Date(2026, 10, 26, 9).toISOString(),
    });
    // Reads of the 25th wait until released; the 26th answers at once.
    const held: (() => void)[] = [];
    const slowOn25th: typeof api.fetch = async (input, init) => {
      const from = new URL(input, 'http://tablet.local').searchParams.get('from');
      if (from && new Date(from).getTime() < new Date(2026, 10, 25, 12).getTime()) {
        await new Promise<void>((release) => held.push(release));
      }
      return api.fetch(input, init);
    };
    const worker = new FakeWorker();
    const s = fakeServices(worker, { fetch: slowOn25th });
    const el = await mount(new AppointmentsScreen(), { services: s, date: '2026-11-25' });
    await settle(el);
    expect(held).toHaveLength(1);
    expect(text(shadow(el))).toContain('Loading appointments…');

    el.date = '2026-11-26';
    await eventually(() => expect(text(shadow(el).querySelector('ul'))).toContain('Dental — Rex'));
    // The 26th's list is replaced by a reload of the 26th only, never by the 25th arriving late.
    api.appointments.push({
      ...fixtures.appointment,
      id: 602,
      title: 'Vaccination — Rex',
      date: new Date(2026, 10, 26, 10).toISOString(),
    });
    worker.emit({ type: 'DATA_CHANGED', entityTypes: ['appointments'] });
    await eventually(() => expect(shadow(el).querySelectorAll('a.row')).toHaveLength(2));
    for (const release of held) release();
    await settle(el);
    const titles = [...shadow(el).querySelectorAll('a.row .title')].map((t) => text(t));
    expect(titles).toEqual(['Dental — Rex', 'Vaccination — Rex']);
    expect(text(shadow(el).querySelector('#day-heading'))).toContain('26');
  });

  it('shows an empty day and a retry when loading fails (never a blank screen)', async () => {
    const worker = new FakeWorker();
    const failing = fakeServices(worker, {
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const el = await mount(new AppointmentsScreen(), { services: failing, date: '2026-11-26' });
    await settle(el);
    expect(text(shadow(el).querySelector('[role="alert"]'))).toContain('could not be loaded');
    expect(buttonByText(shadow(el), 'Try again')).toBeTruthy();
  });
});

describe('<appointment-form-screen>', () => {
  it('keeps what the user typed when the booking reaches the server meanwhile (still at its temp id)', async () => {
    const api = new FakeApi();
    const worker = new FakeWorker();
    const el = await mount(new AppointmentFormScreen(), { services: services(api, worker), recordId: 'temp_appt_x' });
    await settle(el);
    const root = shadow(el);
    expect(root.querySelector('[data-badge="not-synced"]')).not.toBeNull();
    expect(text(root.querySelector('[data-testid="record-reference"]'))).toContain('assigned when synced');

    const notes = root.querySelector('#notes') as HTMLTextAreaElement;
    notes.value = 'Limping on the left hind leg';
    notes.dispatchEvent(new Event('input'));
    await el.updateComplete;

    api.remapAppointment('temp_appt_x', 501);
    worker.emit({ type: 'DATA_CHANGED', entityTypes: ['appointments'] });
    await eventually(() =>
      expect(text(shadow(el).querySelector('[data-testid="record-reference"]'))).toContain('#501'),
    );

    // The worker answers the temp id for good: the form stays on it.
    expect(el.recordId).toBe('temp_appt_x');
    expect((shadow(el).querySelector('#notes') as HTMLTextAreaElement).value).toBe('Limping on the left hind leg');
    expect(shadow(el).querySelector('[data-badge]')).toBeNull();

    buttonByText(shadow(el), 'Save changes').click();
    await eventually(() => expect(api.callsOf('PATCH')).toHaveLength(1));
    expect(api.callsOf('PATCH')[0]).toEqual({
      method: 'PATCH',
      path: '/api/appointments/temp_appt_x',
      body: { notes: 'Limping on the left hind leg' },
    });
  });

  it('books an appointment: client then pet (only pet preselected), title suggested, body without clientId', async () => {
    const api = new FakeApi();
    const worker = new FakeWorker();
    const navigations: string[] = [];
    const el = await mount(new AppointmentFormScreen(), {
      services: services(api, worker),
      recordId: null,
      date: '2026-11-27',
    });
    el.addEventListener('navigate', (e) => navigations.push(e.detail.path));
    await settle(el);
    const root = shadow(el);
    const client = root.querySelector('#clientId') as HTMLSelectElement;
    client.value = '5';
    client.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect((root.querySelector('#petId') as HTMLSelectElement).value).toBe('9');
    expect((root.querySelector('#title') as HTMLInputElement).value).toBe('Checkup — Rex');
    buttonByText(root, 'Book appointment').click();
    await eventually(() => expect(api.callsOf('POST')).toHaveLength(1));
    const body = api.callsOf('POST')[0]?.body as Record<string, unknown>;
    // No practitioner is chosen for front-desk staff: they pick one (or leave it open).
    expect(body).toMatchObject({
      title: 'Checkup — Rex',
      type: 'checkup',
      durationMinutes: 30,
      petId: 9,
      practitionerId: null,
      status: 'scheduled',
    });
    expect(body).not.toHaveProperty('clientId');
    expect(new Date(String(body.date)).getDate()).toBe(27);
    await eventually(() => expect(navigations).toEqual(['/appointments?date=2026-11-27']));
  });

  it('a pet chosen by its temp id follows to its server id when the sync lands while the user types', async () => {
    const api = new FakeApi();
    const worker = new FakeWorker();
    api.pets.push({ ...fixtures.pet, id: 'temp_pet_a', name: 'Biscuit', version: 0, _pending: true });
    const el = await mount(new AppointmentFormScreen(), {
      services: services(api, worker),
      recordId: null,
      clientId: 5,
      petId: 'temp_pet_a',
      date: '2026-11-27',
    });
    await settle(el);
    const root = shadow(el);
    const pet = () => root.querySelector('#petId') as HTMLSelectElement;
    expect(pet().value).toBe('temp_pet_a');
    const notes = root.querySelector('#notes') as HTMLTextAreaElement;
    notes.value = 'First visit';
    notes.dispatchEvent(new Event('input'));
    await el.updateComplete;

    // The sync stores the pet: lists show it by its server id, its temp id still answers.
    api.pets = api.pets.map((p) => (p.id === 'temp_pet_a' ? { ...p, id: 77, version: 1, _pending: false } : p));
    api.aliases.set('temp_pet_a', 77);
    worker.emit({ type: 'DATA_CHANGED', entityTypes: ['pets'] });
    await eventually(() => expect(pet().value).toBe('77'));
    expect((root.querySelector('#notes') as HTMLTextAreaElement).value).toBe('First visit');
    buttonByText(root, 'Book appointment').click();
    await eventually(() => expect(api.callsOf('POST')).toHaveLength(1));
    expect(api.callsOf('POST')[0]?.body).toMatchObject({ petId: 77, notes: 'First visit' });
  });

  it('refuses to book without a client and pet, and says why', async () => {
    const api = new FakeApi();
    const el = await mount(new AppointmentFormScreen(), {
      services: services(api, new FakeWorker()),
      recordId: null,
      date: '2026-11-27',
    });
    await settle(el);
    buttonByText(shadow(el), 'Book appointment').click();
    await settle(el);
    expect(api.callsOf('POST')).toHaveLength(0);
    expect(text(shadow(el))).toContain('Client is required');
    expect(text(shadow(el))).toContain('Pet is required');
    expect(shadow(el).querySelector('#clientId')?.getAttribute('aria-invalid')).toBe('true');
  });

  it('cancels an appointment after a confirmation', async () => {
    const api = new FakeApi();
    const el = await mount(new AppointmentFormScreen(), {
      services: services(api, new FakeWorker()),
      recordId: 'temp_appt_x',
    });
    await settle(el);
    buttonByText(shadow(el), 'Cancel appointment…').click();
    await el.updateComplete;
    buttonByText(shadow(el), 'Yes, cancel it').click();
    await eventually(() => expect(api.callsOf('PATCH')[0]?.body).toEqual({ status: 'cancelled' }));
  });
});
