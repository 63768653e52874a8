/**
 * Issue 11 item 1, server side: a booking that overlaps another live booking of the same
 * practitioner or pet is not applied; push answers a `double_booking` conflict with the clashing
 * appointments, REST a 409 DOUBLE_BOOKING with the same conflictData; `overlapAllowed` keeps one
 * on purpose and is stored like any field.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { startServer } from '../../bench/lib/server.ts';
import {
  ConflictDataSchema,
  MAX_CLASHES_REPORTED,
  PushResponseSchema,
  type PushResponse,
  type PushResult,
} from '../../src/protocol/index.ts';
import {
  appointmentData,
  count,
  ON_POSTGRES,
  op,
  seedIds,
  startTestServer,
  tempId,
  type Client,
  useServerWithStaff,
  createOp,
  deleteOp,
} from './helpers.ts';

/** Two devices (the front desk's tablet, the vet's desk), the practice's other practitioner and two more pets. */
const t = useServerWithStaff({}, async ({ server, client, ids }) => {
  const pets = await server.sql.values<number>(
    'SELECT id FROM pets WHERE practice_id = 1 AND id != ? ORDER BY id LIMIT 2',
    ids.petId,
  );
  return {
    tablet: client,
    desk: await server.login('vet@northside.example'),
    otherPractitionerId: await server.sql.value<number>(
      "SELECT id FROM users WHERE practice_id = 1 AND role = 'PRACTITIONER' AND id != ? LIMIT 1",
      ids.practitionerId,
    ),
    otherPetId: pets[0]!,
    thirdPetId: pets[1]!,
  };
});

/** Each test books on a day of its own, far from the seeded appointments. */
let dayNumber = 0;
function day(): (time: string) => string {
  const date = new Date(Date.UTC(2027, 0, 4 + dayNumber++ * 3)).toISOString().slice(0, 10);
  return (time) => `${date}T${time}:00.000Z`;
}

function booking(at: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return appointmentData(t.ids.petId, t.ids.practitionerId, { date: at, durationMinutes: 30, ...extra });
}

