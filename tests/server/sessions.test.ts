/**
 * Sessions (issue 9 item 8, D4) and sign-in limits (item 9): the revocation token, revoking
 * without the cookie, the cap per user, the scheduled purge, failed sign-ins per account and per
 * address (429 with Retry-After, logged), and bounded concurrent password checks.
 */
import { describe, expect, it } from 'vitest';
import { AuthResponseSchema } from '../../src/protocol/index.ts';
import { MAX_SESSIONS_PER_USER, SESSION_TTL_MS } from '../../server/auth/sessions.ts';
import { NORTHSIDE, count, type TestServer, useTestServer } from './helpers.ts';

const login = (server: TestServer, email: string, password = 'demo1234', headers: Record<string, string> = {}) =>
  server.client().request('POST', '/api/auth/login', { email, password }, headers);

describe('sessions (D4)', () => {
  const t = useTestServer({ sessionPurgeIntervalMs: 50 });

  it('sign-in answers a revocation token; revoking it ends that session without the cookie', async () => {
    const device = t.server.client();
    const res = await device.request('POST', '/api/auth/login', { email: NORTHSIDE.email, password: 'demo1234' });
    const body = AuthResponseSchema.parse(res.body);
    expect(body.revocationToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(await count(t.server, 'SELECT COUNT(*) FROM sessions WHERE revocation_hash = ?', body.revocationToken)).toBe(
      0,
    ); // only a hash is kept
    expect((await device.request('GET', '/api/auth/me')).status).toBe(200);

    // Later, with the next user's cookie in the jar: the revoke carries no cookie of the first user.
    const nextUser = await t.server.login('vet@northside.example');
    const revoke = await nextUser.request('POST', '/api/auth/revoke', { token: body.revocationToken });
    expect(revoke.status).toBe(200);
    expect(revoke.body).toEqual({ success: true });
    expect((await device.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await nextUser.request('GET', '/api/auth/me')).status).toBe(200);
  });

  it('answers 200 for an unknown or already revoked token, and 400 for a malformed request', async () => {
    const c = t.server.client();
    expect((await c.request('POST', '/api/auth/revoke', { token: 'x'.repeat(43) })).status).toBe(200);
    expect((await c.request('POST', '/api/auth/revoke', { token: 'short' })).status).toBe(400);
    expect((await c.request('POST', '/api/auth/revoke', {})).status).toBe(400);
  });

  it(`keeps at most ${MAX_SESSIONS_PER_USER} sessions per user: the oldest goes first`, async () => {
    const email = 'lena.okafor@northside.example';
    const clients = [];
    for (let i = 0; i < MAX_SESSIONS_PER_USER + 2; i++) clients.push(await t.server.login(email));
    const userId = await t.server.sql.value('SELECT id FROM users WHERE email = ?', email);
    expect(await count(t.server, 'SELECT COUNT(*) FROM sessions WHERE user_id = ?', userId)).toBe(
      MAX_SESSIONS_PER_USER,
    );
    const alive = await Promise.all(clients.map(async (c) => (await c.request('GET', '/api/auth/me')).status));
    expect(alive).toEqual([401, 401, ...Array(MAX_SESSIONS_PER_USER).fill(200)]);
  });

  it('purges expired sessions on a schedule, not only at start', async () => {
    await t.server.login('priya.nair@harbor.example');
    const expired = () => count(t.server, 'SELECT COUNT(*) FROM sessions WHERE expires_at <= ?', t.server.clock.now());
    t.server.clock.advance(SESSION_TTL_MS + 1);
    try {
      expect(await expired()).toBeGreaterThan(0);
      await expect.poll(expired, { timeout: 2000, interval: 20 }).toBe(0);
      // The line follows the purge's commit (on PostgreSQL another connection may see the rows gone first).
      await expect
        .poll(() => t.server.lines.some((l) => /^\[Auth\] purged \d+ expired sessions$/.test(l)), { timeout: 2000 })
        .toBe(true);
    } finally {
      t.server.clock.advance(-(SESSION_TTL_MS + 1));
    }
  });

  it('rate-limits revocations per address', async () => {
    const c = t.server.client();
    const statuses: number[] = [];
    for (let i = 0; i < 65; i++)
      statuses.push((await c.request('POST', '/api/auth/revoke', { token: `t${i}`.padEnd(43, 'x') })).status);
    expect(statuses.slice(0, 50).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('sign-in limits (item 9)', () => {
  const t = useTestServer({ throttle: { perAccount: 3, perAddress: 6, windowMs: 60_000, maxEntries: 100 } });

  it('after too many failures for one account: 429 with Retry-After, even with the right password, logged; the window ends', async () => {
    for (let i = 0; i < 3; i++) expect((await login(t.server, 'vet@northside.example', 'wrong')).status).toBe(401);
    t.server.lines.length = 0;
    const limited = await login(t.server, 'VET@northside.example', 'demo1234');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(t.server.lines).toContain('[Auth] sign-in refused: too many failed attempts for this account');
    // Another account from the same address still signs in.
    expect((await login(t.server, 'admin@northside.example')).status).toBe(200);
    t.server.clock.advance(60_001);
    expect((await login(t.server, 'vet@northside.example')).status).toBe(200);
  });

  it('after too many failures from one address (whatever the accounts): 429', async () => {
    t.server.clock.advance(120_000);
    const statuses: number[] = [];
    for (const email of [
      'a@x.example',
      'b@x.example',
      'c@x.example',
      'd@x.example',
      'e@x.example',
      'f@x.example',
      'g@x.example',
    ]) {
      statuses.push((await login(t.server, email, 'nope')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429]);
    expect((await login(t.server, 'lena.okafor@northside.example')).status).toBe(429);
    expect(t.server.lines).toContain('[Auth] sign-in refused: too many failed attempts for this address');
  });

  it('a burst at once cannot overshoot: attempts still being checked count toward the limit', async () => {
    t.server.clock.advance(120_000);
    const statuses = (
      await Promise.all(Array.from({ length: 20 }, () => login(t.server, 'tom.walsh@harbor.example', 'nope')))
    ).map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
  });
});

describe('password checks do not pile up', () => {
  const t = useTestServer({
    throttle: { perAccount: 1000, perAddress: 1000, windowMs: 60_000, maxEntries: 1000 },
  });

  it('a burst of 40 sign-ins at once: one hash at a time, a short queue, the rest 429 at once; the API keeps answering', async () => {
    const burst = Array.from({ length: 40 }, (_, i) => login(t.server, `burst${i}@northside.example`, 'wrong'));
    const health = await t.server.client().request('GET', '/api/health');
    expect(health.status).toBe(200);
    const statuses = (await Promise.all(burst)).map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(17);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    expect(t.server.lines).toContain('[Auth] sign-in refused: too many sign-ins at once');
  });
});
