import { describe, expect, it } from 'vitest';
import { PushResponseSchema, type PushResponse } from '../../src/protocol/index.ts';
import { summarise } from '../../server/sync/push.ts';
import {
  appointmentData,
  count,
  HARBOR,
  NORTHSIDE,
  ON_POSTGRES,
  op,
  seedIds,
  tempId,
  useServerWithStaff,
  createOp,
  updateOp,
  deleteOp,
} from './helpers.ts';

const t = useServerWithStaff({}, async ({ server }) => ({
  admin: await server.login('admin@northside.example'),
  harborIds: await seedIds(server, 2),
}));

const appointments = () => count(t.server, 'SELECT COUNT(*) FROM appointments');

describe('push: creates', () => {
  it('creates an appointment: realId, tempId echoed, version 1, the stored record; response matches the protocol', async () => {
    const temp = tempId('appt');
    const data = appointmentData(t.ids.petId, t.ids.practitionerId);
    const res = await t.client.push([
      op({
        id: 7,
        operation: 'create',
        entityType: 'appointments',
        tempId: temp,
        data,
        practiceId: 1,
        tenantId: 'smartvet',
      }),
    ]);
    expect(res.status).toBe(200);
    expect(PushResponseSchema.parse(res.body)).toBeTruthy();
    expect(res.body).toMatchObject({
      success: true,
      processed: 1,
      failed: 0,
      conflicts: 0,
      timestamp: t.server.clock.now(),
    });
    const [result] = res.body.results;
    expect(result).toMatchObject({
      operationId: 7,
      success: true,
      entityType: 'appointments',
      tempId: temp,
      version: 1,
    });
    expect(result!.realId).toEqual(expect.any(Number));
    expect(result!.record).toMatchObject({
      id: result!.realId,
      title: 'Checkup',
      date: data.date,
      durationMinutes: '30',
      status: 'scheduled',
      notes: null,
      petId: t.ids.petId,
      practitionerId: t.ids.practitionerId,
      clientId: t.ids.petOwnerId,
      practiceId: 1,
      version: 1,
      createdAt: new Date(t.server.clock.now()).toISOString(),
      updatedAt: new Date(t.server.clock.now()).toISOString(),
      deletedAt: null,
    });
  });

  it('derives clientId from the pet owner, ignoring a sent clientId; stores duration as text and the date in UTC', async () => {
    const res = await t.client.push([
      createOp(
        'appointments',
        appointmentData(t.ids.petId, null, {
          clientId: t.ids.otherClientId,
          date: '2027-03-11T12:15:00+02:00',
          durationMinutes: '045',
        }),
      ),
    ]);
    const record = res.body.results[0]!.record!;
    expect(record.clientId).toBe(t.ids.petOwnerId);
    expect(record.date).toBe('2027-03-11T10:15:00.000Z');
    expect(record.durationMinutes).toBe('45');
    const row = await t.server.sql.get<Record<string, unknown>>(
      `SELECT p.owner_id AS client_id, a.duration_minutes, ${ON_POSTGRES ? 'pg_typeof(a.duration_minutes)::text' : 'typeof(a.duration_minutes)'} AS t, a.date FROM appointments a JOIN pets p ON p.id = a.pet_id WHERE a.id = ?`,
      record.id,
    );
    expect(row).toEqual({
      client_id: t.ids.petOwnerId,
      duration_minutes: '45',
      t: 'text',
      date: Date.UTC(2027, 2, 11, 10, 15),
    });
  });

  it('fails an appointment whose pet does not exist with PET_NOT_FOUND, and nothing is written', async () => {
    const before = await appointments();
    for (const petId of [999_999, tempId('pet'), t.harborIds.petId]) {
      const res = await t.client.push([createOp('appointments', appointmentData(petId, null))]);
      expect(res.body.results[0]).toMatchObject({ success: false, error: { code: 'PET_NOT_FOUND' } });
      expect(res.body).toMatchObject({ processed: 0, failed: 1, conflicts: 0 });
    }
    expect(await appointments()).toBe(before);
  });

  it('refuses a deleted pet, a practitioner who is a client, an owner who is staff', async () => {
    const pet = await t.client.push([createOp('pets', { name: 'Gone', species: 'Cat', ownerId: t.ids.clientId })]);
    const petId = pet.body.results[0]!.realId!;
    await t.admin.push([deleteOp('pets', petId, { version: 1 })]);
    const res = await t.client.push([
      createOp('appointments', appointmentData(petId, null)),
      createOp('appointments', appointmentData(t.ids.petId, t.ids.clientId)),
      createOp('pets', { name: 'Rex', species: 'Dog', ownerId: t.ids.staffId }),
    ]);
    expect(res.body.results.map((r) => r.error?.code)).toEqual([
      'PET_NOT_FOUND',
      'REFERENCE_NOT_FOUND',
      'REFERENCE_NOT_FOUND',
    ]);
  });

  it('creates a pet and its appointment with temp ids in one batch', async () => {
    const petTemp = tempId('pet');
    const apptTemp = tempId('appt');
    const res = await t.client.push([
      createOp(
        'pets',
        { name: 'Biscuit', species: 'Dog', breed: 'Beagle', birthDate: '2020-05-01', ownerId: t.ids.clientId },
        { entityId: petTemp, tempId: petTemp },
      ),
      createOp('appointments', appointmentData(petTemp, t.ids.practitionerId), {
        entityId: apptTemp,
        tempId: apptTemp,
      }),
    ]);
    expect(res.body.processed).toBe(2);
    const [pet, appt] = res.body.results;
    expect(pet).toMatchObject({ tempId: petTemp, success: true });
    expect(appt).toMatchObject({ tempId: apptTemp, success: true });
    expect(appt!.record).toMatchObject({ petId: pet!.realId, clientId: t.ids.clientId });
  });

  it('resolves a temp id created by an earlier push (reference and entityId)', async () => {
    const clientTemp = tempId('user');
    const petTemp = tempId('pet');
    const first = await t.client.push([
      createOp(
        'users',
        { name: 'Nora Lindqvist', email: 'nora@mail.example', phone: '+1 555 010 2030', role: 'CLIENT' },
        { tempId: clientTemp },
      ),
      createOp('pets', { name: 'Mochi', species: 'Cat', ownerId: clientTemp }, { tempId: petTemp }),
    ]);
    expect(first.body.processed).toBe(2);
    const [user, pet] = first.body.results;
    expect(user!.record).toMatchObject({
      role: 'CLIENT',
      tenantId: 'smartvet',
      practiceId: 1,
      email: 'nora@mail.example',
    });
    expect(pet!.record!.ownerId).toBe(user!.realId);

    const second = await t.client.push([
      createOp('appointments', appointmentData(petTemp, null)),
      updateOp('pets', petTemp, { breed: 'Siamese' }, { version: 1 }),
    ]);
    expect(second.body.processed).toBe(2);
    expect(second.body.results[0]!.record).toMatchObject({ petId: pet!.realId, clientId: user!.realId });
    expect(second.body.results[1]).toMatchObject({
      realId: pet!.realId,
      tempId: petTemp,
      version: 2,
      record: { breed: 'Siamese' },
    });
  });

  it('refuses a temp id nobody created (NOT_FOUND) and a create naming a real id (VALIDATION)', async () => {
    const res = await t.client.push([
      updateOp('pets', tempId('pet'), { name: 'X' }),
      createOp('pets', { name: 'X', species: 'Dog', ownerId: t.ids.clientId }, { entityId: 5 }),
    ]);
    expect(res.body.results.map((r) => r.error?.code)).toEqual(['NOT_FOUND', 'VALIDATION']);
  });
});

