/**
 * Scenario 11 of the fault suite: a convergence soak. Several browser contexts (three staff
 * members of one practice, each with its own worker and replica) make random creates, edits and
 * deletes of appointments while going offline and online at random. At the end every conflict is
 * resolved (server wins), every device syncs, and every replica must equal the server's rows, with
 * no booking lost and none applied twice.
 *
 * Bounded: `SOAK_SECONDS` (default 12, what CI runs); a longer soak:
 * `SOAK_SECONDS=180 npx playwright test --grep @soak`. `SOAK_SEED` replays a run (the seed is printed).
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { askWorker, pageFetch } from './helpers.ts';
import { freshSlot, openSignedIn, replicaRows, seededPetIds, serverRows, workerStats } from './fault-helpers.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 12);
const SEED = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);
const STAFF = ['reception@northside.example', 'vet@northside.example', 'admin@northside.example'];

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A booking's identity through its edits: titles are `<prefix><device>-<n>` plus `|e<k>` per title edit. */
const baseOf = (title: string) => title.split('|')[0]!;

interface Device {
  context: BrowserContext;
  page: Page;
  name: string;
}

test('11. convergence soak @soak: random creates, edits and deletes, offline and online, in three browsers', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout((SECONDS + 120) * 1000);
  const random = prng(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const prefix = `S11 soak ${SEED} `;
  const created = new Set<string>();
  const deletedHere = new Set<string>();
  const counts = { creates: 0, edits: 0, deletes: 0, offline: 0, conflicts: 0 };
  let slot = 0;
  const firstSlot = freshSlot('2027-10-01T08:00:00.000Z');

  const devices: Device[] = [];
  for (const [i, email] of STAFF.entries()) {
    const context = await browser.newContext({ baseURL });
    devices.push({ context, page: await openSignedIn(context, '/', email), name: `d${i}` });
  }
  try {
    const pets = await seededPetIds(devices[0]!.page);
    const deadline = Date.now() + SECONDS * 1000;

    async function act(device: Device, n: number): Promise<void> {
      const roll = random();
      const mine = (await replicaRows(device.page, prefix)).filter((r) => typeof r.title === 'string');
      if (roll < 0.1) {
        counts.offline++;
        await device.context.setOffline(random() < 0.5);
      } else if (roll < 0.55 || mine.length === 0) {
        const title = `${prefix}${device.name}-${n}`;
        const date = new Date(Date.parse(firstSlot) + slot++ * 20 * 60_000).toISOString();
        const res = await pageFetch(device.page, 'POST', '/api/appointments', {
          title,
          type: 'checkup',
          date,
          durationMinutes: 15,
          petId: pick(pets),
          practitionerId: null,
        });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        created.add(title);
        counts.creates++;
      } else if (roll < 0.85) {
        const target = pick(mine);
        const change =
          random() < 0.5
            ? { notes: `note ${device.name} ${n}` }
            : { title: `${baseOf(target.title)}|e${device.name}${n}` };
        const res = await pageFetch(device.page, 'PATCH', `/api/appointments/${String(target.id)}`, change);
        expect([200, 404, 409]).toContain(res.status); // (404: deleted meanwhile by a pull)
        counts.edits++;
      } else {
        const target = pick(mine);
        const res = await pageFetch(device.page, 'DELETE', `/api/appointments/${String(target.id)}`);
        expect([200, 404, 409]).toContain(res.status);
        if (res.status === 200) deletedHere.add(baseOf(target.title));
        counts.deletes++;
      }
    }

    await Promise.all(
      devices.map(async (device) => {
        for (let n = 0; Date.now() < deadline; n++) {
          await act(device, n);
          await device.page.waitForTimeout(20 + random() * 150);
        }
      }),
    );

    // Everyone back online; conflicts resolved (server wins) until every queue is empty.
    await Promise.all(devices.map((d) => d.context.setOffline(false)));
    for (let round = 0; ; round++) {
      expect(round, 'converges within 10 rounds').toBeLessThan(10);
      let busy = false;
      for (const device of devices) {
        await askWorker(device.page, { type: 'SYNC_NOW' });
        const conflicts = await askWorker<{ id: number; resolved: boolean }[]>(device.page, {
          type: 'GET_CONFLICTS',
        });
        for (const conflict of conflicts.filter((c) => !c.resolved)) {
          counts.conflicts++;
          await askWorker(device.page, {
            type: 'RESOLVE_CONFLICT',
            conflictId: conflict.id,
            resolution: { strategy: 'server_wins' },
          });
          busy = true;
        }
        const stats = await workerStats(device.page);
        if (stats.pending + stats.inFlight + stats.failed + stats.conflicts > 0) busy = true;
        expect(stats.failed, `${device.name}: no failed operation`).toBe(0);
      }
      if (!busy) break;
    }
    for (const device of devices) await askWorker(device.page, { type: 'SYNC_NOW' }); // the last pull

    const rows = serverRows(prefix);
    const live = rows.filter((r) => r.deletedAt === null);
    const bases = rows.map((r) => baseOf(r.title));
    expect(bases.length - new Set(bases).size, 'no booking applied twice').toBe(0);
    const lost = [...created].filter((t) => !bases.includes(t) && !deletedHere.has(t));
    expect(lost, 'no booking lost').toEqual([]);
    const expected = live
      .map((r) => ({ id: r.id, title: r.title, notes: r.notes ?? null, version: r.version }))
      .sort((a, b) => a.id - b.id);
    for (const device of devices) {
      const replica = (await replicaRows(device.page, prefix)).map((r) => ({
        id: r.id as number,
        title: r.title,
        notes: r.notes ?? null,
        version: r.version,
        pending: r._pending,
      }));
      expect(
        replica.filter((r) => r.pending),
        `${device.name}: nothing pending`,
      ).toEqual([]);
      expect(
        replica.map(({ pending: _p, ...r }) => r).sort((a, b) => a.id - b.id),
        `${device.name} equals the server`,
      ).toEqual(expected);
    }
    console.log(
      `[fault-suite] 11: seed ${SEED}, ${SECONDS} s, ${devices.length} browsers: ${counts.creates} creates, ${counts.edits} edits, ${counts.deletes} deletes, ` +
        `${counts.offline} offline/online switches, ${counts.conflicts} conflicts resolved; server ${live.length} live + ${rows.length - live.length} deleted; lost 0, duplicated 0`,
    );
  } finally {
    await Promise.all(devices.map((d) => d.context.close()));
  }
});
