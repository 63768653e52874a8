/**
 * A shared tablet, the real engine and the real server: Maya Chen (reception) registers a new pet
 * and signs out before it is sent; Dr. Sam Patel (vet) signs in and books a visit for that pet.
 * His booking names the pet by its temp id, which the server learns only when Maya's create is
 * sent under her session: until then his booking waits (pending, not failed), and says what for.
 */
import { describe, expect, it, vi } from 'vitest';
import { bookVisit, queueRows, type TestDevice } from './device.ts';
import { sharedTablet } from './shared-tablet.ts';
import { useTestServer } from './with-server.ts';
import { count, seedIds } from '../../server/helpers.ts';
import { markRetryableFailed } from '../../../sw/store/queue.ts';

const ctx = useTestServer();
const { login, signInOnTablet, signedInTablet } = sharedTablet(ctx);

/** Registers Biscuit for the seed's first client through the worker; returns the pet's temp id. */
async function registerBiscuit(device: TestDevice, ownerId: number): Promise<string> {
  const res = await device.fetch('POST', '/api/pets', { name: 'Biscuit', species: 'Dog', ownerId });
  expect(res.status).toBe(201);
  const id: unknown = res.body.data.id;
  expect(id).toMatch(/^temp_pet_/);
  return id as string;
}

function serverBooking(title: string) {
  return ctx.server.db
    .prepare(
      'SELECT a.pet_id AS petId, p.name AS petName, p.owner_id AS ownerId FROM appointments a JOIN pets p ON p.id = a.pet_id WHERE a.title = ?',
    )
    .all(title) as { petId: number; petName: string; ownerId: number }[];
}

describe("a booking for another person's new pet on a shared tablet", () => {
  it('waits (never failed) until the pet is sent under its author, then goes on the next sync with the right pet', async () => {
    const { transport, device, who: maya } = await signedInTablet('reception@northside.example', { alignClock: true });
    const { clientId } = seedIds(ctx.server.db);
    const petTempId = await registerBiscuit(device, clientId);
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: false });

    const sam = await login('vet@northside.example');
    await signInOnTablet(device, transport, sam);
    const title = 'First visit — Biscuit';
    const booked = await bookVisit(device, {
      title,
      date: new Date(ctx.server.clock.now() + 2 * 86_400_000).toISOString(),
      petId: petTempId,
    });
    expect(booked.status).toBe(201);

    // His sync sends nothing of it and fails nothing: the booking stays pending, never tried.
    const result = await device.engine.sync('manual');
    expect(result).toMatchObject({ pushed: 0, failed: 0, conflicts: 0, error: null });
    const [petRow, bookingRow] = await queueRows(device.db);
    expect(petRow).toMatchObject({ entityType: 'pets', userId: maya.user.id, status: 'pending', attempts: 0 });
    expect(bookingRow).toMatchObject({
      entityType: 'appointments',
      userId: sam.user.id,
      status: 'pending',
      attempts: 0,
    });
    expect(serverBooking(title)).toEqual([]);

    // The counters say so (the indicator shows it as waiting, not as work a Sync Now would send)…
    expect((await device.ask({ type: 'GET_STATE' })).stats).toMatchObject({
      pending: 2,
      failed: 0,
      waitingForOthers: 1,
      waitingForChanges: 1,
    });
    // …and the Sync tab's list names what it waits for.
    const listed = await device.ask({ type: 'GET_OPERATIONS' });
    expect(listed.find((op) => op.id === bookingRow!.id)?.waitsFor).toEqual({
      operationId: petRow!.id,
      reason: 'reference',
    });
    expect(listed.find((op) => op.id === petRow!.id)?.waitsFor).toBeUndefined();
    // When the browser gives up on a failing sync (lastChance), the rows it tried show as failed;
    // this one was not tried, and stays waiting.
    expect(await markRetryableFailed(device.db, { code: 'NETWORK', message: 'offline' }, sam.user)).toBe(0);
    expect((await queueRows(device.db))[1]).toMatchObject({ status: 'pending', lastError: null });

    // Maya signs in: her pet goes (his booking does not: it is his).
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: true });
    await signInOnTablet(device, transport, await login('reception@northside.example'));
    const petId = count(ctx.server.db, "SELECT id FROM pets WHERE name = 'Biscuit'");
    expect(petId).toBeGreaterThan(0);
    expect(serverBooking(title)).toEqual([]);
    expect((await queueRows(device.db)).map((r) => r.id)).toEqual([bookingRow!.id]);

    // Sam signs in again: his booking goes with the sign-in's sync, nobody pressed Retry.
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: true });
    await signInOnTablet(device, transport, await login('vet@northside.example'));
    expect(serverBooking(title)).toEqual([{ petId, petName: 'Biscuit', ownerId: clientId }]);
    expect(await queueRows(device.db)).toEqual([]);
    const local = (await device.fetch('GET', `/api/appointments/${String(booked.body.data.id)}`)).body.data;
    expect(local).toMatchObject({ petId, clientId, _pending: false });
    expect((await device.ask({ type: 'GET_STATE' })).stats).toMatchObject({ pending: 0, waitingForChanges: 0 });
  });

  it('waits for a held create of its own person too, and fails (as it should) once that create is discarded', async () => {
    const { device, who: sam } = await signedInTablet('vet@northside.example', { alignClock: true });
    const { practitionerId } = seedIds(ctx.server.db);
    // A pet whose owner is a practitioner: the replica knows the user, the server refuses the pet.
    const petTempId = await registerBiscuit(device, practitionerId);
    const title = 'Waits for a refused pet';
    expect(
      (
        await bookVisit(device, {
          title,
          date: new Date(ctx.server.clock.now() + 3 * 86_400_000).toISOString(),
          petId: petTempId,
        })
      ).status,
    ).toBe(201);

    // One run: the pet and the booking go in one batch; the pet fails, so the server refuses the
    // booking too (storing nothing of it): the booking stays pending, not failed, with no error.
    expect(await device.engine.sync('manual')).toMatchObject({ pushed: 0, failed: 1 });
    const [petRow, bookingRow] = await queueRows(device.db);
    expect(petRow).toMatchObject({ status: 'failed', retryable: false, lastError: { code: 'REFERENCE_NOT_FOUND' } });
    expect(bookingRow).toMatchObject({ status: 'pending', lastError: null, userId: sam.user.id });
    expect(serverBooking(title)).toEqual([]);
    // On the next run it is not even sent (the pet is held until someone decides).
    expect(await device.engine.sync('manual')).toMatchObject({ pushed: 0, failed: 0 });
    expect((await queueRows(device.db))[1]).toMatchObject({ attempts: bookingRow!.attempts });
    expect((await device.ask({ type: 'GET_STATE' })).stats).toMatchObject({ failed: 1, waitingForChanges: 1 });

    // The pet is discarded: the booking is sent and fails, because its pet does not exist.
    await device.ask({ type: 'DISCARD_OPERATION', operationId: petRow!.id });
    expect((await device.ask({ type: 'GET_STATE' })).stats).toMatchObject({ failed: 0, waitingForChanges: 0 });
    expect(await device.engine.sync('manual')).toMatchObject({ pushed: 0, failed: 1 });
    expect((await queueRows(device.db))[0]).toMatchObject({
      id: bookingRow!.id,
      status: 'failed',
      lastError: { code: 'PET_NOT_FOUND' },
    });
  });
});

