/**
 * A small client-side router over the History API. The service worker answers every navigation
 * with index.html, so any of these paths can be opened directly, online or offline.
 */
import { isDateKey } from './format.ts';
import { RealIdSchema, TempIdSchema, type EntityId } from './protocol/index.ts';

export type Route =
  | { name: 'signin' }
  | { name: 'appointments'; date: string | null }
  | { name: 'appointment-new'; date: string | null; clientId: EntityId | null; petId: EntityId | null }
  | { name: 'appointment-edit'; id: EntityId }
  /** "Move mine" of a held double booking: the form on the held booking, saving resolves conflict `conflictId`. */
  | { name: 'appointment-move'; id: EntityId; conflictId: number }
  | { name: 'clients' }
  | { name: 'client-new' }
  | { name: 'client'; id: EntityId }
  | { name: 'pet-new'; clientId: EntityId }
  | { name: 'pet-edit'; clientId: EntityId; petId: EntityId }
  | { name: 'sync' }
  | { name: 'not-found'; path: string };

export type RouteName = Route['name'];

/** A path segment as a record id: a positive integer or a temp id; null otherwise. */
export function parseIdSegment(segment: string | undefined): EntityId | null {
  if (segment === undefined) return null;
  const decoded = decodeURIComponent(segment);
  if (/^\d+$/.test(decoded)) {
    const id = RealIdSchema.safeParse(Number(decoded));
    return id.success ? id.data : null;
  }
  return TempIdSchema.safeParse(decoded).success ? decoded : null;
}

export function matchRoute(pathname: string, search = ''): Route {
  const params = new URLSearchParams(search);
  const dateParam = params.get('date');
  const date = isDateKey(dateParam) ? dateParam : null;
  const parts = pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  const [first, second, third, fourth, ...rest] = parts;
  const notFound: Route = { name: 'not-found', path: pathname };
  if (rest.length > 0) return notFound;

  switch (first) {
    case undefined:
      return { name: 'appointments', date };
    case 'signin':
      return parts.length === 1 ? { name: 'signin' } : notFound;
    case 'sync':
      return parts.length === 1 ? { name: 'sync' } : notFound;
    case 'appointments': {
      if (second === undefined) return { name: 'appointments', date };
      if (third === 'move' && fourth === undefined) {
        const id = parseIdSegment(second);
        const conflictId = Number(params.get('conflict'));
        return id !== null && Number.isSafeInteger(conflictId) && conflictId > 0
          ? { name: 'appointment-move', id, conflictId }
          : notFound;
      }
      if (third !== undefined) return notFound;
      if (second === 'new') {
        // Opened from a client's or a pet's page: who the booking is for.
        const clientId = parseIdSegment(params.get('clientId') ?? undefined);
        const petId = parseIdSegment(params.get('petId') ?? undefined);
        return { name: 'appointment-new', date, clientId, petId };
      }
      const id = parseIdSegment(second);
      return id === null ? notFound : { name: 'appointment-edit', id };
    }
    case 'clients': {
      if (second === undefined) return { name: 'clients' };
      if (second === 'new') return third === undefined ? { name: 'client-new' } : notFound;
      const clientId = parseIdSegment(second);
      if (clientId === null) return notFound;
      if (third === undefined) return { name: 'client', id: clientId };
      if (third !== 'pets' || fourth === undefined) return notFound;
      if (fourth === 'new') return { name: 'pet-new', clientId };
      const petId = parseIdSegment(fourth);
      return petId === null ? notFound : { name: 'pet-edit', clientId, petId };
    }
    default:
      return notFound;
  }
}

const seg = (id: EntityId) => encodeURIComponent(String(id));

