/**
 * The worker's sync engine (fake-indexeddb) against the real server in-process (SQLite file):
 * temp-id chains, coalescing, lost replies, restarts, backoff, and every conflict path.
 */
import { describe, expect, it, vi } from 'vitest';
import { bookVisit, createTestDevice, queueRows, type TestDevice, type TestTransport } from './device.ts';
import { serverTransport, useTestServer } from './with-server.ts';
import { count, seedIds, type Client } from '../../server/helpers.ts';
import { TransportError } from '../../../sw/sync/transport.ts';
import { queueStats, resetInFlight, takeBatch } from '../../../sw/store/queue.ts';
import { BatchPlanner } from '../../../sw/core/batch-plan.ts';
import { listConflicts, applyResolution } from '../../../sw/store/conflicts.ts';
import {
  WorkerReplySchema,
  type PullResponse,
  type PushRequest,
  type PushResponse,
  type Resolution,
} from '../../../src/protocol/index.ts';
import type { PullParams, SyncTransport } from '../../../sw/sync/transport.ts';

const ctx = useTestServer();

interface CountingTransport {
  push(request: PushRequest): Promise<PushResponse>;
  pull(params: PullParams): Promise<PullResponse>;
  /** Operations per push request, in order. */
  pushes: number[];
}

/** The worker's real HTTP transport, with the test client's session cookie. */
function transportFor(client: Client): CountingTransport {
  const pushes: number[] = [];
  const inner = serverTransport(ctx.server, client);
  return {
    pushes,
    async push(request) {
      pushes.push(request.operations.length);
      return (await inner.preparePush(request)).send();
    },
    pull: (params) => inner.pull(params),
  };
}

async function onlineDevice(transport?: TestTransport): Promise<TestDevice & { transport: CountingTransport }> {
  const t = transportFor(ctx.staff);
  const device = await createTestDevice(transport ?? t);
  await device.signIn(ctx.user);
  const first = await device.engine.sync('login');
  expect(first.error).toBeNull();
  return Object.assign(device, { transport: t });
}

