/**
 * server/sync/conflicts.ts: its pure decisions (no database), then conflicts as devices meet them
 * through push, two devices of one practice on a real server.
 */
import { describe, expect, it } from 'vitest';
import { decideDelete, decideUpdate, rebuildHistory } from '../../server/sync/conflicts.ts';
import type { WireRecord } from '../../server/store/wire.ts';
import { appointmentData, op, T0, type Client, useServerWithStaff, createOp, updateOp, deleteOp } from './helpers.ts';

const FIELDS = ['title', 'notes', 'status'] as const;
const row = (version: number, fields: Record<string, string | null>, deletedAt: string | null = null): WireRecord => ({
  id: 1,
  version,
  updatedAt: '2026-03-10T09:00:00.000Z',
  deletedAt,
  ...fields,
});

describe('rebuildHistory', () => {
  it('rolls the row back through the revisions and lists the fields changed since', () => {
    const current = row(3, { title: 'C', notes: 'n2', status: 's' });
    const history = rebuildHistory(current, FIELDS, 1, [
      { version: 3, previous: { notes: 'n1' }, changedAt: 3 },
      { version: 2, previous: { title: 'A', notes: null }, changedAt: 2 },
    ]);
    expect(history.base).toEqual({ title: 'A', notes: null, status: 's' });
    expect([...history.changed].sort()).toEqual(['notes', 'title']);
  });

  it('treats every field as changed when revisions are missing', () => {
    const history = rebuildHistory(row(3, { title: 'C', notes: null, status: 's' }), FIELDS, 1, [
      { version: 3, previous: { notes: 'x' }, changedAt: 3 },
    ]);
    expect([...history.changed].sort()).toEqual(['notes', 'status', 'title']);
  });
});

describe('decideUpdate', () => {
  const current = row(2, { title: 'Server', notes: null, status: 'confirmed' });
  const history = { base: { title: 'Base', notes: null, status: 'confirmed' }, changed: new Set(['title']) };

  it('applies only the fields that differ from the current row', () => {
    expect(
      decideUpdate({
        current,
        fields: FIELDS,
        local: { notes: 'x', status: 'confirmed' },
        baseVersion: 2,
        history: null,
      }),
    ).toEqual({
      kind: 'apply',
      changes: { notes: 'x' },
    });
  });

  it('merges disjoint changes and ignores fields the client did not change', () => {
    const local = { title: 'Base', notes: 'mine', status: 'confirmed' };
    expect(decideUpdate({ current, fields: FIELDS, local, baseVersion: 1, history })).toEqual({
      kind: 'apply',
      changes: { notes: 'mine' },
    });
  });

  it('reports overlapping changes', () => {
    expect(
      decideUpdate({ current, fields: FIELDS, local: { title: 'Mine', notes: 'n' }, baseVersion: 1, history }),
    ).toEqual({
      kind: 'conflict',
      conflictType: 'version',
      affectedFields: ['title'],
    });
  });

  it('a deleted row is a deleted conflict whatever the version', () => {
    const deleted = row(3, { title: 'Server', notes: null, status: 'confirmed' }, '2026-03-10T10:00:00.000Z');
    expect(
      decideUpdate({ current: deleted, fields: FIELDS, local: { notes: 'x' }, baseVersion: 3, history: null }),
    ).toMatchObject({
      kind: 'conflict',
      conflictType: 'deleted',
    });
  });
});

describe('decideDelete', () => {
  it('deletes on the current version or without one; conflicts when the server changed since', () => {
    const current = row(2, { title: 'x', notes: null, status: 's' });
    expect(decideDelete({ current, fields: FIELDS, baseVersion: 2, history: null })).toEqual({ kind: 'delete' });
    expect(decideDelete({ current, fields: FIELDS, baseVersion: undefined, history: null })).toEqual({
      kind: 'delete',
    });
    expect(
      decideDelete({ current, fields: FIELDS, baseVersion: 1, history: { base: {}, changed: new Set(['notes']) } }),
    ).toEqual({
      kind: 'conflict',
      affectedFields: ['notes'],
    });
    expect(
      decideDelete({ current: row(2, {}, '2026-03-10T10:00:00.000Z'), fields: FIELDS, baseVersion: 1, history: null }),
    ).toEqual({ kind: 'noop' });
  });
});