async function create(
  client: Client,
  data: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<PushResult> {
  const res = await client.push([op({ operation: 'create', entityType: 'appointments', data, ...extra })]);
  expect(res.status).toBe(200);
  return res.body.results[0]!;
}

async function update(client: Client, id: number, version: number, data: Record<string, unknown>): Promise<PushResult> {
  const res = await client.push([op({ operation: 'update', entityType: 'appointments', entityId: id, version, data })]);
  return res.body.results[0]!;
}

const appointmentsAt = (date: string) =>
  count(t.server, 'SELECT COUNT(*) FROM appointments WHERE date = ?', Date.parse(date));

describe('a new booking', () => {
  it('over a booking of the same practitioner is held back: a double_booking conflict with the clashing appointment, nothing stored', async () => {
    const at = day();
    const first = await create(t.desk, booking(at('10:00'), { petId: t.otherPetId }));
    expect(first).toMatchObject({ success: true, record: { overlapAllowed: false } });
    const temp = tempId('appt');
    const opsBefore = await count(t.server, 'SELECT COUNT(*) FROM op_log');
    const res = await t.tablet.push([
      createOp('appointments', booking(at('10:15'), { notes: 'Limping' }), { tempId: temp }),
    ]);
    expect(PushResponseSchema.parse(res.body)).toBeTruthy();
    expect(res.body).toMatchObject({ processed: 0, failed: 0, conflicts: 1 });
    const result = res.body.results[0]!;
    expect(result).toMatchObject({ success: false, conflict: true, tempId: temp });
    expect(result).not.toHaveProperty('realId');
    expect(result).not.toHaveProperty('record');
    expect(ConflictDataSchema.parse(result.conflictData)).toEqual({
      conflictType: 'double_booking',
      clashes: [{ reason: 'practitioner', appointment: first.record }],
      localData: expect.objectContaining({
        date: at('10:15'),
        durationMinutes: '30',
        practitionerId: t.ids.practitionerId,
        petId: t.ids.petId,
        notes: 'Limping',
        overlapAllowed: false,
      }),
      serverData: {},
      affectedFields: ['date', 'durationMinutes', 'practitionerId'],
      baseVersion: 0,
      serverVersion: 0,
    });
    expect(await appointmentsAt(at('10:15'))).toBe(0);
    // Like any conflict, not remembered: nothing in the op log, no temp id recorded.
    expect(await count(t.server, 'SELECT COUNT(*) FROM op_log')).toBe(opsBefore);
    expect(await count(t.server, 'SELECT COUNT(*) FROM op_log WHERE temp_id = ?', temp)).toBe(0);
  });

  it('of the same pet with another practitioner clashes too (reason pet)', async () => {
    const at = day();
    const first = await create(
      t.desk,
      booking(at('14:00'), { practitionerId: t.otherPractitionerId, durationMinutes: 60 }),
    );
    const held = await create(t.tablet, booking(at('14:45')));
    expect(held.conflictData).toMatchObject({
      clashes: [{ reason: 'pet', appointment: { id: first.realId } }],
      affectedFields: ['date', 'durationMinutes', 'petId'],
    });
  });

  it('next to a booking (one ends as the other starts), or over a cancelled, no-show or deleted one, is fine', async () => {
    const at = day();
    await create(t.desk, booking(at('09:00')));
    expect(await create(t.tablet, booking(at('09:30')))).toMatchObject({ success: true });
    expect(await create(t.tablet, booking(at('08:30')))).toMatchObject({ success: true });
    const cancelled = await create(t.desk, booking(at('11:00'), { status: 'cancelled' }));
    const noShow = await create(t.desk, booking(at('12:00'), { status: 'no_show' }));
    const deleted = await create(t.desk, booking(at('13:00')));
    await t.desk.push([deleteOp('appointments', deleted.realId, { version: 1 })]);
    for (const time of ['11:00', '12:00', '13:00'])
      expect(await create(t.tablet, booking(at(time)))).toMatchObject({ success: true });
    expect([cancelled.success, noShow.success]).toEqual([true, true]);
  });

  it('that is itself cancelled, or has no practitioner and another pet, takes no slot', async () => {
    const at = day();
    await create(t.desk, booking(at('10:00')));
    expect(await create(t.tablet, booking(at('10:00'), { status: 'cancelled' }))).toMatchObject({ success: true });
    expect(await create(t.tablet, booking(at('10:00'), { practitionerId: null, petId: t.otherPetId }))).toMatchObject({
      success: true,
    });
  });

  it('kept on purpose (overlapAllowed) is stored with the flag, and clashes with nothing later', async () => {
    const at = day();
    const first = await create(t.desk, booking(at('15:00')));
    const both = await create(t.tablet, booking(at('15:00'), { overlapAllowed: true }));
    expect(both).toMatchObject({ success: true, record: { overlapAllowed: true } });
    expect(await t.server.sql.value('SELECT overlap_allowed FROM appointments WHERE id = ?', both.realId)).toBe(1);
    // The flag is in every answer: REST reads and pulls.
    expect((await t.tablet.request('GET', `/api/appointments/${both.realId}`)).body.data.overlapAllowed).toBe(true);
    const pulled = (await t.tablet.pull({ entityTypes: 'appointments', limit: 1000, lastSyncTimestamp: 0 })).body
      .changes;
    expect(pulled.find((c) => c.id === both.realId)?.data.overlapAllowed).toBe(true);
    expect(pulled.find((c) => c.id === first.realId)?.data.overlapAllowed).toBe(false);
    // A third booking clashes with the first only: the kept one is invisible to the rule.
    const third = await create(t.tablet, booking(at('15:10')));
    expect(third.conflictData!.clashes!.map((c) => c.appointment.id)).toEqual([first.realId]);
  });

  it('a booking of up to 24 hours reaches into the next day', async () => {
    const at = day();
    const long = await create(t.desk, booking(at('20:00'), { durationMinutes: 1440 }));
    const next = new Date(Date.parse(at('20:00')) + 23 * 3_600_000).toISOString();
    const held = await create(t.tablet, booking(next));
    expect(held.conflictData!.clashes!.map((c) => c.appointment.id)).toEqual([long.realId]);
  });

  it('a booking is found in its last minute whatever its length: up to an hour, and longer ones (indexed apart)', async () => {
    for (const minutes of [1, 60, 61, 180, 1439, 1440]) {
      const at = day();
      const first = await create(t.desk, booking(at('00:00'), { durationMinutes: minutes }));
      const lastMinute = new Date(Date.parse(at('00:00')) + (minutes - 1) * 60_000).toISOString();
      const samePractitioner = await create(t.tablet, booking(lastMinute, { petId: t.otherPetId }));
      expect(samePractitioner.conflictData?.clashes, `${minutes} min, practitioner`).toEqual([
        { reason: 'practitioner', appointment: expect.objectContaining({ id: first.realId }) },
      ]);
      const samePet = await create(t.tablet, booking(lastMinute, { practitionerId: t.otherPractitionerId }));
      expect(samePet.conflictData?.clashes, `${minutes} min, pet`).toEqual([
        { reason: 'pet', appointment: expect.objectContaining({ id: first.realId }) },
      ]);
      const after = new Date(Date.parse(at('00:00')) + minutes * 60_000).toISOString();
      expect((await create(t.tablet, booking(after))).success, `${minutes} min, right after`).toBe(true);
    }
  });

  it('an update that moves a booking into the last hour of a long one, or lengthens it over one, is held back', async () => {
    const at = day();
    const long = await create(t.desk, booking(at('08:00'), { durationMinutes: 300 }));
    const clashWithLong = [{ reason: 'practitioner', appointment: expect.objectContaining({ id: long.realId }) }];
    const later = await create(t.tablet, booking(at('15:00'), { petId: t.otherPetId }));
    expect((await update(t.tablet, later.realId!, 1, { date: at('12:45') })).conflictData?.clashes).toEqual(
      clashWithLong,
    );
    const earlier = await create(t.tablet, booking(at('06:00'), { petId: t.otherPetId, durationMinutes: 60 }));
    expect((await update(t.tablet, earlier.realId!, 1, { durationMinutes: 180 })).conflictData?.clashes).toEqual(
      clashWithLong,
    );
    // Moved clear of it, it applies.
    expect((await update(t.tablet, later.realId!, 1, { date: at('13:00') })).success).toBe(true);
  });

  it(`reports at most ${MAX_CLASHES_REPORTED} clashes, practitioner ones first, by time`, async () => {
    const at = day();
    const made: number[] = [];
    for (const [i, time] of ['08:00', '09:00', '10:00', '11:00', '12:00', '13:00'].entries()) {
      made.push((await create(t.desk, booking(at(time), { petId: i === 0 ? t.ids.petId : t.otherPetId }))).realId!);
    }
    const samePet = await create(t.desk, booking(at('13:30'), { practitionerId: t.otherPractitionerId }));
    const held = await create(t.tablet, booking(at('08:00'), { durationMinutes: 360 }));
    expect(held.conflictData!.clashes!.map((c) => [c.reason, c.appointment.id])).toEqual(
      made.slice(0, MAX_CLASHES_REPORTED).map((id) => ['practitioner', id]),
    );
    expect(held.conflictData!.affectedFields).toEqual(['date', 'durationMinutes', 'practitionerId']);
    const petOnly = await create(t.tablet, booking(at('13:15'), { practitionerId: null }));
    expect(petOnly.conflictData!.clashes!.map((c) => [c.reason, c.appointment.id])).toEqual([['pet', samePet.realId]]);
  });

  it('two bookings of one slot in the same batch: the first is stored, the second held', async () => {
    const at = day();
    const res = await t.tablet.push([
      createOp('appointments', booking(at('10:00'))),
      createOp('appointments', booking(at('10:00'), { petId: t.otherPetId })),
    ]);
    expect(res.body).toMatchObject({ processed: 1, conflicts: 1 });
    expect(res.body.results[1]!.conflictData!.clashes![0]!.appointment.id).toBe(res.body.results[0]!.realId);
  });

  it('held back, then sent again once the slot is free (same opId), it applies: a conflict is evaluated afresh', async () => {
    const at = day();
    const first = await create(t.desk, booking(at('16:00')));
    const retry = createOp('appointments', booking(at('16:00'), { petId: t.otherPetId }));
    expect((await t.tablet.push([retry])).body.conflicts).toBe(1);
    await update(t.desk, first.realId!, 1, { status: 'cancelled' });
    expect((await t.tablet.push([retry])).body.results[0]).toMatchObject({ success: true });
  });
});

describe('a change to a booking', () => {
  it('moving it over another booking is held back with the server record; nothing applied', async () => {
    const at = day();
    const other = await create(t.desk, booking(at('09:00'), { petId: t.otherPetId }));
    const mine = await create(t.tablet, booking(at('11:00')));
    const result = await update(t.tablet, mine.realId!, 1, { date: at('09:15') });
    expect(result).toMatchObject({
      success: false,
      conflict: true,
      realId: mine.realId,
      version: 1,
      record: { date: at('11:00') },
    });
    expect(result.conflictData).toMatchObject({
      conflictType: 'double_booking',
      clashes: [{ reason: 'practitioner', appointment: { id: other.realId, date: at('09:00') } }],
      localData: { date: at('09:15') },
      serverData: { id: mine.realId, date: at('11:00'), version: 1 },
      affectedFields: ['date', 'durationMinutes', 'practitionerId'],
      baseVersion: 1,
      serverVersion: 1,
      serverChangedFields: [],
    });
    expect(
      await t.server.sql.value(
        'SELECT CAST(date AS TEXT) || CAST(version AS TEXT) FROM appointments WHERE id = ?',
        mine.realId,
      ),
    ).toBe(`${Date.parse(at('11:00'))}1`);
  });

  it('a longer visit, another practitioner, or the pet of a busy slot are booking changes and checked', async () => {
    const at = day();
    const busy = await create(
      t.desk,
      booking(at('10:00'), { practitionerId: t.otherPractitionerId, petId: t.otherPetId }),
    );
    const longer = await create(t.tablet, booking(at('09:00'), { practitionerId: t.otherPractitionerId }));
    expect((await update(t.tablet, longer.realId!, 1, { durationMinutes: 90 })).conflictData?.clashes).toEqual([
      { reason: 'practitioner', appointment: busy.record },
    ]);
    const moved = await create(t.tablet, booking(at('10:00')));
    expect(
      (await update(t.tablet, moved.realId!, 1, { practitionerId: t.otherPractitionerId })).conflictData?.clashes?.[0]
        ?.reason,
    ).toBe('practitioner');
    const pet = await create(t.tablet, booking(at('10:00'), { practitionerId: null, petId: t.thirdPetId }));
    expect(pet).toMatchObject({ success: true });
    expect((await update(t.tablet, pet.realId!, 1, { petId: t.otherPetId })).conflictData?.clashes?.[0]?.reason).toBe(
      'pet',
    );
  });

  it('edits that touch no booking field are not checked; cancelling always applies; bringing a cancelled one back is checked', async () => {
    const at = day();
    const first = await create(t.desk, booking(at('10:00')));
    const kept = await create(t.tablet, booking(at('10:00'), { overlapAllowed: true, petId: t.otherPetId }));
    // A booking that overlaps from before the rule (stored directly): its notes still change.
    // PostgreSQL holds the rule itself (exclusion constraints): such a row cannot be stored at all.
    if (ON_POSTGRES) {
      await expect(
        t.server.sql.run('UPDATE appointments SET overlap_allowed = 0 WHERE id = ?', kept.realId),
      ).rejects.toThrow(/appointments_(practitioner|pet)_no_overlap/);
      return;
    }
    await t.server.sql.run('UPDATE appointments SET overlap_allowed = 0 WHERE id = ?', kept.realId);
    expect(await update(t.tablet, kept.realId!, 1, { notes: 'Call first', title: 'Recheck' })).toMatchObject({
      success: true,
      version: 2,
    });
    expect(await update(t.tablet, kept.realId!, 2, { status: 'cancelled' })).toMatchObject({
      success: true,
      version: 3,
    });
    const back = await update(t.tablet, kept.realId!, 3, { status: 'scheduled' });
    expect(back.conflictData).toMatchObject({
      conflictType: 'double_booking',
      clashes: [{ appointment: { id: first.realId } }],
    });
  });

  it('kept on purpose by the update that moves it (keep both): applied as a versioned change with an undo revision', async () => {
    const at = day();
    await create(t.desk, booking(at('10:00'), { petId: t.otherPetId }));
    const mine = await create(t.tablet, booking(at('12:00')));
    const both = await update(t.tablet, mine.realId!, 1, { date: at('10:00'), overlapAllowed: true });
    expect(both).toMatchObject({ success: true, version: 2, record: { overlapAllowed: true, date: at('10:00') } });
    expect(
      await t.server.sql.value(
        "SELECT previous FROM revisions WHERE entity_type = 'appointments' AND entity_id = ? AND version = 2",
        mine.realId,
      ),
    ).toBe(JSON.stringify({ date: at('12:00'), overlapAllowed: false }));
    // Taking the choice back while the overlap is still there is checked like any booking change.
    expect((await update(t.tablet, mine.realId!, 2, { overlapAllowed: false })).conflictData?.conflictType).toBe(
      'double_booking',
    );
    // A version conflict comes first: a device on version 1 moving it too meets the server's move.
    expect((await update(t.desk, mine.realId!, 1, { date: at('10:05') })).conflictData).toMatchObject({
      conflictType: 'version',
      affectedFields: ['date'],
    });
  });
});

describe('REST', () => {
  it('POST and PATCH answer 409 DOUBLE_BOOKING with the same conflictData and a sentence for people', async () => {
    const at = day();
    const first = await t.desk.request('POST', '/api/appointments', booking(at('10:00'), { title: 'Vaccination' }));
    expect(first.status).toBe(201);
    const post = await t.tablet.request('POST', '/api/appointments', booking(at('10:20'), { petId: t.otherPetId }));
    expect(post.status).toBe(409);
    expect(post.body).toMatchObject({
      success: false,
      error: { code: 'DOUBLE_BOOKING' },
      conflictData: {
        conflictType: 'double_booking',
        serverData: {},
        clashes: [{ reason: 'practitioner', appointment: { id: first.body.data.id } }],
      },
      data: null,
    });
    expect(post.body.error.message).toContain(`"Vaccination" on ${at('10:00').slice(0, 10)} 10:00–10:30 UTC`);
    const mine = await t.tablet.request('POST', '/api/appointments', booking(at('11:00'), { petId: t.otherPetId }));
    const patch = await t.tablet.request('PATCH', `/api/appointments/${mine.body.data.id}`, {
      date: at('10:15'),
      version: 1,
    });
    expect(patch.status).toBe(409);
    expect(patch.body).toMatchObject({
      error: { code: 'DOUBLE_BOOKING' },
      conflictData: { conflictType: 'double_booking', serverVersion: 1 },
      data: { id: mine.body.data.id },
    });
  });
});

describe('concurrent bookings of one slot', () => {
  it('several devices pushing at once: exactly one stored, the others held as double bookings', async () => {
    const at = day();
    const devices = await Promise.all(Array.from({ length: 8 }, () => t.server.login()));
    const results = await Promise.all(
      devices.map((device, i) =>
        device.push([
          createOp(
            'appointments',
            booking(at('10:00'), { petId: i % 2 ? t.ids.petId : t.otherPetId, title: `Device ${i}` }),
          ),
        ]),
      ),
    );
    const outcomes = results.map((r) => r.body.results[0]!);
    expect(outcomes.filter((r) => r.success)).toHaveLength(1);
    expect(outcomes.filter((r) => r.conflictData?.conflictType === 'double_booking')).toHaveLength(7);
    expect(await appointmentsAt(at('10:00'))).toBe(1);
  });

  it('two server processes on one database: the check and the write are one transaction, so one booking wins', async () => {
    const shared = await startTestServer();
    const other = await startServer(path.join(shared.dir, 'test.db'), {
      DIST_DIR: path.join(shared.dir, 'dist'),
      ...(shared.databaseUrl ? { DATABASE_URL: shared.databaseUrl } : {}),
    });
    try {
      // Signed in on the second process (its clock is the real one); the session is in the shared file.
      const login = await fetch(`${other.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'reception@northside.example', password: 'demo1234' }),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const at = day();
      const { petId, practitionerId } = await seedIds(shared, 1);
      const pushes = Array.from({ length: 12 }, async (_, i) => {
        const body = {
          operations: [
            createOp(
              'appointments',
              appointmentData(petId, practitionerId, { date: at('10:00'), title: `Process ${i % 2}` }),
            ),
          ],
          clientTimestamp: Date.now(),
        };
        const res = await fetch(`${i % 2 ? other.url : shared.url}/api/sync/push`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie },
          body: JSON.stringify(body),
        });
        return ((await res.json()) as PushResponse).results[0]!;
      });
      const outcomes = await Promise.all(pushes);
      expect(outcomes.filter((r) => r.success)).toHaveLength(1);
      expect(outcomes.filter((r) => r.conflictData?.conflictType === 'double_booking')).toHaveLength(11);
      expect(await count(shared, 'SELECT COUNT(*) FROM appointments WHERE date = ?', Date.parse(at('10:00')))).toBe(1);
    } finally {
      await other.stop();
      await shared.close();
    }
  });

  it.skipIf(!ON_POSTGRES)(
    'PostgreSQL holds the rule itself: a booking written around the server (no lock, no check) still cannot overlap one the server writes',
    async () => {
      const at = day();
      // Another program's transaction inserts a booking of the practitioner and keeps it open.
      const other = new pg.Client({ connectionString: t.server.databaseUrl });
      await other.connect();
      try {
        await other.query('BEGIN');
        const start = Date.parse(at('10:00'));
        const inserted = await other.query<{ id: string }>(
          `INSERT INTO appointments (title, type, date, duration_minutes, status, pet_id, practitioner_id, practice_id, version, created_at, updated_at, seq, edited_at)
         VALUES ('Around the server', 'checkup', $1, '30', 'scheduled', $2, $3, 1, 1, $1, $1, 999999, $1) RETURNING id`,
          [start, t.otherPetId, t.ids.practitionerId],
        );
        // The server's check cannot see it yet; its insert waits on the exclusion constraint...
        const pushed = create(t.desk, booking(at('10:15')));
        await new Promise((r) => setTimeout(r, 300));
        await other.query('COMMIT');
        // ...and once the other commits, the push answers the same double_booking conflict, nothing stored.
        const result = await pushed;
        expect(result).toMatchObject({
          success: false,
          conflict: true,
          conflictData: {
            conflictType: 'double_booking',
            clashes: [{ reason: 'practitioner', appointment: { id: Number(inserted.rows[0]!.id) } }],
          },
        });
        expect(await appointmentsAt(at('10:15'))).toBe(0);
      } finally {
        await other.end();
      }
    },
  );

  it('REST writes at once too', async () => {
    const at = day();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? t.tablet : t.desk).request('POST', '/api/appointments', booking(at('10:00'), { title: `Desk ${i}` })),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(await appointmentsAt(at('10:00'))).toBe(1);
  });
});
