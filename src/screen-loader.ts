/**
 * Screens are loaded on demand: the first paint needs the shell, the indicator and one screen,
 * not every form and the conflict dialog. Each route names its screen's module; `load` starts
 * the import once and tells the caller when the element is defined.
 */
import type { Route } from './router.ts';

export type ScreenTag =
  | 'sign-in-screen'
  | 'appointments-screen'
  | 'appointment-form-screen'
  | 'clients-screen'
  | 'client-screen'
  | 'pet-screen'
  | 'sync-screen';

const MODULES: Record<ScreenTag, () => Promise<unknown>> = {
  'sign-in-screen': () => import('./screens/sign-in-screen.ts'),
  'appointments-screen': () => import('./screens/appointments-screen.ts'),
  'appointment-form-screen': () => import('./screens/appointment-form-screen.ts'),
  'clients-screen': () => import('./screens/clients-screen.ts'),
  'client-screen': () => import('./screens/client-screen.ts'),
  'pet-screen': () => import('./screens/pet-screen.ts'),
  'sync-screen': () => import('./screens/sync-screen.ts'),
};

const SCREEN_OF: Record<Route['name'], ScreenTag | null> = {
  signin: 'sign-in-screen',
  appointments: 'appointments-screen',
  'appointment-new': 'appointment-form-screen',
  'appointment-edit': 'appointment-form-screen',
  'appointment-move': 'appointment-form-screen',
  clients: 'clients-screen',
  'client-new': 'client-screen',
  client: 'client-screen',
  'pet-new': 'pet-screen',
  'pet-edit': 'pet-screen',
  sync: 'sync-screen',
  'not-found': null,
};

export function screenOf(route: Route['name']): ScreenTag | null {
  return SCREEN_OF[route];
}

export class ScreenLoader {
  private readonly loading = new Map<ScreenTag, Promise<void>>();
  /** The last import that failed (offline before the chunk was cached), for the screen to show. */
  error: string | null = null;

  constructor(private readonly onLoaded: () => void) {}

  isReady(tag: ScreenTag): boolean {
    return customElements.get(tag) !== undefined;
  }

  /** Starts loading the screen's module (once); calls onLoaded when it is defined. */
  load(tag: ScreenTag): Promise<void> {
    let pending = this.loading.get(tag);
    if (!pending) {
      pending = MODULES[tag]().then(
        () => {
          this.error = null;
          this.onLoaded();
        },
        (error: unknown) => {
          // Let a later attempt (the "Try again" button, the next navigation) import it again.
          this.loading.delete(tag);
          this.error = error instanceof Error ? error.message : String(error);
          this.onLoaded();
        },
      );
      this.loading.set(tag, pending);
    }
    return pending;
  }
}