/** The path of a route (the inverse of matchRoute). */
export function routePath(route: Route): string {
  switch (route.name) {
    case 'signin':
      return '/signin';
    case 'appointments':
      return route.date ? `/appointments?date=${route.date}` : '/appointments';
    case 'appointment-new': {
      const search = new URLSearchParams();
      if (route.date) search.set('date', route.date);
      if (route.clientId !== null) search.set('clientId', String(route.clientId));
      if (route.petId !== null) search.set('petId', String(route.petId));
      const query = search.toString();
      return query ? `/appointments/new?${query}` : '/appointments/new';
    }
    case 'appointment-edit':
      return `/appointments/${seg(route.id)}`;
    case 'appointment-move':
      return `/appointments/${seg(route.id)}/move?conflict=${route.conflictId}`;
    case 'clients':
      return '/clients';
    case 'client-new':
      return '/clients/new';
    case 'client':
      return `/clients/${seg(route.id)}`;
    case 'pet-new':
      return `/clients/${seg(route.clientId)}/pets/new`;
    case 'pet-edit':
      return `/clients/${seg(route.clientId)}/pets/${seg(route.petId)}`;
    case 'sync':
      return '/sync';
    case 'not-found':
      return route.path;
  }
}

/** "Book appointment" from a client's or a pet's page: the form opens with them chosen. */
export function bookingPath(who: { clientId: EntityId | null; petId?: EntityId | null; date?: string | null }): string {
  return routePath({
    name: 'appointment-new',
    date: who.date ?? null,
    clientId: who.clientId,
    petId: who.petId ?? null,
  });
}

export interface HistoryHost {
  location: { pathname: string; search: string };
  history: Pick<History, 'pushState' | 'replaceState'>;
  addEventListener(type: 'popstate', listener: () => void): void;
  removeEventListener(type: 'popstate', listener: () => void): void;
}

/**
 * Asked before the user leaves the shown route (a link, the back button): true lets them go now;
 * false holds them there, and the guard calls `leave` if they then choose to go anyway.
 */
export type LeaveGuard = (path: string, leave: () => void) => boolean;

export interface NavigateOptions {
  replace?: boolean;
  /** The screen's own move (after saving, deleting): not asked about. */
  unguarded?: boolean;
}

export class Router {
  route: Route;
  /** The path the shown route was read from (the URL the back button just left, on popstate). */
  private shownPath: string;

  constructor(
    private readonly host: HistoryHost,
    private readonly onChange: (route: Route) => void,
    private readonly guard: LeaveGuard = () => true,
  ) {
    this.route = this.read();
    this.shownPath = this.currentPath;
  }

  start(): void {
    this.host.addEventListener('popstate', this.onPopState);
  }

  stop(): void {
    this.host.removeEventListener('popstate', this.onPopState);
  }

  get currentPath(): string {
    return this.host.location.pathname + this.host.location.search;
  }

  navigate(path: string, options: NavigateOptions = {}): void {
    if (path === this.currentPath && !options.replace) return;
    if (!options.unguarded && !this.guard(path, () => this.navigate(path, { ...options, unguarded: true }))) return;
    if (options.replace) this.host.history.replaceState(null, '', path);
    else this.host.history.pushState(null, '', path);
    this.show();
  }

  private read(): Route {
    return matchRoute(this.host.location.pathname, this.host.location.search);
  }

  private show(): void {
    this.route = this.read();
    this.shownPath = this.currentPath;
    this.onChange(this.route);
  }

  private readonly onPopState = (): void => {
    const target = this.currentPath;
    // Held: the URL goes back to the screen still shown; leaving anyway goes where the button pointed.
    if (
      target !== this.shownPath &&
      !this.guard(target, () => this.navigate(target, { replace: true, unguarded: true }))
    ) {
      this.host.history.pushState(null, '', this.shownPath);
      return;
    }
    this.show();
  };
}

/** The same-origin path an in-app link click should navigate to, or null to let the browser handle it. */
export function linkTarget(event: MouseEvent, origin: string): string | null {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return null;
  const anchor = event
    .composedPath()
    .find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement && n.hasAttribute('href'));
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return null;
  if (anchor.getAttribute('href')?.startsWith('#')) return null; // in-page anchor (skip link)
  const url = new URL(anchor.href, origin);
  if (url.origin !== origin) return null;
  return url.pathname + url.search;
}