describe('push: references within one batch', () => {
  it('sees changes made earlier in the same batch (a pet deleted or given a new owner)', async () => {
    const pet = await t.client.push([createOp('pets', { name: 'Batchy', species: 'Dog', ownerId: t.ids.clientId })]);
    const petId = pet.body.results[0]!.realId!;
    const res = await t.admin.push([
      createOp('appointments', appointmentData(petId, t.ids.practitionerId)),
      updateOp('pets', petId, { ownerId: t.ids.otherClientId }, { version: 1 }),
      createOp('appointments', appointmentData(petId, t.ids.practitionerId)),
      deleteOp('pets', petId, { version: 2 }),
      createOp('appointments', appointmentData(petId, t.ids.practitionerId)),
    ]);
    expect(res.body.results.map((r) => (r.success ? (r.record!.clientId ?? 'ok') : r.error!.code))).toEqual([
      t.ids.clientId,
      'ok',
      t.ids.otherClientId,
      'ok',
      'PET_NOT_FOUND',
    ]);
  });
});

describe('push: exactly once', () => {
  it('a retried operation (same opId) returns the stored result and writes one row', async () => {
    const before = await appointments();
    const create = createOp('appointments', appointmentData(t.ids.petId, null), { tempId: tempId('appt') });
    const first = await t.client.push([create]);
    t.server.clock.advance(5000);
    const again = await t.client.push([create]);
    t.server.clock.advance(5000);
    const third = await t.client.push([create]);
    expect(await appointments()).toBe(before + 1);
    expect(again.body.results[0]).toEqual(first.body.results[0]);
    expect(third.body.results[0]).toEqual(first.body.results[0]);
    expect(again.body.processed).toBe(1);
  });

  it('the op log keeps what the answer says, not the answer: a replay gives the same answer, whatever text the opId holds', async () => {
    const opId = 'op-,"record":{"id":1}-' + tempId('x');
    const temp = tempId('appt');
    const create = createOp('appointments', appointmentData(t.ids.petId, null), { opId, tempId: temp });
    const first = await t.client.push([create]);
    expect(first.body.results[0]).toMatchObject({ opId, success: true, version: 1, record: { version: 1 } });
    const stored = await t.server.sql.get<Record<string, unknown>>(
      'SELECT entity_type, operation, real_id, version, temp_id, maps_temp_id, result FROM op_log WHERE op_id = ?',
      opId,
    );
    expect(stored).toEqual({
      entity_type: 'appointments',
      operation: 'create',
      real_id: first.body.results[0]!.realId,
      version: 1,
      temp_id: temp,
      maps_temp_id: 1,
      result: null,
    });
    expect((await t.client.push([create])).body.results[0]).toEqual(first.body.results[0]);
  });

  it('a replay returns the record as it was then, even after later changes and a delete', async () => {
    const create = createOp('appointments', appointmentData(t.ids.petId, null), { tempId: tempId('appt') });
    const first = await t.client.push([create]);
    const id = first.body.results[0]!.realId!;
    t.server.clock.advance(60_000);
    const update = updateOp('appointments', id, { notes: 'changed', status: 'confirmed' }, { version: 1 });
    const updated = await t.client.push([update]);
    t.server.clock.advance(60_000);
    await t.client.push([deleteOp('appointments', id, { version: 2 })]);
    const replays = await t.client.push([create, update]);
    expect(replays.body.results[0]).toEqual(first.body.results[0]);
    expect(replays.body.results[1]).toEqual(updated.body.results[0]);
    expect(replays.body.results[1]!.record).toMatchObject({ version: 2, notes: 'changed', deletedAt: null });
  });

  it('the same opId twice in one batch applies once', async () => {
    const before = await appointments();
    const create = createOp('appointments', appointmentData(t.ids.petId, null));
    const res = await t.client.push([create, create]);
    expect(await appointments()).toBe(before + 1);
    expect(res.body.results[1]).toEqual(res.body.results[0]);
  });

  it('a retried update does not bump the version twice', async () => {
    const created = await t.client.push([createOp('appointments', appointmentData(t.ids.petId, null))]);
    const id = created.body.results[0]!.realId!;
    const update = updateOp('appointments', id, { notes: 'Limping' }, { version: 1 });
    await t.client.push([update]);
    const again = await t.client.push([update]);
    expect(again.body.results[0]).toMatchObject({ success: true, version: 2 });
    expect(await t.server.sql.value('SELECT version FROM appointments WHERE id = ?', id)).toBe(2);
  });

  it('a create pushed again under a new opId with the same temp id does not duplicate', async () => {
    const before = await appointments();
    const temp = tempId('appt');
    const first = await t.client.push([createOp('appointments', appointmentData(t.ids.petId, null), { tempId: temp })]);
    const second = await t.client.push([
      createOp('appointments', appointmentData(t.ids.petId, null), { tempId: temp }),
    ]);
    expect(await appointments()).toBe(before + 1);
    expect(second.body.results[0]).toMatchObject({
      success: true,
      realId: first.body.results[0]!.realId,
      tempId: temp,
    });
  });

  it('reusing an opId for a different operation is refused', async () => {
    const create = createOp('appointments', appointmentData(t.ids.petId, null));
    await t.client.push([create]);
    const res = await t.client.push([{ ...create, operation: 'delete', entityId: 1 }]);
    expect(res.body.results[0]).toMatchObject({ success: false, error: { code: 'VALIDATION' } });
  });

  it('opIds are per practice: the same opId in another practice is a different operation', async () => {
    const shared = `op-shared-${Date.now()}`;
    await t.client.push([createOp('appointments', appointmentData(t.ids.petId, null), { opId: shared })]);
    const harbor = await t.server.login(HARBOR.email);
    const res = await harbor.push([
      createOp('appointments', appointmentData(t.harborIds.petId, null), { opId: shared }),
    ]);
    expect(res.body.results[0]).toMatchObject({ success: true, record: { practiceId: 2, petId: t.harborIds.petId } });
  });

  it('a failed operation is not remembered: pushed again once its pet exists, it applies', async () => {
    const petTemp = tempId('pet');
    const appt = createOp('appointments', appointmentData(petTemp, null));
    const first = await t.client.push([appt]);
    expect(first.body.results[0]!.error?.code).toBe('PET_NOT_FOUND');
    await t.client.push([
      createOp('pets', { name: 'Late', species: 'Dog', ownerId: t.ids.clientId }, { tempId: petTemp }),
    ]);
    const second = await t.client.push([appt]);
    expect(second.body.results[0]).toMatchObject({ success: true });
  });
});

