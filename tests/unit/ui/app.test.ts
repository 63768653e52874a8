// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmartDmvApp } from '../../../src/app.ts';
import { UpdatePrompt } from '../../../src/components/update-prompt.ts';
import { ClientScreen } from '../../../src/screens/client-screen.ts';
import { SignInScreen } from '../../../src/screens/sign-in-screen.ts';
import { SESSION_HINT_KEY, storageSessionHint } from '../../../src/session.ts';
import { FakeApi } from './fake-api.ts';
import { FakeWorker, eventually, fakeServices, syncState } from './fakes.ts';
import { buttonByText, mount, settle, shadow, text } from './dom.ts';

beforeEach(() => history.replaceState(null, '', '/'));
afterEach(() => document.body.replaceChildren());

function setup(path = '/appointments?date=2026-11-25') {
  history.replaceState(null, '', path);
  const api = new FakeApi();
  const worker = new FakeWorker({
    GET_STATE: () =>
      syncState({ user: { id: 1, name: 'Maya Chen', role: 'STAFF', practiceId: 1, tenantId: 'smartvet' } }),
    SESSION_STARTED: () => ({ started: true }),
    SESSION_ENDED: () => ({ dropped: false, pending: 2, revokeQueued: false }),
  });
  const services = fakeServices(worker, { fetch: api.fetch });
  return { api, worker, services };
}

function screen(app: SmartDmvApp, tag: string): HTMLElement | null {
  return shadow(app).querySelector(`main ${tag}`);
}

/** Waits until the app shows the screen `tag` (its code loads on demand); returns it. */
async function shownScreen<T extends HTMLElement = HTMLElement>(app: SmartDmvApp, tag: string): Promise<T> {
  await eventually(() => expect(screen(app, tag)).not.toBeNull(), 5_000);
  return screen(app, tag) as T;
}

/** Fills the sign-in form with the reception's demo account and submits it. */
async function signInWithForm(signIn: SignInScreen): Promise<void> {
  await signIn.updateComplete;
  (shadow(signIn).querySelector('#email') as HTMLInputElement).value = 'reception@northside.example';
  (shadow(signIn).querySelector('#password') as HTMLInputElement).value = 'demo1234';
  buttonByText(shadow(signIn), 'Sign in').click();
}

/** The sentence in the status line of the sign-in screen, once it shows. */
async function signInStatus(app: SmartDmvApp): Promise<string> {
  const signIn = await shownScreen<SignInScreen>(app, 'sign-in-screen');
  await signIn.updateComplete;
  return text(shadow(signIn).querySelector('[role="status"]'));
}

