/**
 * Issue 11 item 1, worker side, against the real server in-process: a booking the server holds
 * back as a double booking waits in the queue as a conflict (a temp id for a booking the server
 * never stored), later edits of it wait behind it, the bookings it overlaps land in the replica,
 * and each way out (move, keep both, cancel mine, undo) reaches the server.
 */
import { describe, expect, it } from 'vitest';
import { bookVisit, createTestDevice, queueRows, type TestDevice } from './device.ts';
import { serverTransport, useTestServer } from './with-server.ts';
import { count, seedIds } from '../../server/helpers.ts';
import { queueStats } from '../../../sw/store/queue.ts';
import { applyResolution, listConflicts } from '../../../sw/store/conflicts.ts';
import type { ConflictRecord, PullResponse, Resolution } from '../../../src/protocol/index.ts';
import type { SyncTransport } from '../../../sw/sync/transport.ts';

const ctx = useTestServer();

/** A day of its own per test, far from the seeded appointments. */
let dayNumber = 0;
function day(): (time: string) => string {
  const date = new Date(Date.UTC(2031, 5, 2 + dayNumber++ * 2)).toISOString().slice(0, 10);
  return (time) => `${date}T${time}:00.000Z`;
}

/**
 * A device signed in and synced once. `pullNothing`: later pulls bring no changes, so what the
 * replica learns of the other bookings comes from the push answer alone.
 */
async function device(options: { pullNothing?: boolean } = {}): Promise<TestDevice> {
  const real = serverTransport(ctx.server, ctx.staff);
  let synced = false;
  const transport: SyncTransport = {
    preparePush: (request) => real.preparePush(request),
    async pull(params) {
      if (!synced || !options.pullNothing) return real.pull(params);
      const empty: PullResponse = {
        success: true,
        timestamp: Date.now(),
        changes: [],
        hasMore: false,
        nextTimestamp: Date.now(),
        cursor: params.cursor ?? '',
      };
      return empty;
    },
  };
  const d = await createTestDevice(transport);
  await d.signIn(ctx.user);
  expect((await d.engine.sync('login')).error).toBeNull();
  synced = true;
  return d;
}

