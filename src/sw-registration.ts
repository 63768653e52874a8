/** Registers the service worker with workbox-window and reports when an update is waiting. */
import { Workbox } from 'workbox-window';

export interface Registration {
  workbox: Workbox | null;
  /** Resolves once a worker controls this page (at once when one already does). */
  controlled: Promise<void>;
}

export function registerServiceWorker(onUpdateWaiting: (applyUpdate: () => void) => void): Registration {
  if (!('serviceWorker' in navigator)) {
    return {
      workbox: null,
      controlled: Promise.reject(new Error('Service workers are not supported in this browser')),
    };
  }
  const workbox = new Workbox('/sw.js', { scope: '/', type: 'classic' });
  workbox.addEventListener('waiting', () => {
    onUpdateWaiting(() => {
      // Reload once the new worker has taken control.
      navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
      workbox.messageSkipWaiting();
    });
  });
  const controlled = navigator.serviceWorker.controller
    ? Promise.resolve()
    : new Promise<void>((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }),
      );
  void workbox.register();
  return { workbox, controlled };
}
