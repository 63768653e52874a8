import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDBObjectStore as FakeObjectStore } from 'fake-indexeddb';
import {
  acceptAll,
  createTestDevice,
  NORTHSIDE_ADMIN,
  NORTHSIDE_STAFF,
  NOTHING_NEW,
  queueRows,
  type TestDevice,
  type TestTransport,
} from './device.ts';
import { applyPullPage } from '../../../sw/store/apply-pull.ts';
import { queueStats, resetInFlight, takeBatch } from '../../../sw/store/queue.ts';
import { BatchPlanner } from '../../../sw/core/batch-plan.ts';
import type { PullChange, PushResponse } from '../../../src/protocol/index.ts';
import { TransportError } from '../../../sw/sync/transport.ts';

const iso = (s: string) => new Date(s).toISOString();

function serverRecords() {
  const base = {
    practiceId: 1,
    version: 1,
    createdAt: iso('2026-11-20T10:00:00Z'),
    updatedAt: iso('2026-11-20T10:00:00Z'),
    deletedAt: null,
  };
  const owner = {
    ...base,
    id: 10,
    tenantId: 'smartvet',
    name: 'Alice Owner',
    email: 'alice@example.com',
    phone: null,
    role: 'CLIENT',
  };
  const pet = { ...base, id: 20, name: 'Rex', species: 'dog', breed: null, birthDate: null, ownerId: 10 };
  const appt = {
    ...base,
    id: 30,
    title: 'Checkup',
    type: 'checkup',
    date: iso('2026-11-25T10:00:00Z'),
    durationMinutes: '30',
    status: 'scheduled',
    notes: null,
    petId: 20,
    practitionerId: null,
    clientId: 10,
  };
  return { owner, pet, appt };
}

function pulled(entityType: PullChange['entityType'], data: Record<string, unknown>): PullChange {
  return {
    entityType,
    operation: 'update',
    data,
    id: data.id as number,
    version: data.version as number,
    updatedAt: String(data.updatedAt),
  };
}

const offline: TestTransport = {
  push: async () => {
    throw new TransportError('retry', { code: 'NETWORK', message: 'offline' }, null);
  },
  pull: async () => {
    throw new TransportError('retry', { code: 'NETWORK', message: 'offline' }, null);
  },
};

async function seededDevice(transport: TestTransport = offline, user = NORTHSIDE_STAFF): Promise<TestDevice> {
  const device = await createTestDevice(transport);
  await device.signIn(user);
  const { owner, pet, appt } = serverRecords();
  await applyPullPage(
    device.db,
    [pulled('users', owner), pulled('pets', pet), pulled('appointments', appt)],
    'cursor-1',
    1,
  );
  return device;
}

afterEach(() => vi.restoreAllMocks());

