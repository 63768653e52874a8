/**
 * What the probe of issue 9 sent, refused at the boundary: dates no client can read back (item 1;
 * the conversions themselves are tested in validate.test.ts), deep nesting (item 5), lone UTF-16
 * surrogates (item 6), and log injection (item 7).
 */
import { describe, expect, it } from 'vitest';
import { ENTITY_SCHEMAS, PullResponseSchema, type PushResponse } from '../../src/protocol/index.ts';
import { appointmentData, count, useServerWithStaff, createOp, updateOp } from './helpers.ts';

const t = useServerWithStaff();

const appointments = () => count(t.server, 'SELECT COUNT(*) FROM appointments');

/** Every record of every pull page parses with the schemas devices use. */
async function expectPullReadable(): Promise<number> {
  let cursor: string | undefined;
  let records = 0;
  for (;;) {
    const res = await t.client.pull({ limit: 1000, ...(cursor ? { cursor } : {}) });
    const page = PullResponseSchema.parse(res.body);
    for (const change of page.changes) {
      const parsed = ENTITY_SCHEMAS[change.entityType].safeParse(change.data);
      expect(parsed.success, `${change.entityType} ${change.id}: ${JSON.stringify(change.data)}`).toBe(true);
      records++;
    }
    cursor = page.cursor;
    if (!page.hasMore) return records;
  }
}

function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = { x: value };
  return value;
}

/**
 * JSON text of `value` with each `"__NESTED__"` replaced by a value nested `depth` levels (too
 * deep for JSON.stringify).
 */
function withNested(value: unknown, depth: number): string {
  return JSON.stringify(value).replaceAll('"__NESTED__"', `${'{"x":'.repeat(depth)}"deep"${'}'.repeat(depth)}`);
}

describe('item 1: nothing stored that a client would refuse', () => {
  it.each([
    '9999-12-31T23:59:59-23:59',
    '0000-01-01T00:00:00+01:00',
    '2199-12-31T23:30:00-01:00',
    '1899-12-31T23:59:59Z',
  ])('an appointment date %s (UTC year outside 1900–2199) fails with VALIDATION, in push and REST', async (date) => {
    const before = await appointments();
    const res = await t.client.push([createOp('appointments', appointmentData(t.ids.petId, null, { date }))]);
    expect(res.body.results[0]).toMatchObject({ success: false, error: { code: 'VALIDATION' } });
    const rest = await t.client.request('PATCH', `/api/appointments/${t.ids.appointmentId}`, { date });
    expect([rest.status, rest.body.error.code]).toEqual([400, 'VALIDATION']);
    expect(await appointments()).toBe(before);
  });

  it('the pull stays readable by devices after the probe’s requests', async () => {
    expect(await expectPullReadable()).toBeGreaterThan(100);
  });
});

describe('item 5: deep nesting', () => {
  it('data nested 20,000 levels fails that operation alone with VALIDATION; no stack overflow, nothing logged', async () => {
    t.server.lines.length = 0;
    const body = withNested(
      {
        operations: [
          createOp('appointments', { ...appointmentData(t.ids.petId, null), notes: '__NESTED__' }),
          createOp('appointments', appointmentData(t.ids.petId, null), { practiceId: '__NESTED__' as never }),
          createOp('appointments', appointmentData(t.ids.petId, null)),
        ],
        clientTimestamp: 1,
      },
      20_000,
    );
    const res = await t.client.request<PushResponse>('POST', '/api/sync/push', body);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r) => (r.success ? 'ok' : r.error!.code))).toEqual(['VALIDATION', 'VALIDATION', 'ok']);
    expect(res.body.results[0]!.error!.message).toMatch(/deeper than 32/);
    expect(t.server.lines.filter((l) => l.startsWith('[Server]'))).toEqual([]);
    expect(t.server.raw.join('\n')).not.toMatch(/RangeError|Maximum call stack|\bat .*\.ts:\d+/);
  });

  it('32 levels are fine; 33 are refused', async () => {
    // The operation object itself is one level, `data` a second: notes nested 30 deep makes 32.
    const ok = await t.client.push([updateOp('appointments', t.ids.appointmentId, { title: 'x', extra: nested(30) })]);
    expect(ok.body.results[0]).toMatchObject({ success: true });
    const deep = await t.client.push([
      updateOp('appointments', t.ids.appointmentId, { title: 'y', extra: nested(31) }),
    ]);
    expect(deep.body.results[0]).toMatchObject({ success: false, error: { code: 'VALIDATION' } });
  });

  it('a REST body nested deeper than 32 is a 400; a body nested beyond any reason is refused before parsing', async () => {
    const rest = await t.client.request('POST', '/api/appointments', {
      ...appointmentData(t.ids.petId, null),
      notes: nested(40),
    });
    expect([rest.status, rest.body.error.code]).toEqual([400, 'VALIDATION']);
    const huge = '['.repeat(200_000) + ']'.repeat(200_000);
    const res = await t.client.request('POST', '/api/sync/push', `{"operations":${huge},"clientTimestamp":1}`);
    expect([res.status, res.body.error.code]).toEqual([400, 'BAD_REQUEST']);
    expect((await t.client.request('GET', '/api/health')).status).toBe(200);
  });
});

