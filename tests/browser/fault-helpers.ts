/**
 * Helpers of the fault suite: arm the server's test-only fault modes (server/http/fault-injection.ts),
 * queue many bookings offline, and the final check of every scenario: the server's rows (read
 * straight from its SQLite file) and the browser's IndexedDB agree, nothing lost, nothing twice.
 */
import Database from 'better-sqlite3';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { askWorker, waitForServiceWorkerControl, signInDevice } from './helpers.ts';

export interface FaultRule {
  route: 'push' | 'pull' | 'any';
  fault: 'status' | 'drop_after_commit' | 'drop' | 'delay';
  times: number;
  status?: 500 | 502 | 503;
  retryAfterSeconds?: number;
  delayMs?: number;
}
export interface FaultsFired {
  status: number;
  drop_after_commit: number;
  drop: number;
  delay: number;
}

/** Arms faults for the session of this browser context (its cookie); other contexts are not affected. */
export async function armFaults(context: BrowserContext, baseURL: string, rules: FaultRule[]): Promise<void> {
  const res = await context.request.post(`${baseURL}/api/test/faults`, { data: { rules } });
  expect(res.status(), await res.text()).toBe(200);
}

export async function faultsFired(context: BrowserContext, baseURL: string): Promise<FaultsFired & { left: number }> {
  const body = (await (await context.request.get(`${baseURL}/api/test/faults`)).json()) as {
    fired: FaultsFired;
    left: number;
  };
  return { ...body.fired, left: body.left };
}

export async function disarmFaults(context: BrowserContext, baseURL: string): Promise<void> {
  await context.request.delete(`${baseURL}/api/test/faults`);
}

/** Opens the app in `context`, waits for the worker, signs in and waits for the first pull. */
export async function openSignedIn(context: BrowserContext, url = '/', email?: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await waitForServiceWorkerControl(page);
  await signInDevice(page, email);
  return page;
}

/** Pet ids of the signed-in practice, from the replica. */
export async function petIds(page: Page): Promise<number[]> {
  return page.evaluate(async () =>
    ((await (await fetch('/api/pets')).json()) as { data: { id: number }[] }).data.map((p) => p.id),
  );
}

/**
 * `iso` moved on by whole years, so that a repeated or retried test (`--repeat-each`, retries)
 * books other slots than its first run on the same server: the same pet twice at one time would
 * be a double booking.
 */
export function freshSlot(iso: string): string {
  const info = test.info();
  const date = new Date(iso);
  date.setUTCFullYear(date.getUTCFullYear() + info.repeatEachIndex * 3 + info.retry);
  return date.toISOString();
}

/** How many of the seeded pets the fault specs book (the seed has more; no test deletes one). */
const SEEDED_PETS_BOOKED = 20;

/**
 * Pet ids safe to book in a spec: the demo seed's (the lowest ids). Other specs running at the same
 * time make pets of their own and delete some; a booking of a pet deleted meanwhile is refused
 * (PET_NOT_FOUND on the server, "no pet with id" in the worker once the deletion was pulled).
 */
export async function seededPetIds(page: Page): Promise<number[]> {
  return (await petIds(page)).sort((a, b) => a - b).slice(0, SEEDED_PETS_BOOKED);
}

/**
 * Books `count` appointments through the worker (offline or not), titled `${prefix}${i}`: each in
 * a slot of its own (20 minutes apart from `firstSlot`, pets taken in turn), so no two clash.
 */
export async function bookMany(
  page: Page,
  prefix: string,
  count: number,
  firstSlot: string,
  exceptPets: readonly number[] = [],
): Promise<void> {
  const pets = (await seededPetIds(page)).filter((id) => !exceptPets.includes(id));
  await page.evaluate(
    async ({ prefix, count, firstSlot, pets }) => {
      const start = Date.parse(firstSlot);
      for (let i = 0; i < count; i++) {
        const res = await fetch('/api/appointments', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            title: `${prefix}${i}`,
            type: 'checkup',
            date: new Date(start + i * 20 * 60_000).toISOString(),
            durationMinutes: 15,
            petId: pets[i % pets.length],
            practitionerId: null,
          }),
        });
        if (res.status !== 201) throw new Error(`booking ${i}: HTTP ${res.status} ${await res.text()}`);
      }
    },
    { prefix, count, firstSlot: freshSlot(firstSlot), pets },
  );
}