/** The front desk books on the server (another device, already synced). */
async function bookedAtDesk(
  at: string,
  title: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: number; version: number }> {
  const { petId, practitionerId } = seedIds(ctx.server.db);
  const desk = await ctx.server.login('vet@northside.example');
  const res = await desk.request('POST', '/api/appointments', {
    title,
    type: 'checkup',
    date: at,
    durationMinutes: 30,
    petId,
    practitionerId,
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.body.data as { id: number; version: number };
}

/** The tablet books the practice's vet with another pet (a practitioner clash only). */
async function bookOnTablet(d: TestDevice, at: string, title: string, extra: Record<string, unknown> = {}) {
  const { practitionerId } = seedIds(ctx.server.db);
  const otherPet = ctx.server.db
    .prepare('SELECT id FROM pets WHERE practice_id = 1 ORDER BY id LIMIT 1 OFFSET 1')
    .pluck()
    .get() as number;
  const res = await bookVisit(d, {
    title,
    date: at,
    durationMinutes: 30,
    petId: otherPet,
    practitionerId,
    notes: 'typed on the tablet',
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.body.data as { id: string };
}

/**
 * On a day of its own, the desk books the vet at `time`; the tablet, not knowing, books him at that
 * time too (`title`) and syncs: the server holds the tablet's booking back as a double booking.
 */
async function heldOnTablet(time: string, title: string) {
  const at = day();
  const d = await device();
  await bookedAtDesk(at(time), `Desk ${time}`);
  const mine = await bookOnTablet(d, at(time), title);
  await d.engine.sync('manual');
  return { at, d, mine };
}

async function heldConflict(d: TestDevice): Promise<ConflictRecord> {
  const open = (await listConflicts(d.db)).filter((c) => !c.resolved);
  expect(open).toHaveLength(1);
  return open[0]!;
}

async function resolveAndSync(d: TestDevice, conflict: ConflictRecord, resolution: Resolution) {
  await applyResolution(d.db, conflict.id, resolution, {
    now: d.clock.now,
    uuid: () => crypto.randomUUID(),
    userId: null,
  });
  return d.engine.sync('manual');
}

function serverRows(title: string) {
  return ctx.server.db
    .prepare(
      'SELECT id, status, overlap_allowed AS overlapAllowed, date, duration_minutes AS durationMinutes, notes FROM appointments WHERE title = ? AND deleted_at IS NULL',
    )
    .all(title) as {
    id: number;
    status: string;
    overlapAllowed: number;
    date: number;
    durationMinutes: string;
    notes: string | null;
  }[];
}

describe('a booking the server holds back as a double booking', () => {
  it('waits as a conflict under its temp id, with the clashing booking, which the replica now has too', async () => {
    const at = day();
    const d = await device({ pullNothing: true });
    const existing = await bookedAtDesk(at('10:00'), 'Booked at the desk');
    const mine = await bookOnTablet(d, at('10:15'), 'Booked on the tablet');

    expect(await d.engine.sync('manual')).toMatchObject({ pushed: 0, conflicts: 1, error: null });
    expect(serverRows('Booked on the tablet')).toEqual([]);
    const conflict = await heldConflict(d);
    expect(conflict).toMatchObject({
      entityType: 'appointments',
      entityId: mine.id,
      localOperation: 'create',
      conflictType: 'double_booking',
      localData: { title: 'Booked on the tablet' },
      clashes: [{ reason: 'practitioner', appointment: { id: existing.id, title: 'Booked at the desk' } }],
    });
    expect(await queueRows(d.db)).toMatchObject([{ operation: 'create', entityId: mine.id, status: 'conflict' }]);
    expect(await queueStats(d.db)).toMatchObject({ pending: 0, conflicts: 1 });
    expect(d.events.some((e) => e.type === 'CONFLICT_ADDED' && e.conflict.conflictType === 'double_booking')).toBe(
      true,
    );
    // The page finds both bookings: the held one (not synced, in conflict) and the one it overlaps.
    expect((await d.fetch('GET', `/api/appointments/${mine.id}`)).body.data).toMatchObject({
      id: mine.id,
      _pending: true,
      _conflict: true,
    });
    expect((await d.fetch('GET', `/api/appointments/${existing.id}`)).body.data).toMatchObject({
      id: existing.id,
      title: 'Booked at the desk',
      _pending: false,
    });
  });

  it('later edits of the held booking wait behind it, and go after the move', async () => {
    const at = day();
    const d = await device();
    await bookedAtDesk(at('09:00'), 'Desk 9:00');
    const mine = await bookOnTablet(d, at('09:00'), 'Tablet 9:00');
    expect(await d.engine.sync('manual')).toMatchObject({ conflicts: 1 });
    await d.fetch('PATCH', `/api/appointments/${mine.id}`, { notes: 'edited while held' });
    expect(await d.engine.sync('manual')).toMatchObject({ pushed: 0, conflicts: 0 });
    expect((await queueRows(d.db)).map((r) => [r.operation, r.status])).toEqual([
      ['create', 'conflict'],
      ['update', 'pending'],
    ]);

    const moved = await resolveAndSync(d, await heldConflict(d), {
      strategy: 'move',
      changes: { date: at('11:30'), durationMinutes: 45 },
    });
    expect(moved).toMatchObject({ pushed: 2, conflicts: 0, failed: 0, error: null });
    const [row] = serverRows('Tablet 9:00');
    expect(row).toMatchObject({
      date: Date.parse(at('11:30')),
      durationMinutes: '45',
      status: 'scheduled',
      overlapAllowed: 0,
      notes: 'edited while held',
    });
    expect(await queueRows(d.db)).toEqual([]);
    expect((await d.fetch('GET', `/api/appointments/${mine.id}`)).body.data).toMatchObject({
      id: row!.id,
      date: at('11:30'),
      durationMinutes: '45',
      notes: 'edited while held',
      _pending: false,
      _conflict: false,
    });
    expect((await listConflicts(d.db))[0]).toMatchObject({ resolved: true, resolution: 'move:create' });
  });

  it('a move that still overlaps comes back as a new conflict', async () => {
    const at = day();
    const d = await device();
    await bookedAtDesk(at('09:00'), 'Desk first');
    await bookedAtDesk(at('10:00'), 'Desk second');
    await bookOnTablet(d, at('09:00'), 'Tablet twice held');
    expect(await d.engine.sync('manual')).toMatchObject({ conflicts: 1 });
    expect(
      await resolveAndSync(d, await heldConflict(d), { strategy: 'move', changes: { date: at('10:10') } }),
    ).toMatchObject({ pushed: 0, conflicts: 1 });
    const again = await heldConflict(d);
    expect(again.clashes).toMatchObject([{ appointment: { title: 'Desk second' } }]);
    expect(again.localData).toMatchObject({ date: at('10:10') });
    expect(serverRows('Tablet twice held')).toEqual([]);
  });

  it('keep both: stored next to the other booking, marked as kept on purpose', async () => {
    const { at, d, mine } = await heldOnTablet('14:00', 'Tablet kept');
    expect(await resolveAndSync(d, await heldConflict(d), { strategy: 'keep_both' })).toMatchObject({
      pushed: 1,
      conflicts: 0,
    });
    expect(serverRows('Tablet kept')).toMatchObject([
      { date: Date.parse(at('14:00')), overlapAllowed: 1, status: 'scheduled' },
    ]);
    expect(serverRows('Desk 14:00')).toHaveLength(1);
    expect((await d.fetch('GET', `/api/appointments/${mine.id}`)).body.data).toMatchObject({
      overlapAllowed: true,
      _pending: false,
    });
  });

  it('cancel mine: a held create is stored as a cancelled booking, with what was typed', async () => {
    const { d, mine } = await heldOnTablet('15:00', 'Tablet cancelled');
    expect(await resolveAndSync(d, await heldConflict(d), { strategy: 'cancel_mine' })).toMatchObject({
      pushed: 1,
      conflicts: 0,
    });
    expect(serverRows('Tablet cancelled')).toMatchObject([
      { status: 'cancelled', overlapAllowed: 0, notes: 'typed on the tablet' },
    ]);
    expect((await d.fetch('GET', `/api/appointments/${mine.id}`)).body.data).toMatchObject({
      status: 'cancelled',
      _pending: false,
    });
  });

  it('undo: a held create is dropped with its later edits; nothing reaches the server', async () => {
    const { d, mine } = await heldOnTablet('16:00', 'Tablet undone');
    await d.fetch('PATCH', `/api/appointments/${mine.id}`, { notes: 'edit behind it' });
    expect(await resolveAndSync(d, await heldConflict(d), { strategy: 'server_wins' })).toMatchObject({
      pushed: 0,
      conflicts: 0,
    });
    expect(await queueRows(d.db)).toEqual([]);
    expect((await d.fetch('GET', `/api/appointments/${mine.id}`)).status).toBe(404);
    expect(count(ctx.server.db, "SELECT count(*) FROM appointments WHERE title = 'Tablet undone'")).toBe(0);
  });

  it('deleting a held create from its form (cancel, then delete) closes the conflict; nothing is sent', async () => {
    const { d, mine } = await heldOnTablet('16:30', 'Tablet deleted while held');
    const conflict = await heldConflict(d);
    // The form: "Cancel appointment…", then "Delete appointment…" on the cancelled booking.
    expect((await d.fetch('PATCH', `/api/appointments/${mine.id}`, { status: 'cancelled' })).status).toBe(200);
    const deleted = await d.fetch('DELETE', `/api/appointments/${mine.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toMatchObject({ id: mine.id, status: 'cancelled', deletedAt: expect.any(String) });
    // The conflict leaves the list, marked as settled by the delete; no row waits behind it.
    expect((await listConflicts(d.db)).filter((c) => !c.resolved)).toEqual([]);
    expect((await listConflicts(d.db)).find((c) => c.id === conflict.id)).toMatchObject({
      resolved: true,
      resolution: 'deleted:discard',
    });
    expect(await queueRows(d.db)).toEqual([]);
    expect(await queueStats(d.db)).toMatchObject({ pending: 0, conflicts: 0, failed: 0 });
    expect((await d.fetch('GET', `/api/appointments/${mine.id}`)).status).toBe(404);
    // The server never stored it, and is sent nothing for it.
    expect(await d.engine.sync('manual')).toMatchObject({ pushed: 0, conflicts: 0, failed: 0 });
    expect(count(ctx.server.db, "SELECT count(*) FROM appointments WHERE title = 'Tablet deleted while held'")).toBe(0);
  });

  it('someone else deleting a held create does not drop it: the delete waits behind it, the conflict stays for its author', async () => {
    const { d, mine } = await heldOnTablet('17:00', 'Held for its author');
    const conflict = await heldConflict(d);
    // Another person signs in on the tablet (the author signed out) and deletes the booking from its form.
    await d.signIn({ ...ctx.user, id: ctx.user.id + 100, name: 'Someone else' });
    expect((await d.fetch('PATCH', `/api/appointments/${mine.id}`, { status: 'cancelled' })).status).toBe(200);
    expect((await d.fetch('DELETE', `/api/appointments/${mine.id}`)).status).toBe(200);
    expect((await queueRows(d.db)).map((row) => [row.operation, row.status, row.userId])).toEqual([
      ['create', 'conflict', ctx.user.id],
      ['update', 'pending', ctx.user.id + 100],
      ['delete', 'pending', ctx.user.id + 100],
    ]);
    expect((await listConflicts(d.db)).find((c) => c.id === conflict.id)).toMatchObject({ resolved: false });
  });

  it('deleting a booking the server stored is queued and sent as before', async () => {
    const at = day();
    const d = await device();
    const desk = await bookedAtDesk(at('18:00'), 'Desk 18:00', { status: 'cancelled' });
    await d.engine.sync('manual');
    expect((await d.fetch('DELETE', `/api/appointments/${desk.id}`)).status).toBe(200);
    expect((await queueRows(d.db)).map((row) => row.operation)).toEqual(['delete']);
    expect(await d.engine.sync('manual')).toMatchObject({ pushed: 1 });
    expect(
      count(ctx.server.db, `SELECT count(*) FROM appointments WHERE id = ${desk.id} AND deleted_at IS NOT NULL`),
    ).toBe(1);
  });

  it('refuses the version strategies, an invalid slot and an unknown practitioner with a reason the page can show; another practitioner at that time is free', async () => {
    const { d } = await heldOnTablet('17:00', 'Tablet refused');
    const conflict = await heldConflict(d);
    expect(
      await d.reply({ type: 'RESOLVE_CONFLICT', conflictId: conflict.id, resolution: { strategy: 'client_wins' } }),
    ).toEqual({
      ok: false,
      error: {
        code: 'NOT_APPLICABLE',
        message: 'A double booking is resolved by moving it, keeping both or cancelling it',
      },
    });
    expect(
      await d.reply({
        type: 'RESOLVE_CONFLICT',
        conflictId: conflict.id,
        resolution: { strategy: 'move', changes: { durationMinutes: 0 } },
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'CHOICE_REQUIRED', message: expect.stringMatching(/Duration must be 1 to 1,440 minutes/) },
    });
    const { staffId } = seedIds(ctx.server.db);
    for (const practitionerId of [999_999, staffId]) {
      expect(
        await d.reply({
          type: 'RESOLVE_CONFLICT',
          conflictId: conflict.id,
          resolution: { strategy: 'move', changes: { practitionerId } },
        }),
      ).toEqual({
        ok: false,
        error: {
          code: 'CHOICE_REQUIRED',
          message: `Practitioner: no practitioner with id ${practitionerId} on this tablet`,
        },
      });
    }
    expect(await queueStats(d.db)).toMatchObject({ conflicts: 1, pending: 0 });

    // The same time with the other practitioner is free.
    const other = ctx.server.db
      .prepare("SELECT id FROM users WHERE practice_id = 1 AND role = 'PRACTITIONER' ORDER BY id LIMIT 1 OFFSET 1")
      .pluck()
      .get() as number;
    expect(await resolveAndSync(d, conflict, { strategy: 'move', changes: { practitionerId: other } })).toMatchObject({
      pushed: 1,
      conflicts: 0,
    });
    expect(
      ctx.server.db.prepare("SELECT practitioner_id FROM appointments WHERE title = 'Tablet refused'").pluck().get(),
    ).toBe(other);
  });
});

describe('an edit of a stored booking that would overlap another', () => {
  async function heldMove(at: (time: string) => string, title: string) {
    const d = await device();
    await bookedAtDesk(at('10:00'), `${title} (desk)`);
    const mine = await bookOnTablet(d, at('12:00'), title);
    expect(await d.engine.sync('manual')).toMatchObject({ pushed: 1 });
    const [stored] = serverRows(title);
    await d.fetch('PATCH', `/api/appointments/${stored!.id}`, {
      date: at('10:00'),
      notes: 'moved over the desk booking',
    });
    expect(await d.engine.sync('manual')).toMatchObject({ conflicts: 1 });
    return { d, mine, stored: stored!, conflict: await heldConflict(d) };
  }

  it("is held as an update under the record's id; undo brings back the server's booking", async () => {
    const at = day();
    const { d, mine, stored, conflict } = await heldMove(at, 'Tablet edit undone');
    expect(conflict).toMatchObject({
      localOperation: 'update',
      entityId: stored.id,
      conflictType: 'double_booking',
      serverData: { id: stored.id, date: at('12:00') },
    });
    expect((await d.fetch('GET', `/api/appointments/${mine.id}`)).body.data).toMatchObject({
      date: at('10:00'),
      _conflict: true,
    });
    expect(await resolveAndSync(d, conflict, { strategy: 'server_wins' })).toMatchObject({ pushed: 0, conflicts: 0 });
    expect((await d.fetch('GET', `/api/appointments/${stored.id}`)).body.data).toMatchObject({
      date: at('12:00'),
      notes: 'typed on the tablet',
      _pending: false,
      _conflict: false,
    });
    expect(serverRows('Tablet edit undone')).toMatchObject([{ date: Date.parse(at('12:00')) }]);
  });

  it('cancel mine cancels the booking on the server', async () => {
    const at = day();
    const { d, stored, conflict } = await heldMove(at, 'Tablet edit cancelled');
    expect(await resolveAndSync(d, conflict, { strategy: 'cancel_mine' })).toMatchObject({ pushed: 1, conflicts: 0 });
    expect(serverRows('Tablet edit cancelled')).toMatchObject([
      { id: stored.id, status: 'cancelled', notes: 'moved over the desk booking' },
    ]);
  });

  it('keep both stores the edit as an overlap on purpose; move stores it at the new time', async () => {
    const at = day();
    const kept = await heldMove(at, 'Tablet edit kept');
    expect(await resolveAndSync(kept.d, kept.conflict, { strategy: 'keep_both' })).toMatchObject({
      pushed: 1,
      conflicts: 0,
    });
    expect(serverRows('Tablet edit kept')).toMatchObject([{ date: Date.parse(at('10:00')), overlapAllowed: 1 }]);

    const later = day();
    const moved = await heldMove(later, 'Tablet edit moved');
    expect(
      await resolveAndSync(moved.d, moved.conflict, { strategy: 'move', changes: { date: later('13:00') } }),
    ).toMatchObject({ pushed: 1, conflicts: 0 });
    expect(serverRows('Tablet edit moved')).toMatchObject([
      { date: Date.parse(later('13:00')), overlapAllowed: 0, notes: 'moved over the desk booking' },
    ]);
  });
});
