import { describe, expect, it } from 'vitest';
import { HARBOR, NORTHSIDE, count, useTestServer } from './helpers.ts';

const t = useTestServer();

describe('auth', () => {
  it('signs in with email and password: user, HttpOnly SameSite=Strict session cookie', async () => {
    const c = t.server.client();
    const res = await c.request('POST', '/api/auth/login', { email: NORTHSIDE.email, password: 'demo1234' });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({
      name: expect.any(String),
      role: 'STAFF',
      practiceId: 1,
      tenantId: 'smartvet',
    });
    expect(res.body.user).not.toHaveProperty('passwordHash');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^smartdmv_session=[A-Za-z0-9_-]{20,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure'); // plain HTTP in tests
  });

  it.each([
    ['vet@northside.example', 'PRACTITIONER', 1],
    ['admin@northside.example', 'ADMIN', 1],
    [HARBOR.email, 'STAFF', 2],
    ['RECEPTION@Northside.Example', 'STAFF', 1],
  ])('signs in %s as %s of practice %i', async (email, role, practiceId) => {
    const c = await t.server.login(email);
    const me = await c.request('GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ role, practiceId });
  });

  it('refuses a wrong password and an unknown email with the same 401 JSON', async () => {
    const c = t.server.client();
    const wrong = await c.request('POST', '/api/auth/login', { email: NORTHSIDE.email, password: 'nope' });
    const unknown = await c.request('POST', '/api/auth/login', {
      email: 'nobody@northside.example',
      password: 'demo1234',
    });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        success: false,
        error: { code: 'UNAUTHENTICATED', message: 'Wrong email or password' },
      });
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('refuses clients (users with role CLIENT have no password)', async () => {
    const email = await t.server.sql.value<string>(
      "SELECT email FROM users WHERE role = 'CLIENT' AND email IS NOT NULL LIMIT 1",
    );
    const res = await t.server.client().request('POST', '/api/auth/login', { email, password: 'demo1234' });
    expect(res.status).toBe(401);
  });

  it('answers a malformed sign-in with 400 JSON', async () => {
    const c = t.server.client();
    for (const body of ['{', '[]', { email: 'a' }, { email: NORTHSIDE.email, password: '' }]) {
      const res = await c.request('POST', '/api/auth/login', body);
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
    }
  });

  it('stores only a hash of the session token and of the password', async () => {
    const c = await t.server.login();
    const token = c.cookie!.split('=')[1]!;
    expect(await count(t.server, 'SELECT COUNT(*) FROM sessions WHERE token_hash = ?', token)).toBe(0);
    const hash = await t.server.sql.value<string>('SELECT password_hash FROM users WHERE email = ?', NORTHSIDE.email);
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    const hashes = await t.server.sql.values('SELECT password_hash FROM users WHERE password_hash IS NOT NULL');
    expect(new Set(hashes).size).toBe(hashes.length); // a salt per user
  });

  it('GET /api/auth/me is 401 without a session and with a forged cookie', async () => {
    const anonymous = await t.server.client().request('GET', '/api/auth/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    const forged = await t.server
      .client()
      .request('GET', '/api/auth/me', undefined, { cookie: 'smartdmv_session=forged' });
    expect(forged.status).toBe(401);
  });

  it('logs out: the cookie is cleared and the session no longer works', async () => {
    const c = await t.server.login();
    const stolen = c.cookie!;
    const out = await c.request('POST', '/api/auth/logout');
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    const me = await t.server.client().request('GET', '/api/auth/me', undefined, { cookie: stolen });
    expect(me.status).toBe(401);
  });

  it('expires sessions after 30 days', async () => {
    const c = await t.server.login();
    t.server.clock.advance(31 * 24 * 60 * 60 * 1000);
    try {
      expect((await c.request('GET', '/api/auth/me')).status).toBe(401);
    } finally {
      t.server.clock.advance(-31 * 24 * 60 * 60 * 1000);
    }
  });

  it.each([
    ['POST', '/api/sync/push', { operations: [], clientTimestamp: 1 }],
    ['GET', '/api/sync/pull', undefined],
    ['GET', '/api/appointments', undefined],
    ['POST', '/api/pets', { name: 'Rex' }],
    ['DELETE', '/api/appointments/1', undefined],
  ])('%s %s needs a session (401 JSON)', async (method, pathname, body) => {
    const res = await t.server.client().request(method, pathname, body);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ success: false, error: { code: 'UNAUTHENTICATED' } });
  });
});
