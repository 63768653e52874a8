/**
 * What the app, its screens and the sync widgets need from the outside world: one `services` property
 * on each (see service-element.ts), so unit tests inject fakes and nothing reaches for a global.
 */
import { AuthApi } from './api/auth.ts';
import { EntitiesApi } from './api/entities.ts';
import type { FetchLike } from './api/http.ts';
import { browserNetworkEnvironment, type NetworkEnvironment } from './controllers/network-status-controller.ts';
import { localStorageOrNull } from './settings.ts';
import { alwaysAskHint, storageSessionHint, type SessionHint } from './session.ts';
import { WorkerClient, serviceWorkerTransport } from './worker-client.ts';

export interface AppServices {
  entities: EntitiesApi;
  auth: AuthApi;
  client: WorkerClient;
  /** Online/offline events, Network Information and the health probe (sync widgets). */
  network: NetworkEnvironment | undefined;
  /** Wall clock (ms). */
  now: () => number;
  /** Whether this tablet was signed in when last used. */
  sessionHint: SessionHint;
}

export interface ServiceOptions {
  fetch: FetchLike;
  client: WorkerClient;
  network?: NetworkEnvironment;
  now?: () => number;
  sessionHint?: SessionHint;
}

export function createServices(options: ServiceOptions): AppServices {
  return {
    entities: new EntitiesApi(options.fetch),
    auth: new AuthApi(options.fetch),
    client: options.client,
    network: options.network,
    now: options.now ?? (() => Date.now()),
    sessionHint: options.sessionHint ?? alwaysAskHint,
  };
}

/** The page's services over the browser (fetch, the controlling worker, localStorage); made once, in main.ts. */
export function browserServices(): AppServices {
  return createServices({
    fetch: (input, init) => fetch(input, init),
    client: new WorkerClient(serviceWorkerTransport()),
    network: browserNetworkEnvironment(),
    sessionHint: storageSessionHint(localStorageOrNull()),
  });
}
