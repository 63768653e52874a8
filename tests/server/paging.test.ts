/**
 * Bounded work per request (issue 9 item 2): every REST list is paged (limit, default 200, max
 * 1000; an opaque cursor; `{ data, nextCursor }`), and paging walks each list exactly once.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '../../src/protocol/index.ts';
import { HARBOR, count, useServerWithStaff } from './helpers.ts';

// 1,200 appointments, 600 pets and 300 clients per practice.
const t = useServerWithStaff({ seed: { size: 1200 } });

async function walk(
  pathname: string,
  limit?: number,
): Promise<{ ids: number[]; pages: number; sortKeys: (string | number)[] }> {
  const ids: number[] = [];
  const sortKeys: (string | number)[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const params = new URLSearchParams();
    if (limit) params.set('limit', String(limit));
    if (cursor) params.set('cursor', cursor);
    const sep = pathname.includes('?') ? '&' : '?';
    const res = await t.client.request('GET', `${pathname}${params.size ? `${sep}${params.toString()}` : ''}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit ?? DEFAULT_LIST_LIMIT);
    for (const record of res.body.data) {
      ids.push(record.id);
      sortKeys.push(pathname.startsWith('/api/appointments') ? Date.parse(record.date) : record.name);
    }
    cursor = res.body.nextCursor;
    pages++;
  } while (cursor);
  return { ids, pages, sortKeys };
}

describe('REST lists are paged', () => {
  it('appointments: 200 per page by default, in date order, each row once', async () => {
    const total = await count(
      t.server,
      'SELECT COUNT(*) FROM appointments WHERE practice_id = 1 AND deleted_at IS NULL',
    );
    const { ids, pages, sortKeys } = await walk('/api/appointments');
    expect(ids.length).toBe(total);
    expect(new Set(ids).size).toBe(total);
    expect(pages).toBe(Math.ceil(total / DEFAULT_LIST_LIMIT));
    expect(sortKeys).toEqual([...sortKeys].sort((a, b) => Number(a) - Number(b)));
  });

  it('pets and users by name with a chosen limit; filters apply across pages', async () => {
    const pets = await walk('/api/pets', 77);
    expect(pets.ids.length).toBe(
      await count(t.server, 'SELECT COUNT(*) FROM pets WHERE practice_id = 1 AND deleted_at IS NULL'),
    );
    expect(new Set(pets.ids).size).toBe(pets.ids.length);
    const clients = await walk('/api/users?role=CLIENT', 50);
    expect(clients.ids.length).toBe(
      await count(
        t.server,
        "SELECT COUNT(*) FROM users WHERE practice_id = 1 AND role = 'CLIENT' AND deleted_at IS NULL",
      ),
    );
    expect(new Set(clients.ids).size).toBe(clients.ids.length);
    // Many clients share a name: the id breaks ties, so no row is skipped or repeated at a page boundary.
    expect(new Set(clients.sortKeys).size).toBeLessThan(clients.ids.length);
  });

  it('the last page has nextCursor null; a page of 1,000 is the most one request returns', async () => {
    const res = await t.client.request('GET', `/api/appointments?limit=${MAX_LIST_LIMIT}`);
    expect(res.body.data.length).toBe(MAX_LIST_LIMIT);
    expect(typeof res.body.nextCursor).toBe('string');
    const last = await t.client.request(
      'GET',
      `/api/appointments?limit=${MAX_LIST_LIMIT}&cursor=${res.body.nextCursor}`,
    );
    expect(last.body.nextCursor).toBeNull();
    expect((await t.client.request('GET', `/api/appointments?limit=${MAX_LIST_LIMIT + 1}`)).status).toBe(400);
    expect((await t.client.request('GET', '/api/appointments?limit=0')).status).toBe(400);
  });

  it('refuses a cursor of another list, another practice, or a forged one', async () => {
    const petsCursor = (await t.client.request('GET', '/api/pets?limit=5')).body.nextCursor as string;
    const harbor = await t.server.login(HARBOR.email);
    const harborCursor = (await harbor.request('GET', '/api/pets?limit=5')).body.nextCursor as string;
    const forged = Buffer.from(JSON.stringify({ v: 1, p: 1, e: 'pets', k: { $gt: 1 }, i: 1 })).toString('base64url');
    for (const [pathname, cursor] of [
      ['/api/users', petsCursor],
      ['/api/pets', harborCursor],
      ['/api/pets', forged],
      ['/api/pets', 'nonsense'],
    ] as const) {
      const res = await t.client.request('GET', `${pathname}?cursor=${encodeURIComponent(cursor)}`);
      expect([res.status, res.body.error.code], `${pathname} ${cursor}`).toEqual([400, 'VALIDATION']);
    }
  });
});
