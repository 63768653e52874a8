/**
 * `<smartdmv-app>`: the shell. Decides the session, routes between screens (each loaded on
 * demand, see screen-loader.ts), hosts the offline indicator and the update prompt. Screens get
 * their services and the signed-in user injected; nothing here talks to IndexedDB: the service
 * worker answers `/api/*` and the worker protocol.
 */
import { css, html, nothing, type PropertyValues } from 'lit';
import { describeError } from './api/http.ts';
import { localStorageOrNull } from './settings.ts';
import './components/offline-indicator.ts';
import './components/update-prompt.ts';
import type { NetworkMonitor } from './controllers/network-monitor.ts';
import type { SessionUser } from './protocol/index.ts';
import { Router, linkTarget, type Route } from './router.ts';
import { ScreenLoader, screenOf, type ScreenTag } from './screen-loader.ts';
import type { NavigateDetail } from './screens/screen.ts';
import { ServiceElement } from './service-element.ts';
import type { AppServices } from './services.ts';
import { CONNECT_TO_SIGN_IN, checkSession, startWorkerSession } from './session.ts';
import type { SignedInDetail } from './screens/sign-in-screen.ts';
import { confirmGroup, focusSafeChoice } from './components/confirm.ts';
import { plural } from './format.ts';
import { controls } from './styles/controls.ts';
import { themeTokens } from './styles/theme.ts';
import { UNSAVED_CHANGES_EVENT, UnsavedChangesGuard } from './unsaved-changes.ts';

/**
 * Signed out: `notice` for the sign-in card, and while the worker keeps this sign-out for the server
 * (it could not be told at once), `onceServerTold`: the notice once the worker reports it delivered.
 */
type SessionState =
  | { status: 'checking' }
  | { status: 'signed-out'; notice: string | null; onceServerTold?: string }
  | { status: 'signed-in'; user: SessionUser };

const ROLE_LABEL: Record<SessionUser['role'], string> = {
  ADMIN: 'Admin',
  PRACTITIONER: 'Practitioner',
  STAFF: 'Reception',
  CLIENT: 'Client',
};

const TITLES: Record<Route['name'], string> = {
  signin: 'Sign in',
  appointments: 'Appointments',
  'appointment-new': 'Book an appointment',
  'appointment-edit': 'Edit appointment',
  'appointment-move': 'Move my booking',
  clients: 'Clients',
  'client-new': 'New client',
  client: 'Client',
  'pet-new': 'New pet',
  'pet-edit': 'Pet',
  sync: 'Sync',
  'not-found': 'Not found',
};

/** How long to wait for the service worker before showing screens anyway (they then hit the server). */
const WORKER_WAIT_MS = 4000;

export class SmartDmvApp extends ServiceElement {
  static override properties = {
    workerReady: { attribute: false },
    monitor: { attribute: false },
    _route: { state: true },
    _session: { state: true },
    _applyUpdate: { state: true },
    _signingOut: { state: true },
    _signOutWarning: { state: true },
    _leaving: { state: true },
  };

  /** Resolves once a service worker controls the page (main.ts passes workbox-window's). */
  declare workerReady: Promise<void> | null;
  declare monitor: NetworkMonitor | null;
  declare _route: Route;
  declare _session: SessionState;
  declare _applyUpdate: (() => void) | null;
  declare _signingOut: boolean;
  /** Sign out was tapped with this user's changes still on the tablet: how many. */
  declare _signOutWarning: number | null;
  /** A link or the back button would leave a form with unsaved typing: what it edits, and the way out. */
  declare _leaving: { noun: string; leave: () => void } | null;

  private readonly router: Router;
  private readonly unsaved = new UnsavedChangesGuard(window);
  /** Where a person tapped while a form was saving (see `leaveAfterSave`). */
  private afterSave: (() => void) | null = null;
  private readonly screens = new ScreenLoader(() => this.requestUpdate());
  private resizeObserver: ResizeObserver | null = null;
  private stopWorkerEvents: (() => void) | null = null;
  /** The worker reported kept sign-outs delivered since this sign-out began (its report may beat the reply). */
  private signOutsDelivered = false;

