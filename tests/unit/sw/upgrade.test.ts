/**
 * Upgrading a device's database from version 1 (every record keyed by its id, the full server
 * copy on every record, `in_flight` written on rows, temp ids moved to real keys with an alias)
 * to version 2, then draining it against the real server.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createTestDevice, queueRows } from './device.ts';
import { serverTransport, useTestServer } from './with-server.ts';
import { count, seedIds } from '../../server/helpers.ts';
import { DB_VERSION, openSyncDb } from '../../../sw/db/schema.ts';
import { listConflicts } from '../../../sw/store/conflicts.ts';
import { synced, version1Queue, writeVersion1Database } from './version1-database.ts';

const ctx = useTestServer();

describe('IndexedDB upgrade from version 1', () => {
  it('keeps every queued operation and conflict, writes appointment types canonically, and the queue then drains', async () => {
    expect(DB_VERSION).toBe(2);
    const name = `upgrade-${crypto.randomUUID()}`;
    const ids = seedIds(ctx.server.db);
    const server30 = ctx.server.db.prepare('SELECT version FROM appointments WHERE id = ?').get(ids.appointmentId) as {
      version: number;
    };
    const owner = {
      ...synced,
      id: ids.clientId,
      tenantId: 'smartvet',
      name: 'Owner',
      email: null,
      phone: null,
      role: 'CLIENT',
    };
    const pet = {
      ...synced,
      id: ids.petId,
      name: 'Rex',
      species: 'dog',
      breed: null,
      birthDate: null,
      ownerId: ids.petOwnerId,
    };
    const appt = {
      ...synced,
      id: ids.appointmentId,
      version: server30.version,
      title: 'Checkup',
      type: 'Follow-up',
      date: '2026-03-11T10:00:00.000Z',
      durationMinutes: '30',
      status: 'scheduled',
      notes: null,
      petId: ids.petId,
      practitionerId: null,
      clientId: ids.petOwnerId,
    };
    // Version 1 moved a synced create to its real key and kept its temp id as an alias.
    const movedPetId = (
      ctx.server.db.prepare('SELECT id FROM pets WHERE id != ? ORDER BY id LIMIT 1').get(ids.petId) as { id: number }
    ).id;
    const moved = {
      ...synced,
      id: movedPetId,
      name: 'Synced long ago',
      species: 'dog',
      breed: null,
      birthDate: null,
      ownerId: ids.clientId,
    };

    const clean = (r: Record<string, unknown>) => ({ ...r, _pending: false, _conflict: false, _server: r });
    await writeVersion1Database(
      version1Queue({
        name,
        user: ctx.user,
        appointment: appt,
        ownerId: ids.clientId,
        petName: 'Made offline',
        visitTitle: 'Its first visit',
        visitDate: '2026-03-12T09:00:00.000Z',
        records: [
          { store: 'users', value: clean(owner) },
          { store: 'pets', value: clean(pet) },
          { store: 'pets', value: clean(moved) },
          { store: 'id_aliases', value: { tempId: 'temp_pet_long_ago', entityType: 'pets', realId: movedPetId } },
        ],
      }),
    );

    const db = await openSyncDb(name);
    expect(db.version).toBe(2);
    expect([...db.objectStoreNames]).toContain('sync_batches');
    // Queue and conflict kept, in order; the in-flight mark is gone; types canonical.
    expect(await queueRows(db)).toMatchObject([
      { operation: 'update', entityId: appt.id, status: 'conflict' },
      { operation: 'create', entityId: 'temp_pet_v1', status: 'pending' },
      { operation: 'create', entityId: 'temp_appt_v1', status: 'pending', attempts: 1, data: { type: 'follow_up' } },
    ]);
    expect(await listConflicts(db)).toMatchObject([{ entityId: appt.id, resolved: false }]);
    // Records under their local keys; the server copy only where changes are pending.
    expect(await db.get('appointments', appt.id)).toMatchObject({
      type: 'follow_up',
      title: 'Local title',
      _server: { type: 'follow_up' },
    });
    expect(await db.get('pets', ids.petId)).not.toHaveProperty('_server');
    expect(await db.get('appointments', 'temp_appt_v1')).toMatchObject({
      _tempId: 'temp_appt_v1',
      type: 'follow_up',
      _server: null,
    });

    const device = await createTestDevice(serverTransport(ctx.server, ctx.staff), { db });
    // Old links: a version-1 alias and the created records' temp ids.
    expect((await device.fetch('GET', '/api/pets/temp_pet_long_ago')).body.data).toMatchObject({
      id: movedPetId,
      name: 'Synced long ago',
    });
    expect((await device.fetch('GET', '/api/appointments/temp_appt_v1')).body.data).toMatchObject({
      petId: 'temp_pet_v1',
      clientId: ids.clientId,
    });

    expect(await device.engine.sync('startup')).toMatchObject({ pushed: 2, conflicts: 0, error: null });
    const onServer = ctx.server.db
      .prepare(
        "SELECT a.type, p.owner_id AS clientId, p.owner_id AS ownerId, p.name FROM appointments a JOIN pets p ON p.id = a.pet_id WHERE a.title = 'Its first visit'",
      )
      .all();
    expect(onServer).toEqual([
      { type: 'follow_up', clientId: ids.clientId, ownerId: ids.clientId, name: 'Made offline' },
    ]);
    // The held conflict still waits for the user.
    expect(await queueRows(db)).toMatchObject([{ operation: 'update', status: 'conflict' }]);
    expect(count(ctx.server.db, "SELECT count(*) FROM pets WHERE name = 'Made offline'")).toBe(1);
    expect((await device.fetch('GET', '/api/appointments/temp_appt_v1')).body.data).toMatchObject({
      id: expect.any(Number),
      _pending: false,
    });
  });
});
