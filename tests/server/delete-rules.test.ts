/**
 * Delete rules (issue 9 item 3, decision D2), clientId derived when read (D1, item 4), and roles
 * (item 11, D3): who may delete what, what a delete takes with it, and what it refuses.
 */
import { describe, expect, it } from 'vitest';
import { permissionDenied, type PullChange } from '../../src/protocol/index.ts';
import { MAX_CANCELLED_BY_PET_DELETE } from '../../server/sync/apply.ts';
import { T0, appointmentData, count, op, useTestServer, createOp, updateOp, deleteOp } from './helpers.ts';

const t = useTestServer({}, async (server) => ({
  staff: await server.login(),
  vet: await server.login('vet@northside.example'),
  admin: await server.login('admin@northside.example'),
}));

const HOUR = 3_600_000;
const at = (offsetHours: number) => new Date(T0 + offsetHours * HOUR).toISOString();

async function newClient(name: string): Promise<number> {
  const res = await t.staff.push([createOp('users', { name, role: 'CLIENT' })]);
  return res.body.results[0]!.realId!;
}

async function newPet(ownerId: number, name: string): Promise<number> {
  const res = await t.staff.push([createOp('pets', { name, species: 'Dog', ownerId })]);
  return res.body.results[0]!.realId!;
}

async function newAppointment(petId: number, date: string, status = 'scheduled'): Promise<number> {
  const res = await t.staff.push([createOp('appointments', appointmentData(petId, null, { date, status }))]);
  expect(res.body.results[0]!.success, JSON.stringify(res.body.results[0])).toBe(true);
  return res.body.results[0]!.realId!;
}

const row = (id: number) =>
  t.server.sql.get<{ status: string; version: number; seq: number; deletedAt: number | null }>(
    'SELECT status, version, seq, deleted_at AS "deletedAt" FROM appointments WHERE id = ?',
    id,
  );

describe('roles (D3)', () => {
  it('front desk and practitioners may not delete clients or pets: FORBIDDEN with the shared sentence', async () => {
    const owner = await newClient('Role Test');
    const pet = await newPet(owner, 'Rolly');
    for (const who of [t.staff, t.vet]) {
      const res = await who.push([deleteOp('pets', pet), deleteOp('users', owner)]);
      const role = who === t.staff ? 'STAFF' : 'PRACTITIONER';
      expect(res.body.results.map((r) => r.error)).toEqual([
        { code: 'FORBIDDEN', message: permissionDenied(role, 'delete', 'pets') },
        { code: 'FORBIDDEN', message: permissionDenied(role, 'delete', 'users') },
      ]);
      const rest = await who.request('DELETE', `/api/pets/${pet}`);
      expect(rest.status).toBe(403);
      expect(rest.body.error).toEqual({ code: 'FORBIDDEN', message: 'Only administrators may delete pets.' });
    }
    expect(await count(t.server, 'SELECT COUNT(*) FROM pets WHERE id = ? AND deleted_at IS NULL', pet)).toBe(1);
  });

  it('front desk and practitioners create and change clients, pets and appointments, and delete appointments', async () => {
    const owner = await newClient('Allowed Owner');
    const pet = await newPet(owner, 'Allowed');
    const appt = await newAppointment(pet, at(24));
    const res = await t.vet.push([
      updateOp('users', owner, { phone: '+1 555 000 0000' }),
      updateOp('pets', pet, { breed: 'Beagle' }),
      updateOp('appointments', appt, { notes: 'ok' }),
      deleteOp('appointments', appt),
    ]);
    expect(res.body.results.map((r) => r.success)).toEqual([true, true, true, true]);
  });
});

