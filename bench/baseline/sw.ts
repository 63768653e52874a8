/// <reference lib="webworker" />
/**
 * The benchmark's baseline: the textbook Workbox way to survive offline writes. Each failed
 * POST /api/appointments is stored as one request in a workbox-background-sync Queue and replayed
 * by Workbox, one request at a time, to the server's plain REST endpoint when the network returns.
 */
import { Queue } from 'workbox-background-sync';

declare const self: ServiceWorkerGlobalScope;

const queue = new Queue('baseline-appointments', { maxRetentionTime: 24 * 60 });

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'POST' || url.pathname !== '/api/appointments') return;
  const copy = event.request.clone();
  event.respondWith(
    fetch(event.request).catch(async () => {
      await queue.pushRequest({ request: copy });
      return new Response(JSON.stringify({ queued: true }), {
        status: 202,
        headers: { 'content-type': 'application/json' },
      });
    }),
  );
});

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  if ((event.data as { type?: string } | null)?.type === 'QUEUE_SIZE') {
    event.waitUntil(queue.size().then((size) => event.ports[0]?.postMessage(size)));
  }
});
