import { describe, expect, it, vi } from 'vitest';
import { Router, matchRoute, parseIdSegment, routePath, type HistoryHost, type Route } from '../../../src/router.ts';

describe('matchRoute / routePath', () => {
  const cases: [string, Route][] = [
    ['/', { name: 'appointments', date: null }],
    ['/appointments?date=2026-11-25', { name: 'appointments', date: '2026-11-25' }],
    ['/appointments/new?date=2026-11-25', { name: 'appointment-new', date: '2026-11-25', clientId: null, petId: null }],
    // "Book appointment" on a pet's page.
    [
      '/appointments/new?clientId=7&petId=temp_pet_b',
      { name: 'appointment-new', date: null, clientId: 7, petId: 'temp_pet_b' },
    ],
    ['/appointments/12', { name: 'appointment-edit', id: 12 }],
    ['/appointments/temp_appt_1f2e', { name: 'appointment-edit', id: 'temp_appt_1f2e' }],
    ['/clients', { name: 'clients' }],
    ['/clients/new', { name: 'client-new' }],
    ['/clients/7', { name: 'client', id: 7 }],
    ['/clients/7/pets/new', { name: 'pet-new', clientId: 7 }],
    ['/clients/temp_user_a/pets/temp_pet_b', { name: 'pet-edit', clientId: 'temp_user_a', petId: 'temp_pet_b' }],
    ['/sync', { name: 'sync' }],
    ['/signin', { name: 'signin' }],
  ];
  it.each(cases)('%s', (url, route) => {
    const [path = '', search = ''] = url.split('?');
    expect(matchRoute(path, search ? `?${search}` : '')).toEqual(route);
  });

  it('round-trips every route through routePath', () => {
    for (const [, route] of cases.slice(1)) {
      const [path = '', search] = routePath(route).split('?');
      expect(matchRoute(path, search ? `?${search}` : '')).toEqual(route);
    }
  });

  it('refuses what is not a route or an id', () => {
    expect(matchRoute('/appointments/abc').name).toBe('not-found');
    expect(matchRoute('/appointments/0').name).toBe('not-found');
    expect(matchRoute('/clients/7/cats').name).toBe('not-found');
    expect(matchRoute('/nowhere').name).toBe('not-found');
    expect(matchRoute('/appointments', '?date=2026-13-45')).toEqual({ name: 'appointments', date: null });
    expect(parseIdSegment('temp_')).toBeNull();
    expect(matchRoute('/appointments/new', '?clientId=abc')).toEqual({
      name: 'appointment-new',
      date: null,
      clientId: null,
      petId: null,
    });
  });
});

describe('Router', () => {
  function host(path = '/') {
    const listeners: (() => void)[] = [];
    const location = { pathname: path, search: '' };
    const set = (_: unknown, __: string, url?: string | URL | null) => {
      const [p = '', s] = String(url).split('?');
      location.pathname = p;
      location.search = s ? `?${s}` : '';
    };
    const h: HistoryHost = {
      location,
      history: { pushState: vi.fn(set), replaceState: vi.fn(set) },
      addEventListener: (_t, l) => listeners.push(l),
      removeEventListener: (_t, l) => listeners.splice(listeners.indexOf(l), 1),
    };
    return { h, listeners, location };
  }

  it('pushes, replaces and follows popstate', () => {
    const { h, listeners, location } = host('/clients');
    const seen: Route[] = [];
    const router = new Router(h, (r) => seen.push(r));
    router.start();
    expect(router.route).toEqual({ name: 'clients' });
    router.navigate('/clients/3');
    expect(h.history.pushState).toHaveBeenCalledTimes(1);
    router.navigate('/clients/4', { replace: true });
    expect(h.history.replaceState).toHaveBeenCalledTimes(1);
    expect(seen.at(-1)).toEqual({ name: 'client', id: 4 });
    location.pathname = '/sync';
    listeners.forEach((l) => l());
    expect(router.route).toEqual({ name: 'sync' });
    router.stop();
    expect(listeners).toHaveLength(0);
  });

  it('a guard that holds: a link goes nowhere; Back puts the URL back; leaving anyway goes where they pointed', () => {
    const { h, listeners, location } = host('/clients/new');
    const seen: Route[] = [];
    let leave: (() => void) | null = null;
    let asked: string | null = null;
    const router = new Router(
      h,
      (r) => seen.push(r),
      (path, go) => {
        asked = path;
        leave = go;
        return false;
      },
    );
    router.start();
    router.navigate('/sync');
    expect(asked).toBe('/sync');
    expect(location.pathname).toBe('/clients/new');
    expect(seen).toEqual([]);
    // A screen's own move after saving is not asked about.
    asked = null;
    router.navigate('/clients/4', { unguarded: true });
    expect(asked).toBeNull();
    expect(router.route).toEqual({ name: 'client', id: 4 });

    location.pathname = '/clients'; // Back
    listeners.forEach((l) => l());
    expect(asked).toBe('/clients');
    expect(location.pathname).toBe('/clients/4');
    expect(router.route).toEqual({ name: 'client', id: 4 });
    leave!();
    expect(location.pathname).toBe('/clients');
    expect(router.route).toEqual({ name: 'clients' });
  });
});