describe('temp ids and coalescing', () => {
  it('a client, their pet and an appointment created offline reach the server linked by real ids', async () => {
    const device = await onlineDevice();
    const practitioner = seedIds(ctx.server.db).practitionerId;
    const client = (
      await device.fetch('POST', '/api/users', { name: 'Nora New', email: 'nora@example.com', role: 'CLIENT' })
    ).body.data;
    const pet = (await device.fetch('POST', '/api/pets', { name: 'Biscuit', species: 'dog', ownerId: client.id })).body
      .data;
    const appt = (
      await bookVisit(device, {
        title: 'Biscuit first visit',
        date: '2026-03-12T09:00:00Z',
        durationMinutes: 45,
        petId: pet.id,
        practitionerId: practitioner,
      })
    ).body.data;
    expect([client.id, pet.id, appt.id].every((id: string) => id.startsWith('temp_'))).toBe(true);
    expect(appt.clientId).toBe(client.id);

    const result = await device.engine.sync('manual');
    expect(result).toMatchObject({ pushed: 3, failed: 0, conflicts: 0, error: null });
    const row = ctx.server.db
      .prepare(
        "SELECT a.id, a.pet_id AS petId, p.owner_id AS clientId, a.duration_minutes AS d FROM appointments a JOIN pets p ON p.id = a.pet_id WHERE title = 'Biscuit first visit'",
      )
      .get() as { id: number; petId: number; clientId: number; d: string };
    const petRow = ctx.server.db
      .prepare(
        'SELECT p.id, p.owner_id AS ownerId, p.name, u.name AS ownerName FROM pets p JOIN users u ON u.id = p.owner_id WHERE p.id = ?',
      )
      .get(row.petId) as { id: number; ownerId: number; name: string; ownerName: string };
    expect(petRow).toMatchObject({ name: 'Biscuit', ownerName: 'Nora New' });
    expect(row).toMatchObject({ clientId: petRow.ownerId, d: '45' });

    // Locally every temp id became the real one, and the old ids still answer.
    const local = (await device.fetch('GET', `/api/appointments/${appt.id}`)).body.data;
    expect(local).toMatchObject({ id: row.id, petId: petRow.id, clientId: petRow.ownerId, _pending: false });
    expect((await device.fetch('GET', `/api/pets/${pet.id}`)).body.data.id).toBe(petRow.id);
    expect(
      (await device.fetch('GET', `/api/pets?ownerId=${petRow.ownerId}`)).body.data.map((p: { name: string }) => p.name),
    ).toEqual(['Biscuit']);
    // Keys never change: the appointment is still stored under its temp id, with its server id as a field.
    expect(await device.db.get('appointments', appt.id)).toMatchObject({
      id: row.id,
      _tempId: appt.id,
      _serverId: row.id,
    });
    expect(await queueRows(device.db)).toEqual([]);
  });

  it('a pet created in one sync and its appointment in a later one resolve across pushes', async () => {
    const device = await onlineDevice();
    const { clientId } = seedIds(ctx.server.db);
    const pet = (await device.fetch('POST', '/api/pets', { name: 'Olive', species: 'cat', ownerId: clientId })).body
      .data;
    const appt = (await bookVisit(device, { title: 'Olive visit', date: '2026-03-12T09:00:00Z', petId: pet.id })).body
      .data;
    // Push only the pet first (batch size 1), then the appointment.
    const small = await createTestDevice(transportFor(ctx.staff), { db: device.db, config: { batchSize: 1 } });
    await small.signIn(ctx.user);
    expect((await small.engine.sync('manual')).pushed).toBe(2);
    expect(
      count(
        ctx.server.db,
        "SELECT count(*) FROM appointments a JOIN pets p ON p.id = a.pet_id WHERE a.title = 'Olive visit' AND p.name = 'Olive'",
      ),
    ).toBe(1);
    expect((await small.fetch('GET', `/api/appointments/${appt.id}`)).body.data.petId).toEqual(expect.any(Number));
  });

  it('create + updates are queued and sent as one create; create + delete sends nothing', async () => {
    const device = await onlineDevice();
    const { petId } = seedIds(ctx.server.db);
    const a = (await bookVisit(device, { title: 'Draft', date: '2026-03-12T09:00:00Z', petId })).body.data;
    await device.fetch('PATCH', `/api/appointments/${a.id}`, { title: 'Biscuit dental cleaning' });
    await device.fetch('PATCH', `/api/appointments/${a.id}`, { notes: 'fasting from 8pm' });
    const b = (await bookVisit(device, { title: 'Mistake', date: '2026-03-12T10:00:00Z', petId })).body.data;
    await device.fetch('DELETE', `/api/appointments/${b.id}`);
    // Folded as they were made: one create left; the create + delete left nothing, not even the record.
    expect(await queueRows(device.db)).toMatchObject([
      { operation: 'create', data: { title: 'Biscuit dental cleaning', notes: 'fasting from 8pm' } },
    ]);
    expect((await device.fetch('GET', `/api/appointments/${b.id}`)).status).toBe(404);

    device.transport.pushes.length = 0;
    const result = await device.engine.sync('manual');
    expect(result.pushed).toBe(1);
    expect(device.transport.pushes).toEqual([1]);
    expect(
      ctx.server.db
        .prepare("SELECT title, notes, version FROM appointments WHERE title = 'Biscuit dental cleaning'")
        .all(),
    ).toEqual([{ title: 'Biscuit dental cleaning', notes: 'fasting from 8pm', version: 1 }]);
    expect(count(ctx.server.db, "SELECT count(*) FROM appointments WHERE title = 'Mistake'")).toBe(0);
  });

  it('updates of one record made while offline become one update with the first base version', async () => {
    const device = await onlineDevice();
    const { appointmentId } = seedIds(ctx.server.db);
    await device.fetch('PATCH', `/api/appointments/${appointmentId}`, { title: 'Renamed' });
    await device.fetch('PATCH', `/api/appointments/${appointmentId}`, { notes: 'second edit' });
    device.transport.pushes.length = 0;
    expect(await device.engine.sync('manual')).toMatchObject({ pushed: 1, conflicts: 0 });
    expect(device.transport.pushes).toEqual([1]);
    expect(
      ctx.server.db.prepare('SELECT title, notes, version FROM appointments WHERE id = ?').get(appointmentId),
    ).toEqual({ title: 'Renamed', notes: 'second edit', version: 2 });
  });
});

