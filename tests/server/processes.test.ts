/**
 * Two server processes on one database (issue 12): the test server and a second `server/main.ts`
 * on the same SQLite file or PostgreSQL database. What a device relies on when a load balancer
 * spreads its requests: exactly-once, version checks and the change sequence hold across them.
 */
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startServer } from '../../bench/lib/server.ts';
import type { PullResponse, PushOperation, PushResponse } from '../../src/protocol/index.ts';
import { appointmentData, count, op, seedIds, tempId, useTestServer, createOp, updateOp } from './helpers.ts';

// A second `node --import tsx server/main.ts` takes seconds to start, far more on a loaded 2-core
// machine (a CI run beside other work timed out at 30 s): its start-up gets longer than a hook's default.
vi.setConfig({ hookTimeout: 90_000 });

/** The test server (`t.server`) and a second process on its database, signed in there. */
const t = useTestServer({}, async (first) => {
  const second = await startServer(path.join(first.dir, 'test.db'), {
    DIST_DIR: path.join(first.dir, 'dist'),
    ...(first.databaseUrl ? { DATABASE_URL: first.databaseUrl } : {}),
  });
  // Signed in on the second process (its clock is the real one); the session is in the shared database.
  const login = await fetch(`${second.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'reception@northside.example', password: 'demo1234' }),
  });
  return { second, cookie: login.headers.get('set-cookie')!.split(';')[0]!, ids: await seedIds(first, 1) };
});
// Registered after the server's own hook, so it runs before the server closes.
afterAll(() => t.second.stop());

const urls = () => [t.server.url, t.second.url];

async function push(url: string, operations: PushOperation[]): Promise<PushResponse> {
  const res = await fetch(`${url}/api/sync/push`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: t.cookie },
    body: JSON.stringify({ operations, clientTimestamp: Date.now() }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as PushResponse;
}

describe('two server processes on one database', () => {
  it('the same batch delivered to both at once applies each operation once; both answers agree', async () => {
    const pet = tempId('pet');
    const batch = [
      createOp('pets', { name: 'Twice', species: 'Cat', ownerId: t.ids.clientId }, { tempId: pet }),
      createOp('appointments', appointmentData(pet, t.ids.practitionerId, { title: 'Delivered twice' })),
      updateOp('appointments', t.ids.appointmentId, { notes: 'edited once' }),
    ];
    const before = await count(t.server, 'SELECT version FROM appointments WHERE id = ?', t.ids.appointmentId);
    const answers = await Promise.all([...urls(), ...urls()].map((url) => push(url, batch)));
    for (const answer of answers) {
      expect(answer.results.map((r) => r.success)).toEqual([true, true, true]);
      expect(answer.results.map((r) => [r.realId, r.version])).toEqual(
        answers[0]!.results.map((r) => [r.realId, r.version]),
      );
    }
    expect(await count(t.server, "SELECT COUNT(*) FROM pets WHERE name = 'Twice'")).toBe(1);
    expect(await count(t.server, "SELECT COUNT(*) FROM appointments WHERE title = 'Delivered twice'")).toBe(1);
    expect(await count(t.server, 'SELECT version FROM appointments WHERE id = ?', t.ids.appointmentId)).toBe(
      before + 1,
    );
    expect(
      await count(t.server, 'SELECT COUNT(*) FROM op_log WHERE op_id IN (?, ?, ?)', ...batch.map((o) => o.opId)),
    ).toBe(3);
  });

  it('the same field changed at once on both from one base version: one applies, the other is a version conflict', async () => {
    const version = await count(t.server, 'SELECT version FROM appointments WHERE id = ?', t.ids.appointmentId);
    const answers = await Promise.all(
      urls().map((url, i) =>
        push(url, [
          op({
            operation: 'update',
            entityType: 'appointments',
            entityId: t.ids.appointmentId,
            version,
            data: { title: `Process ${i}` },
          }),
        ]),
      ),
    );
    const results = answers.map((a) => a.results[0]!);
    expect(results.filter((r) => r.success)).toHaveLength(1);
    expect(results.filter((r) => r.conflictData?.conflictType === 'version')).toHaveLength(1);
    expect(await count(t.server, 'SELECT version FROM appointments WHERE id = ?', t.ids.appointmentId)).toBe(
      version + 1,
    );
  });

  it('writes committed by both at once: a device pulling with its cursor meanwhile gets every change once', async () => {
    const pull = async (cursor: string | null): Promise<PullResponse> => {
      const query = new URLSearchParams({ entityTypes: 'appointments', limit: '7' });
      if (cursor) query.set('cursor', cursor);
      const res = await fetch(`${urls()[Math.floor(Math.random() * 2)]}/api/sync/pull?${query}`, {
        headers: { cookie: t.cookie },
      });
      return (await res.json()) as PullResponse;
    };
    // Up to date first.
    let cursor: string | null = null;
    for (let page = await pull(null); ; page = await pull(cursor)) {
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    const seen = new Map<number, number>();
    let writing = true;
    const writers = urls().map(async (url, w) => {
      for (let i = 0; i < 12; i++) {
        await push(
          url,
          Array.from({ length: 3 }, (_, k) =>
            createOp('appointments', appointmentData(t.ids.petId, null, { title: `Stream ${w}-${i}-${k}` })),
          ),
        );
      }
    });
    const reader = (async () => {
      while (writing) {
        const page = await pull(cursor);
        for (const change of page.changes) seen.set(change.id, (seen.get(change.id) ?? 0) + 1);
        cursor = page.cursor;
      }
    })();
    await Promise.all(writers);
    writing = false;
    await reader;
    for (let page = await pull(cursor); ; page = await pull(cursor)) {
      for (const change of page.changes) seen.set(change.id, (seen.get(change.id) ?? 0) + 1);
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    const streamed = await t.server.sql.values<number>("SELECT id FROM appointments WHERE title LIKE 'Stream %'");
    expect(streamed).toHaveLength(72);
    for (const id of streamed) expect(seen.get(id)).toBe(1);
  });
});
