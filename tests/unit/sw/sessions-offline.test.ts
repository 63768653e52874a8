/**
 * Issue 9 on the device (fake-indexeddb) against the real server: signing out offline (item 8),
 * the delete rules offline (item 3) and roles offline (item 11).
 */
import { describe, expect, it } from 'vitest';
import { bookVisit, queueRows } from './device.ts';
import { sharedTablet } from './shared-tablet.ts';
import { useTestServer } from './with-server.ts';
import { count, seedIds } from '../../server/helpers.ts';
import { markRetryableFailed } from '../../../sw/store/queue.ts';
import { listConflicts } from '../../../sw/store/conflicts.ts';
import { replayRevocations, revokeRequest, type RequestQueue } from '../../../sw/worker/revocations.ts';
import { WorkerReplySchema } from '../../../src/protocol/index.ts';

const ctx = useTestServer();

const { login, signInOnTablet, signedInTablet } = sharedTablet(ctx);

describe('signing out offline (issue 9, item 8)', () => {
  it('after sign-out the replica answers nobody, and the queued change is sent only when its author signs in again, never under the next user', async () => {
    const {
      transport,
      device,
      who: reception,
    } = await signedInTablet('reception@northside.example', { alignClock: true });
    const { petId } = seedIds(ctx.server.db);

    // Offline: a booking, then Sign out. The page could not reach /api/auth/logout.
    const booked = await bookVisit(device, {
      title: 'Booked before sign-out',
      date: new Date(ctx.server.clock.now() + 3 * 86_400_000).toISOString(),
      petId,
    });
    expect(booked.status).toBe(201);
    const ended = await device.ask({ type: 'SESSION_ENDED', serverSignedOut: false });
    expect(ended).toEqual({ dropped: false, pending: 1, revokeQueued: true });
    expect(device.signOuts).toEqual([reception.revocationToken]);
    // Every window of the app hears of it (one showing this user goes to the sign-in screen).
    expect(device.events).toContainEqual({ type: 'SIGNED_OUT', userId: reception.user.id });

    // Nobody can read or change the kept data through the worker.
    for (const path of [
      '/api/appointments',
      `/api/appointments/${String(booked.body.data.id)}`,
      '/api/pets',
      '/api/users?role=CLIENT',
    ]) {
      const res = await device.fetch('GET', path);
      expect(res.status, path).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect(
      (await device.fetch('PATCH', `/api/appointments/${String(booked.body.data.id)}`, { notes: 'x' })).status,
    ).toBe(401);
    // Nothing syncs while nobody is signed in.
    expect((await device.engine.sync('manual')).error?.code).toBe('UNAUTHENTICATED');

    // A second user signs in first: the booking waits for its author.
    const vet = await login('vet@northside.example');
    await signInOnTablet(device, transport, vet);
    const title = "SELECT COUNT(*) FROM appointments WHERE title = 'Booked before sign-out'";
    expect(count(ctx.server.db, title)).toBe(0);
    expect(await device.ask({ type: 'GET_WAITING_WORK' })).toEqual([
      { userId: reception.user.id, name: reception.user.name, count: 1 },
    ]);
    // The pages' counters: 1 pending, and it waits for someone else (no Sync Now for it).
    expect((await device.ask({ type: 'GET_STATE' })).stats).toMatchObject({ pending: 1, waitingForOthers: 1 });
    expect((await queueRows(device.db))[0]).toMatchObject({
      status: 'pending',
      attempts: 0,
      userId: reception.user.id,
    });
    // The vet's own change goes at once.
    const edited = await device.fetch('PATCH', `/api/pets/${petId}`, { breed: 'Edited by the vet' });
    expect(edited.status).toBe(200);
    expect((await device.engine.sync('manual')).pushed).toBe(1);
    expect(count(ctx.server.db, "SELECT COUNT(*) FROM pets WHERE breed = 'Edited by the vet'")).toBe(1);
    expect(count(ctx.server.db, title)).toBe(0);

    // The vet signs out online (the server was told: nothing queued), reception signs in again.
    expect(await device.ask({ type: 'SESSION_ENDED', serverSignedOut: true })).toMatchObject({ revokeQueued: false });
    const again = await login('reception@northside.example');
    await signInOnTablet(device, transport, again);
    expect(count(ctx.server.db, title)).toBe(1);
    const author = count(
      ctx.server.db,
      "SELECT user_id FROM op_log WHERE entity_type = 'appointments' AND operation = 'create' ORDER BY id DESC LIMIT 1",
    );
    expect(author).toBe(reception.user.id);
    expect(await queueRows(device.db)).toEqual([]);
    expect(await device.ask({ type: 'GET_WAITING_WORK' })).toEqual([]);
    expect((await device.ask({ type: 'GET_STATE' })).stats).toMatchObject({ pending: 0, waitingForOthers: 0 });
  });

  it('two people changing one record: each change goes under its author, in the order they were made', async () => {
    const { transport, device, who: reception } = await signedInTablet('reception@northside.example');
    const { petId } = seedIds(ctx.server.db);
    expect((await device.fetch('PATCH', `/api/pets/${petId}`, { breed: 'Breed by reception' })).status).toBe(200);
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: false });

    const vet = await login('vet@northside.example');
    await signInOnTablet(device, transport, vet);
    expect((await device.fetch('PATCH', `/api/pets/${petId}`, { name: 'Name by vet' })).status).toBe(200);
    // Not folded into reception's row: two rows, one per author.
    expect((await queueRows(device.db)).map((r) => [r.userId, r.data])).toEqual([
      [reception.user.id, { breed: 'Breed by reception' }],
      [vet.user.id, { name: 'Name by vet' }],
    ]);
    // The vet's change waits behind reception's (one record's changes go in order).
    expect((await device.engine.sync('manual')).pushed).toBe(0);
    const pet = () =>
      ctx.server.db.prepare('SELECT name, breed FROM pets WHERE id = ?').get(petId) as {
        name: string;
        breed: string | null;
      };
    expect(pet().breed).not.toBe('Breed by reception');

    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: true });
    await signInOnTablet(device, transport, await login('reception@northside.example'));
    expect(pet()).toMatchObject({ breed: 'Breed by reception' });
    expect(pet().name).not.toBe('Name by vet');
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: true });
    await signInOnTablet(device, transport, await login('vet@northside.example'));
    expect(pet()).toEqual({ name: 'Name by vet', breed: 'Breed by reception' });
    const authors = ctx.server.db
      .prepare("SELECT user_id FROM op_log WHERE entity_type = 'pets' ORDER BY id")
      .pluck()
      .all() as number[];
    expect(authors.slice(-2)).toEqual([reception.user.id, vet.user.id]);
  });

  it('a failed sync marks only the signed-in person\'s rows, and "Discard all failed" leaves another person\'s work', async () => {
    const { transport, device } = await signedInTablet('reception@northside.example');
    const { petId, appointmentId } = seedIds(ctx.server.db);
    expect((await device.fetch('PATCH', `/api/pets/${petId}`, { breed: 'Kept for reception' })).status).toBe(200);
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: true });
    const vet = await login('vet@northside.example');
    await signInOnTablet(device, transport, vet);
    expect(
      (await device.fetch('PATCH', `/api/appointments/${appointmentId}`, { notes: 'The vet’s note' })).status,
    ).toBe(200);

    // The browser gave up on the vet's sync (lastChance): only the vet's row was tried.
    expect(await markRetryableFailed(device.db, { code: 'NETWORK', message: 'offline' }, vet.user)).toBe(1);
    const statuses = async () => (await queueRows(device.db)).map((r) => [r.entityType, r.status]);
    expect(await statuses()).toEqual([
      ['pets', 'pending'],
      ['appointments', 'failed'],
    ]);
    // Even failed, reception's row is not the vet's to drop in bulk.
    await markRetryableFailed(device.db, { code: 'NETWORK', message: 'offline' });
    await device.ask({ type: 'CLEAR_FAILED' });
    expect(await statuses()).toEqual([['pets', 'failed']]);
  });

  it('a sign-out with nothing queued drops the replica; signing in again reads it back from the server', async () => {
    const { transport, device } = await signedInTablet('reception@northside.example');
    expect(await device.db.count('pets')).toBeGreaterThan(0);
    expect(await device.ask({ type: 'SESSION_ENDED', serverSignedOut: true })).toEqual({
      dropped: true,
      pending: 0,
      revokeQueued: false,
    });
    expect(await device.db.count('pets')).toBe(0);
    expect(device.signOuts).toEqual([]);
    await signInOnTablet(device, transport, await login('reception@northside.example'));
    expect((await device.fetch('GET', '/api/pets')).body.data.length).toBeGreaterThan(0);
  });

  it('someone signing in over a session that never signed out ends that session on the server', async () => {
    const { transport, device, who: reception } = await signedInTablet('reception@northside.example');
    await signInOnTablet(device, transport, await login('vet@northside.example'));
    expect(device.signOuts).toEqual([reception.revocationToken]);
  });

  it('a page reload repeats the start without a token: the one from the sign-in is kept for the sign-out', async () => {
    const { device, who: reception } = await signedInTablet('reception@northside.example');
    await device.ask({ type: 'SESSION_STARTED', user: reception.user });
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: false });
    expect(device.signOuts).toEqual([reception.revocationToken]);
  });

  it('the kept revocation waits out the network, then ends the session: its cookie gets 401', async () => {
    const reception = await login('reception@northside.example');
    const kept: { request: Request }[] = [{ request: revokeRequest(ctx.server.url, reception.revocationToken) }];
    const queue: RequestQueue = {
      shiftRequest: async () => kept.shift(),
      unshiftRequest: async (entry) => void kept.unshift(entry),
    };
    await expect(
      replayRevocations(queue, async () => {
        throw new TypeError('Failed to fetch');
      }),
    ).rejects.toThrow(/kept and sent later/);
    expect(kept).toHaveLength(1);
    await expect(replayRevocations(queue, async () => new Response('busy', { status: 503 }))).rejects.toThrow();
    expect(kept).toHaveLength(1);
    expect((await reception.client.request('GET', '/api/auth/me')).status).toBe(200);

    expect(await replayRevocations(queue, (request) => fetch(request))).toBe(1);
    expect(kept).toHaveLength(0);
    expect((await reception.client.request('GET', '/api/auth/me')).status).toBe(401);
  });
});

