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
import { synced, version1Queue, writeVersion1Database } from '../unit/sw/version1-database.ts';

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
    const user = await page.evaluate(async () => {
      const login = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'reception@northside.example', password: 'demo1234' }),
      });
      return ((await login.json()) as { user: { id: number } }).user;
    });
    const appointment = {
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
    await page.evaluate(
      writeVersion1Database,
      version1Queue({
        name: 'smartdmv-offline',
        user,
        appointment,
        ownerId: seeded.ownerId,
        petName: `Made offline ${stamp}`,
        visitTitle: `Its first visit ${stamp}`,
        visitDate: '2028-01-12T09:00:00.000Z',
      }),
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
