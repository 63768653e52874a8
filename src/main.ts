/** Page entry: registers the service worker and mounts the app. */
import './app.ts';
import { registerServiceWorker } from './sw-registration.ts';

const registration = registerServiceWorker((applyUpdate) => {
  document.querySelector('smartdmv-app')?.dispatchEvent(new CustomEvent('update-ready', { detail: { applyUpdate } }));
});
void registration.controlled.then(() => document.documentElement.setAttribute('data-sw-controlled', ''));