describe('the delete rules offline (issue 9, item 3)', () => {
  it('a client with live pets is refused with 409 HAS_DEPENDENTS naming them; nothing is queued', async () => {
    const { device } = await signedInTablet('admin@northside.example');
    const { clientId } = seedIds(ctx.server.db);
    const pets = (await device.fetch('GET', `/api/pets?ownerId=${clientId}`)).body.data as { name: string }[];
    const client = (await device.fetch('GET', `/api/users/${clientId}`)).body.data as { name: string };
    expect(pets.length).toBeGreaterThan(0);
    const res = await device.fetch('DELETE', `/api/users/${clientId}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('HAS_DEPENDENTS');
    expect(res.body.error.message).toContain(`${client.name} still has ${pets.length} pet`);
    for (const pet of pets) expect(res.body.error.message).toContain(pet.name);
    expect(await queueRows(device.db)).toEqual([]);
    expect((await device.fetch('GET', `/api/users/${clientId}`)).body.data.deletedAt).toBeNull();
  });

  it('a client whose pets were deleted here may go, and the server agrees once both are sent', async () => {
    const { device } = await signedInTablet('admin@northside.example', { alignClock: true });
    const { clientId } = seedIds(ctx.server.db);
    const pets = (await device.fetch('GET', `/api/pets?ownerId=${clientId}`)).body.data as { id: number }[];
    for (const pet of pets) expect((await device.fetch('DELETE', `/api/pets/${pet.id}`)).status).toBe(200);
    expect((await device.fetch('DELETE', `/api/users/${clientId}`)).status).toBe(200);
    const result = await device.engine.sync('manual');
    expect(result).toMatchObject({ pushed: pets.length + 1, failed: 0, conflicts: 0 });
    expect(count(ctx.server.db, 'SELECT COUNT(*) FROM users WHERE id = ? AND deleted_at IS NOT NULL', clientId)).toBe(
      1,
    );
  });

  it('deleting a pet shows its upcoming appointments cancelled at once (past ones stay), queues only the pet, and the server cancels the same ones', async () => {
    const { device } = await signedInTablet('admin@northside.example', { alignClock: true });
    const { petId } = seedIds(ctx.server.db);
    const now = ctx.server.clock.now();
    const before = (await device.fetch('GET', `/api/appointments?petId=${petId}`)).body.data as {
      id: number;
      date: string;
      status: string;
    }[];
    const finished = new Set(['cancelled', 'completed', 'no_show']);
    const upcoming = before.filter((a) => Date.parse(a.date) >= now && !finished.has(a.status)).map((a) => a.id);
    const untouched = before.filter((a) => !upcoming.includes(a.id));
    expect(upcoming.length).toBeGreaterThan(0);
    expect(untouched.length).toBeGreaterThan(0);

    expect((await device.fetch('DELETE', `/api/pets/${petId}`)).status).toBe(200);
    const after = (await device.fetch('GET', `/api/appointments?petId=${petId}`)).body.data as {
      id: number;
      status: string;
    }[];
    for (const a of after) {
      const was = before.find((b) => b.id === a.id)!;
      expect(a.status, `appointment ${a.id}`).toBe(upcoming.includes(a.id) ? 'cancelled' : was.status);
    }
    const rows = await queueRows(device.db);
    expect(rows.map((r) => [r.operation, r.entityType])).toEqual([['delete', 'pets']]);

    const result = await device.engine.sync('manual');
    expect(result).toMatchObject({ pushed: 1, failed: 0 });
    const cancelledOnServer = ctx.server.db
      .prepare(
        "SELECT id FROM appointments WHERE pet_id = ? AND status = 'cancelled' AND deleted_at IS NULL ORDER BY id",
      )
      .pluck()
      .all(petId) as number[];
    for (const id of upcoming) expect(cancelledOnServer).toContain(id);
    // After the pull the replica holds the server's cancellations, and shows the same as before it.
    const pulled = (await device.fetch('GET', `/api/appointments?petId=${petId}`)).body.data as {
      id: number;
      status: string;
    }[];
    expect(pulled.map((a) => [a.id, a.status])).toEqual(after.map((a) => [a.id, a.status]));
    for (const id of upcoming) expect((await device.db.get('appointments', id))?.status).toBe('cancelled');
  });
});

describe('roles offline (issue 9, item 11)', () => {
  it('front-desk staff cannot delete clients or pets offline: 403 FORBIDDEN with the sentence the screens show, nothing queued', async () => {
    const { device } = await signedInTablet('reception@northside.example');
    const { petId, otherClientId, appointmentId } = seedIds(ctx.server.db);
    const pet = await device.fetch('DELETE', `/api/pets/${petId}`);
    expect(pet.status).toBe(403);
    expect(pet.body.error).toEqual({ code: 'FORBIDDEN', message: 'Only administrators may delete pets.' });
    const client = await device.fetch('DELETE', `/api/users/${otherClientId}`);
    expect(client.body.error).toEqual({ code: 'FORBIDDEN', message: 'Only administrators may delete clients.' });
    expect(await queueRows(device.db)).toEqual([]);
    // What the front desk may do still works.
    expect((await device.fetch('PATCH', `/api/pets/${petId}`, { breed: 'Mixed' })).status).toBe(200);
    expect((await device.fetch('DELETE', `/api/appointments/${appointmentId}`)).status).toBe(200);
  });
});

describe('push progress on a shared tablet (issue 9 leftover)', () => {
  it('counts only the rows sent under the signed-in session, not the ones waiting for another person', async () => {
    const { transport, device } = await signedInTablet('reception@northside.example', { alignClock: true });
    const { petId } = seedIds(ctx.server.db);
    // Reception books three visits offline and signs out before they are sent.
    for (let i = 0; i < 3; i++) {
      const booked = await bookVisit(device, {
        title: `Waits for reception ${i}`,
        date: new Date(ctx.server.clock.now() + (10 + i) * 86_400_000).toISOString(),
        petId,
      });
      expect(booked.status).toBe(201);
    }
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: false });

    // The vet signs in and makes two changes of their own: the push's progress is out of 2.
    const vet = await login('vet@northside.example');
    await signInOnTablet(device, transport, vet);
    expect((await device.ask({ type: 'GET_STATE' })).stats).toMatchObject({ pending: 3, waitingForOthers: 3 });
    expect((await device.fetch('PATCH', `/api/pets/${petId}`, { breed: 'Vet edit 1' })).status).toBe(200);
    const clients = (await device.fetch('GET', '/api/users?role=CLIENT')).body.data as { id: number }[];
    expect((await device.fetch('PATCH', `/api/users/${clients[0]!.id}`, { phone: '555-0199' })).status).toBe(200);
    device.events.length = 0;
    expect((await device.engine.sync('manual')).pushed).toBe(2);
    const pushProgress = device.events.flatMap((e) =>
      e.type === 'SYNC_PROGRESS' && e.progress.phase === 'push' ? [e.progress] : [],
    );
    expect(pushProgress.length).toBeGreaterThan(0);
    expect(pushProgress.every((p) => p.total === 2)).toBe(true);
    expect(pushProgress.at(-1)).toMatchObject({ processed: 2, total: 2, percentage: 100 });

    // With only other people's rows left, a sync shows no push at all.
    device.events.length = 0;
    expect((await device.engine.sync('manual')).pushed).toBe(0);
    expect(device.events.some((e) => e.type === 'SYNC_PROGRESS' && e.progress.phase === 'push')).toBe(false);
  });
});

describe('push progress on a shared tablet: failed changes', () => {
  it('leaves out another person’s failed changes too (they are not sent under this session)', async () => {
    const { transport, device, who: reception } = await signedInTablet('reception@northside.example');
    const { petId } = seedIds(ctx.server.db);
    expect((await device.fetch('PATCH', `/api/pets/${petId}`, { breed: 'Failed for reception' })).status).toBe(200);
    expect(await markRetryableFailed(device.db, { code: 'NETWORK', message: 'offline' }, reception.user)).toBe(1);
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: true });
    await signInOnTablet(device, transport, await login('vet@northside.example'));
    const clients = (await device.fetch('GET', '/api/users?role=CLIENT')).body.data as { id: number }[];
    expect((await device.fetch('PATCH', `/api/users/${clients[0]!.id}`, { phone: '555-0142' })).status).toBe(200);
    device.events.length = 0;
    expect((await device.engine.sync('manual')).pushed).toBe(1);
    const pushProgress = device.events.flatMap((e) =>
      e.type === 'SYNC_PROGRESS' && e.progress.phase === 'push' ? [e.progress] : [],
    );
    expect(pushProgress.at(-1)).toMatchObject({ processed: 1, total: 1, percentage: 100 });
  });
});

describe("another person's held or failed change on a shared tablet", () => {
  /**
   * Maya Chen (reception) retitles an appointment offline while the server's copy is retitled too
   * (a held conflict) and changes a pet whose push the browser gave up on (a failed row); she signs
   * out before deciding about either. Dr. Sam Patel (vet) signs in next on the tablet.
   */
  async function heldForReception() {
    const { transport, device, who: reception } = await signedInTablet('reception@northside.example');
    const { appointmentId, petId } = seedIds(ctx.server.db);
    expect((await device.fetch('PATCH', `/api/appointments/${appointmentId}`, { title: 'Maya’s title' })).status).toBe(
      200,
    );
    ctx.server.clock.advance(60_000);
    const admin = await ctx.server.login('admin@northside.example');
    const { version } = ctx.server.db.prepare('SELECT version FROM appointments WHERE id = ?').get(appointmentId) as {
      version: number;
    };
    expect(
      (await admin.request('PATCH', `/api/appointments/${appointmentId}`, { title: 'Server title', version })).status,
    ).toBe(200);
    expect((await device.engine.sync('manual')).conflicts).toBe(1);
    expect((await device.fetch('PATCH', `/api/pets/${petId}`, { breed: 'Maya’s breed' })).status).toBe(200);
    expect(await markRetryableFailed(device.db, { code: 'NETWORK', message: 'offline' }, reception.user)).toBe(1);
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: true });
    const [conflict] = await listConflicts(device.db);
    const rows = await queueRows(device.db);
    const held = rows.find((r) => r.status === 'conflict')!;
    const failed = rows.find((r) => r.status === 'failed')!;
    return { transport, device, reception, conflict: conflict!, held, failed, appointmentId, petId };
  }

  it('nobody else may resolve, discard or retry it: refused with a reason naming its author, nothing changes', async () => {
    const { transport, device, conflict, held, failed } = await heldForReception();
    // Signed out: nobody may decide.
    const signedOut = await device.reply({ type: 'DISCARD_OPERATION', operationId: failed.id });
    expect(WorkerReplySchema.parse(signedOut)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });

    await signInOnTablet(device, transport, await login('vet@northside.example'));
    const refusals = await Promise.all([
      device.reply({ type: 'RESOLVE_CONFLICT', conflictId: conflict.id, resolution: { strategy: 'server_wins' } }),
      device.reply({ type: 'DISCARD_OPERATION', operationId: held.id }),
      device.reply({ type: 'DISCARD_OPERATION', operationId: failed.id }),
      device.reply({ type: 'RETRY_OPERATION', operationId: failed.id }),
    ]);
    expect(refusals.map((r) => WorkerReplySchema.parse(r))).toEqual([
      {
        ok: false,
        error: {
          code: 'NOT_YOUR_CHANGE',
          message:
            'This change was made by Maya Chen. Only Maya Chen may resolve it, once signed in on this tablet; until then it waits for them.',
        },
      },
      {
        ok: false,
        error: { code: 'NOT_YOUR_CHANGE', message: expect.stringContaining('Only Maya Chen may discard it') },
      },
      {
        ok: false,
        error: { code: 'NOT_YOUR_CHANGE', message: expect.stringContaining('Only Maya Chen may discard it') },
      },
      {
        ok: false,
        error: { code: 'NOT_YOUR_CHANGE', message: expect.stringContaining('Only Maya Chen may retry it') },
      },
    ]);
    // Nothing moved: both rows kept as they were, the conflict still open.
    expect((await queueRows(device.db)).map((r) => [r.id, r.status])).toEqual([
      [held.id, 'conflict'],
      [failed.id, 'failed'],
    ]);
    expect((await listConflicts(device.db))[0]).toMatchObject({ id: conflict.id, resolved: false });
    // The vet's indicator is not asked to act on them: they are counted as someone else's.
    expect((await device.ask({ type: 'GET_STATE' })).stats).toMatchObject({
      failed: 1,
      conflicts: 1,
      failedOfOthers: 1,
      conflictsOfOthers: 1,
    });
  });

  it('its author, signed in again, may resolve it; her changes reach the server', async () => {
    const { transport, device, reception, conflict, failed, appointmentId, petId } = await heldForReception();
    await signInOnTablet(device, transport, await login('vet@northside.example'));
    await device.ask({ type: 'SESSION_ENDED', serverSignedOut: true });
    await signInOnTablet(device, transport, await login('reception@northside.example'));
    expect((await device.ask({ type: 'GET_STATE' })).stats).toMatchObject({ failedOfOthers: 0, conflictsOfOthers: 0 });
    expect(
      await device.ask({ type: 'RESOLVE_CONFLICT', conflictId: conflict.id, resolution: { strategy: 'client_wins' } }),
    ).toEqual({ queuedOperationId: conflict.operationId });
    // The tablet remembers who resolved it (the Sync tab names her), and whose sync sent her change.
    const resolved = (await device.ask({ type: 'GET_CONFLICTS' })).find((c) => c.id === conflict.id);
    expect(resolved).toMatchObject({ resolved: true, resolvedBy: reception.user.id });
    // Her failed change went with her sign-in's sync (retryable); a retry now finds nothing failed.
    expect((await device.ask({ type: 'RETRY_OPERATION', operationId: failed.id })).failed).toBe(0);
    expect(await device.engine.sync('manual')).toMatchObject({ pushed: 1, userId: reception.user.id });
    expect((await device.ask({ type: 'GET_STATE' })).lastActivity).toMatchObject({ userId: reception.user.id });
    expect(ctx.server.db.prepare('SELECT title FROM appointments WHERE id = ?').pluck().get(appointmentId)).toBe(
      'Maya’s title',
    );
    expect(ctx.server.db.prepare('SELECT breed FROM pets WHERE id = ?').pluck().get(petId)).toBe('Maya’s breed');
  });
});