describe('safe retries', () => {
  it('a lost reply, then a retry, leaves exactly one row on the server', async () => {
    const real = transportFor(ctx.staff);
    let loseNext = true;
    const lossy: TestTransport = {
      pull: (p) => real.pull(p),
      push: async (req) => {
        const response = await real.push(req); // the server applied it...
        if (loseNext) {
          loseNext = false;
          throw new TransportError('retry', { code: 'NETWORK', message: 'connection reset' }, null); // ...but the reply is lost
        }
        return response;
      },
    };
    const device = await onlineDevice(lossy);
    const { petId } = seedIds(ctx.server.db);
    await bookVisit(device, { title: 'Only once', date: '2026-03-12T09:00:00Z', petId });
    const result = await device.engine.sync('manual');
    expect(result).toMatchObject({ pushed: 1, error: null });
    expect(device.sleeps).toHaveLength(1); // one backoff wait before the retry
    expect(count(ctx.server.db, "SELECT count(*) FROM appointments WHERE title = 'Only once'")).toBe(1);
    expect(await queueRows(device.db)).toEqual([]);
  });

  it('a worker killed with a batch in flight sends it again after restart, and the server keeps one row', async () => {
    const device = await onlineDevice();
    const { petId } = seedIds(ctx.server.db);
    await bookVisit(device, { title: 'Killed mid-flight', date: '2026-03-12T09:00:00Z', petId });
    const taken = await takeBatch(device.db, new BatchPlanner(() => true), 10, device.clock.now);
    const inFlight = taken!.rows[0];
    // The request reached the server before the worker died.
    await ctx.staff.push([
      { ...inFlight!, id: inFlight!.id, version: undefined, tempId: inFlight!.tempId!, data: inFlight!.data! },
    ]);
    expect(count(ctx.server.db, "SELECT count(*) FROM appointments WHERE title = 'Killed mid-flight'")).toBe(1);

    const restarted = device.restart();
    const { resetInFlight } = await import('../../../sw/store/queue.ts');
    expect(await resetInFlight(restarted.db)).toBe(1);
    expect(await restarted.engine.sync('startup')).toMatchObject({ pushed: 1, error: null });
    expect(count(ctx.server.db, "SELECT count(*) FROM appointments WHERE title = 'Killed mid-flight'")).toBe(1);
    const local = await restarted.fetch('GET', `/api/appointments/${inFlight!.entityId}`);
    expect(local.body.data.id).toEqual(expect.any(Number));
  });

  it('5xx answers are retried with growing, jittered waits until one succeeds', async () => {
    const real = transportFor(ctx.staff);
    let failures = 2;
    const flaky: TestTransport = {
      pull: (p) => real.pull(p),
      push: async (req) => {
        if (failures-- > 0) throw new TransportError('retry', { code: 'SERVER_ERROR', message: 'HTTP 503' }, 503);
        return real.push(req);
      },
    };
    const device = await onlineDevice(flaky);
    const { clientId } = seedIds(ctx.server.db);
    await device.fetch('POST', '/api/pets', { name: 'Flaky', species: 'dog', ownerId: clientId });
    expect(await device.engine.sync('manual')).toMatchObject({ pushed: 1, error: null });
    expect(device.sleeps).toEqual([75, 150]);
  });
});