describe('<smartdmv-app>', () => {
  it('restores the session, routes by URL and follows in-app links without reloading', async () => {
    const { services, worker } = setup();
    const app = await mount(new SmartDmvApp(), { services });
    await shownScreen(app, 'appointments-screen');
    expect(text(shadow(app).querySelector('.who'))).toContain('Maya Chen');
    // The worker already serves this user: no second SESSION_STARTED (and no extra pull).
    expect(worker.sentOfType('SESSION_STARTED')).toHaveLength(0);

    (shadow(app).querySelector('nav a[href="/clients"]') as HTMLAnchorElement).click();
    await app.updateComplete;
    expect(location.pathname).toBe('/clients');
    // Each screen's code loads on demand.
    await shownScreen(app, 'clients-screen');
    expect(shadow(app).querySelector('nav a[aria-current="page"]')?.getAttribute('href')).toBe('/clients');
  });

  it('shows sign in when the server has no session, and tells the worker after signing in', async () => {
    const { api, services, worker } = setup();
    api.sessionUser = null;
    const app = await mount(new SmartDmvApp(), { services });
    await signInWithForm(await shownScreen<SignInScreen>(app, 'sign-in-screen'));
    await eventually(() => expect(worker.sentOfType('SESSION_STARTED')).toHaveLength(1));
    await shownScreen(app, 'appointments-screen');
  });

  it('after signing in, no screen reads through the worker before the worker knows who signed in', async () => {
    const { api, services, worker } = setup();
    api.sessionUser = null;
    let told: () => void = () => undefined;
    worker.handlers.SESSION_STARTED = () =>
      new Promise((resolve) => {
        told = () => resolve({ started: true });
      });
    const app = await mount(new SmartDmvApp(), { services });
    await signInWithForm(await shownScreen<SignInScreen>(app, 'sign-in-screen'));
    await eventually(() => expect(worker.sentOfType('SESSION_STARTED')).toHaveLength(1));
    await settle(app);
    // A screen shown now would ask the worker for records it answers "nobody is signed in" to.
    expect(screen(app, 'appointments-screen')).toBeNull();
    expect(api.calls.filter((c) => c.path.startsWith('/api/appointments'))).toHaveLength(0);
    told();
    await shownScreen(app, 'appointments-screen');
  });

  it('a tablet never signed in shows sign-in at once, without asking the server', async () => {
    const { api, services } = setup();
    const worker = new FakeWorker(); // remembers nobody
    const stored = new Map<string, string>();
    const hint = storageSessionHint({
      getItem: (k) => stored.get(k) ?? null,
      setItem: (k, v) => void stored.set(k, v),
      removeItem: (k) => void stored.delete(k),
    });
    const app = await mount(new SmartDmvApp(), {
      services: { ...services, client: worker.client(), sessionHint: hint },
    });
    const signIn = await shownScreen<SignInScreen>(app, 'sign-in-screen');
    expect(api.calls.filter((c) => c.path === '/api/auth/me')).toHaveLength(0);

    await signInWithForm(signIn);
    await eventually(() => expect(stored.get(SESSION_HINT_KEY)).toBe('true'));
  });

  it('signs out, ends the worker session and says that queued changes are kept', async () => {
    const { services, worker } = setup();
    const app = await mount(new SmartDmvApp(), { services });
    await shownScreen(app, 'appointments-screen');
    buttonByText(shadow(app), 'Sign out').click();
    await shownScreen(app, 'sign-in-screen');
    // Nothing of this user waits (no warning); the server heard the sign-out itself.
    expect(worker.sentOfType('SESSION_ENDED')).toEqual([{ type: 'SESSION_ENDED', serverSignedOut: true }]);
    expect(await signInStatus(app)).toContain('2 changes not yet synced stay on this tablet');
  });

  it('warns before signing out with unsynced changes: how many, kept here, sent when the same person signs in; Cancel keeps the session', async () => {
    const { services, worker } = setup();
    worker.handlers.GET_WAITING_WORK = () => [
      { userId: 1, name: 'Maya Chen', count: 3 },
      { userId: 2, name: 'Sam Patel', count: 1 },
    ];
    const app = await mount(new SmartDmvApp(), { services });
    await shownScreen(app, 'appointments-screen');
    buttonByText(shadow(app), 'Sign out').click();
    const warning = () => shadow(app).querySelector('[role="group"][aria-label="Confirm sign-out"]');
    await eventually(() => expect(warning()).not.toBeNull());
    expect(text(warning())).toContain('3 changes have not reached the practice server yet.');
    expect(text(warning())).toContain('They stay on this tablet and are sent when Maya Chen signs in here again');
    // Cancel: still signed in, nothing ended.
    buttonByText(warning() as HTMLElement, 'Cancel').click();
    await eventually(() => expect(warning()).toBeNull());
    expect(screen(app, 'appointments-screen')).not.toBeNull();
    expect(worker.sentOfType('SESSION_ENDED')).toHaveLength(0);
    // Sign out anyway.
    buttonByText(shadow(app), 'Sign out').click();
    await eventually(() => expect(warning()).not.toBeNull());
    buttonByText(warning() as HTMLElement, 'Sign out anyway').click();
    await shownScreen(app, 'sign-in-screen');
    expect(worker.sentOfType('SESSION_ENDED')).toHaveLength(1);
  });

  it('follows a sign-out made in another window of the app (the worker tells every window)', async () => {
    const { services, worker } = setup();
    const app = await mount(new SmartDmvApp(), { services });
    await shownScreen(app, 'appointments-screen');
    worker.emit({ type: 'SIGNED_OUT', userId: 2 }); // someone else: nothing happens
    await app.updateComplete;
    expect(screen(app, 'appointments-screen')).not.toBeNull();
    worker.emit({ type: 'SIGNED_OUT', userId: 1 });
    expect(await signInStatus(app)).toContain('signed out in another window');
    expect(worker.sentOfType('SESSION_ENDED')).toHaveLength(0);
  });

  it('signing out offline asks the worker to tell the server later, and says so', async () => {
    const { services, worker, api } = setup();
    worker.handlers.SESSION_ENDED = () => ({ dropped: true, pending: 0, revokeQueued: true });
    const app = await mount(new SmartDmvApp(), { services });
    await shownScreen(app, 'appointments-screen');
    api.serverUnreachable = true;
    buttonByText(shadow(app), 'Sign out').click();
    await shownScreen(app, 'sign-in-screen');
    expect(worker.sentOfType('SESSION_ENDED')).toEqual([{ type: 'SESSION_ENDED', serverSignedOut: false }]);
    expect(await signInStatus(app)).toContain('The practice server is told as soon as the tablet is online');
  });

  it('once the worker reports the kept sign-out delivered, the card says the server has been told', async () => {
    const { services, worker, api } = setup();
    worker.handlers.SESSION_ENDED = () => ({ dropped: false, pending: 2, revokeQueued: true });
    const app = await mount(new SmartDmvApp(), { services });
    await shownScreen(app, 'appointments-screen');
    api.serverUnreachable = true;
    buttonByText(shadow(app), 'Sign out').click();
    await shownScreen(app, 'sign-in-screen');
    expect(await signInStatus(app)).toContain('The practice server is told as soon as the tablet is online');
    worker.emit({ type: 'SIGN_OUTS_DELIVERED', count: 1 });
    await app.updateComplete;
    const told = await signInStatus(app);
    expect(told).toContain('The practice server has been told.');
    expect(told).not.toContain('as soon as');
    expect(told).toContain('2 changes not yet synced stay on this tablet');
  });

  it('a delivery reported before the sign-out finished shows the server told at once', async () => {
    const { services, worker, api } = setup();
    worker.handlers.SESSION_ENDED = () => {
      worker.emit({ type: 'SIGN_OUTS_DELIVERED', count: 1 });
      return { dropped: true, pending: 0, revokeQueued: true };
    };
    const app = await mount(new SmartDmvApp(), { services });
    await shownScreen(app, 'appointments-screen');
    api.serverUnreachable = true;
    buttonByText(shadow(app), 'Sign out').click();
    await shownScreen(app, 'sign-in-screen');
    expect(await signInStatus(app)).toBe('You are signed out on this tablet. The practice server has been told.');
  });

  it('shows the update prompt when the registration reports a waiting worker', async () => {
    const { services } = setup();
    const app = await mount(new SmartDmvApp(), { services });
    await shownScreen(app, 'appointments-screen');
    let applied = 0;
    app.dispatchEvent(new CustomEvent('update-ready', { detail: { applyUpdate: () => applied++ } }));
    await app.updateComplete;
    const prompt = shadow(app).querySelector('update-prompt') as UpdatePrompt;
    await prompt.updateComplete;
    expect(text(shadow(prompt))).toContain('Update ready — reload');
    buttonByText(shadow(prompt), 'Reload').click();
    expect(applied).toBe(1);
  });
});