describe('prototype keys', () => {
  it('a body with a __proto__ or constructor.prototype key, plain or escaped, is refused (400), as Fastify does', async () => {
    const create = JSON.stringify({
      operations: [createOp('users', { name: 'P', role: 'CLIENT' })],
      clientTimestamp: 1,
    });
    for (const poison of [
      '"__proto__":{"role":"ADMIN"}',
      '"\\u005f_proto__":{"role":"ADMIN"}',
      '"constructor":{"prototype":{"role":"ADMIN"}}',
    ]) {
      const res = await t.client.request(
        'POST',
        '/api/sync/push',
        create.replace('"name":"P"', `"name":"P",${poison}`),
      );
      expect([res.status, res.body.error.code], poison).toEqual([400, 'BAD_REQUEST']);
    }
  });
});

describe('item 6: lone UTF-16 surrogates', () => {
  const lone = 'A\ud800B';

  it('are refused in text fields, in push and REST, with a message for people', async () => {
    const before = await appointments();
    const res = await t.client.push([createOp('appointments', appointmentData(t.ids.petId, null, { title: lone }))]);
    expect(res.body.results[0]).toMatchObject({ success: false, error: { code: 'VALIDATION' } });
    expect(res.body.results[0]!.error!.message).toMatch(/cannot be stored/);
    const rest = await t.client.request('POST', '/api/users', { name: `Nora ${lone}`, role: 'CLIENT' });
    expect([rest.status, rest.body.error.code]).toEqual([400, 'VALIDATION']);
    expect(await appointments()).toBe(before);
  });

  it('are refused anywhere in an operation (opId, keys, unknown fields), that operation alone', async () => {
    const res = await t.client.push([
      createOp('appointments', appointmentData(t.ids.petId, null), { opId: `op-${lone}-12345678` }),
      createOp('appointments', { ...appointmentData(t.ids.petId, null), [`k${lone}`]: 1 }),
      createOp('appointments', appointmentData(t.ids.petId, null, { title: 'Emoji 🐶 ok' })),
    ]);
    expect(res.body.results.map((r) => (r.success ? 'ok' : r.error!.code))).toEqual(['VALIDATION', 'VALIDATION', 'ok']);
    expect(await count(t.server, "SELECT COUNT(*) FROM op_log WHERE op_id LIKE 'op-%-12345678'")).toBe(0);
  });

  it('a well-formed emoji is stored as sent, and sending the same value again changes nothing', async () => {
    const title = 'Checkup 🐶 for Rex';
    const created = await t.client.push([createOp('appointments', appointmentData(t.ids.petId, null, { title }))]);
    const id = created.body.results[0]!.realId!;
    expect(created.body.results[0]!.record!.title).toBe(title);
    const again = await t.client.push([updateOp('appointments', id, { title })]);
    expect(again.body.results[0]).toMatchObject({ success: true, version: 1 });
  });

  it('are refused in a sign-in and in query strings', async () => {
    const login = await t.server
      .client()
      .request('POST', '/api/auth/login', { email: `reception\ud800@northside.example`, password: 'demo1234' });
    expect([login.status, login.body.error.code]).toEqual([400, 'VALIDATION']);
    const password = await t.server
      .client()
      .request('POST', '/api/auth/login', { email: 'reception@northside.example', password: `demo\udc00` });
    expect(password.status).toBe(400);
    // A URL cannot carry a lone surrogate; its percent-encoded bytes stay text that matches nothing.
    const query = await t.client.request('GET', '/api/users?role=%ED%A0%80');
    expect(query.status).toBe(400);
  });
});

describe('item 7: log injection', () => {
  it('an email with a newline and a forged "[Auth] ... signed in" never starts a log line; NUL is escaped', async () => {
    t.server.raw.length = 0;
    const forged = 'mallory@example.com\n[Auth] admin@northside.example signed in (practice 1)\u0000\r';
    const res = await t.server
      .client()
      .request('POST', '/api/auth/login', { email: forged, password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(t.server.raw.length).toBeGreaterThan(0);
    for (const line of t.server.raw) {
      expect(line.startsWith('{')).toBe(true);
      expect(() => JSON.parse(line)).not.toThrow();
      // eslint-disable-next-line no-control-regex -- a raw control character is what log injection would leave
      expect(line).not.toMatch(/[\u0000-\u001f]/);
    }
    const refused = t.server.raw.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.tag === '[Auth]');
    expect(refused).toMatchObject({ msg: '[Auth] sign-in refused: wrong email or password', email: forged.trim() });
    expect(t.server.raw.join('\n')).toContain('\\u0000');
  });
});