describe('the pipelined drain', () => {
  let slot = 0;
  /** Books a visit in a slot of its own (one pet twice at one time would be a double booking). */
  function book(device: TestDevice, petId: number, title: string) {
    const date = new Date(Date.UTC(2031, 2, 12, 8) + slot++ * 30 * 60_000).toISOString();
    return bookVisit(device, { title, date, petId });
  }

  it('a worker killed with two batches in flight (one answered by the server, one not yet sent) resends both; the server keeps one row each', async () => {
    const real = transportFor(ctx.staff);
    let pushes = 0;
    let secondApplied!: () => void;
    const secondReachedServer = new Promise<void>((resolve) => (secondApplied = resolve));
    const dying: TestTransport = {
      pull: (p) => real.pull(p),
      push: async (req) => {
        pushes++;
        const response = await real.push(req);
        if (pushes < 2) return response;
        secondApplied();
        return new Promise<PushResponse>(() => undefined); // the worker dies before the answer arrives
      },
    };
    const online = await onlineDevice();
    const { petId } = seedIds(ctx.server.db);
    for (let i = 0; i < 7; i++) await book(online, petId, `Killed pipeline ${i}`);
    const device = await createTestDevice(dying, { db: online.db, config: { batchSize: 2, maxBatchSize: 2 } });
    await device.signIn(ctx.user);
    void device.engine.sync('manual');
    await secondReachedServer;
    // Batch 2 is on the server, its answer lost; batch 3 is taken and serialised, not sent.
    await vi.waitFor(async () => expect(await device.db.count('sync_batches')).toBe(2));
    expect(count(ctx.server.db, "SELECT count(*) FROM appointments WHERE title LIKE 'Killed pipeline %'")).toBe(4);
    expect(await queueStats(device.db)).toMatchObject({ inFlight: 4, pending: 1 });

    const again = await createTestDevice(transportFor(ctx.staff), { db: device.db });
    await again.signIn(ctx.user);
    expect(await resetInFlight(again.db)).toBe(4);
    expect(await again.engine.sync('startup')).toMatchObject({ pushed: 5, error: null });
    expect(count(ctx.server.db, "SELECT count(*) FROM appointments WHERE title LIKE 'Killed pipeline %'")).toBe(7);
    expect(
      count(ctx.server.db, "SELECT count(DISTINCT title) FROM appointments WHERE title LIKE 'Killed pipeline %'"),
    ).toBe(7);
    expect(await queueRows(again.db)).toEqual([]);
    const local = (await again.fetch('GET', '/api/appointments?from=2031-03-12T00:00:00Z&to=2031-03-14T00:00:00Z')).body
      .data;
    expect(
      local.filter(
        (a: { title: string; id: unknown }) => a.title.startsWith('Killed pipeline') && typeof a.id === 'number',
      ),
    ).toHaveLength(7);
  });

  /** The worker's HTTP transport with a hook on each push: `n` counts the pushes from 1. */
  function hookedTransport(
    around: (
      n: number,
      send: (onAccepted?: () => void) => Promise<PushResponse>,
      onAccepted?: () => void,
    ) => Promise<PushResponse>,
  ): SyncTransport {
    const inner = serverTransport(ctx.server, ctx.staff);
    let pushes = 0;
    return {
      pull: (params) => inner.pull(params),
      async preparePush(request) {
        const prepared = await inner.preparePush(request);
        return { send: (onAccepted) => around(++pushes, (hook) => prepared.send(hook), onAccepted) };
      },
    };
  }

  it('batch k+1 leaves as soon as the server applied batch k, before the answer to k is read', async () => {
    let secondLeft!: () => void;
    const second = new Promise<void>((resolve) => (secondLeft = resolve));
    const accepted: number[] = [];
    const transport = hookedTransport(async (n, send, onAccepted) => {
      if (n === 2) secondLeft();
      const answer = await send(() => {
        accepted.push(n);
        onAccepted?.();
      });
      // The answer to batch 1 is still being read when batch 2 leaves: if the engine waited for
      // it before sending batch 2, this run would never end.
      if (n === 1) await second;
      return answer;
    });
    const online = await onlineDevice();
    const { petId } = seedIds(ctx.server.db);
    for (let i = 0; i < 5; i++) await book(online, petId, `Sent on acceptance ${i}`);
    const device = await createTestDevice(transport, { db: online.db, config: { batchSize: 2, maxBatchSize: 2 } });
    await device.signIn(ctx.user);
    expect(await device.engine.sync('manual')).toMatchObject({ pushed: 5, failed: 0, error: null });
    expect(accepted).toEqual([1, 2, 3]);
    expect(
      ctx.server.db
        .prepare("SELECT title FROM appointments WHERE title LIKE 'Sent on acceptance %' ORDER BY id")
        .pluck()
        .all(),
    ).toEqual([0, 1, 2, 3, 4].map((i) => `Sent on acceptance ${i}`));
    expect(await queueRows(device.db)).toEqual([]);
  });

  it('a batch the server refuses stops the run before the next batch leaves', async () => {
    const sent: number[] = [];
    const transport = hookedTransport(async (n, send, onAccepted) => {
      sent.push(n);
      if (n === 1) throw new TransportError('fatal', { code: 'BAD_REQUEST', message: 'refused' }, 400);
      return send(onAccepted);
    });
    const online = await onlineDevice();
    const { petId } = seedIds(ctx.server.db);
    for (let i = 0; i < 4; i++) await book(online, petId, `Refused batch ${i}`);
    const device = await createTestDevice(transport, { db: online.db, config: { batchSize: 2, maxBatchSize: 2 } });
    await device.signIn(ctx.user);
    expect((await device.engine.sync('manual')).error).toMatchObject({ code: 'BAD_REQUEST' });
    expect(sent).toEqual([1]);
    expect(count(ctx.server.db, "SELECT count(*) FROM appointments WHERE title LIKE 'Refused batch %'")).toBe(0);
    expect(await queueStats(device.db)).toMatchObject({ failed: 2, pending: 2, inFlight: 0 });
  });

  it("an edit made while its record's create is in flight is queued behind it and reaches the server on the new version", async () => {
    const real = transportFor(ctx.staff);
    let device!: TestDevice;
    let tempId = '';
    let edited = false;
    const editing: TestTransport = {
      pull: (p) => real.pull(p),
      push: async (req) => {
        if (!edited && req.operations.some((op) => op.entityId === tempId)) {
          edited = true; // the user edits the record while its create is on the wire
          expect(
            (await device.fetch('PATCH', `/api/appointments/${tempId}`, { notes: 'edited in flight' })).status,
          ).toBe(200);
        }
        return real.push(req);
      },
    };
    device = await onlineDevice(editing);
    const { petId } = seedIds(ctx.server.db);
    tempId = (await book(device, petId, 'Edited in flight')).body.data.id;
    expect(await device.engine.sync('manual')).toMatchObject({ pushed: 2, conflicts: 0, error: null });
    expect(
      ctx.server.db.prepare("SELECT notes, version FROM appointments WHERE title = 'Edited in flight'").get(),
    ).toEqual({ notes: 'edited in flight', version: 2 });
    expect((await device.fetch('GET', `/api/appointments/${tempId}`)).body.data).toMatchObject({
      notes: 'edited in flight',
      version: 2,
      _pending: false,
    });
  });

  it('grows batches with the queue and keeps references across batches: pets in one push, their appointments in later ones', async () => {
    const device = await onlineDevice();
    const { clientId } = seedIds(ctx.server.db);
    const pets: string[] = [];
    for (let i = 0; i < 6; i++)
      pets.push(
        (await device.fetch('POST', '/api/pets', { name: `Batch pet ${i}`, species: 'dog', ownerId: clientId })).body
          .data.id,
      );
    for (const [i, petId] of pets.entries()) await book(device, petId as unknown as number, `Batch visit ${i}`);
    const small = await createTestDevice(device.transport, {
      db: device.db,
      config: { batchSize: 3, maxBatchSize: 5 },
    });
    await small.signIn(ctx.user);
    device.transport.pushes.length = 0;
    expect(await small.engine.sync('manual')).toMatchObject({ pushed: 12, failed: 0, error: null });
    expect(device.transport.pushes).toEqual([3, 3, 3, 3]); // 12 queued → batches of max(3, min(5, 12/4))
    const linked = count(
      ctx.server.db,
      "SELECT count(*) FROM appointments a JOIN pets p ON p.id = a.pet_id WHERE a.title LIKE 'Batch visit %' AND p.name LIKE 'Batch pet %' AND substr(a.title, 13) = substr(p.name, 11)",
    );
    expect(linked).toBe(6);
  });

  it('does not write back what the device just pushed: the pull skips versions the replica holds', async () => {
    const device = await onlineDevice();
    const { petId, appointmentId } = seedIds(ctx.server.db);
    for (let i = 0; i < 3; i++) await book(device, petId, `Own write ${i}`);
    await device.fetch('PATCH', `/api/appointments/${appointmentId}`, { notes: 'own edit' });
    const result = await device.engine.sync('manual');
    expect(result).toMatchObject({ pushed: 4, pulled: 0, error: null });
    // A change made elsewhere is pulled as usual.
    const other = await ctx.server.login('vet@northside.example');
    expect(
      (await other.request('PATCH', `/api/appointments/${appointmentId}`, { title: 'Changed by the vet' })).status,
    ).toBe(200);
    expect(await device.engine.sync('manual')).toMatchObject({ pushed: 0, pulled: 1 });
    expect((await device.fetch('GET', `/api/appointments/${appointmentId}`)).body.data).toMatchObject({
      title: 'Changed by the vet',
      notes: 'own edit',
    });
  });
});