describe('<sign-in-screen>', () => {
  it('says when the email and password do not match', async () => {
    const { services } = setup();
    const el = await mount(new SignInScreen(), { services });
    (shadow(el).querySelector('#email') as HTMLInputElement).value = 'reception@northside.example';
    (shadow(el).querySelector('#password') as HTMLInputElement).value = 'wrong';
    buttonByText(shadow(el), 'Sign in').click();
    await eventually(() => expect(text(shadow(el).querySelector('[role="alert"]'))).toContain('do not match'));
  });

  it('says whose changes wait on this tablet for them to sign in', async () => {
    const worker = new FakeWorker({
      GET_WAITING_WORK: () => [
        { userId: 1, name: 'Maya Chen', count: 2 },
        { userId: 9, name: null, count: 1 },
      ],
    });
    const el = await mount(new SignInScreen(), {
      services: fakeServices(worker),
    });
    await eventually(() => expect(shadow(el).querySelectorAll('.waiting li')).toHaveLength(2));
    const items = [...shadow(el).querySelectorAll('.waiting li')].map((li) => text(li));
    expect(items[0]).toBe('2 changes by Maya Chen wait on this tablet; they are sent when Maya Chen signs in here.');
    expect(items[1]).toBe(
      '1 change by someone who signed in earlier waits on this tablet; it is sent when they sign in here.',
    );
  });

  it('explains that signing in needs the network when offline', async () => {
    const worker = new FakeWorker();
    const offline = fakeServices(worker, {
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    const el = await mount(new SignInScreen(), { services: offline });
    (shadow(el).querySelector('#email') as HTMLInputElement).value = 'a@b.example';
    (shadow(el).querySelector('#password') as HTMLInputElement).value = 'x';
    buttonByText(shadow(el), 'Sign in').click();
    await eventually(() => expect(text(shadow(el).querySelector('[role="alert"]'))).toContain('Connect to sign in.'));
  });
});

describe('<client-screen>', () => {
  it('creates a client locally and moves to its (temp id) page', async () => {
    const { api, services } = setup();
    const el = await mount(new ClientScreen(), { services, recordId: null });
    const navigations: string[] = [];
    el.addEventListener('navigate', (e) => navigations.push(e.detail.path));
    const name = shadow(el).querySelector('#name') as HTMLInputElement;
    name.value = 'Noor Haddad';
    name.dispatchEvent(new Event('input'));
    const email = shadow(el).querySelector('#email') as HTMLInputElement;
    email.value = 'not-an-email';
    email.dispatchEvent(new Event('input'));
    buttonByText(shadow(el), 'Create client').click();
    await settle(el);
    expect(api.callsOf('POST')).toHaveLength(0);
    // The protocol's own message, as sync would give it.
    expect(text(shadow(el))).toContain('Email is not a valid address');
    email.value = 'noor@example.com';
    email.dispatchEvent(new Event('input'));
    buttonByText(shadow(el), 'Create client').click();
    await eventually(() => expect(navigations).toEqual([expect.stringMatching(/^\/clients\/temp_users_\d+$/)]));
    expect(api.callsOf('POST')[0]?.body).toEqual({
      name: 'Noor Haddad',
      phone: null,
      email: 'noor@example.com',
      role: 'CLIENT',
    });
  });

  it('keeps unsaved edits when the replica changes under it', async () => {
    const { api, services, worker } = setup();
    const el = await mount(new ClientScreen(), { services, recordId: 5 });
    await settle(el);
    const phone = shadow(el).querySelector('#phone') as HTMLInputElement;
    phone.value = '+1 555 0100';
    phone.dispatchEvent(new Event('input'));
    api.users = api.users.map((u) => (u.id === 5 ? { ...u, name: 'Ada Owner-Lovelace' } : u));
    worker.emit({ type: 'DATA_CHANGED', entityTypes: ['users'] });
    await eventually(() => expect(text(shadow(el).querySelector('h1'))).toBe('Ada Owner-Lovelace'));
    expect((shadow(el).querySelector('#phone') as HTMLInputElement).value).toBe('+1 555 0100');
  });
});
