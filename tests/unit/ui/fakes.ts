/**
 * Test doubles for the page's outside world: a fake worker behind WorkerTransport (answers requests
 * from handlers, broadcasts events on demand), a Lit-like controller host, and fixtures.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type {
  ConflictRecord,
  PageMessage,
  PageMessageReplies,
  PageMessageType,
  QueuedOperation,
  QueueStats,
  SyncResult,
  SyncState,
  WorkerEvent,
} from '../../../src/protocol/index.ts';
import { createServices, type AppServices, type ServiceOptions } from '../../../src/services.ts';
import { WorkerClient, type WorkerTransport } from '../../../src/worker-client.ts';
import { fakeNetwork } from './dom.ts';
import { FakeApi } from './fake-api.ts';

type Handler<K extends PageMessageType> = (
  message: Extract<PageMessage, { type: K }>,
) => PageMessageReplies[K] | Promise<PageMessageReplies[K]>;
type Handlers = { [K in PageMessageType]?: Handler<K> };

export const STATS: QueueStats = { pending: 0, inFlight: 0, failed: 0, conflicts: 0, completed: 0 };

/** A finished sync run: one change sent, four received, no error. */
export function syncResult(overrides: Partial<SyncResult> = {}): SyncResult {
  return {
    pushed: 1,
    failed: 0,
    conflicts: 0,
    pulled: 4,
    durationMs: 120,
    finishedAt: 1_000,
    error: null,
    trigger: 'manual',
    ...overrides,
  };
}

export function syncState(overrides: Partial<SyncState> = {}): SyncState {
  return {
    isSyncing: false,
    progress: null,
    lastResult: null,
    stats: STATS,
    authRequired: false,
    debug: false,
    autoSync: true,
    user: null,
    lastPulledAt: null,
    backgroundSync: true,
    lastActivity: null,
    quarantined: 0,
    ...overrides,
  };
}

export class FakeWorker implements WorkerTransport {
  readonly sent: PageMessage[] = [];
  private readonly listeners = new Set<(data: unknown) => void>();
  handlers: Handlers;

  constructor(handlers: Handlers = {}) {
    this.handlers = {
      GET_STATE: () => syncState(),
      GET_CONFLICTS: () => [],
      GET_OPERATIONS: () => [],
      GET_QUARANTINE: () => [],
      ...handlers,
    };
  }

  post(message: PageMessage, port: MessagePort): boolean {
    this.sent.push(message);
    const handler = this.handlers[message.type] as ((m: PageMessage) => unknown) | undefined;
    void (async () => {
      try {
        if (!handler) throw Object.assign(new Error(`no handler for ${message.type}`), { code: 'INTERNAL' });
        const value = await handler(message);
        port.postMessage({ ok: true, value });
      } catch (error) {
        port.postMessage({
          ok: false,
          error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) },
        });
      } finally {
        port.close();
      }
    })();
    return true;
  }

  listen(handler: (data: unknown) => void): () => void {
    this.listeners.add(handler);
    return () => this.listeners.delete(handler);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  emit(event: WorkerEvent): void {
    for (const l of this.listeners) l(event);
  }

  sentOfType<K extends PageMessageType>(type: K): Extract<PageMessage, { type: K }>[] {
    return this.sent.filter((m): m is Extract<PageMessage, { type: K }> => m.type === type);
  }

  client(): WorkerClient {
    return new WorkerClient(this, 2_000);
  }
}

/** The day the screens' tests run on (08:00 local, 25 Nov 2026). */
export const TEST_NOW = new Date(2026, 10, 25, 8, 0).getTime();

/**
 * The services the app hands to its screens and widgets, over fakes (the same way for all of them):
 * a FakeApi's REST surface, the FakeWorker, a network that is online, the test day's clock.
 */
export function fakeServices(worker: FakeWorker, options: Partial<ServiceOptions> = {}): AppServices {
  return createServices({
    fetch: new FakeApi().fetch,
    client: worker.client(),
    network: fakeNetwork(),
    now: () => TEST_NOW,
    ...options,
  });
}

/** A ReactiveControllerHost without a DOM. */
export class FakeHost implements ReactiveControllerHost {
  readonly controllers: ReactiveController[] = [];
  updates = 0;
  updateComplete = Promise.resolve(true);
  addController(c: ReactiveController): void {
    this.controllers.push(c);
  }
  removeController(c: ReactiveController): void {
    this.controllers.splice(this.controllers.indexOf(c), 1);
  }
  requestUpdate(): void {
    this.updates++;
  }
  connect(): void {
    for (const c of this.controllers) c.hostConnected?.();
  }
  disconnect(): void {
    for (const c of this.controllers) c.hostDisconnected?.();
  }
}

/** Waits until `check` passes (message-port replies arrive asynchronously). */
export async function eventually(check: () => void, timeoutMs = 1_500): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() - start > timeoutMs) throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export function conflict(overrides: Partial<ConflictRecord> = {}): ConflictRecord {
  return {
    id: 1,
    operationId: 10,
    entityType: 'appointments',
    entityId: 42,
    localOperation: 'update',
    conflictType: 'version',
    localData: { title: 'Checkup — Rex (local)', notes: 'Bring records' },
    serverData: {
      id: 42,
      title: 'Checkup — Rex (server)',
      notes: 'Bring records',
      type: 'checkup',
      durationMinutes: '30',
      updatedAt: '2026-11-25T10:00:00.000Z',
      version: 3,
    },
    affectedFields: ['title'],
    baseVersion: 2,
    serverVersion: 3,
    localTimestamp: Date.parse('2026-11-25T09:00:00.000Z'),
    detectedAt: Date.parse('2026-11-25T10:05:00.000Z'),
    resolved: false,
    resolvedAt: null,
    resolution: null,
    ...overrides,
  };
}

type ClashingAppointment = NonNullable<ConflictRecord['clashes']>[number]['appointment'];

/**
 * A new booking of Bella (pet 11) with Dr Vet (user 2) at 14:45 on 25 Nov 2026 (local time), made on
 * this tablet and held as a double booking because `clashesWith` was there first.
 */
export function heldDoubleBooking(
  clashesWith: ClashingAppointment,
  overrides: Partial<ConflictRecord> = {},
): ConflictRecord {
  return conflict({
    id: 4,
    operationId: 40,
    entityId: 'temp_appt_held',
    localOperation: 'create',
    conflictType: 'double_booking',
    localData: {
      title: 'Checkup — Bella',
      type: 'checkup',
      date: new Date(2026, 10, 25, 14, 45).toISOString(),
      durationMinutes: 30,
      status: 'scheduled',
      notes: null,
      petId: 11,
      practitionerId: 2,
    },
    serverData: {},
    affectedFields: ['date'],
    baseVersion: 0,
    serverVersion: 0,
    clashes: [{ reason: 'practitioner', appointment: clashesWith }],
    ...overrides,
  });
}

export function operation(overrides: Partial<QueuedOperation> = {}): QueuedOperation {
  return {
    id: 7,
    opId: 'op-00000007',
    operation: 'create',
    entityType: 'appointments',
    entityId: 'temp_appt_abc',
    tempId: 'temp_appt_abc',
    data: { title: 'Vaccination — Bella' },
    baseVersion: null,
    timestamp: 1,
    userId: 1,
    practiceId: 1,
    tenantId: 'smartvet',
    status: 'failed',
    attempts: 2,
    lastError: { code: 'PET_NOT_FOUND', message: 'Pet 99 does not exist' },
    retryable: false,
    ...overrides,
  };
}