describe('local-first writes', () => {
  it('a create answers at once with a temp id, derives the client from the pet, and queues one operation', async () => {
    const device = await seededDevice();
    const res = await device.fetch('POST', '/api/appointments', {
      title: 'Vaccination',
      type: 'vaccination',
      date: '2026-11-26T09:30:00+01:00',
      durationMinutes: 30,
      petId: 20,
      practitionerId: null,
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      title: 'Vaccination',
      date: '2026-11-26T08:30:00.000Z',
      durationMinutes: '30',
      clientId: 10,
      status: 'scheduled',
      version: 0,
      practiceId: 1,
      _pending: true,
      _conflict: false,
    });
    expect(res.body.data.id).toMatch(/^temp_appt_/);
    expect(res.body.data).not.toHaveProperty('_server');
    const queue = await queueRows(device.db);
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({
      operation: 'create',
      entityType: 'appointments',
      entityId: res.body.data.id,
      tempId: res.body.data.id,
      status: 'pending',
      userId: 1,
      practiceId: 1,
      tenantId: 'smartvet',
    });
    expect(queue[0]!.data).not.toHaveProperty('clientId');
    const one = await device.fetch('GET', `/api/appointments/${res.body.data.id}`);
    expect(one.body.data.title).toBe('Vaccination');
  });

  it('an update queues only the changed fields with the base version, and lists show the local state', async () => {
    const device = await seededDevice();
    const res = await device.fetch('PATCH', '/api/appointments/30', {
      title: 'Checkup + nails',
      notes: null,
      version: 1,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: 30, title: 'Checkup + nails', _pending: true, version: 1 });
    const [op] = await queueRows(device.db);
    expect(op).toMatchObject({ operation: 'update', entityId: 30, data: { title: 'Checkup + nails' }, baseVersion: 1 });
    const day = await device.fetch('GET', '/api/appointments?from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z');
    expect(day.body.data.map((a: { title: string }) => a.title)).toEqual(['Checkup + nails']);
    // Writing the same values again queues nothing.
    await device.fetch('PATCH', '/api/appointments/30', { title: 'Checkup + nails' });
    expect(await queueRows(device.db)).toHaveLength(1);
  });

  it('a delete hides the record from lists and queues a delete', async () => {
    const device = await seededDevice(offline, NORTHSIDE_ADMIN);
    expect((await device.fetch('DELETE', '/api/pets/20')).status).toBe(200);
    expect((await device.fetch('GET', '/api/pets')).body.data).toEqual([]);
    expect((await device.fetch('GET', '/api/pets?includeDeleted=true')).body.data).toHaveLength(1);
    expect((await queueRows(device.db))[0]).toMatchObject({ operation: 'delete', entityId: 20, baseVersion: 1 });
  });

  it('refuses bad input with clear errors and stores nothing', async () => {
    const device = await seededDevice();
    const cases: [string, string, unknown, number, string][] = [
      [
        'POST',
        '/api/appointments',
        { title: '', type: 'checkup', date: 'tomorrow', durationMinutes: 30, petId: 20 },
        400,
        'VALIDATION',
      ],
      [
        'POST',
        '/api/appointments',
        { title: 'A', type: 'checkup', date: '2026-11-26T09:30:00Z', durationMinutes: 30, petId: 999 },
        400,
        'VALIDATION',
      ],
      ['POST', '/api/users', { name: 'Eve', role: 'ADMIN' }, 400, 'VALIDATION'],
      ['POST', '/api/pets', { name: 'Tom', species: 'cat', ownerId: 10, colour: 'red' }, 400, 'VALIDATION'],
      ['PATCH', '/api/appointments/31', { title: 'x' }, 404, 'NOT_FOUND'],
      ['PATCH', '/api/appointments/abc', { title: 'x' }, 400, 'VALIDATION'],
      ['POST', '/api/pets', [1, 2], 400, 'VALIDATION'],
    ];
    for (const [method, path, body, status, code] of cases) {
      const res = await device.fetch(method, path, body);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status, code });
      expect(res.body.error.message.length).toBeGreaterThan(3);
    }
    expect(await queueRows(device.db)).toEqual([]);
  });

  it('refuses writes without a session', async () => {
    const device = await createTestDevice(offline);
    const res = await device.fetch('POST', '/api/users', { name: 'Eve', role: 'CLIENT' });
    expect(res.status).toBe(401);
    expect(await queueRows(device.db)).toEqual([]);
  });

  it('a quota error refuses the write with 507 and leaves neither a record nor an operation', async () => {
    const device = await seededDevice();
    vi.spyOn(FakeObjectStore.prototype, 'add').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const res = await device.fetch('POST', '/api/users', { name: 'Eve Client', role: 'CLIENT' });
    expect(res.status).toBe(507);
    expect(res.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    expect(res.body.error.message).toMatch(/NOT saved/);
    vi.restoreAllMocks();
    expect(
      (await device.fetch('GET', '/api/users?role=CLIENT')).body.data.map((u: { name: string }) => u.name),
    ).toEqual(['Alice Owner']);
    expect(await queueRows(device.db)).toEqual([]);
  });
});

