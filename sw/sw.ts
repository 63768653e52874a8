/// <reference lib="webworker" />
/**
 * Service worker entry: wires events only. Precaching and the app shell live in app-shell.ts;
 * the sync machinery is created in worker-runtime.ts.
 */
import { clientsClaim } from 'workbox-core';
import { installAppShell } from './app-shell.ts';

declare const self: ServiceWorkerGlobalScope;

installAppShell(self.__WB_MANIFEST);

// The first worker takes control at once (no reload needed). An updated worker waits until the
// page's "Update ready — reload" sends SKIP_WAITING, so queued work is never cut mid-sync.
clientsClaim();
self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data: unknown = event.data;
  if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'SKIP_WAITING') {
    void self.skipWaiting();
  }
});