describe('push: one operation never fails the others', () => {
  it('applies the good operations of a mixed batch; counts match results', async () => {
    const before = await appointments();
    const res = await t.client.push([
      createOp('appointments', appointmentData(t.ids.petId, null)),
      createOp('appointments', { title: '' }),
      createOp('clients', { name: 'X' }),
      { opId: 'short' },
      createOp('appointments', appointmentData(999_999, null)),
      createOp('appointments', appointmentData(t.ids.petId, null), { practiceId: 2 }),
      updateOp('appointments', 999_999, { notes: 'x' }),
      createOp('appointments', appointmentData(t.ids.petId, null, { durationMinutes: 0 })),
      createOp('appointments', appointmentData(t.ids.petId, null)),
    ]);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r) => (r.success ? 'ok' : r.error!.code))).toEqual([
      'ok',
      'VALIDATION',
      'UNKNOWN_ENTITY',
      'VALIDATION',
      'PET_NOT_FOUND',
      'FORBIDDEN',
      'NOT_FOUND',
      'VALIDATION',
      'ok',
    ]);
    expect(res.body).toMatchObject({ processed: 2, failed: 7, conflicts: 0 });
    expect(res.body.results[3]).toMatchObject({ opId: 'short', entityType: '' });
    expect(await appointments()).toBe(before + 2);
    expect(res.body.results[2]!.error!.message).toContain('clients are users with role CLIENT');
  });
});