describe('conflicts', () => {
  /** The vet edits the appointment on the server, at the version the server holds. */
  async function vetEdits(appointmentId: number, changes: Record<string, unknown>) {
    const vet = await ctx.server.login('vet@northside.example');
    const { version } = ctx.server.db.prepare('SELECT version FROM appointments WHERE id = ?').get(appointmentId) as {
      version: number;
    };
    expect((await vet.request('PATCH', `/api/appointments/${appointmentId}`, { ...changes, version })).status).toBe(
      200,
    );
  }

  async function conflictOnTitle(options: { localNotes?: string } = {}) {
    const device = await onlineDevice();
    const { appointmentId } = seedIds(ctx.server.db);
    await device.fetch('PATCH', `/api/appointments/${appointmentId}`, {
      title: 'Local title',
      ...(options.localNotes ? { notes: options.localNotes } : {}),
    });
    ctx.server.clock.advance(60_000);
    await vetEdits(appointmentId, { title: 'Server title' });
    const result = await device.engine.sync('manual');
    expect(result.conflicts).toBe(1);
    const [conflict] = await listConflicts(device.db);
    return { device, appointmentId, conflict: conflict! };
  }

  async function resolveAndSync(device: TestDevice, conflictId: number, resolution: Resolution) {
    await applyResolution(device.db, conflictId, resolution, {
      now: device.clock.now,
      uuid: () => crypto.randomUUID(),
      userId: null,
    });
    const result = await device.engine.sync('manual');
    expect(result.error).toBeNull();
    expect(result.conflicts).toBe(0);
    expect(await queueStats(device.db)).toMatchObject({ pending: 0, conflicts: 0, failed: 0 });
  }

  function serverRow(id: number) {
    return ctx.server.db.prepare('SELECT title, notes FROM appointments WHERE id = ?').get(id) as {
      title: string;
      notes: string | null;
    };
  }

  it('records the conflict with both sides, and the screen keeps showing the local change', async () => {
    const { device, appointmentId, conflict } = await conflictOnTitle();
    expect(conflict).toMatchObject({
      entityType: 'appointments',
      entityId: appointmentId,
      conflictType: 'version',
      affectedFields: ['title'],
      localData: { title: 'Local title' },
      resolved: false,
    });
    expect(conflict.serverData).toMatchObject({ title: 'Server title' });
    expect(conflict.serverVersion).toBeGreaterThan(conflict.baseVersion);
    // What the dialog needs beyond the reference: fields changed only on the server, and when the
    // server's edit was made (last write wins compares that, not when the server received it).
    expect(conflict.serverChangedFields).toEqual(['title']);
    expect(conflict.serverEditedAt).toBe(Date.parse(String(conflict.serverData.updatedAt)));
    // And who made it (a REST edit by the vet at the desk), kept on the tablet for the dialog.
    const vet = ctx.server.db.prepare("SELECT id, name FROM users WHERE email = 'vet@northside.example'").get() as {
      id: number;
      name: string;
    };
    expect(conflict.serverEditedBy).toEqual({ id: vet.id, name: vet.name });
    expect((await device.fetch('GET', `/api/appointments/${appointmentId}`)).body.data).toMatchObject({
      title: 'Local title',
      _conflict: true,
    });
    expect(device.events.some((e) => e.type === 'CONFLICT_ADDED')).toBe(true);
  });

  it('server wins: the server record stays and the local change is dropped', async () => {
    const { device, appointmentId, conflict } = await conflictOnTitle();
    await resolveAndSync(device, conflict.id, { strategy: 'server_wins' });
    expect(serverRow(appointmentId).title).toBe('Server title');
    expect((await device.fetch('GET', `/api/appointments/${appointmentId}`)).body.data).toMatchObject({
      title: 'Server title',
      _pending: false,
      _conflict: false,
    });
  });

  it('server wins after a later server edit was pulled: the replica keeps the later version (found by the soak)', async () => {
    const { device, appointmentId, conflict } = await conflictOnTitle();
    // While the conflict waits, the server moves on and the device pulls that version.
    await vetEdits(appointmentId, { notes: 'Later server note' });
    await device.engine.sync('manual');
    await resolveAndSync(device, conflict.id, { strategy: 'server_wins' });
    const server = ctx.server.db
      .prepare('SELECT title, notes, version FROM appointments WHERE id = ?')
      .get(appointmentId);
    expect(server).toMatchObject({ title: 'Server title', notes: 'Later server note' });
    expect((await device.fetch('GET', `/api/appointments/${appointmentId}`)).body.data).toMatchObject({
      ...(server as object),
      _pending: false,
    });
  });

  it('client wins: the local change overwrites the server', async () => {
    const { device, appointmentId, conflict } = await conflictOnTitle();
    await resolveAndSync(device, conflict.id, { strategy: 'client_wins' });
    expect(serverRow(appointmentId).title).toBe('Local title');
  });

  it('last write wins picks the later of the local edit and the server update', async () => {
    // The device's clock (Nov 2026) is later than the server's (Mar 2026): the local edit wins.
    const first = await conflictOnTitle();
    await resolveAndSync(first.device, first.conflict.id, { strategy: 'last_write_wins' });
    expect(serverRow(first.appointmentId).title).toBe('Local title');
  });

  it('last write wins keeps the server when the server changed later', async () => {
    const { device, appointmentId, conflict } = await conflictOnTitle();
    const earlier = { ...conflict, localTimestamp: 0 };
    await device.db.put('conflicts', earlier);
    await resolveAndSync(device, conflict.id, { strategy: 'last_write_wins' });
    expect(serverRow(appointmentId).title).toBe('Server title');
  });

  it('merge keeps the fields only the device changed and takes a choice for the field both changed', async () => {
    const { device, appointmentId, conflict } = await conflictOnTitle({ localNotes: 'from the device' });
    await expect(
      applyResolution(
        device.db,
        conflict.id,
        { strategy: 'merge' },
        { now: 1, uuid: () => crypto.randomUUID(), userId: null },
      ),
    ).rejects.toThrow(/title/);
    // The page hears why, with a code of the protocol (it used to get "Malformed reply").
    const reply = await device.reply({
      type: 'RESOLVE_CONFLICT',
      conflictId: conflict.id,
      resolution: { strategy: 'merge' },
    });
    expect(WorkerReplySchema.parse(reply)).toEqual({
      ok: false,
      error: { code: 'CHOICE_REQUIRED', message: 'Choose a value for: title' },
    });
    expect(
      await device.reply({ type: 'RESOLVE_CONFLICT', conflictId: 999, resolution: { strategy: 'server_wins' } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT_NOT_FOUND' },
    });
    await resolveAndSync(device, conflict.id, { strategy: 'merge', fields: { title: { source: 'server' } } });
    expect(serverRow(appointmentId)).toEqual({ title: 'Server title', notes: 'from the device' });
  });

  it('manual: a typed value per field', async () => {
    const { device, appointmentId, conflict } = await conflictOnTitle();
    await resolveAndSync(device, conflict.id, {
      strategy: 'manual',
      fields: { title: { source: 'custom', value: 'Agreed title' } },
    });
    expect(serverRow(appointmentId).title).toBe('Agreed title');
    expect((await device.fetch('GET', `/api/appointments/${appointmentId}`)).body.data.title).toBe('Agreed title');
  });

  it('changes to different fields merge on the server without a conflict', async () => {
    const device = await onlineDevice();
    const { appointmentId } = seedIds(ctx.server.db);
    await device.fetch('PATCH', `/api/appointments/${appointmentId}`, { notes: 'device note' });
    await vetEdits(appointmentId, { title: 'Vet title' });
    expect(await device.engine.sync('manual')).toMatchObject({ pushed: 1, conflicts: 0 });
    expect(serverRow(appointmentId)).toEqual({ title: 'Vet title', notes: 'device note' });
    expect((await device.fetch('GET', `/api/appointments/${appointmentId}`)).body.data).toMatchObject({
      title: 'Vet title',
      notes: 'device note',
      _pending: false,
    });
  });

  it('a delete of a record the server changed since is a conflict; client wins confirms the delete', async () => {
    const device = await onlineDevice();
    const { appointmentId } = seedIds(ctx.server.db);
    await device.fetch('DELETE', `/api/appointments/${appointmentId}`);
    await vetEdits(appointmentId, { notes: 'vet added this' });
    expect(await device.engine.sync('manual')).toMatchObject({ conflicts: 1 });
    const [conflict] = await listConflicts(device.db);
    expect(conflict).toMatchObject({ localOperation: 'delete', conflictType: 'version' });
    await resolveAndSync(device, conflict!.id, { strategy: 'client_wins' });
    expect(
      count(ctx.server.db, 'SELECT count(*) FROM appointments WHERE id = ? AND deleted_at IS NOT NULL', appointmentId),
    ).toBe(1);
    expect((await device.fetch('GET', `/api/appointments/${appointmentId}`)).status).toBe(404);
  });

  it('an edit of a record the server deleted is a "deleted" conflict; keeping it re-creates the record', async () => {
    const device = await onlineDevice();
    const { appointmentId } = seedIds(ctx.server.db);
    await device.fetch('PATCH', `/api/appointments/${appointmentId}`, { notes: 'still coming' });
    const other = await ctx.server.login('vet@northside.example');
    expect((await other.request('DELETE', `/api/appointments/${appointmentId}`)).status).toBe(200);
    expect(await device.engine.sync('manual')).toMatchObject({ conflicts: 1 });
    const [conflict] = await listConflicts(device.db);
    expect(conflict).toMatchObject({ conflictType: 'deleted' });
    await resolveAndSync(device, conflict!.id, { strategy: 'client_wins' });
    expect(
      count(
        ctx.server.db,
        "SELECT count(*) FROM appointments WHERE notes = 'still coming' AND deleted_at IS NULL AND id != ?",
        appointmentId,
      ),
    ).toBe(1);
  });
});