describe("an appointment's client is its pet's current owner (D1)", () => {
  it('reads and the clientId filter follow an owner change pulled for the pet, even for appointments stored before it', async () => {
    const device = await seededDevice();
    const { owner, pet, appt } = serverRecords();
    const other = { ...owner, id: 11, name: 'Bob Other', email: 'bob@example.com' };
    // The server moved the pet to Bob; the appointment itself did not change (no change is pulled for it).
    await applyPullPage(
      device.db,
      [pulled('users', other), pulled('pets', { ...pet, ownerId: 11, version: 2 })],
      'cursor-2',
      2,
    );
    expect((await device.fetch('GET', `/api/appointments/${appt.id}`)).body.data.clientId).toBe(11);
    expect(
      (await device.fetch('GET', '/api/appointments?clientId=11')).body.data.map((a: { id: number }) => a.id),
    ).toEqual([30]);
    expect((await device.fetch('GET', '/api/appointments?clientId=10')).body.data).toEqual([]);
    const day = await device.fetch('GET', '/api/appointments?from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z');
    expect(day.body.data).toMatchObject([{ id: 30, clientId: 11 }]);
  });

  it('follows a local owner change too, and a new appointment answers with the owner of its pet', async () => {
    const device = await seededDevice();
    const bob = (await device.fetch('POST', '/api/users', { name: 'Bob New', role: 'CLIENT' })).body.data;
    await device.fetch('PATCH', '/api/pets/20', { ownerId: bob.id });
    expect((await device.fetch('GET', '/api/appointments/30')).body.data.clientId).toBe(bob.id);
    expect((await device.fetch('GET', `/api/appointments?clientId=${bob.id}`)).body.data).toHaveLength(1);
    const created = await device.fetch('POST', '/api/appointments', {
      title: 'Nails',
      type: 'grooming',
      date: '2026-11-27T09:00:00Z',
      durationMinutes: 15,
      petId: 20,
      practitionerId: null,
    });
    expect(created.body.data.clientId).toBe(bob.id);
  });
});

describe('stable local keys', () => {
  const ack = (
    req: {
      operations: {
        opId: string;
        operation: string;
        entityType: string;
        tempId?: string;
        entityId?: unknown;
        data?: Record<string, unknown>;
      }[];
    },
    ids: Record<string, number>,
    records: Record<number, Record<string, unknown>>,
  ): PushResponse => ({
    success: true,
    processed: req.operations.length,
    failed: 0,
    conflicts: 0,
    timestamp: 1,
    results: req.operations.map((op) => {
      const realId = ids[String(op.tempId ?? op.entityId)]!;
      return { opId: op.opId, success: true, entityType: op.entityType, realId, version: 1, record: records[realId]! };
    }),
  });

  it('a record created here keeps answering at its temp id and at its server id; references and filters work by either', async () => {
    const { owner } = serverRecords();
    const base = {
      practiceId: 1,
      version: 1,
      createdAt: iso('2026-11-25T09:00:00Z'),
      updatedAt: iso('2026-11-25T09:00:00Z'),
      deletedAt: null,
    };
    let petTemp = '';
    let apptTemp = '';
    const transport: TestTransport = {
      push: async (req) =>
        ack(
          req,
          { [petTemp]: 501, [apptTemp]: 601 },
          {
            501: { ...base, id: 501, name: 'Pixel', species: 'cat', breed: null, birthDate: null, ownerId: 10 },
            // As the server stores it: references by server id, client derived.
            601: {
              ...base,
              id: 601,
              title: 'First visit',
              type: 'checkup',
              date: iso('2026-11-26T10:00:00Z'),
              durationMinutes: '30',
              status: 'scheduled',
              notes: null,
              petId: 501,
              practitionerId: null,
              clientId: owner.id,
            },
          },
        ),
      pull: async () => ({ success: true, timestamp: 2, changes: [], hasMore: false, nextTimestamp: 2, cursor: 'c2' }),
    };
    const device = await seededDevice(transport);
    petTemp = (await device.fetch('POST', '/api/pets', { name: 'Pixel', species: 'cat', ownerId: 10 })).body.data.id;
    apptTemp = (
      await device.fetch('POST', '/api/appointments', {
        title: 'First visit',
        type: 'checkup',
        date: '2026-11-26T10:00:00Z',
        durationMinutes: 30,
        petId: petTemp,
        practitionerId: null,
      })
    ).body.data.id;
    expect(await device.engine.sync('manual')).toMatchObject({ pushed: 2, error: null });

    for (const id of [petTemp, 501])
      expect((await device.fetch('GET', `/api/pets/${id}`)).body.data).toMatchObject({ id: 501, _pending: false });
    for (const id of [apptTemp, 601])
      expect((await device.fetch('GET', `/api/appointments/${id}`)).body.data).toMatchObject({
        id: 601,
        petId: 501,
        clientId: 10,
      });
    for (const petId of [petTemp, 501]) {
      expect(
        (await device.fetch('GET', `/api/appointments?petId=${petId}`)).body.data.map((a: { id: number }) => a.id),
      ).toEqual([601]);
    }
    // The keys did not move: one record each, under the temp id.
    expect(await device.db.getAllKeys('pets')).toEqual([20, petTemp]);
    expect((await device.fetch('GET', '/api/pets')).body.data).toHaveLength(2);
    // An edit through either id lands on the same record and is queued against it.
    await device.fetch('PATCH', '/api/pets/501', { name: 'Pixel II' });
    await device.fetch('PATCH', `/api/pets/${petTemp}`, { breed: 'Tabby' });
    expect(await queueRows(device.db)).toMatchObject([
      { operation: 'update', entityId: petTemp, data: { name: 'Pixel II', breed: 'Tabby' }, baseVersion: 1 },
    ]);
  });
});