describe('push: tenancy', () => {
  it.each([
    ['op practiceId', { practiceId: 2 }, {}],
    ['op tenantId', { tenantId: 'harborvet' }, {}],
    ['data.practiceId', {}, { practiceId: 2 }],
    ['data.tenantId', {}, { tenantId: 'harborvet' }],
  ])('refuses an operation naming another practice (%s) with FORBIDDEN, alone', async (_name, opFields, dataFields) => {
    const before = await appointments();
    const res = await t.client.push([
      op({
        operation: 'create',
        entityType: 'appointments',
        data: appointmentData(t.ids.petId, null, dataFields),
        ...opFields,
      }),
      createOp('appointments', appointmentData(t.ids.petId, null), {
        practiceId: NORTHSIDE.practiceId,
        tenantId: NORTHSIDE.tenantId,
      }),
    ]);
    expect(res.body.results[0]).toMatchObject({ success: false, error: { code: 'FORBIDDEN' } });
    expect(res.body.results[1]).toMatchObject({ success: true });
    expect(await appointments()).toBe(before + 1);
  });

  it("cannot touch another practice's rows: they do not exist for it", async () => {
    const res = await t.admin.push([
      updateOp('appointments', t.harborIds.appointmentId, { notes: 'hijack' }),
      deleteOp('pets', t.harborIds.petId),
    ]);
    expect(res.body.results.map((r) => r.error?.code)).toEqual(['NOT_FOUND', 'NOT_FOUND']);
    expect(
      await t.server.sql.value(
        'SELECT CASE WHEN notes IS NULL OR notes != ? THEN 1 ELSE 0 END FROM appointments WHERE id = ?',
        'hijack',
        t.harborIds.appointmentId,
      ),
    ).toBe(1);
  });

  it('cannot use a temp id created by another practice', async () => {
    const harbor = await t.server.login(HARBOR.email);
    const petTemp = tempId('pet');
    await harbor.push([
      createOp('pets', { name: 'Salty', species: 'Dog', ownerId: t.harborIds.clientId }, { tempId: petTemp }),
    ]);
    const res = await t.client.push([createOp('appointments', appointmentData(petTemp, null))]);
    expect(res.body.results[0]!.error!.code).toBe('PET_NOT_FOUND');
  });

  it('staff accounts are not writable through sync; clients are', async () => {
    const res = await t.client.push([
      updateOp('users', t.ids.staffId, { name: 'Boss' }),
      createOp('users', { name: 'Sneaky', role: 'ADMIN' }),
      updateOp('users', t.ids.clientId, { phone: '+1 555 000 1111' }),
    ]);
    expect(res.body.results.map((r) => (r.success ? 'ok' : r.error!.code))).toEqual(['FORBIDDEN', 'VALIDATION', 'ok']);
  });
});

