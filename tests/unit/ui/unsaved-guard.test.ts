// @vitest-environment happy-dom
/**
 * Typing is never lost by leaving a form: a nav link, an in-app link or the back button asks first
 * ("Stay" keeps the form as it was), a reload gets the browser's prompt, and nothing is asked when
 * nothing was typed or after Save.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmartDmvApp } from '../../../src/app.ts';
import type { AppointmentFormScreen } from '../../../src/screens/appointment-form-screen.ts';
import type { ClientScreen } from '../../../src/screens/client-screen.ts';
import type { FetchLike } from '../../../src/api/http.ts';
import { FakeApi } from './fake-api.ts';
import { FakeWorker, eventually, fakeServices, syncState } from './fakes.ts';
import { buttonByText, mount, settle, shadow, text } from './dom.ts';

/** A day soon after TEST_NOW: saving asks no question (not past, not a year ahead). */
const BOOKING = '/appointments/new?date=2026-12-15';

beforeEach(() => history.replaceState(null, '', '/'));
afterEach(() => document.body.replaceChildren());

async function openApp(path: string, wrapFetch: (fetch: FetchLike) => FetchLike = (fetch) => fetch) {
  history.replaceState(null, '', path);
  const api = new FakeApi();
  const worker = new FakeWorker({
    GET_STATE: () =>
      syncState({ user: { id: 1, name: 'Maya Chen', role: 'STAFF', practiceId: 1, tenantId: 'smartvet' } }),
  });
  const app = await mount(new SmartDmvApp(), { services: fakeServices(worker, { fetch: wrapFetch(api.fetch) }) });
  return { app, api };
}

/** Saves (POST, PATCH) wait until `answer()`: what a busy tablet does to a save in progress. */
function heldSaves() {
  let release: (() => void) | null = null;
  let held = 0;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    wrap:
      (fail?: Response): ((fetch: FetchLike) => FetchLike) =>
      (fetch) =>
      async (input, init) => {
        if (init?.method !== 'POST' && init?.method !== 'PATCH') return fetch(input, init);
        held += 1;
        await gate;
        return fail ?? fetch(input, init);
      },
    get held() {
      return held;
    },
    answer: () => release?.(),
  };
}

/** A booking typed into the form, ready to save. */
async function typeBooking(form: AppointmentFormScreen): Promise<void> {
  await type(form, 'clientId', '5');
  await type(form, 'practitionerId', '2');
  await type(form, 'title', 'Dental — Rex');
}

async function shownScreen<T extends HTMLElement>(app: SmartDmvApp, tag: string): Promise<T> {
  const find = () => shadow(app).querySelector<T>(`main ${tag}`);
  await eventually(() => expect(find()?.shadowRoot?.querySelector('form')).toBeTruthy(), 5_000);
  return find() as T;
}

async function type(screen: AppointmentFormScreen | ClientScreen, id: string, value: string): Promise<void> {
  const control = shadow(screen).querySelector(`#${id}`) as HTMLInputElement | HTMLSelectElement;
  control.value = value;
  control.dispatchEvent(new Event(control.tagName === 'SELECT' ? 'change' : 'input'));
  await settle(screen);
}

const question = (app: SmartDmvApp) => shadow(app).querySelector<HTMLElement>('[aria-label="Leave without saving?"]');

function tapNav(app: SmartDmvApp, href: string): void {
  (shadow(app).querySelector(`nav a[href="${href}"]`) as HTMLAnchorElement).click();
}