/** Two devices of the same practice: the front desk's tablet and the vet's desk. */
const t = useServerWithStaff({}, async ({ server, client }) => ({
  tablet: client,
  desk: await server.login('vet@northside.example'),
}));

async function newAppointment(
  extra: Record<string, unknown> = {},
): Promise<{ id: number; record: Record<string, unknown> }> {
  const res = await t.tablet.push([
    createOp('appointments', appointmentData(t.ids.petId, t.ids.practitionerId, extra)),
  ]);
  const result = res.body.results[0]!;
  return { id: result.realId!, record: result.record! };
}

async function update(client: Client, id: number, version: number | undefined, data: Record<string, unknown>) {
  const res = await client.push([
    op({
      operation: 'update',
      entityType: 'appointments',
      entityId: id,
      ...(version !== undefined ? { version } : {}),
      data,
    }),
  ]);
  return { response: res.body, result: res.body.results[0]! };
}

describe('update', () => {
  it('applies on the current version: version +1, merged record returned, delta only', async () => {
    const { id } = await newAppointment();
    t.server.clock.advance(1000);
    const { result } = await update(t.tablet, id, 1, { notes: 'Bring records' });
    expect(result).toMatchObject({
      success: true,
      realId: id,
      version: 2,
      record: { notes: 'Bring records', title: 'Checkup', version: 2 },
    });
    expect(result.record!.updatedAt).toBe(new Date(t.server.clock.now()).toISOString());
  });

  it('merges changes to different fields made since the base version', async () => {
    const { id } = await newAppointment();
    await update(t.desk, id, 1, { title: 'Vaccination', type: 'vaccination' });
    const { result, response } = await update(t.tablet, id, 1, { notes: 'Nervous dog' });
    expect(response).toMatchObject({ processed: 1, conflicts: 0 });
    expect(result).toMatchObject({
      success: true,
      version: 3,
      record: { title: 'Vaccination', type: 'vaccination', notes: 'Nervous dog' },
    });
  });

  it('a full record sent with a stale version merges too: unchanged fields are not changes', async () => {
    const { id, record } = await newAppointment();
    await update(t.desk, id, 1, { title: 'Dental check' });
    const { result } = await update(t.tablet, id, 1, { ...record, notes: 'Full record' });
    expect(result).toMatchObject({
      success: true,
      version: 3,
      record: { title: 'Dental check', notes: 'Full record' },
    });
  });

  it('refuses a change to a field the server also changed: conflict with both sides, nothing applied', async () => {
    const { id } = await newAppointment();
    t.server.clock.advance(1000);
    await update(t.desk, id, 1, { title: 'Surgery', durationMinutes: 90 });
    const { result, response } = await update(t.tablet, id, 1, { title: 'Follow-up', notes: 'x' });
    expect(response).toMatchObject({ success: true, processed: 0, failed: 0, conflicts: 1 });
    expect(result).toMatchObject({
      success: false,
      conflict: true,
      realId: id,
      version: 2,
      conflictData: {
        conflictType: 'version',
        affectedFields: ['title'],
        baseVersion: 1,
        serverVersion: 2,
        localData: { title: 'Follow-up', notes: 'x' },
        serverData: { id, title: 'Surgery', durationMinutes: '90', notes: null, version: 2 },
      },
    });
    expect(await t.server.sql.value('SELECT title || version FROM appointments WHERE id = ?', id)).toBe('Surgery2');
  });

  it('the same change on both sides is not a conflict', async () => {
    const { id } = await newAppointment();
    await update(t.desk, id, 1, { status: 'confirmed' });
    const { result } = await update(t.tablet, id, 1, { status: 'confirmed', notes: 'ok' });
    expect(result).toMatchObject({ success: true, version: 3, record: { status: 'confirmed', notes: 'ok' } });
  });

  it('tracks every version since the base: a field changed two versions ago still conflicts', async () => {
    const { id } = await newAppointment();
    await update(t.desk, id, 1, { title: 'A' });
    await update(t.desk, id, 2, { notes: 'B' });
    const conflicting = await update(t.tablet, id, 1, { title: 'C' });
    expect(conflicting.result.conflictData).toMatchObject({
      affectedFields: ['title'],
      baseVersion: 1,
      serverVersion: 3,
    });
    const merging = await update(t.tablet, id, 2, { title: 'C' });
    expect(merging.result).toMatchObject({ success: true, version: 4 });
  });

  it('a resolution sent on the server version applies (client wins)', async () => {
    const { id } = await newAppointment();
    await update(t.desk, id, 1, { title: 'Server' });
    const { result: conflict } = await update(t.tablet, id, 1, { title: 'Local' });
    const { result } = await update(t.tablet, id, conflict.conflictData!.serverVersion, { title: 'Local' });
    expect(result).toMatchObject({ success: true, version: 3, record: { title: 'Local' } });
  });

  it('without a version the last write wins', async () => {
    const { id } = await newAppointment();
    await update(t.desk, id, 1, { title: 'Server' });
    const { result } = await update(t.tablet, id, undefined, { title: 'Local' });
    expect(result).toMatchObject({ success: true, record: { title: 'Local' } });
  });

  it('a base version newer than the server has is a conflict', async () => {
    const { id } = await newAppointment();
    const { result } = await update(t.tablet, id, 7, { notes: 'from the future' });
    expect(result.conflictData).toMatchObject({ conflictType: 'version', baseVersion: 7, serverVersion: 1 });
  });

  it('an update that changes nothing succeeds without a new version', async () => {
    const { id, record } = await newAppointment();
    const { result } = await update(t.tablet, id, 1, { title: record.title, durationMinutes: 30 });
    expect(result).toMatchObject({ success: true, version: 1 });
  });

  it('an update of a deleted record is a conflict of type deleted', async () => {
    const { id } = await newAppointment();
    await t.desk.push([deleteOp('appointments', id, { version: 1 })]);
    const { result } = await update(t.tablet, id, 1, { notes: 'too late' });
    expect(result).toMatchObject({
      success: false,
      conflict: true,
      conflictData: {
        conflictType: 'deleted',
        affectedFields: ['notes'],
        baseVersion: 1,
        serverVersion: 2,
        localData: { notes: 'too late' },
      },
    });
    expect(result.conflictData!.serverData.deletedAt).toEqual(expect.any(String));
  });

  it('changing the pet re-derives clientId; a pet changing owner moves its appointments without rewriting them (D1)', async () => {
    const { id } = await newAppointment();
    const otherPet = await t.server.sql.get<{ id: number; owner_id: number }>(
      'SELECT id, owner_id FROM pets WHERE practice_id = 1 AND owner_id != ? LIMIT 1',
      t.ids.petOwnerId,
    );
    const moved = await update(t.tablet, id, 1, { petId: otherPet.id });
    expect(moved.result.record).toMatchObject({ petId: otherPet.id, clientId: otherPet.owner_id, version: 2 });

    const pet = await t.tablet.push([createOp('pets', { name: 'Nomad', species: 'Dog', ownerId: t.ids.clientId })]);
    const petId = pet.body.results[0]!.realId!;
    const appt = await t.tablet.push([createOp('appointments', appointmentData(petId, null))]);
    const apptId = appt.body.results[0]!.realId!;
    await t.tablet.push([updateOp('pets', petId, { ownerId: t.ids.otherClientId }, { version: 1 })]);
    // The appointment is not rewritten (same version), yet every answer carries the new owner.
    const read = await t.tablet.request('GET', `/api/appointments/${apptId}`);
    expect(read.body.data).toMatchObject({ clientId: t.ids.otherClientId, version: 1 });
  });
});