  static override styles = [
    themeTokens,
    controls,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 100dvh;
        background: var(--sd-color-bg);
      }
      header {
        position: sticky;
        top: 0;
        z-index: 20;
        background: var(--sd-color-primary-strong);
        color: var(--sd-color-on-primary);
        box-shadow: 0 2px 6px rgb(15 23 42 / 0.2);
      }
      /*
       * Row 1: who and where. The fixed indicator sits at its top end; .indicator-room keeps its box
       * free. When the brand, the user and that room do not fit on one line (a portrait tablet while
       * sending), wrap-reverse puts the room on a line of its own above, never under the indicator.
       */
      .topbar {
        display: flex;
        flex-wrap: wrap-reverse;
        align-items: center;
        gap: var(--sd-space-1) var(--sd-space-3);
        min-height: 64px;
        padding: var(--sd-space-1) var(--sd-space-4);
      }
      .indicator-room {
        display: none;
        flex: none;
        width: var(--sd-indicator-width, 0px);
        height: var(--sd-indicator-height, 0px);
        /* The indicator hangs a little lower than the row's padding. */
        margin-block-start: 2px;
      }
      :host([indicator-visible]) .indicator-room {
        display: block;
      }
      .brand {
        color: inherit;
        text-decoration: none;
        font-size: 1.3rem;
        font-weight: 800;
        letter-spacing: 0.01em;
        min-height: var(--sd-touch);
        display: inline-flex;
        align-items: center;
      }
      /* Row 2: the tabs. */
      nav {
        display: flex;
        gap: var(--sd-space-1);
        padding: 0 var(--sd-space-3) var(--sd-space-2);
        overflow-x: auto;
      }
      nav a {
        color: inherit;
        text-decoration: none;
        font-weight: 700;
        min-height: var(--sd-touch);
        display: inline-flex;
        align-items: center;
        padding: 0 var(--sd-space-5);
        border-radius: var(--sd-radius);
      }
      nav a:hover {
        background: rgb(255 255 255 / 0.14);
      }
      nav a[aria-current='page'] {
        background: var(--sd-color-surface);
        color: var(--sd-color-primary-strong);
      }
      header :focus-visible {
        outline-color: #fde68a;
      }
      .sign-out-warning,
      .header-question {
        padding: 0 var(--sd-space-4) var(--sd-space-3);
        color: var(--sd-color-text);
      }
      .sign-out-warning .confirm,
      .header-question .confirm {
        max-width: 720px;
        margin-inline-start: auto;
      }
      .user {
        display: flex;
        align-items: center;
        gap: var(--sd-space-3);
        margin-inline-start: auto;
      }
      .user .who {
        line-height: 1.2;
        text-align: end;
      }
      .user .who small {
        display: block;
        opacity: 0.9;
        font-size: 0.85rem;
      }
      .user button {
        border-color: var(--sd-color-on-primary);
        background: transparent;
        color: var(--sd-color-on-primary);
        min-height: 44px;
      }
      offline-indicator {
        --sd-indicator-top: 6px;
        --sd-indicator-right: var(--sd-space-4);
      }
      main {
        flex: 1;
        padding: var(--sd-space-5);
        width: 100%;
        max-width: 1280px;
        margin: 0 auto;
        outline: none;
      }
      .center {
        display: flex;
        justify-content: center;
        padding: var(--sd-space-6);
        color: var(--sd-color-text-muted);
      }
      @media (max-width: 900px) {
        main {
          padding: var(--sd-space-4);
        }
      }
    `,
  ];

  constructor() {
    super();
    this.workerReady = null;
    this.monitor = null;
    this._session = { status: 'checking' };
    this._applyUpdate = null;
    this._signingOut = false;
    this._signOutWarning = null;
    this._leaving = null;
    this.router = new Router(window, (route) => this.onRouteChange(route), this.askBeforeLeaving);
    this._route = this.router.route;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.router.start();
    this.addEventListener('click', this.onClick);
    this.addEventListener('navigate', this.onNavigate);
    this.addEventListener('update-ready', this.onUpdateReady);
    this.addEventListener(UNSAVED_CHANGES_EVENT, this.unsaved.onEvent);
    this.listenToWorker();
  }

  /** Once, when the services arrive (main.ts sets them): the session check starts. */
  protected setup(services: AppServices): void {
    // Fetch the screen's code while the session is being checked, not after.
    this.preload(this._route);
    void this.screens.load('sign-in-screen');
    this.listenToWorker();
    void this.start(services);
  }

  private listenToWorker(): void {
    this.stopWorkerEvents ??=
      this.services?.client.subscribe((event) => {
        if (event.type === 'SIGNED_OUT') this.onSignedOutElsewhere(event.userId);
        if (event.type === 'SIGN_OUTS_DELIVERED') this.onSignOutsDelivered();
      }) ?? null;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.router.stop();
    this.removeEventListener('click', this.onClick);
    this.removeEventListener('navigate', this.onNavigate);
    this.removeEventListener('update-ready', this.onUpdateReady);
    this.removeEventListener(UNSAVED_CHANGES_EVENT, this.unsaved.onEvent);
    this.unsaved.stop();
    this.stopWorkerEvents?.();
    this.stopWorkerEvents = null;
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
  }

  private preload(route: Route): void {
    const tag = screenOf(route.name);
    if (tag) void this.screens.load(tag);
  }

  private async start(services: AppServices): Promise<void> {
    // main.ts sets workerReady and monitor with the services: let it finish.
    await this.updateComplete;
    try {
      // Signed out: the sign-in form shows at once. Signed in: the screens read the worker's
      // replica, so give a worker that is still starting (first visit) a moment to take over.
      const check = await checkSession(services, () => this.waitForWorker());
      if (!check.offline) services.sessionHint.set(check.status === 'signed-in');
      if (check.status === 'signed-in') {
        this._session = { status: 'signed-in', user: check.user };
        void startWorkerSession(services, check.user).catch(() => undefined);
      } else {
        this._session = {
          status: 'signed-out',
          notice: check.offline
            ? `${CONNECT_TO_SIGN_IN} This tablet is offline, and signing in needs the practice server.`
            : null,
        };
      }
    } catch (error) {
      this._session = { status: 'signed-out', notice: describeError(error) };
    }
  }

  private async waitForWorker(): Promise<void> {
    if (!this.workerReady) return;
    await Promise.race([this.workerReady.catch(() => undefined), new Promise((r) => setTimeout(r, WORKER_WAIT_MS))]);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('_route') || changed.has('_session')) {
      document.title = `${TITLES[this._route.name]} · SmartDMV`;
    }
    this.observeIndicator();
    // A form left (or saved and left): the browser's reload prompt goes with it.
    this.unsaved.refresh();
  }

  /** Keeps the header's room for the fixed indicator (.indicator-room) the size of its card. */
  private observeIndicator(): void {
    const indicator = this.renderRoot.querySelector('offline-indicator');
    if (!indicator || this.resizeObserver || typeof ResizeObserver === 'undefined') return;
    this.resizeObserver = new ResizeObserver(() => {
      const card = indicator.shadowRoot?.querySelector('.card');
      const box = card && !card.hasAttribute('hidden') ? card.getBoundingClientRect() : null;
      const width = box?.width ?? 0;
      this.style.setProperty('--sd-indicator-width', `${Math.ceil(width)}px`);
      this.style.setProperty('--sd-indicator-height', `${Math.ceil(box?.height ?? 0)}px`);
      this.toggleAttribute('indicator-visible', width > 0);
    });
    this.resizeObserver.observe(indicator);
  }

  override render() {
    const session = this._session;
    if (session.status === 'checking') return html`<div class="center" role="status">Starting SmartDMV…</div>`;
    if (session.status === 'signed-out') {
      return html`
        <header>
          <div class="topbar"><span class="brand">SmartDMV</span></div>
        </header>
        <main id="main" tabindex="-1">
          ${this.whenLoaded('sign-in-screen', () => html`<sign-in-screen .services=${this.services} .notice=${session.notice} @signed-in=${this.onSignedIn}></sign-in-screen>`)}
        </main>
        <update-prompt .applyUpdate=${this._applyUpdate}></update-prompt>
      `;
    }
    return html`
      <header>
        <div class="topbar">
          <a class="brand" href="/appointments">SmartDMV</a>
          <span class="user">
            <span class="who">${session.user.name}<small>${ROLE_LABEL[session.user.role]}</small></span>
            <button
              ?disabled=${this._signingOut || this._signOutWarning !== null}
              @click=${this.signOut}
              aria-label="Sign out ${session.user.name}"
            >
              Sign out
            </button>
          </span>
          <span class="indicator-room" aria-hidden="true"></span>
        </div>
        ${this.renderSignOutWarning(session.user)} ${this.renderLeaveQuestion()}
        <nav aria-label="Main">
          ${this.navLink('/appointments', 'Appointments', ['appointments', 'appointment-new', 'appointment-edit', 'appointment-move'])}
          ${this.navLink('/clients', 'Clients', ['clients', 'client-new', 'client', 'pet-new', 'pet-edit'])}
          ${this.navLink('/sync', 'Sync', ['sync'])}
        </nav>
      </header>
      <offline-indicator .services=${this.services} ?on-sync-tab=${this._route.name === 'sync'}></offline-indicator>
      <main id="main" tabindex="-1">${this.renderScreen(this._route, session.user)}</main>
      <update-prompt .applyUpdate=${this._applyUpdate}></update-prompt>
    `;
  }

  /** Before signing out with unsynced changes: what happens to them, and the way back. */
  private renderSignOutWarning(user: SessionUser) {
    const count = this._signOutWarning;
    if (count === null) return nothing;
    const changes = plural(count, 'change');
    return html`<div class="sign-out-warning">
      ${confirmGroup({
        label: 'Confirm sign-out',
        tone: 'warning',
        message: html`<p>
            <strong>${changes} ${count === 1 ? 'has' : 'have'} not reached the practice server yet.</strong>
          </p>
          <p>
            ${count === 1 ? 'It stays' : 'They stay'} on this tablet and ${count === 1 ? 'is' : 'are'} sent when
            ${user.name} signs in here again (a change held by a conflict waits for ${user.name}’s decision then), never
            under anyone else’s name. Until then, whoever signs in here sees ${count === 1 ? 'it' : 'them'} marked “Not
            synced” and cannot send or discard ${count === 1 ? 'it' : 'them'}.
          </p>`,
        confirm: 'Sign out anyway',
        keep: 'Cancel',
        busy: this._signingOut,
        onConfirm: () => void this.finishSignOut(),
        onKeep: () => (this._signOutWarning = null),
      })}
    </div>`;
  }

  /** Before a link or the back button leaves a form with unsaved typing. */
  private renderLeaveQuestion() {
    const leaving = this._leaving;
    if (leaving === null) return nothing;
    return html`<div class="header-question">
      ${confirmGroup({
        label: 'Leave without saving?',
        message: html`<p>
          <strong>Leave without saving?</strong> What you typed in this ${leaving.noun} is not saved.
        </p>`,
        confirm: 'Leave and discard',
        keep: 'Stay',
        onConfirm: () => {
          this._leaving = null;
          leaving.leave();
        },
        onKeep: () => (this._leaving = null),
      })}
    </div>`;
  }

  /** The router's guard: true to leave now; false while the question is asked or a save answers. */
  private readonly askBeforeLeaving = (_path: string, leave: () => void): boolean => {
    const form = this.unsaved.unsaved();
    if (form === null) return true;
    const saving = form.saveInProgress();
    if (saving !== null) {
      this.leaveAfterSave(saving, leave);
      return false;
    }
    this._signOutWarning = null;
    this._leaving = { noun: form.unsavedChangesNoun, leave };
    void focusSafeChoice(this);
    return false;
  };

  /**
   * A tap away while a form saves: once saved, go where the person tapped (in place of where the
   * form would go next); if the save failed, stay on the form, which says why. The last tap wins.
   */
  private leaveAfterSave(saving: Promise<void>, leave: () => void): void {
    const waiting = this.afterSave !== null;
    this.afterSave = leave;
    if (waiting) return;
    const settle = (): void => {
      const go = this.afterSave;
      this.afterSave = null;
      if (go && this.unsaved.unsaved() === null) go();
    };
    void saving.then(settle, settle);
  }

  private navLink(href: string, label: string, routes: Route['name'][]) {
    const current = routes.includes(this._route.name);
    return html`<a href=${href} aria-current=${current ? 'page' : nothing}>${label}</a>`;
  }

  /** The screen once its module is loaded; until then a placeholder (or the import's error). */
  private whenLoaded(tag: ScreenTag, render: () => unknown) {
    if (this.screens.isReady(tag)) return render();
    void this.screens.load(tag);
    if (this.screens.error) {
      return html`<div class="banner error" role="alert">
        <p>This screen could not be loaded: ${this.screens.error}</p>
        <button @click=${() => void this.screens.load(tag)}>Try again</button>
      </div>`;
    }
    return html`<p class="center" role="status">Loading…</p>`;
  }

  private renderScreen(route: Route, user: SessionUser) {
    const s = this.services;
    const tag = screenOf(route.name);
    if (tag === null) {
      return html`<div class="card">
        <h1>Page not found</h1>
        <p>There is nothing at ${route.name === 'not-found' ? route.path : ''}.</p>
        <a class="button primary" href="/appointments">Go to appointments</a>
      </div>`;
    }
    return this.whenLoaded(tag, () => {
      switch (route.name) {
        case 'appointments':
          return html`<appointments-screen .services=${s} .user=${user} .date=${route.date}></appointments-screen>`;
        case 'appointment-new':
          return html`<appointment-form-screen
            .services=${s}
            .user=${user}
            .recordId=${null}
            .date=${route.date}
            .clientId=${route.clientId}
            .petId=${route.petId}
          ></appointment-form-screen>`;
        case 'appointment-edit':
          return html`<appointment-form-screen
            .services=${s}
            .user=${user}
            .recordId=${route.id}
          ></appointment-form-screen>`;
        case 'appointment-move':
          return html`<appointment-form-screen
            .services=${s}
            .user=${user}
            .recordId=${route.id}
            .moveConflictId=${route.conflictId}
          ></appointment-form-screen>`;
        case 'clients':
          return html`<clients-screen .services=${s} .user=${user}></clients-screen>`;
        case 'client-new':
          return html`<client-screen .services=${s} .user=${user} .recordId=${null}></client-screen>`;
        case 'client':
          return html`<client-screen .services=${s} .user=${user} .recordId=${route.id}></client-screen>`;
        case 'pet-new':
          return html`<pet-screen
            .services=${s}
            .user=${user}
            .clientId=${route.clientId}
            .recordId=${null}
          ></pet-screen>`;
        case 'pet-edit':
          return html`<pet-screen
            .services=${s}
            .user=${user}
            .clientId=${route.clientId}
            .recordId=${route.petId}
          ></pet-screen>`;
        case 'sync':
          return html`<sync-screen
            .services=${s}
            .user=${user}
            .monitor=${this.monitor}
            .storage=${localStorageOrNull()}
          ></sync-screen>`;
        case 'signin':
          // Signed in already: this is "sign in again" after the session expired on the server.
          return html`<sign-in-screen
            .services=${s}
            .notice=${`Signed in on this tablet as ${user.name}. Sign in again to resume syncing.`}
            @signed-in=${this.onSignedIn}
          ></sign-in-screen>`;
        default:
          return nothing;
      }
    });
  }

  private onRouteChange(route: Route): void {
    const previous = this._route;
    this._route = route;
    this._leaving = null;
    this.preload(route);
    // Move focus to the new screen for keyboard and screen-reader users (not on in-screen changes).
    if (previous.name !== route.name) {
      void this.updateComplete.then(() =>
        this.renderRoot.querySelector<HTMLElement>('main')?.focus({ preventScroll: true }),
      );
      window.scrollTo?.(0, 0);
    }
  }

  private readonly onClick = (event: MouseEvent): void => {
    const path = linkTarget(event, window.location.origin);
    if (path === null) return;
    event.preventDefault();
    this.router.navigate(path);
  };

  private readonly onNavigate = (event: CustomEvent<NavigateDetail>): void => {
    const tapped = this.afterSave;
    if (tapped !== null) {
      // The form saved and would move on; the person already tapped elsewhere during the save.
      this.afterSave = null;
      tapped();
      return;
    }
    // The screen's own move (after a save or a deletion): nothing typed is left behind.
    this.router.navigate(event.detail.path, { replace: event.detail.replace ?? false, unguarded: true });
  };

  private readonly onUpdateReady = (event: Event): void => {
    const detail = (event as CustomEvent<{ applyUpdate?: () => void }>).detail;
    if (typeof detail?.applyUpdate === 'function') this._applyUpdate = detail.applyUpdate;
  };

  private readonly onSignedIn = async (event: CustomEvent<SignedInDetail>): Promise<void> => {
    const { user, revocationToken } = event.detail;
    this.services?.sessionHint.set(true);
    // The worker first: the screens about to show read through it, and until it knows who signed
    // in it answers "nobody is signed in on this tablet" (after a sign-out made offline).
    try {
      await this.services?.client.send({
        type: 'SESSION_STARTED',
        user,
        ...(revocationToken ? { revocationToken } : {}),
      });
    } catch {
      // No worker yet (first visit): tell it once one controls the page.
      void this.waitForWorker()
        .then(() => this.services && startWorkerSession(this.services, user, revocationToken))
        .catch(() => undefined);
    }
    this._session = { status: 'signed-in', user };
    if (this._route.name === 'signin') this.router.navigate('/appointments', { replace: true });
  };

  /** Another window of this tablet signed this user out: this one follows (its screens would read nothing). */
  private onSignedOutElsewhere(userId: number): void {
    const session = this._session;
    if (this._signingOut || session.status !== 'signed-in' || session.user.id !== userId) return;
    this.services?.sessionHint.set(false);
    this.showSignedOut('You were signed out in another window of this app.');
  }

  /** The server has been told of the kept sign-out: the card stops promising to tell it. */
  private onSignOutsDelivered(): void {
    this.signOutsDelivered = true;
    const session = this._session;
    if (session.status === 'signed-out' && session.onceServerTold)
      this._session = { status: 'signed-out', notice: session.onceServerTold };
  }

  /** Sign out: first the question when a form holds unsaved typing (signing out drops it). */
  private readonly signOut = (): void => {
    if (this.askBeforeLeaving('/signin', () => void this.signOutChecked())) void this.signOutChecked();
  };

  /** Then a warning when this user's changes have not reached the server. */
  private readonly signOutChecked = async (): Promise<void> => {
    const services = this.services;
    const session = this._session;
    if (!services || session.status !== 'signed-in') return;
    let mine = 0;
    try {
      const waiting = await services.client.send({ type: 'GET_WAITING_WORK' });
      mine = waiting.find((w) => w.userId === session.user.id)?.count ?? 0;
    } catch {
      // No worker: nothing is queued on this tablet.
    }
    if (mine === 0) return this.finishSignOut();
    this._signOutWarning = mine;
    await focusSafeChoice(this);
  };

  /**
   * Ends the session here at once (the worker forgets the user: nothing reads or sends as them
   * any more) and on the server: now, or when the worker can tell it (a revocation it keeps).
   */
  private async finishSignOut(): Promise<void> {
    const services = this.services;
    const session = this._session;
    if (!services || session.status !== 'signed-in') return;
    this._signingOut = true;
    services.sessionHint.set(false);
    let serverSignedOut = true;
    try {
      await services.auth.logout();
    } catch {
      serverSignedOut = false;
    }
    let notice = 'You are signed out.';
    let onceServerTold: string | undefined;
    this.signOutsDelivered = false;
    try {
      const { pending, revokeQueued } = await services.client.send({ type: 'SESSION_ENDED', serverSignedOut });
      const kept =
        pending > 0
          ? ` ${plural(pending, 'change')} not yet synced ${pending === 1 ? 'stays' : 'stay'} on this tablet until the person who made ${pending === 1 ? 'it' : 'them'} signs in again.`
          : '';
      notice += kept;
      if (revokeQueued) {
        const told = `You are signed out on this tablet. The practice server has been told.${kept}`;
        if (this.signOutsDelivered) notice = told;
        else {
          notice = `You are signed out on this tablet. The practice server is told as soon as the tablet is online.${kept}`;
          onceServerTold = told;
        }
      }
    } catch {
      // No worker: nothing stored locally to drop.
      if (!serverSignedOut)
        notice = 'Signed out on this tablet. The server could not be told (offline); the session ends when it expires.';
    }
    this._signingOut = false;
    this.showSignedOut(notice, onceServerTold);
  }

  private showSignedOut(notice: string, onceServerTold?: string): void {
    this._signOutWarning = null;
    this._session = onceServerTold
      ? { status: 'signed-out', notice, onceServerTold }
      : { status: 'signed-out', notice };
    this.resizeObserver?.disconnect();
    this.resizeObserver = null;
    this.style.removeProperty('--sd-indicator-width');
    this.removeAttribute('indicator-visible');
  }
}

customElements.define('smartdmv-app', SmartDmvApp);

declare global {
  interface HTMLElementTagNameMap {
    'smartdmv-app': SmartDmvApp;
  }
}
