import { describe, expect, it } from 'vitest';
import { AppointmentSchema, PetSchema, UserSchema } from '../../src/protocol/index.ts';
import { appointmentData, count, HARBOR, seedIds, tempId, useServerWithStaff, createOp } from './helpers.ts';

const t = useServerWithStaff();

describe('REST: reads', () => {
  it('lists the practice’s appointments of a day, sorted by time, shaped as the protocol says', async () => {
    const day = new Date(t.server.clock.now());
    const date = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    const res = await t.client.request('GET', `/api/appointments?date=${date}`);
    expect(res.status).toBe(200);
    const rows = res.body.data as { date: string; practiceId: number }[];
    expect(rows.length).toBeGreaterThan(0);
    rows.forEach((r) => AppointmentSchema.parse(r));
    const start = new Date(`${date}T00:00:00`).getTime();
    expect(rows.every((r) => Date.parse(r.date) >= start && Date.parse(r.date) < start + 86_400_000 + 3_600_000)).toBe(
      true,
    );
    expect(rows.map((r) => r.date)).toEqual([...rows.map((r) => r.date)].sort());
    expect(rows.every((r) => r.practiceId === 1)).toBe(true);
  });

  it('filters appointments by from/to and by pet; pets by owner; users by role', async () => {
    const from = new Date(t.server.clock.now() - 7 * 86_400_000).toISOString();
    const to = new Date(t.server.clock.now() + 8 * 86_400_000).toISOString();
    const all = await t.client.request('GET', `/api/appointments?from=${from}&to=${to}`);
    expect(all.body.data.length).toBe(
      await count(t.server, 'SELECT COUNT(*) FROM appointments WHERE practice_id = 1 AND deleted_at IS NULL'),
    );
    const byPet = await t.client.request('GET', `/api/appointments?petId=${t.ids.petId}`);
    expect(byPet.body.data.every((a: { petId: number }) => a.petId === t.ids.petId)).toBe(true);
    const pets = await t.client.request('GET', `/api/pets?ownerId=${t.ids.clientId}`);
    expect(pets.body.data.length).toBeGreaterThan(0);
    pets.body.data.forEach((p: unknown) => PetSchema.parse(p));
    const vets = await t.client.request('GET', '/api/users?role=PRACTITIONER');
    expect(vets.body.data.map((u: { role: string }) => u.role)).toEqual(['PRACTITIONER', 'PRACTITIONER']);
    vets.body.data.forEach((u: unknown) => UserSchema.parse(u));
    expect(vets.text).not.toMatch(/password|scrypt/i);
  });

  it('GET one by real id or temp id; 404 for unknown, deleted or another practice’s', async () => {
    const temp = tempId('pet');
    const created = await t.client.push([
      createOp('pets', { name: 'Pip', species: 'Bird', ownerId: t.ids.clientId }, { tempId: temp }),
    ]);
    const id = created.body.results[0]!.realId!;
    expect((await t.client.request('GET', `/api/pets/${id}`)).body.data).toMatchObject({ id, name: 'Pip' });
    expect((await t.client.request('GET', `/api/pets/${temp}`)).body.data).toMatchObject({ id, name: 'Pip' });
    const harborPet = (await seedIds(t.server, 2)).petId;
    for (const missing of ['999999', tempId('pet'), String(harborPet)]) {
      const res = await t.client.request('GET', `/api/pets/${missing}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    const admin = await t.server.login('admin@northside.example');
    await admin.request('DELETE', `/api/pets/${id}`);
    expect((await t.client.request('GET', `/api/pets/${id}`)).status).toBe(404);
    const withDeleted = await t.client.request('GET', `/api/pets?ownerId=${t.ids.clientId}&includeDeleted=true`);
    expect(withDeleted.body.data.some((p: { id: number }) => p.id === id)).toBe(true);
  });

  it('reads ids by the protocol rule (parseRestId), as the worker does: `007` or `temp_` is not a record id', async () => {
    for (const bad of ['007', '0', '1.5', 'temp_']) {
      const one = await t.client.request('GET', `/api/pets/${bad}`);
      expect(one.status, bad).toBe(400);
      expect(one.body.error.code).toBe('VALIDATION');
      expect((await t.client.request('GET', `/api/pets?ownerId=${bad}`)).status, bad).toBe(400);
    }
  });
});

describe('REST: writes (same rules as push)', () => {
  it('POST creates (201) with clientId from the pet; an Idempotency-Key makes a replay return the same row', async () => {
    const before = await count(t.server, 'SELECT COUNT(*) FROM appointments');
    const body = appointmentData(t.ids.petId, t.ids.practitionerId, { clientId: 12345 });
    const first = await t.client.request('POST', '/api/appointments', body, { 'idempotency-key': 'req-0000-0001' });
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({ clientId: t.ids.petOwnerId, durationMinutes: '30', version: 1 });
    const again = await t.client.request('POST', '/api/appointments', body, { 'idempotency-key': 'req-0000-0001' });
    expect(again.status).toBe(201);
    expect(again.body.data).toEqual(first.body.data);
    expect(await count(t.server, 'SELECT COUNT(*) FROM appointments')).toBe(before + 1);
    // Without a key the same request is a new booking: of the same slot, so a double booking…
    const without = await t.client.request('POST', '/api/appointments', body);
    expect(without.status).toBe(409);
    expect(without.body).toMatchObject({
      error: { code: 'DOUBLE_BOOKING' },
      conflictData: { clashes: [{ reason: 'practitioner', appointment: { id: first.body.data.id } }] },
    });
    // …kept on purpose, a second row.
    const onPurpose = await t.client.request('POST', '/api/appointments', { ...body, overlapAllowed: true });
    expect(onPurpose.status).toBe(201);
    expect(onPurpose.body.data.id).not.toBe(first.body.data.id);
  });

  it('POST with a temp id registers it: later requests may name it (a replayed queue of plain requests)', async () => {
    const petTemp = tempId('pet');
    const pet = await t.client.request('POST', '/api/pets', {
      id: petTemp,
      name: 'Queue',
      species: 'Dog',
      ownerId: t.ids.clientId,
    });
    expect(pet.status).toBe(201);
    const appt = await t.client.request('POST', '/api/appointments', appointmentData(petTemp, null));
    expect(appt.status).toBe(201);
    expect(appt.body.data.petId).toBe(pet.body.data.id);
    const patched = await t.client.request('PATCH', `/api/pets/${petTemp}`, { breed: 'Whippet', version: 1 });
    expect(patched.body.data).toMatchObject({ id: pet.body.data.id, breed: 'Whippet', version: 2 });
  });

  it('POST errors: 400 VALIDATION, 400 PET_NOT_FOUND, 403 FORBIDDEN', async () => {
    const invalid = await t.client.request('POST', '/api/appointments', { title: 'x' });
    expect([invalid.status, invalid.body.error.code]).toEqual([400, 'VALIDATION']);
    const noPet = await t.client.request('POST', '/api/appointments', appointmentData(999_999, null));
    expect([noPet.status, noPet.body.error.code]).toEqual([400, 'PET_NOT_FOUND']);
    const forbidden = await t.client.request(
      'POST',
      '/api/appointments',
      appointmentData(t.ids.petId, null, { practiceId: 2 }),
    );
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('PATCH merges with a stale version or answers 409 with conflictData; DELETE with a stale version is 409', async () => {
    const created = await t.client.request('POST', '/api/appointments', appointmentData(t.ids.petId, null));
    const id = created.body.data.id as number;
    const desk = await t.server.login('admin@northside.example');
    expect((await desk.request('PATCH', `/api/appointments/${id}`, { title: 'Desk', version: 1 })).status).toBe(200);
    const merged = await t.client.request('PATCH', `/api/appointments/${id}`, { notes: 'Tablet', version: 1 });
    expect(merged.body.data).toMatchObject({ title: 'Desk', notes: 'Tablet', version: 3 });
    const conflict = await t.client.request('PATCH', `/api/appointments/${id}`, { title: 'Tablet', version: 1 });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      success: false,
      error: { code: 'CONFLICT' },
      conflictData: { conflictType: 'version', affectedFields: ['title'], baseVersion: 1, serverVersion: 3 },
      data: { id, version: 3 },
    });
    expect((await t.client.request('DELETE', `/api/appointments/${id}?version=1`)).status).toBe(409);
    const deleted = await t.client.request('DELETE', `/api/appointments/${id}?version=3`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toMatchObject({ id, version: 4, deletedAt: expect.any(String) });
    expect((await t.client.request('PATCH', `/api/appointments/${id}`, { notes: 'x' })).status).toBe(409);
  });

  it('PATCH/DELETE of another practice’s record is 404 and changes nothing', async () => {
    const harborAppt = (await seedIds(t.server, 2)).appointmentId;
    expect((await t.client.request('PATCH', `/api/appointments/${harborAppt}`, { notes: 'x' })).status).toBe(404);
    expect((await t.client.request('DELETE', `/api/appointments/${harborAppt}`)).status).toBe(404);
    const harbor = await t.server.login(HARBOR.email);
    expect((await harbor.request('GET', `/api/appointments/${harborAppt}`)).body.data.deletedAt).toBeNull();
  });

  it('REST writes and push share the opId log: an Idempotency-Key equal to a pushed opId replays it', async () => {
    const pushed = createOp('appointments', appointmentData(t.ids.petId, null));
    const res = await t.client.push([pushed]);
    const replay = await t.client.request('POST', '/api/appointments', appointmentData(t.ids.petId, null), {
      'idempotency-key': pushed.opId,
    });
    expect(replay.body.data.id).toBe(res.body.results[0]!.realId);
  });
});