describe('push: logging', () => {
  it('logs [SyncPush] with counts and a request line with its duration', async () => {
    t.server.lines.length = 0;
    await t.client.push([createOp('appointments', appointmentData(999_999, null))]);
    expect(
      t.server.lines.some((l) =>
        /^\[SyncPush\] practice 1 user \d+: 1 operations → 0 processed, 1 failed, 0 conflicts in [\d.]+ms \[PET_NOT_FOUND×1\]$/.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(t.server.lines.some((l) => /^\[Http\] POST \/api\/sync\/push 200 [\d.]+ms$/.test(l))).toBe(true);
  });
});

describe('push response', () => {
  it('counts each operation by its fate', () => {
    const response: PushResponse = summarise(
      [
        {
          opId: 'a',
          success: true,
          entityType: 'pets',
          realId: 1,
          version: 1,
          record: { id: 1, name: 'Rex "the dog"' },
        },
        { opId: 'b', success: false, entityType: 'pets', error: { code: 'VALIDATION', message: 'bad' } },
        { opId: 'c', success: false, conflict: true, entityType: 'pets', realId: 2 },
      ],
      123,
    );
    expect(response).toMatchObject({ processed: 1, failed: 1, conflicts: 1, timestamp: 123 });
    expect(summarise([], 5)).toEqual({
      success: true,
      processed: 0,
      failed: 0,
      conflicts: 0,
      results: [],
      timestamp: 5,
    });
  });
});