describe('deleting a client (D2)', () => {
  it('is refused while the client has live pets: HAS_DEPENDENTS naming them (push and REST 409)', async () => {
    const owner = await newClient('Maria Lopez');
    const bella = await newPet(owner, 'Bella');
    await newPet(owner, 'Rex');
    const res = await t.admin.push([deleteOp('users', owner)]);
    expect(res.body.results[0]).toMatchObject({ success: false, error: { code: 'HAS_DEPENDENTS' } });
    expect(res.body.results[0]!.error!.message).toBe(
      'Maria Lopez still has 2 pets: Bella and Rex. Delete them or give them another owner first.',
    );
    const rest = await t.admin.request('DELETE', `/api/users/${owner}`);
    expect([rest.status, rest.body.error.code]).toEqual([409, 'HAS_DEPENDENTS']);
    expect(await count(t.server, 'SELECT COUNT(*) FROM users WHERE id = ? AND deleted_at IS NULL', owner)).toBe(1);

    // Once the pets are gone (or moved), the client can go.
    const other = await newClient('New Owner');
    await t.staff.push([updateOp('pets', bella, { ownerId: other })]);
    const rexId = await t.server.sql.value<number>("SELECT id FROM pets WHERE owner_id = ? AND name = 'Rex'", owner);
    await t.admin.push([deleteOp('pets', rexId)]);
    const ok = await t.admin.push([deleteOp('users', owner)]);
    expect(ok.body.results[0]).toMatchObject({ success: true });
  });

  it('names at most five pets and counts the rest', async () => {
    const owner = await newClient('Many Pets');
    for (const name of ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7']) await newPet(owner, name);
    const res = await t.admin.push([deleteOp('users', owner)]);
    expect(res.body.results[0]!.error!.message).toBe(
      'Many Pets still has 7 pets: A1, A2, A3, A4, A5 and 2 more. Delete them or give them another owner first.',
    );
  });
});

describe('deleting a pet (D2)', () => {
  it('cancels its upcoming appointments in the same transaction, as versioned changes devices pull; history stays', async () => {
    const owner = await newClient('Cascade Owner');
    const pet = await newPet(owner, 'Cascade');
    const upcoming = [
      await newAppointment(pet, at(2)),
      await newAppointment(pet, at(48), 'confirmed'),
      await newAppointment(pet, at(72), 'checked_in'),
    ];
    const past = await newAppointment(pet, at(-48), 'scheduled');
    const done = await newAppointment(pet, at(5), 'completed');
    const cancelled = await newAppointment(pet, at(6), 'cancelled');
    const noShow = await newAppointment(pet, at(7), 'no_show');
    const before = Object.fromEntries(
      await Promise.all([...upcoming, past, done, cancelled, noShow].map(async (id) => [id, await row(id)])),
    );
    const cursor = (await t.staff.pull({ limit: 1000 })).body.cursor;
    let next = cursor;
    for (;;) {
      const page = await t.staff.pull({ cursor: next, limit: 1000 });
      next = page.body.cursor;
      if (!page.body.hasMore) break;
    }

    const res = await t.admin.push([deleteOp('pets', pet)]);
    expect(res.body.results[0]).toMatchObject({ success: true, record: { id: pet, deletedAt: expect.any(String) } });

    for (const id of upcoming) {
      expect(await row(id)).toMatchObject({
        status: 'cancelled',
        version: Number(before[id]!.version) + 1,
        deletedAt: null,
      });
      expect((await row(id)).seq).toBeGreaterThan(before[id]!.seq);
      const revision = await t.server.sql.value(
        "SELECT previous FROM revisions WHERE entity_type = 'appointments' AND entity_id = ? AND version = ?",
        id,
        (await row(id)).version,
      );
      expect(JSON.parse(revision as string)).toHaveProperty('status');
    }
    for (const id of [past, done, cancelled, noShow]) expect(await row(id)).toEqual(before[id]);

    const pulled = (await t.staff.pull({ cursor: next, limit: 1000 })).body.changes;
    expect(
      pulled
        .filter((c) => c.entityType === 'appointments')
        .map((c) => [c.id, c.data.status])
        .sort(),
    ).toEqual(upcoming.map((id) => [id, 'cancelled']).sort());
    expect(pulled.filter((c) => c.entityType === 'pets').map((c) => [c.id, c.operation])).toEqual([[pet, 'delete']]);
  });

  it(`refuses (HAS_DEPENDENTS) a pet with more than ${MAX_CANCELLED_BY_PET_DELETE} upcoming appointments, changing nothing`, async () => {
    const owner = await newClient('Busy Owner');
    const pet = await newPet(owner, 'Busy');
    const ops = Array.from({ length: MAX_CANCELLED_BY_PET_DELETE + 1 }, (_, i) =>
      createOp('appointments', appointmentData(pet, null, { date: at(24 + i) })),
    );
    expect((await t.staff.push(ops)).body.processed).toBe(ops.length);
    const seqBefore = await count(t.server, "SELECT value FROM counters WHERE name = 'change_seq'");
    const res = await t.admin.push([deleteOp('pets', pet)]);
    expect(res.body.results[0]).toMatchObject({ success: false, error: { code: 'HAS_DEPENDENTS' } });
    expect(res.body.results[0]!.error!.message).toMatch(/Busy has more than 500 upcoming appointments/);
    expect(await count(t.server, "SELECT value FROM counters WHERE name = 'change_seq'")).toBe(seqBefore);
    expect(
      await count(t.server, "SELECT COUNT(*) FROM appointments WHERE pet_id = ? AND status = 'cancelled'", pet),
    ).toBe(0);
  });

  it('a full update of an appointment of a deleted pet that keeps the pet succeeds; moving one to a deleted pet does not', async () => {
    const owner = await newClient('Gone Owner');
    const pet = await newPet(owner, 'Gone');
    const appt = await newAppointment(pet, at(-24), 'completed');
    await t.admin.push([deleteOp('pets', pet)]);
    const full = (await t.staff.request('GET', `/api/appointments/${appt}`)).body.data;
    const {
      id: _id,
      version,
      clientId: _c,
      practiceId: _p,
      createdAt: _cr,
      updatedAt: _u,
      deletedAt: _d,
      ...fields
    } = full;
    const res = await t.staff.push([
      op({
        operation: 'update',
        entityType: 'appointments',
        entityId: appt,
        version,
        data: { ...fields, notes: 'Follow-up call done' },
      }),
    ]);
    expect(res.body.results[0]).toMatchObject({ success: true, record: { notes: 'Follow-up call done', petId: pet } });

    const other = await newAppointment(await newPet(owner, 'Alive'), at(30));
    const moved = await t.staff.push([updateOp('appointments', other, { petId: pet })]);
    expect(moved.body.results[0]).toMatchObject({ success: false, error: { code: 'PET_NOT_FOUND' } });
  });
});

describe('clientId follows the pet’s owner on every row (D1, item 4)', () => {
  it('a deleted appointment’s clientId follows an owner change, in pull, REST and push answers', async () => {
    const first = await newClient('First Owner');
    const second = await newClient('Second Owner');
    const pet = await newPet(first, 'Mover');
    const appt = await newAppointment(pet, at(-10), 'completed');
    await t.staff.push([deleteOp('appointments', appt)]);
    const seqBefore = await count(t.server, "SELECT value FROM counters WHERE name = 'change_seq'");
    const moved = await t.staff.push([updateOp('pets', pet, { ownerId: second })]);
    expect(moved.body.results[0]).toMatchObject({ success: true });
    // One change (the pet's), not one per appointment.
    expect(await count(t.server, "SELECT value FROM counters WHERE name = 'change_seq'")).toBe(seqBefore + 1);

    const list = await t.staff.request('GET', `/api/appointments?petId=${pet}&includeDeleted=true`);
    expect(list.body.data).toEqual([
      expect.objectContaining({ id: appt, clientId: second, deletedAt: expect.any(String) }),
    ]);
    const byClient = await t.staff.request('GET', `/api/appointments?clientId=${second}&includeDeleted=true`);
    expect(byClient.body.data.map((a: { id: number }) => a.id)).toEqual([appt]);
    const all: PullChange[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await t.staff.pull({ limit: 1000, entityTypes: 'appointments', ...(cursor ? { cursor } : {}) });
      all.push(...page.body.changes);
      cursor = page.body.cursor;
      if (!page.body.hasMore) break;
    }
    expect(all.find((c) => c.id === appt)).toMatchObject({ operation: 'delete', data: { clientId: second } });
    // A conflict answer (an edit of the deleted row) carries the current owner too.
    const edit = await t.staff.push([updateOp('appointments', appt, { notes: 'x' })]);
    expect(edit.body.results[0]).toMatchObject({ conflict: true, record: { clientId: second } });
  });

  it('20 owner changes of a pet with 2,000 appointments write 20 pet changes and no appointment change', async () => {
    const owners = [await newClient('Owner A'), await newClient('Owner B')];
    const pet = await newPet(owners[0]!, 'Popular');
    for (let batch = 0; batch < 2; batch++) {
      const ops = Array.from({ length: 1000 }, (_, i) =>
        createOp('appointments', appointmentData(pet, null, { date: at(-5000 + batch * 1000 + i) })),
      );
      expect((await t.staff.push(ops)).body.processed).toBe(1000);
    }
    const seqBefore = await count(t.server, "SELECT value FROM counters WHERE name = 'change_seq'");
    const started = performance.now();
    for (let i = 1; i <= 20; i++) {
      const res = await t.staff.push([updateOp('pets', pet, { ownerId: owners[i % 2]! })]);
      expect(res.body.processed).toBe(1);
    }
    const elapsed = performance.now() - started;
    expect(await count(t.server, "SELECT value FROM counters WHERE name = 'change_seq'")).toBe(seqBefore + 20);
    expect(await count(t.server, 'SELECT MAX(version) FROM appointments WHERE pet_id = ?', pet)).toBe(1);
    // Was 5 s on the probe's machine (every appointment rewritten 20 times).
    expect(elapsed).toBeLessThan(2000);
  });
});