describe('pull rebase', () => {
  it('a pulled record keeps the pending local change on top', async () => {
    const device = await seededDevice();
    await device.fetch('PATCH', '/api/appointments/30', { notes: 'bring the vaccination card' });
    const { appt } = serverRecords();
    await applyPullPage(
      device.db,
      [pulled('appointments', { ...appt, title: 'Annual checkup', version: 2 })],
      'cursor-2',
      2,
    );
    const res = await device.fetch('GET', '/api/appointments/30');
    expect(res.body.data).toMatchObject({
      title: 'Annual checkup',
      notes: 'bring the vaccination card',
      version: 2,
      _pending: true,
    });
    // The operation still carries the version the user edited.
    expect((await queueRows(device.db))[0]).toMatchObject({ baseVersion: 1 });
  });

  it('a malformed pulled record is set aside; the rest of the page is stored and the cursor moves on', async () => {
    const device = await seededDevice();
    const { pet, appt } = serverRecords();
    const farFuture = { ...appt, id: 31, date: '+010000-01-01T23:58:59.000Z', version: 1 };
    const summary = await applyPullPage(
      device.db,
      [pulled('appointments', farFuture), pulled('pets', { ...pet, name: 'Rex II', version: 2 })],
      'cursor-2',
      3,
    );
    expect(summary.quarantined).toEqual([
      expect.objectContaining({
        entityType: 'appointments',
        id: 31,
        version: 1,
        reason: expect.stringMatching(/^date: /),
      }),
    ]);
    expect((await device.db.get('meta', 'pullCursor'))?.value).toBe('cursor-2');
    expect((await device.fetch('GET', `/api/pets/${pet.id}`)).body.data.name).toBe('Rex II');
    expect((await device.fetch('GET', '/api/appointments/31')).status).toBe(404);
    expect(await device.ask({ type: 'GET_QUARANTINE' })).toEqual([
      expect.objectContaining({ id: 31, raw: expect.stringContaining('+010000') }),
    ]);
  });

  it('a later valid version of a quarantined record takes its place and clears the entry', async () => {
    const device = await seededDevice();
    const { appt } = serverRecords();
    await applyPullPage(device.db, [pulled('appointments', { ...appt, id: 31, date: 'not a date' })], 'cursor-2', 3);
    expect(await device.ask({ type: 'GET_QUARANTINE' })).toHaveLength(1);
    await applyPullPage(device.db, [pulled('appointments', { ...appt, id: 31, version: 2 })], 'cursor-3', 4);
    expect(await device.ask({ type: 'GET_QUARANTINE' })).toEqual([]);
    expect((await device.fetch('GET', '/api/appointments/31')).status).toBe(200);
  });
});

