/**
 * A device database as version 1 of the worker left it (sw/db/schema.ts at DB_VERSION 1), for the
 * upgrade tests in Node (tests/unit/sw/upgrade.test.ts, on fake-indexeddb) and in Chromium
 * (tests/browser/upgrade-queue.spec.ts, on a real profile).
 *
 * `version1Queue` builds what the previous build had queued; `writeVersion1Database` writes it in
 * the version-1 layout. The writer is self-contained (no imports, no outer names) so that Playwright
 * can serialise it into a page: `page.evaluate(writeVersion1Database, contents)`.
 */
import { change } from './core/fixtures.ts';

/** The fields every synced record of the fixture carries. */
export const at = '2026-03-10T09:00:00.000Z';
export const synced = { version: 1, createdAt: at, updatedAt: at, deletedAt: null, practiceId: 1 };

type Row = Record<string, unknown>;

/** What a version-1 database held: records as is, queue rows in order, conflicts held on one of those rows. */
export interface Version1Contents {
  name: string;
  records: { store: 'users' | 'pets' | 'appointments' | 'id_aliases'; value: Row }[];
  operations: Row[];
  /** `operation` is the index in `operations` of the row the conflict holds. */
  conflicts: { operation: number; value: Row }[];
  session: object;
}

export interface Version1Queue {
  /** The database's name. */
  name: string;
  /** The signed-in user: the session, and the author of every queued row. */
  user: { id: number };
  /** A synced appointment as the server has it. */
  appointment: Row & { id: number; version: number };
  /** The client who owns the pet created offline. */
  ownerId: number;
  petName: string;
  visitTitle: string;
  visitDate: string;
  /** More records, written as they are. */
  records?: Version1Contents['records'];
}

/**
 * The queue of the scenario: the user retitled `appointment` to 'Local title' while the server
 * moved it to 'Server title' (a held version conflict), then created a cat named `petName` for
 * `ownerId` (temp id `temp_pet_v1`) and booked it a 'follow up' visit (temp id `temp_appt_v1`, the
 * type as the form sent it), whose push was in flight when the worker died.
 */
export function version1Queue(queue: Version1Queue): Version1Contents {
  const { appointment, ownerId } = queue;
  const row = (fields: Parameters<typeof change>[0]): Row => ({
    ...change({ opId: crypto.randomUUID(), timestamp: Date.parse(at), userId: queue.user.id, ...fields }),
  });
  const petData = { name: queue.petName, species: 'cat', breed: null, birthDate: null, ownerId };
  const visitData = {
    title: queue.visitTitle,
    type: 'follow up',
    date: queue.visitDate,
    durationMinutes: '20',
    status: 'scheduled',
    notes: null,
    petId: 'temp_pet_v1',
    practitionerId: null,
  };
  const local = { title: 'Local title' };
  return {
    name: queue.name,
    records: [
      ...(queue.records ?? []),
      {
        store: 'appointments',
        value: { ...appointment, ...local, _pending: true, _conflict: true, _server: appointment },
      },
      {
        store: 'pets',
        value: {
          ...petData,
          ...synced,
          id: 'temp_pet_v1',
          version: 0,
          _pending: true,
          _conflict: false,
          _server: null,
        },
      },
      {
        store: 'appointments',
        value: {
          ...visitData,
          ...synced,
          id: 'temp_appt_v1',
          version: 0,
          clientId: ownerId,
          _pending: true,
          _conflict: false,
          _server: null,
        },
      },
    ],
    operations: [
      row({
        operation: 'update',
        entityId: appointment.id,
        data: local,
        baseVersion: appointment.version,
        status: 'conflict',
        attempts: 1,
      }),
      row({ operation: 'create', entityType: 'pets', entityId: 'temp_pet_v1', tempId: 'temp_pet_v1', data: petData }),
      // The worker was killed while this one was in flight: version 1 wrote that on the row.
      {
        ...row({
          operation: 'create',
          entityId: 'temp_appt_v1',
          tempId: 'temp_appt_v1',
          attempts: 1,
          data: visitData,
        }),
        status: 'in_flight',
      },
    ],
    conflicts: [
      {
        operation: 0,
        value: {
          entityType: 'appointments',
          entityId: appointment.id,
          localOperation: 'update',
          conflictType: 'version',
          localData: local,
          serverData: { ...appointment, title: 'Server title', version: appointment.version + 1 },
          affectedFields: ['title'],
          baseVersion: appointment.version,
          serverVersion: appointment.version + 1,
          localTimestamp: Date.parse(at),
          detectedAt: Date.parse(at),
          resolved: false,
          resolvedAt: null,
          resolution: null,
        },
      },
    ],
    session: queue.user,
  };
}

/** Creates database `contents.name` at version 1, in the version-1 layout, and writes `contents` into it. */
export async function writeVersion1Database(contents: Version1Contents, idb: IDBFactory = indexedDB): Promise<void> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = idb.open(contents.name, 1);
    open.onupgradeneeded = () => {
      const d = open.result;
      d.createObjectStore('users', { keyPath: 'id' }).createIndex('role', 'role');
      d.createObjectStore('pets', { keyPath: 'id' }).createIndex('ownerId', 'ownerId');
      const appointments = d.createObjectStore('appointments', { keyPath: 'id' });
      for (const index of ['date', 'petId', 'clientId', 'practitionerId']) appointments.createIndex(index, index);
      const ops = d.createObjectStore('sync_operations', { keyPath: 'id', autoIncrement: true });
      ops.createIndex('status', 'status');
      ops.createIndex('record', ['entityType', 'entityId']);
      d.createObjectStore('conflicts', { keyPath: 'id', autoIncrement: true }).createIndex(
        'operationId',
        'operationId',
      );
      d.createObjectStore('id_aliases', { keyPath: 'tempId' });
      d.createObjectStore('meta', { keyPath: 'key' });
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error ?? new Error('could not open the version-1 database'));
  });
  const tx = db.transaction(Array.from(db.objectStoreNames), 'readwrite');
  for (const { store, value } of contents.records) tx.objectStore(store).put(value);
  const queued = contents.operations.map((row) => tx.objectStore('sync_operations').add(row));
  for (const { operation, value } of contents.conflicts) {
    const held = queued[operation];
    if (!held) throw new Error(`no queued row ${operation} to hold a conflict`);
    held.addEventListener('success', () => tx.objectStore('conflicts').add({ ...value, operationId: held.result }));
  }
  tx.objectStore('meta').put({ key: 'session', value: contents.session });
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error ?? new Error('could not write the version-1 database'));
  });
  db.close();
}
