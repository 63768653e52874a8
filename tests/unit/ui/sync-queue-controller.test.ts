import { describe, expect, it } from 'vitest';
import { SyncQueueController } from '../../../src/controllers/sync-queue-controller.ts';
import { FakeHost, FakeWorker, STATS, eventually, operation, syncState } from './fakes.ts';

describe('SyncQueueController', () => {
  it('takes the counters from GET_STATE, then from QUEUE_STATS broadcasts', async () => {
    const worker = new FakeWorker({ GET_STATE: () => syncState({ stats: { ...STATS, pending: 2, inFlight: 1 } }) });
    const host = new FakeHost();
    const queue = new SyncQueueController(host, worker.client());
    host.connect();
    await eventually(() => expect(queue.loaded).toBe(true));
    expect(queue.pendingCount).toBe(3);
    worker.emit({ type: 'QUEUE_STATS', stats: { ...STATS, failed: 1 } });
    expect(queue.stats.failed).toBe(1);
    expect(queue.pendingCount).toBe(0);
    // The indicator does not load operations.
    expect(worker.sentOfType('GET_OPERATIONS')).toHaveLength(0);
  });

  it('does not count changes that wait for another person to sign in as pending', async () => {
    const worker = new FakeWorker({
      GET_STATE: () => syncState({ stats: { ...STATS, pending: 3, waitingForOthers: 2 } }),
    });
    const host = new FakeHost();
    const queue = new SyncQueueController(host, worker.client());
    host.connect();
    await eventually(() => expect(queue.loaded).toBe(true));
    expect(queue.pendingCount).toBe(1);
    worker.emit({ type: 'QUEUE_STATS', stats: { ...STATS, pending: 2, waitingForOthers: 2 } });
    expect(queue.pendingCount).toBe(0);
  });

  it('with trackOperations keeps the operations and reloads them on QUEUE_STATS (bursts folded)', async () => {
    let ops = [operation(), operation({ id: 8, status: 'pending', lastError: null })];
    const worker = new FakeWorker({ GET_OPERATIONS: () => ops });
    const host = new FakeHost();
    const queue = new SyncQueueController(host, worker.client(), { trackOperations: true });
    host.connect();
    await eventually(() => expect(queue.operations).toHaveLength(2));
    expect(queue.failedOperations.map((o) => o.id)).toEqual([7]);
    expect(queue.waitingOperations.map((o) => o.id)).toEqual([8]);

    ops = [operation()];
    for (let i = 0; i < 20; i++) worker.emit({ type: 'QUEUE_STATS', stats: STATS });
    await eventually(() => expect(queue.operations).toHaveLength(1));
    // 20 broadcasts cost at most a couple of reloads, not 20.
    expect(worker.sentOfType('GET_OPERATIONS').length).toBeLessThanOrEqual(3);
  });

  it('removeOperation, retryOperation and clearCompleted send their messages and take the new counters', async () => {
    const worker = new FakeWorker({
      DISCARD_OPERATION: () => ({ ...STATS, completed: 4 }),
      RETRY_OPERATION: () => ({ ...STATS, pending: 1 }),
      CLEAR_COMPLETED: () => STATS,
    });
    const host = new FakeHost();
    const queue = new SyncQueueController(host, worker.client());
    host.connect();
    expect(await queue.removeOperation(7)).toBe(true);
    expect(worker.sentOfType('DISCARD_OPERATION')[0]).toEqual({ type: 'DISCARD_OPERATION', operationId: 7 });
    expect(queue.stats.completed).toBe(4);
    expect(await queue.retryOperation(7)).toBe(true);
    expect(worker.sentOfType('RETRY_OPERATION')[0]?.operationId).toBe(7);
    expect(queue.stats.pending).toBe(1);
    await queue.clearCompleted();
    expect(worker.sentOfType('CLEAR_COMPLETED')).toHaveLength(1);
    expect(queue.stats).toEqual(STATS);
  });

  it('a refused request leaves an error message', async () => {
    const worker = new FakeWorker({
      DISCARD_OPERATION: () => {
        throw new Error('not found');
      },
    });
    const host = new FakeHost();
    const queue = new SyncQueueController(host, worker.client());
    host.connect();
    expect(await queue.removeOperation(1)).toBe(false);
    expect(queue.error).toContain('not found');
  });

  it('re-reads the counters when this page wrote through the REST surface', async () => {
    let pending = 0;
    const worker = new FakeWorker({ GET_STATE: () => syncState({ stats: { ...STATS, pending } }) });
    const writes = new EventTarget();
    const host = new FakeHost();
    const queue = new SyncQueueController(host, worker.client(), { localWrites: writes });
    host.connect();
    await eventually(() => expect(queue.loaded).toBe(true));
    pending = 1;
    writes.dispatchEvent(new CustomEvent('local-write', { detail: 'appointments' }));
    await eventually(() => expect(queue.pendingCount).toBe(1));
    host.disconnect();
    pending = 2;
    writes.dispatchEvent(new CustomEvent('local-write', { detail: 'appointments' }));
    await new Promise((r) => setTimeout(r, 30));
    expect(queue.pendingCount).toBe(1);
  });
});

describe('SyncQueueController pending count during a push', () => {
  it('moves with the progress between two counters, and the counters win when they arrive', async () => {
    const worker = new FakeWorker({ GET_STATE: () => syncState({ stats: { ...STATS, pending: 300 } }) });
    const host = new FakeHost();
    const queue = new SyncQueueController(host, worker.client());
    host.connect();
    await eventually(() => expect(queue.pendingCount).toBe(300));
    worker.emit({ type: 'SYNC_STARTED', trigger: 'manual' });
    worker.emit({ type: 'SYNC_PROGRESS', progress: { phase: 'push', processed: 0, total: 300, percentage: 0 } });
    expect(queue.pendingCount).toBe(300);
    worker.emit({ type: 'SYNC_PROGRESS', progress: { phase: 'push', processed: 100, total: 300, percentage: 33 } });
    expect(queue.pendingCount).toBe(200);
    // Counters taken after the first batch: they already count it.
    worker.emit({ type: 'QUEUE_STATS', stats: { ...STATS, pending: 200 } });
    expect(queue.pendingCount).toBe(200);
    worker.emit({ type: 'SYNC_PROGRESS', progress: { phase: 'push', processed: 200, total: 300, percentage: 67 } });
    expect(queue.pendingCount).toBe(100);
    worker.emit({ type: 'SYNC_PROGRESS', progress: { phase: 'push', processed: 300, total: 300, percentage: 100 } });
    expect(queue.pendingCount).toBe(0);
    worker.emit({ type: 'SYNC_PROGRESS', progress: { phase: 'pull', processed: 50, total: 100, percentage: 50 } });
    worker.emit({
      type: 'SYNC_RESULT',
      result: {
        pushed: 300,
        failed: 0,
        conflicts: 0,
        pulled: 50,
        durationMs: 1,
        finishedAt: 1,
        error: null,
        trigger: 'manual',
      },
    });
    expect(queue.pendingCount).toBe(0);
    worker.emit({ type: 'QUEUE_STATS', stats: STATS });
    expect(queue.pendingCount).toBe(0);
    // A change written after the run counts at once.
    worker.emit({ type: 'QUEUE_STATS', stats: { ...STATS, pending: 1 } });
    expect(queue.pendingCount).toBe(1);
  });
});
