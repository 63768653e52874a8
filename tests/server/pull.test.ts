import { describe, expect, it } from 'vitest';
import { PullResponseSchema, type PullChange, type PullResponse } from '../../src/protocol/index.ts';
import {
  appointmentData,
  count,
  HARBOR,
  T0,
  type Client,
  useServerWithStaff,
  createOp,
  updateOp,
  deleteOp,
} from './helpers.ts';

const t = useServerWithStaff();

/** Pages with the cursor until hasMore is false; returns every change and the last page. */
async function pullAll(
  c: Client,
  query: Record<string, string | number>,
  first?: string,
): Promise<{ changes: PullChange[]; pages: PullResponse[] }> {
  const changes: PullChange[] = [];
  const pages: PullResponse[] = [];
  let cursor = first;
  for (let i = 0; i < 1000; i++) {
    const res = await c.pull({ ...query, ...(cursor ? { cursor } : {}) });
    expect(res.status).toBe(200);
    const page = PullResponseSchema.parse(res.body);
    pages.push(page);
    changes.push(...page.changes);
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  return { changes, pages };
}

const key = (c: PullChange) => `${c.entityType}:${c.id}`;

describe('pull', () => {
  it('a first pull returns the practice: users (no secrets, practitioners included), pets, appointments', async () => {
    const { changes } = await pullAll(t.client, { lastSyncTimestamp: 0, practiceId: 1, limit: 1000 });
    const users = changes.filter((c) => c.entityType === 'users');
    expect(users.length).toBe(await count(t.server, 'SELECT COUNT(*) FROM users WHERE practice_id = 1'));
    expect(changes.filter((c) => c.entityType === 'pets').length).toBe(
      await count(t.server, 'SELECT COUNT(*) FROM pets WHERE practice_id = 1'),
    );
    expect(changes.filter((c) => c.entityType === 'appointments').length).toBe(
      await count(t.server, 'SELECT COUNT(*) FROM appointments WHERE practice_id = 1'),
    );
    expect(users.filter((u) => u.data.role === 'PRACTITIONER').length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(changes)).not.toMatch(/password|scrypt/i);
    expect(changes.every((c) => c.data.practiceId === 1)).toBe(true);
    const first = changes.find((c) => c.entityType === 'appointments')!;
    expect(first).toMatchObject({
      operation: 'create',
      id: first.data.id,
      version: 1,
      updatedAt: first.data.updatedAt,
    });
    expect(typeof first.data.durationMinutes).toBe('string');
    expect(new Set(changes.map(key)).size).toBe(changes.length);
  });

  it('pages 250 rows written in one millisecond with limit 100: none lost, none repeated', async () => {
    const start = await t.client.pull({ entityTypes: 'appointments', limit: 1000, lastSyncTimestamp: 0 });
    let cursor = start.body.cursor;
    for (let c = start.body; c.hasMore;) {
      const next = await t.client.pull({ entityTypes: 'appointments', limit: 1000, cursor });
      cursor = next.body.cursor;
      c = next.body;
    }
    t.server.clock.set(T0 + 3_600_000); // every row below gets this same updatedAt
    const created = new Set<number>();
    for (let batch = 0; batch < 3; batch++) {
      const ops = Array.from({ length: batch === 2 ? 50 : 100 }, (_, i) =>
        createOp('appointments', appointmentData(t.ids.petId, null, { title: `Same ms ${batch}-${i}` })),
      );
      const res = await t.client.push(ops);
      res.body.results.forEach((r) => created.add(r.realId!));
    }
    expect(created.size).toBe(250);

    const { changes, pages } = await pullAll(t.client, { entityTypes: 'appointments', limit: 100 }, cursor);
    expect(pages.map((p) => p.changes.length)).toEqual([100, 100, 50]);
    expect(pages.map((p) => p.hasMore)).toEqual([true, true, false]);
    expect(changes.map((c) => c.id).sort((a, b) => a - b)).toEqual([...created].sort((a, b) => a - b));
    expect(new Set(changes.map((c) => c.updatedAt))).toEqual(new Set([new Date(T0 + 3_600_000).toISOString()]));
    expect(pages.every((p) => p.nextTimestamp === T0 + 3_600_000)).toBe(true);

    // Nothing new: an empty page, same position.
    const after = await t.client.pull({ entityTypes: 'appointments', limit: 100, cursor: pages.at(-1)!.cursor });
    expect(after.body).toMatchObject({ changes: [], hasMore: false, nextTimestamp: t.server.clock.now() });
  });

  it('at most `limit` per entity type; hasMore while any type has more', async () => {
    const res = await t.client.pull({ limit: 5 });
    const perType = (type: string) => res.body.changes.filter((c: PullChange) => c.entityType === type).length;
    expect([perType('users'), perType('pets'), perType('appointments')]).toEqual([5, 5, 5]);
    expect(res.body.hasMore).toBe(true);
    const defaults = await t.client.pull({});
    expect(defaults.body.changes.filter((c: PullChange) => c.entityType === 'appointments').length).toBe(100);
  });

  it('after the cursor: only later changes, as update and delete with the new version', async () => {
    const { pages } = await pullAll(t.client, { limit: 1000 });
    const cursor = pages.at(-1)!.cursor;
    t.server.clock.advance(60_000);
    const created = await t.client.push([createOp('appointments', appointmentData(t.ids.petId, null))]);
    const id = created.body.results[0]!.realId!;
    await t.client.push([updateOp('appointments', id, { notes: 'later' }, { version: 1 })]);
    await t.client.push([updateOp('appointments', t.ids.appointmentId, { notes: 'edited' })]);
    await t.client.push([deleteOp('appointments', t.ids.appointmentId)]);

    const res = await t.client.pull({ cursor, limit: 1000 });
    expect(res.body.changes.map((c: PullChange) => [c.id, c.operation, c.version])).toEqual([
      [id, 'update', 2],
      [t.ids.appointmentId, 'delete', 3],
    ]);
    expect(res.body.changes[1]!.data.deletedAt).toEqual(expect.any(String));
  });

  it('lastSyncTimestamp without a cursor: changes strictly after that time', async () => {
    t.server.clock.advance(60_000);
    const since = t.server.clock.now();
    t.server.clock.advance(1);
    const created = await t.client.push([createOp('pets', { name: 'Fresh', species: 'Cat', ownerId: t.ids.clientId })]);
    const res = await t.client.pull({ lastSyncTimestamp: since, practiceId: 1, entityTypes: 'appointments,pets' });
    expect(res.body.changes.map((c: PullChange) => key(c))).toEqual([`pets:${created.body.results[0]!.realId}`]);
    expect(res.body.nextTimestamp).toBe(since + 1);
  });

  it('a cursor for some entity types keeps the others where they were', async () => {
    const base = (await pullAll(t.client, { limit: 1000 })).pages.at(-1)!.cursor;
    t.server.clock.advance(1000);
    await t.client.push([
      createOp('pets', { name: 'P', species: 'Dog', ownerId: t.ids.clientId }),
      createOp('appointments', appointmentData(t.ids.petId, null)),
    ]);
    const onlyPets = await t.client.pull({ cursor: base, entityTypes: 'pets' });
    expect(onlyPets.body.changes.map((c: PullChange) => c.entityType)).toEqual(['pets']);
    const rest = await t.client.pull({ cursor: onlyPets.body.cursor });
    expect(rest.body.changes.map((c: PullChange) => c.entityType)).toEqual(['appointments']);
  });

  it("never returns another practice's rows", async () => {
    const harbor = await t.server.login(HARBOR.email);
    const { changes } = await pullAll(harbor, { limit: 1000 });
    expect(changes.length).toBeGreaterThan(100);
    expect(changes.every((c) => c.data.practiceId === 2)).toBe(true);
  });

  it('refuses another practice or tenant with 403, nothing returned', async () => {
    for (const query of [{ practiceId: 2 }, { tenantId: 'harborvet' }] as Record<string, string | number>[]) {
      const res = await t.client.request(
        'GET',
        `/api/sync/pull?${new URLSearchParams(query as Record<string, string>)}`,
      );
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ success: false, error: { code: 'FORBIDDEN' } });
      expect(res.body.changes).toBeUndefined();
    }
  });

  it("refuses another practice's cursor and a forged one with 400", async () => {
    const harbor = await t.server.login(HARBOR.email);
    const theirs = (await harbor.pull({ limit: 1 })).body.cursor;
    const forged = Buffer.from(JSON.stringify({ v: 1, p: 1, s: { appointments: -5 } })).toString('base64url');
    for (const cursor of [theirs, forged, 'not-a-cursor', Buffer.from('[1]').toString('base64url')]) {
      const res = await t.client.request('GET', `/api/sync/pull?${new URLSearchParams({ cursor })}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }
  });

  it('logs [SyncPull]', async () => {
    t.server.lines.length = 0;
    await t.client.pull({ limit: 1 });
    expect(
      t.server.lines.some((l) => /^\[SyncPull\] practice 1 user \d+: 3 changes since 0, hasMore true$/.test(l)),
    ).toBe(true);
    expect(t.server.lines.some((l) => /^\[Http\] GET \/api\/sync\/pull 200 [\d.]+ms$/.test(l))).toBe(true);
  });
});