describe('the count of waiting changes never decides whether to push', () => {
  it('a count a moment old (a waiting booking deleted just now) does not keep back a change that can go', async () => {
    const { transport, device } = await signedInTablet('reception@northside.example', { alignClock: true });
    const { clientId, petId } = seedIds(ctx.server.db);
    const petTempId = await registerBiscuit(device, clientId);
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: false });
    await signInOnTablet(device, transport, await login('vet@northside.example'));
    const booked = await bookVisit(device, {
      title: 'Deleted before it went',
      date: new Date(ctx.server.clock.now() + 4 * 86_400_000).toISOString(),
      petId: petTempId,
    });
    expect((await device.ask({ type: 'GET_STATE' })).stats).toMatchObject({ waitingForChanges: 1 });

    // The booking goes (never sent: nothing is queued for it), and another change is made, before
    // anything counted again; the sync that follows sends that change.
    expect((await device.fetch('DELETE', `/api/appointments/${String(booked.body.data.id)}`)).status).toBe(200);
    expect((await device.fetch('PATCH', `/api/pets/${petId}`, { breed: 'Sent at once' })).status).toBe(200);
    expect(await device.engine.sync('manual')).toMatchObject({ pushed: 1, failed: 0 });
    expect(count(ctx.server.db, "SELECT COUNT(*) FROM pets WHERE breed = 'Sent at once'")).toBe(1);
    expect((await device.ask({ type: 'GET_STATE' })).stats).toMatchObject({ pending: 1, waitingForChanges: 0 });
  });
});

describe('the count of waiting changes is read again only when the queue changed', () => {
  it('GET_STATE after GET_STATE reads the queue once; a write, a deletion or another person counts again', async () => {
    const { transport, device } = await signedInTablet('reception@northside.example', { alignClock: true });
    const { clientId } = seedIds(ctx.server.db);
    const petTempId = await registerBiscuit(device, clientId);
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: false });
    await signInOnTablet(device, transport, await login('vet@northside.example'));
    const visit = (title: string, days: number) =>
      bookVisit(device, {
        title,
        date: new Date(ctx.server.clock.now() + days * 86_400_000).toISOString(),
        petId: petTempId,
      });
    const first = await visit('Waits one', 2);
    const waiting = async () => (await device.ask({ type: 'GET_STATE' })).stats.waitingForChanges;
    expect(await waiting()).toBe(1);

    // With a held row every count reads the whole queue (~160 ms at 10,000 rows in Chromium):
    // nothing changed, nothing read.
    const getAll = device.db.getAll.bind(device.db);
    const reads = vi.spyOn(device.db, 'getAll').mockImplementation(getAll);
    const queueReads = () => reads.mock.calls.filter(([store]) => store === 'sync_operations').length;
    expect(await waiting()).toBe(1);
    expect(await waiting()).toBe(1);
    expect(queueReads()).toBe(0);

    await visit('Waits two', 3);
    expect(await waiting()).toBe(2);
    expect((await device.fetch('DELETE', `/api/appointments/${String(first.body.data.id)}`)).status).toBe(200);
    expect(await waiting()).toBe(1);
    expect(queueReads()).toBe(2);
    reads.mockRestore();

    // Maya signs in: her pet is hers to send, nothing of hers waits.
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: true });
    await signInOnTablet(device, transport, await login('reception@northside.example'));
    expect(await waiting()).toBe(0);
  });
});