describe('delete', () => {
  it('deletes on the current version: a tombstone with a new version', async () => {
    const { id } = await newAppointment();
    t.server.clock.advance(1000);
    const res = await t.tablet.push([deleteOp('appointments', id, { version: 1 })]);
    expect(res.body.results[0]).toMatchObject({
      success: true,
      version: 2,
      record: { id, deletedAt: new Date(t.server.clock.now()).toISOString() },
    });
    expect(await t.server.sql.value('SELECT COUNT(*) FROM appointments WHERE id = ?', id)).toBe(1);
  });

  it('refuses to delete a record changed since the base version (the edits were never seen)', async () => {
    const { id } = await newAppointment();
    await update(t.desk, id, 1, { notes: 'Important: allergic' });
    const res = await t.tablet.push([deleteOp('appointments', id, { version: 1 })]);
    expect(res.body).toMatchObject({ conflicts: 1 });
    expect(res.body.results[0]).toMatchObject({
      conflict: true,
      conflictData: {
        conflictType: 'version',
        affectedFields: ['notes'],
        localData: {},
        baseVersion: 1,
        serverVersion: 2,
      },
    });
    expect(await t.server.sql.value('SELECT deleted_at FROM appointments WHERE id = ?', id)).toBeNull();
    // Deleting on the server's version (the user confirmed) applies.
    const confirmed = await t.tablet.push([deleteOp('appointments', id, { version: 2 })]);
    expect(confirmed.body.results[0]).toMatchObject({ success: true, version: 3 });
  });

  it('deleting a deleted record succeeds without a change; no version deletes regardless', async () => {
    const { id } = await newAppointment();
    await update(t.desk, id, 1, { notes: 'x' });
    const first = await t.tablet.push([deleteOp('appointments', id)]);
    expect(first.body.results[0]).toMatchObject({ success: true, version: 3 });
    const second = await t.tablet.push([deleteOp('appointments', id, { version: 1 })]);
    expect(second.body.results[0]).toMatchObject({ success: true, version: 3 });
  });
});