describe('engine edges', () => {
  it('retries network errors with backoff, then keeps everything queued', async () => {
    const device = await seededDevice(offline);
    await device.fetch('POST', '/api/users', { name: 'Eve Client', role: 'CLIENT' });
    const result = await device.engine.sync('manual');
    expect(result.error).toMatchObject({ code: 'NETWORK' });
    expect(device.sleeps).toEqual([75, 150]); // maxAttempts 3: two waits, jitter 0.5
    const queue = await queueRows(device.db);
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatchObject({ status: 'pending', attempts: 1, lastError: { code: 'NETWORK' } });
  });

  it('a 401 pauses sync, says "sign in", and keeps every operation', async () => {
    const expired: TestTransport = {
      push: async () => {
        throw new TransportError('auth', { code: 'UNAUTHENTICATED', message: 'no session' }, 401);
      },
      pull: async () => {
        throw new Error('must not pull');
      },
    };
    const device = await seededDevice(expired);
    await device.fetch('POST', '/api/users', { name: 'Eve Client', role: 'CLIENT' });
    const result = await device.engine.sync('manual');
    expect(result.error?.code).toBe('UNAUTHENTICATED');
    expect(device.events.some((e) => e.type === 'AUTH_REQUIRED')).toBe(true);
    expect(device.sleeps).toEqual([]);
    expect((await queueStats(device.db)).pending).toBe(1);
  });

  it('after a restart, operations left in flight are pending again', async () => {
    const device = await seededDevice();
    await device.fetch('POST', '/api/users', { name: 'Eve Client', role: 'CLIENT' });
    await takeBatch(device.db, new BatchPlanner(() => true), 10, device.clock.now);
    expect((await queueStats(device.db)).inFlight).toBe(1);
    expect(await resetInFlight(device.db)).toBe(1);
    expect(await queueRows(device.db)).toMatchObject([{ status: 'pending', attempts: 1 }]);
  });

  it('a batch left in flight by the previous worker (replaced after this one started) is sent by the next run', async () => {
    // The new worker started (and found nothing in flight) while the old one still ran; the old one
    // then marked a batch in flight and was stopped by the update before its answer came.
    const sent: string[] = [];
    const server: TestTransport = {
      push: async (req) => {
        sent.push(...req.operations.map((op) => op.opId));
        return acceptAll(req);
      },
      pull: async () => NOTHING_NEW,
    };
    const oldWorker = await seededDevice(offline);
    await oldWorker.fetch('POST', '/api/users', { name: 'Eve Client', role: 'CLIENT' });
    await takeBatch(oldWorker.db, new BatchPlanner(() => true), 10, oldWorker.clock.now);
    const newWorker = await createTestDevice(server, { db: oldWorker.db, withLock: (work) => work() });
    const result = await newWorker.engine.sync('manual');
    expect(result.error).toBeNull();
    expect(sent).toHaveLength(1);
    expect(await queueStats(newWorker.db)).toMatchObject({ pending: 0, inFlight: 0 });
  });

  it('two syncs requested at once share one run: each operation is sent once', async () => {
    let pushes = 0;
    const counting: TestTransport = {
      push: async (req) => {
        pushes += req.operations.length;
        await new Promise((r) => setTimeout(r, 5));
        return acceptAll(req);
      },
      pull: async () => NOTHING_NEW,
    };
    const device = await seededDevice(counting);
    await device.fetch('POST', '/api/users', { name: 'Eve Client', role: 'CLIENT' });
    await device.fetch('POST', '/api/users', { name: 'Fay Client', role: 'CLIENT' });
    const [a, b] = await Promise.all([device.engine.sync('manual'), device.engine.sync('background-sync')]);
    expect(a).toBe(b);
    expect(pushes).toBe(2);
    expect((await queueStats(device.db)).pending).toBe(0);
  });
});

describe('a sync run with an unreadable pulled record', () => {
  it('goes on, logs it, counts it in the state, and "last activity" is that run', async () => {
    const { owner, pet, appt } = serverRecords();
    const page = (changes: PullChange[], cursor: string) => ({
      success: true as const,
      timestamp: 5,
      changes,
      hasMore: false,
      nextTimestamp: 5,
      cursor,
    });
    const transport: TestTransport = {
      push: async () => {
        throw new Error('nothing to push');
      },
      pull: async () =>
        page(
          [
            pulled('users', owner),
            pulled('pets', pet),
            pulled('appointments', { ...appt, date: '+010000-01-01T00:00:00.000Z' }),
          ],
          'c1',
        ),
    };
    const device = await createTestDevice(transport);
    await device.signIn(NORTHSIDE_STAFF);
    const result = await device.engine.sync('manual');
    expect(result).toMatchObject({ error: null, pulled: 2 });
    const state = await device.ask({ type: 'GET_STATE' });
    expect(state).toMatchObject({ quarantined: 1, lastActivity: { pulled: 2 } });
    expect((await device.fetch('GET', `/api/pets/${pet.id}`)).status).toBe(200);

    // A run that finds nothing leaves "last activity" alone.
    transport.pull = async () => page([], 'c2');
    await device.engine.sync('manual');
    expect(await device.ask({ type: 'GET_STATE' })).toMatchObject({
      lastResult: { pulled: 0 },
      lastActivity: { pulled: 2 },
    });
  });
});