export interface WorkerStats {
  pending: number;
  inFlight: number;
  failed: number;
  conflicts: number;
}

export async function workerStats(page: Page): Promise<WorkerStats> {
  return (await askWorker<{ stats: WorkerStats }>(page, { type: 'GET_STATE' })).stats;
}

/** Waits until the queue is empty (nothing pending, in flight, failed or held). */
export async function expectDrained(page: Page, timeout = 30_000): Promise<void> {
  await expect
    .poll(() => workerStats(page), { timeout, intervals: [100, 250, 500] })
    .toMatchObject({ pending: 0, inFlight: 0, failed: 0, conflicts: 0 });
}

/** The SQLite file of the Playwright server (playwright.config.ts), or another one. */
export function e2eDatabasePath(): string {
  return `.tmp/e2e-${process.env.E2E_PORT}.db`;
}

export interface ServerRow {
  id: number;
  title: string;
  notes: string | null;
  status: string;
  deletedAt: number | null;
  version: number;
}

/** Appointment rows whose title starts with `prefix`, deleted ones included, read straight from SQLite. */
export function serverRows(prefix: string, databasePath = e2eDatabasePath()): ServerRow[] {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        'SELECT id, title, notes, status, deleted_at AS deletedAt, version FROM appointments WHERE substr(title, 1, ?) = ? ORDER BY id',
      )
      .all(prefix.length, prefix) as ServerRow[];
  } finally {
    db.close();
  }
}

export interface ReplicaRow {
  key: unknown;
  id: unknown;
  title: string;
  notes: string | null;
  status: string;
  version: number;
  _pending: boolean;
  _serverId?: number;
}

/** Runs in the page: appointments of the IndexedDB replica whose title starts with `prefix` (with their keys). */
export function readReplicaInPage(prefix: string): Promise<ReplicaRow[]> {
  return new Promise<ReplicaRow[]>((resolve, reject) => {
    const open = indexedDB.open('smartdmv-offline');
    open.onerror = () => reject(open.error!);
    open.onsuccess = () => {
      const store = open.result.transaction('appointments').objectStore('appointments');
      const rows: ReplicaRow[] = [];
      const cursor = store.openCursor();
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) {
          open.result.close();
          resolve(rows);
          return;
        }
        const v = c.value as ReplicaRow;
        if (typeof v.title === 'string' && v.title.startsWith(prefix)) rows.push({ ...v, key: c.key });
        c.continue();
      };
      cursor.onerror = () => reject(cursor.error!);
    };
  });
}

/** Appointments of the browser's IndexedDB replica whose title starts with `prefix`. */
export function replicaRows(page: Page, prefix: string): Promise<ReplicaRow[]> {
  return page.evaluate(readReplicaInPage, prefix);
}

/**
 * The end of every scenario: the server holds each of `titles` exactly once (live), nothing else
 * with the prefix, and the replica holds the same records under the server's ids, nothing pending.
 */
export async function expectServerAndReplicaAgree(
  page: Page,
  prefix: string,
  titles: readonly string[],
  databasePath?: string,
): Promise<void> {
  const rows = serverRows(prefix, databasePath);
  const live = rows.filter((r) => r.deletedAt === null);
  expect(live.map((r) => r.title).sort(), 'server: each booking once').toEqual([...titles].sort());
  expect(rows.length, 'server: no extra (deleted) copies').toBe(live.length);
  const replica = await replicaRows(page, prefix);
  expect(
    replica.filter((r) => r._pending),
    'replica: nothing pending',
  ).toEqual([]);
  const byId = new Map(live.map((r) => [r.id, r]));
  expect(replica.map((r) => r.id).sort(), 'replica: the server ids, each once').toEqual(live.map((r) => r.id).sort());
  for (const r of replica)
    expect({ title: r.title, notes: r.notes ?? null }).toEqual({
      title: byId.get(r.id as number)!.title,
      notes: byId.get(r.id as number)!.notes,
    });
}

export function titles(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}