describe("the server's side of a conflict (for the dialog and last-write-wins)", () => {
  /** An update made on `client` at `editedAt` by that device's clock. */
  async function editAt(client: Client, id: number, version: number, data: Record<string, unknown>, editedAt: number) {
    const res = await client.push([
      op({ operation: 'update', entityType: 'appointments', entityId: id, version, data, timestamp: editedAt }),
    ]);
    return res.body.results[0]!;
  }

  it('a version conflict lists every field the server changed since the base, and when its version was edited on the device', async () => {
    const { id } = await newAppointment();
    const deskEdit = t.server.clock.now() - 20 * 60_000; // made offline 20 minutes ago, synced now
    await editAt(t.desk, id, 1, { title: 'Surgery', durationMinutes: 90 }, deskEdit - 60_000);
    await editAt(t.desk, id, 2, { notes: 'Fasting' }, deskEdit);
    t.server.clock.advance(60_000);
    const result = await editAt(t.tablet, id, 1, { title: 'Dental' }, t.server.clock.now());
    expect(result.conflictData).toMatchObject({
      conflictType: 'version',
      affectedFields: ['title'],
      serverChangedFields: ['title', 'durationMinutes', 'notes'],
      serverEditedAt: deskEdit,
      baseVersion: 1,
      serverVersion: 3,
    });
  });

  it('an edit stamped in the future counts as made when the server received it', async () => {
    const { id } = await newAppointment();
    await editAt(t.desk, id, 1, { title: 'Clock ahead' }, t.server.clock.now() + 86_400_000);
    const result = await editAt(t.tablet, id, 1, { title: 'Mine' }, t.server.clock.now());
    expect(result.conflictData!.serverEditedAt).toBe(t.server.clock.now());
  });

  it('deleted and delete-vs-edit conflicts carry them too', async () => {
    const edited = await newAppointment();
    await editAt(t.desk, edited.id, 1, { notes: 'Allergic' }, T0 + 5_000);
    const deletion = await t.tablet.push([deleteOp('appointments', edited.id, { version: 1 })]);
    expect(deletion.body.results[0]!.conflictData).toMatchObject({
      conflictType: 'version',
      serverChangedFields: ['notes'],
      serverEditedAt: T0 + 5_000,
    });

    const removed = await newAppointment();
    await t.desk.push([deleteOp('appointments', removed.id, { version: 1, timestamp: T0 + 7_000 })]);
    const late = await editAt(t.tablet, removed.id, 1, { notes: 'too late' }, t.server.clock.now());
    // The deletion itself is the conflict type; no field was edited.
    expect(late.conflictData).toMatchObject({
      conflictType: 'deleted',
      serverChangedFields: [],
      serverEditedAt: T0 + 7_000,
    });
  });

  it('names who made the server’s version (the vet at the desk, or the deleter); not known for older rows', async () => {
    const vet = await t.server.sql.get<{ id: number; name: string }>(
      "SELECT id, name FROM users WHERE email = 'vet@northside.example'",
    );
    const { id } = await newAppointment();
    await editAt(t.desk, id, 1, { notes: 'Fasting' }, T0 + 3_000);
    const edited = await editAt(t.tablet, id, 1, { notes: 'Mine' }, t.server.clock.now());
    expect(edited.conflictData!.serverEditedBy).toEqual({ id: vet.id, name: vet.name });

    const removed = await newAppointment();
    await t.desk.push([deleteOp('appointments', removed.id, { version: 1, timestamp: T0 + 4_000 })]);
    const late = await editAt(t.tablet, removed.id, 1, { notes: 'too late' }, t.server.clock.now());
    expect(late.conflictData).toMatchObject({ conflictType: 'deleted', serverEditedBy: { name: vet.name } });

    // A row last written before the server recorded editors (migration 9): nobody is named.
    const older = await newAppointment();
    await editAt(t.desk, older.id, 1, { notes: 'Before' }, T0 + 5_000);
    await t.server.sql.run('UPDATE appointments SET edited_by = NULL WHERE id = ?', older.id);
    const unknown = await editAt(t.tablet, older.id, 1, { notes: 'Mine' }, t.server.clock.now());
    expect(unknown.conflictData!.serverEditedAt).toBe(T0 + 5_000);
    expect(unknown.conflictData).not.toHaveProperty('serverEditedBy');
  });

  it('a conflict on the current version has nothing changed on the server; REST 409s carry the same', async () => {
    const { id } = await newAppointment();
    await t.desk.push([deleteOp('appointments', id, { version: 1, timestamp: T0 + 9_000 })]);
    const res = await t.tablet.request('PATCH', `/api/appointments/${id}`, { notes: 'x', version: 2 });
    expect(res.status).toBe(409);
    expect(res.body.conflictData).toMatchObject({
      conflictType: 'deleted',
      serverChangedFields: [],
      serverEditedAt: T0 + 9_000,
    });
  });

  it('a base version the server never had counts every field as changed', async () => {
    const { id } = await newAppointment();
    const result = await editAt(t.tablet, id, 9, { notes: 'x' }, t.server.clock.now());
    // Written out: the answer the contract promises, not the model's own list read back.
    expect(result.conflictData!.serverChangedFields).toEqual([
      'title',
      'type',
      'date',
      'durationMinutes',
      'status',
      'notes',
      'petId',
      'practitionerId',
      'overlapAllowed',
    ]);
  });
});
