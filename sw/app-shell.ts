/// <reference lib="webworker" />
/** The app shell: precached build output, navigations answered with index.html offline. */
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
  type PrecacheEntry,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';

export function installAppShell(manifest: (PrecacheEntry | string)[]): void {
  precacheAndRoute(manifest);
  cleanupOutdatedCaches();
  // Every app route (/, /appointments, /clients/12 ...) is the same single-page shell.
  registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/api\//] }));
  // Icons and manifest are not in the precache list by hash: cache them on first use.
  registerRoute(
    ({ url, sameOrigin }) =>
      sameOrigin && (url.pathname.startsWith('/icons/') || url.pathname.endsWith('.webmanifest')),
    new CacheFirst({ cacheName: 'smartdmv-static' }),
  );
}
