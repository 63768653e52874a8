/**
 * Scenario 4 of the fault suite: the server process is killed (SIGKILL) while a large push is
 * being applied, then started again on the same database. SQLite must pass its integrity check,
 * each operation must be applied completely (row and op-log/temp-id bookkeeping together) or not
 * at all, and the device's resend must complete the queue with nothing applied twice.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { spawnServer } from '../../bench/lib/server.ts';
import { askWorker } from './helpers.ts';
import {
  bookMany,
  expectDrained,
  expectServerAndReplicaAgree,
  openSignedIn,
  titles,
  workerStats,
} from './fault-helpers.ts';

const COUNT = 600;

/** The server on the test's port, without fault injection. */
const startServer = (port: number, databasePath: string): ChildProcess =>
  spawnServer(port, databasePath, { FAULT_INJECTION: '' });

async function waitForHealth(url: string): Promise<void> {
  await expect
    .poll(
      async () =>
        await fetch(`${url}/api/health`)
          .then((r) => r.status)
          .catch(() => 0),
      { timeout: 30_000, intervals: [100, 200, 500] },
    )
    .toBe(200);
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

test('4. the server is killed during a large push: integrity holds, each operation once or not at all, the resend completes', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const port = Number(execFileSync(process.execPath, ['scripts/free-port.mjs']).toString().trim());
  const databasePath = `.tmp/kill-${port}.db`;
  const baseURL = `http://127.0.0.1:${port}`;
  let server = startServer(port, databasePath);
  const context = await browser.newContext({ baseURL });
  try {
    await waitForHealth(baseURL);
    const page = await openSignedIn(context);
    const prefix = `S4 killed ${Date.now()} #`;
    await context.setOffline(true);
    await bookMany(page, prefix, COUNT, '2027-05-01T08:00:00.000Z');
    expect((await workerStats(page)).pending).toBe(COUNT);

    // The second push reaches the server; a few milliseconds into applying it, the process dies.
    let pushes = 0;
    // Typed by assertion: it is set in the route handler, which TypeScript's narrowing of `= null` does not see.
    let killedAt = null as Promise<void> | null;
    await context.route('**/api/sync/push', async (route) => {
      pushes++;
      if (pushes === 2 && !killedAt) {
        const victim = server;
        killedAt = new Promise((resolve) =>
          setTimeout(() => {
            victim.kill('SIGKILL');
            resolve();
          }, 8),
        );
      }
      await route.continue().catch(() => undefined);
    });
    await context.setOffline(false);
    await expect.poll(() => killedAt !== null, { timeout: 20_000 }).toBe(true);
    await killedAt;
    await exited(server);
    expect(server.signalCode).toBe('SIGKILL');

    // The database as the crash left it.
    const db = new Database(databasePath);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const applied = db
        .prepare('SELECT title FROM appointments WHERE substr(title, 1, ?) = ?')
        .pluck()
        .all(prefix.length, prefix) as string[];
      expect(new Set(applied).size, 'no booking twice').toBe(applied.length);
      expect(applied.length).toBeLessThan(COUNT);
      // Each applied create has its bookkeeping (temp-id map, op log) from the same transaction.
      const mapped = db
        .prepare(
          "SELECT COUNT(*) FROM op_log o JOIN appointments a ON a.id = o.real_id AND o.entity_type = 'appointments' AND o.maps_temp_id = 1 WHERE substr(a.title, 1, ?) = ?",
        )
        .pluck()
        .get(prefix.length, prefix);
      expect(mapped).toBe(applied.length);
      console.log(`[fault-suite] 4: ${applied.length} of ${COUNT} bookings applied before the kill, integrity ok`);
    } finally {
      db.close();
    }

    // Started again on the same file: the device's resend completes the queue.
    server = startServer(port, databasePath);
    await waitForHealth(baseURL);
    await askWorker(page, { type: 'SYNC_NOW' });
    await expectDrained(page, 60_000);
    await expectServerAndReplicaAgree(page, prefix, titles(prefix, COUNT), databasePath);
  } finally {
    await context.close();
    server.kill('SIGTERM');
    await exited(server);
    for (const suffix of ['', '-wal', '-shm']) rmSync(databasePath + suffix, { force: true });
  }
});
