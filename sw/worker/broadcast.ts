/// <reference lib="webworker" />
/**
 * Sends worker events to every open window, batched per task: one `clients.matchAll()` for a
 * burst of events (a drain notifies progress, stats and changed data) is enough. Of the state
 * snapshots (progress, queue stats) only the newest in a batch is sent.
 */
import type { WorkerEvent } from '../../src/protocol/index.ts';

const LATEST_ONLY = new Set<WorkerEvent['type']>(['SYNC_PROGRESS', 'QUEUE_STATS']);

export function createBroadcaster(clients: Clients): (event: WorkerEvent) => void {
  let pending: WorkerEvent[] = [];
  let scheduled = false;

  async function flush(): Promise<void> {
    const events = pending;
    pending = [];
    scheduled = false;
    const windows = await clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const client of windows) for (const event of events) client.postMessage(event);
  }

  return (event) => {
    if (LATEST_ONLY.has(event.type)) pending = pending.filter((e) => e.type !== event.type);
    pending.push(event);
    if (!scheduled) {
      scheduled = true;
      setTimeout(() => void flush(), 0);
    }
  };
}