/** What the browser does on Back: the URL changes first, then popstate. */
function pressBack(to: string): void {
  history.replaceState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

function reloadPrevented(): boolean {
  const event = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}

describe('leaving a form with unsaved typing', () => {
  it('a nav link asks first; Stay keeps the typed title and the URL; Leave and discard goes', async () => {
    const { app } = await openApp(BOOKING);
    const form = await shownScreen<AppointmentFormScreen>(app, 'appointment-form-screen');
    await type(form, 'title', 'Dental — Rex');

    tapNav(app, '/clients');
    await eventually(() => expect(question(app)).not.toBeNull());
    expect(text(question(app))).toContain('Leave without saving? What you typed in this booking is not saved.');
    expect(location.pathname + location.search).toBe(BOOKING);
    // Focus on the safe choice.
    expect(shadow(app).activeElement?.textContent?.trim()).toBe('Stay');

    buttonByText(question(app)!, 'Stay').click();
    await eventually(() => expect(question(app)).toBeNull());
    expect(shadow(app).querySelector('main appointment-form-screen')).toBe(form);
    expect((shadow(form).querySelector('#title') as HTMLInputElement).value).toBe('Dental — Rex');

    tapNav(app, '/clients');
    await eventually(() => expect(question(app)).not.toBeNull());
    buttonByText(question(app)!, 'Leave and discard').click();
    await eventually(() => expect(shadow(app).querySelector('main clients-screen')).not.toBeNull(), 5_000);
    expect(location.pathname).toBe('/clients');
    expect(question(app)).toBeNull();
  });

  it('any in-app link on the form ("Back to the day") asks too', async () => {
    const { app } = await openApp(BOOKING);
    const form = await shownScreen<AppointmentFormScreen>(app, 'appointment-form-screen');
    await type(form, 'notes', 'Limping since Monday');
    (shadow(form).querySelector('a.back') as HTMLAnchorElement).click();
    await eventually(() => expect(question(app)).not.toBeNull());
    expect(location.pathname + location.search).toBe(BOOKING);
  });

  it('the back button asks; Stay puts the URL back on the form; Leave goes where Back pointed', async () => {
    const { app } = await openApp('/clients/new');
    const form = await shownScreen<ClientScreen>(app, 'client-screen');
    await type(form, 'name', 'Noor Haddad');

    pressBack('/clients');
    await eventually(() => expect(question(app)).not.toBeNull());
    expect(text(question(app))).toContain('What you typed in this client’s details is not saved.');
    expect(location.pathname).toBe('/clients/new');
    buttonByText(question(app)!, 'Stay').click();
    await settle(app);
    expect(location.pathname).toBe('/clients/new');
    expect((shadow(form).querySelector('#name') as HTMLInputElement).value).toBe('Noor Haddad');

    pressBack('/clients');
    await eventually(() => expect(question(app)).not.toBeNull());
    buttonByText(question(app)!, 'Leave and discard').click();
    await eventually(() => expect(shadow(app).querySelector('main clients-screen')).not.toBeNull(), 5_000);
    expect(location.pathname).toBe('/clients');
  });

  it('a reload gets the browser’s prompt only while something typed is unsaved', async () => {
    const { app } = await openApp('/clients/new');
    const form = await shownScreen<ClientScreen>(app, 'client-screen');
    expect(reloadPrevented()).toBe(false);
    await type(form, 'name', 'Noor Haddad');
    expect(reloadPrevented()).toBe(true);
    // Typed back to what it was: nothing unsaved.
    await type(form, 'name', '');
    expect(reloadPrevented()).toBe(false);
  });

  it('editing an appointment: "Back to the day" leaves at once untouched, asks once the title changed', async () => {
    const { app } = await openApp('/appointments/temp_appt_x');
    const form = await shownScreen<AppointmentFormScreen>(app, 'appointment-form-screen');
    await eventually(() =>
      expect((shadow(form).querySelector('#title') as HTMLInputElement).value).toBe('Checkup — Rex'),
    );
    expect(reloadPrevented()).toBe(false);
    await type(form, 'title', 'Checkup and nails — Rex');
    (shadow(form).querySelector('a.back') as HTMLAnchorElement).click();
    await eventually(() => expect(question(app)).not.toBeNull());
    expect(location.pathname).toBe('/appointments/temp_appt_x');
    buttonByText(question(app)!, 'Stay').click();
    // Typed back as it was: nothing to lose, nothing asked.
    await type(form, 'title', 'Checkup — Rex');
    (shadow(form).querySelector('a.back') as HTMLAnchorElement).click();
    await eventually(() => expect(shadow(app).querySelector('main appointments-screen')).not.toBeNull(), 5_000);
    expect(question(app)).toBeNull();
  });

  it('Sign out asks too: Stay keeps the form and the session; Leave and discard signs out', async () => {
    const { app } = await openApp('/clients/new');
    const form = await shownScreen<ClientScreen>(app, 'client-screen');
    await type(form, 'name', 'Noor Haddad');
    buttonByText(shadow(app), 'Sign out').click();
    await eventually(() => expect(question(app)).not.toBeNull());
    buttonByText(question(app)!, 'Stay').click();
    await settle(app);
    expect((shadow(form).querySelector('#name') as HTMLInputElement).value).toBe('Noor Haddad');
    buttonByText(shadow(app), 'Sign out').click();
    await eventually(() => expect(question(app)).not.toBeNull());
    buttonByText(question(app)!, 'Leave and discard').click();
    await eventually(() => expect(shadow(app).querySelector('main sign-in-screen')).not.toBeNull(), 5_000);
  });

  it('nothing typed: a link leaves at once', async () => {
    const { app } = await openApp(BOOKING);
    await shownScreen<AppointmentFormScreen>(app, 'appointment-form-screen');
    tapNav(app, '/clients');
    await eventually(() => expect(shadow(app).querySelector('main clients-screen')).not.toBeNull(), 5_000);
    expect(question(app)).toBeNull();
  });

  it('after Save the form’s own move and the next link ask nothing, and the reload prompt is gone', async () => {
    const { app, api } = await openApp(BOOKING);
    const form = await shownScreen<AppointmentFormScreen>(app, 'appointment-form-screen');
    await typeBooking(form);
    expect(reloadPrevented()).toBe(true);
    buttonByText(shadow(form), 'Book appointment').click();
    await eventually(() => expect(location.pathname + location.search).toBe('/appointments?date=2026-12-15'), 5_000);
    expect(api.callsOf('POST')).toHaveLength(1);
    expect(question(app)).toBeNull();
    await settle(app);
    expect(reloadPrevented()).toBe(false);
    tapNav(app, '/clients');
    await eventually(() => expect(shadow(app).querySelector('main clients-screen')).not.toBeNull(), 5_000);
    expect(question(app)).toBeNull();
  });

  it('a tab tapped while Save is answering: no question; once saved, the tapped screen (not the day) shows', async () => {
    const saves = heldSaves();
    const { app, api } = await openApp(BOOKING, saves.wrap());
    const form = await shownScreen<AppointmentFormScreen>(app, 'appointment-form-screen');
    await typeBooking(form);
    buttonByText(shadow(form), 'Book appointment').click();
    await eventually(() => expect(saves.held).toBe(1));

    tapNav(app, '/clients');
    await settle(app);
    expect(question(app)).toBeNull();
    // The save still runs on the form it started from.
    expect(location.pathname + location.search).toBe(BOOKING);

    saves.answer();
    await eventually(() => expect(shadow(app).querySelector('main clients-screen')).not.toBeNull(), 5_000);
    expect(location.pathname).toBe('/clients');
    expect(api.callsOf('POST')).toHaveLength(1);
    expect(question(app)).toBeNull();
  });

  it('a tab tapped while a save fails: the form stays with what was typed and why it was not saved', async () => {
    const saves = heldSaves();
    const refused = new Response(
      JSON.stringify({ success: false, error: { code: 'VALIDATION', message: 'Name is too long' } }),
      { status: 400, headers: { 'content-type': 'application/json' } },
    );
    const { app } = await openApp('/clients/new', saves.wrap(refused));
    const form = await shownScreen<ClientScreen>(app, 'client-screen');
    await type(form, 'name', 'Noor Haddad');
    buttonByText(shadow(form), 'Create client').click();
    await eventually(() => expect(saves.held).toBe(1));

    tapNav(app, '/appointments');
    saves.answer();
    await eventually(() => expect(text(shadow(form))).toContain('Not saved: Name is too long'));
    await settle(app);
    expect(location.pathname).toBe('/clients/new');
    expect(shadow(app).querySelector('main client-screen')).toBe(form);
    expect((shadow(form).querySelector('#name') as HTMLInputElement).value).toBe('Noor Haddad');
    expect(question(app)).toBeNull();
    // Still unsaved: the next tap asks.
    tapNav(app, '/appointments');
    await eventually(() => expect(question(app)).not.toBeNull());
  });
});
