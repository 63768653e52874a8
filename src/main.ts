/**
 * Page entry: makes the page's one set of services, registers the service worker, starts the network
 * monitor and hands the services to the app (which passes them to its screens and widgets).
 */
import './app.ts';
import { initializeNetworkMonitoring } from './controllers/network-monitor.ts';
import { browserServices } from './services.ts';
import { isAutoSyncEnabled, localStorageOrNull } from './settings.ts';
import { registerServiceWorker } from './sw-registration.ts';

const app = document.querySelector('smartdmv-app');
const services = browserServices();

const registration = registerServiceWorker((applyUpdate) => {
  app?.dispatchEvent(new CustomEvent('update-ready', { detail: { applyUpdate } }));
});
void registration.controlled
  .then(() => document.documentElement.setAttribute('data-sw-controlled', ''))
  .catch(() => undefined);

const autoSyncEnabled = isAutoSyncEnabled(localStorageOrNull());
const monitor = initializeNetworkMonitoring({ syncOnReconnect: true, autoSyncEnabled }, { client: services.client });
// The worker may not control the page yet on a first visit: forward the switches once it does.
void registration.controlled
  .then(() => Promise.all([monitor.forwardDebug(), monitor.forwardAutoSync()]))
  .catch(() => undefined);

if (app) {
  app.workerReady = registration.controlled;
  app.monitor = monitor;
  app.services = services; // last: the app starts its session check when it has its services
}
