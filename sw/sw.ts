/// <reference lib="webworker" />
/**
 * Service worker entry: wires events only. Precaching and the app shell live in app-shell.ts;
 * the sync machinery (entity API, queue, engine, triggers) in worker/runtime.ts.
 */
import { clientsClaim } from 'workbox-core';
import { installAppShell } from './app-shell.ts';
import { startWorkerRuntime } from './worker/runtime.ts';

declare const self: ServiceWorkerGlobalScope;

// The entity API routes are registered before the shell's, so /api/* never falls to the shell.
startWorkerRuntime(self);
installAppShell(self.__WB_MANIFEST);

// The first worker takes control at once (no reload needed). An updated worker waits until the
// page's "Update ready — reload" sends SKIP_WAITING (worker/page-messages.ts), so queued work is
// never cut mid-sync.
clientsClaim();
