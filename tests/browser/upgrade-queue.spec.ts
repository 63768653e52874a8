/**
 * Scenario 9 of the fault suite: the worker is updated to a build with a new IndexedDB schema
 * version while operations and a conflict are queued. The tablet's profile holds the database as
 * the previous build (version 1) left it: a held conflict, a pet created offline, and its
 * appointment that was in flight when that worker died. The current build's worker starts on
 * that profile, upgrades the database to version 2, keeps the queue and the conflict, and drains.
 * (The update prompt with queued work is app-update-prompt.spec.ts; version 1 → 2 in Node is
 * tests/unit/sw/upgrade.test.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chromium, expect, test } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.ts';
import { askWorker, waitForServiceWorkerControl } from './helpers.ts';
import { e2eDatabasePath, expectDrained, workerStats } from './fault-helpers.ts';

test('9. a new worker build with a new IndexedDB version: the queue and the conflict survive the upgrade and drain', async ({
  baseURL,
}) => {
  test.setTimeout(90_000);
  const profile = mkdtempSync(path.join(tmpdir(), 'smartdmv-upgrade-'));
  const stamp = Date.now();
  const server = new Database(e2eDatabasePath(), { readonly: true });
  const seeded = server
    .prepare(
      "SELECT a.id, a.version, a.pet_id AS petId, p.owner_id AS ownerId FROM appointments a JOIN pets p ON p.id = a.pet_id WHERE a.practice_id = 1 AND a.title NOT LIKE 'S%' ORDER BY a.id DESC LIMIT 1",
    )
    .get() as { id: number; version: number; petId: number; ownerId: number };
  server.close();

  // The profile as the previous build left it (its worker is not running: service workers blocked).
  const old = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    baseURL,
    serviceWorkers: 'block',
  });
  try {
    const page = await old.newPage();
    await page.goto('/');
    await page.evaluate(
      async ({ seeded, stamp }) => {
        const login = await fetch('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'reception@northside.example', password: 'demo1234' }),
        });
        const { user } = (await login.json()) as { user: Record<string, unknown> };
        const at = '2026-03-10T09:00:00.000Z';
        const synced = { version: 1, createdAt: at, updatedAt: at, deletedAt: null, practiceId: 1 };
        const row = (fields: Record<string, unknown>) => ({
          opId: crypto.randomUUID(),
          tempId: null,
          baseVersion: null,
          timestamp: Date.parse(at),
          userId: user.id,
          practiceId: 1,
          tenantId: 'smartvet',
          status: 'pending',
          attempts: 0,
          lastError: null,
          retryable: true,
          ...fields,
        });
        const appt = {
          ...synced,
          id: seeded.id,
          version: seeded.version,
          title: 'Checkup',
          type: 'checkup',
          date: '2026-03-11T10:00:00.000Z',
          durationMinutes: '30',
          status: 'scheduled',
          notes: null,
          petId: seeded.petId,
          practitionerId: null,
          clientId: seeded.ownerId,
        };
        const petData = {
          name: `Made offline ${stamp}`,
          species: 'cat',
          breed: null,
          birthDate: null,
          ownerId: seeded.ownerId,
        };
        const apptData = {
          title: `Its first visit ${stamp}`,
          type: 'follow up',
          date: '2028-01-12T09:00:00.000Z',
          durationMinutes: '20',
          status: 'scheduled',
          notes: null,
          petId: 'temp_pet_v1',
          practitionerId: null,
        };
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('smartdmv-offline', 1);
          open.onupgradeneeded = () => {
            // The layout exactly as version 1 created it (sw/db/schema.ts at DB_VERSION 1).
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
          open.onerror = () => reject(open.error!);
        });
        const tx = db.transaction(['appointments', 'pets', 'sync_operations', 'conflicts', 'meta'], 'readwrite');
        tx.objectStore('appointments').put({
          ...appt,
          title: 'Local title',
          _pending: true,
          _conflict: true,
          _server: appt,
        });
        tx.objectStore('pets').put({
          ...petData,
          ...synced,
          id: 'temp_pet_v1',
          version: 0,
          _pending: true,
          _conflict: false,
          _server: null,
        });
        tx.objectStore('appointments').put({
          ...apptData,
          ...synced,
          id: 'temp_appt_v1',
          version: 0,
          clientId: seeded.ownerId,
          _pending: true,
          _conflict: false,
          _server: null,
        });
        const ops = tx.objectStore('sync_operations');
        const held = ops.add(
          row({
            operation: 'update',
            entityType: 'appointments',
            entityId: appt.id,
            data: { title: 'Local title' },
            baseVersion: appt.version,
            status: 'conflict',
            attempts: 1,
          }),
        );
        ops.add(
          row({
            operation: 'create',
            entityType: 'pets',
            entityId: 'temp_pet_v1',
            tempId: 'temp_pet_v1',
            data: petData,
          }),
        );
        ops.add(
          row({
            operation: 'create',
            entityType: 'appointments',
            entityId: 'temp_appt_v1',
            tempId: 'temp_appt_v1',
            status: 'in_flight',
            attempts: 1,
            data: apptData,
          }),
        );
        held.onsuccess = () =>
          tx.objectStore('conflicts').add({
            operationId: held.result,
            entityType: 'appointments',
            entityId: appt.id,
            localOperation: 'update',
            conflictType: 'version',
            localData: { title: 'Local title' },
            serverData: { ...appt, title: 'Server title', version: appt.version + 1 },
            affectedFields: ['title'],
            baseVersion: appt.version,
            serverVersion: appt.version + 1,
            localTimestamp: Date.parse(at),
            detectedAt: Date.parse(at),
            resolved: false,
            resolvedAt: null,
            resolution: null,
          });
        tx.objectStore('meta').put({ key: 'session', value: user });
        await new Promise((resolve, reject) => {
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error!);
        });
        db.close();
      },
      { seeded, stamp },
    );
  } finally {
    await old.close();
  }

  // The current build on the same profile.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
    baseURL,
  });
  try {
    const page = await context.newPage();
    await page.goto('/');
    await waitForServiceWorkerControl(page);
    expect(
      await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const open = indexedDB.open('smartdmv-offline');
            open.onsuccess = () => {
              resolve(open.result.version);
              open.result.close();
            };
          }),
      ),
    ).toBe(2);
    await askWorker(page, { type: 'SYNC_NOW' });
    await expect
      .poll(() => workerStats(page), { timeout: 20_000 })
      .toMatchObject({ pending: 0, inFlight: 0, failed: 0, conflicts: 1 });
    const [conflict] = (
      await askWorker<{ id: number; entityId: number; resolved: boolean }[]>(page, { type: 'GET_CONFLICTS' })
    ).filter((c) => !c.resolved);
    expect(conflict).toMatchObject({ entityId: seeded.id });
    await askWorker(page, {
      type: 'RESOLVE_CONFLICT',
      conflictId: conflict!.id,
      resolution: { strategy: 'server_wins' },
    });
    await askWorker(page, { type: 'SYNC_NOW' });
    await expectDrained(page);

    const db = new Database(e2eDatabasePath(), { readonly: true });
    try {
      const rows = db
        .prepare(
          'SELECT a.id, a.type, p.name, p.owner_id AS ownerId FROM appointments a JOIN pets p ON p.id = a.pet_id WHERE a.title = ?',
        )
        .all(`Its first visit ${stamp}`) as { id: number; type: string; name: string; ownerId: number }[];
      expect(rows).toMatchObject([{ type: 'follow_up', name: `Made offline ${stamp}`, ownerId: seeded.ownerId }]);
      expect(db.prepare('SELECT COUNT(*) FROM pets WHERE name = ?').pluck().get(`Made offline ${stamp}`)).toBe(1);
      const local = await page.evaluate(
        async () => (await (await fetch('/api/appointments/temp_appt_v1')).json()).data,
      );
      expect(local).toMatchObject({ id: rows[0]!.id, _pending: false });
      const seededLocal = await page.evaluate(
        async (id) => (await (await fetch(`/api/appointments/${id}`)).json()).data,
        seeded.id,
      );
      expect(seededLocal).toMatchObject({ _pending: false, _conflict: false });
      expect(seededLocal.title).not.toBe('Local title');
    } finally {
      db.close();
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
