/** Bad input of every kind gets a JSON 4xx with a message, never a 500 or a stack trace. */
import { describe, expect, it } from 'vitest';
import { appointmentData, count, op, useServerWithStaff, createOp, updateOp } from './helpers.ts';

const t = useServerWithStaff();

function expectJsonError(
  res: { status: number; body: any; text: string; headers: Headers },
  status: number,
  code?: string,
) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body).toMatchObject({
    success: false,
    error: { code: code ?? expect.any(String), message: expect.any(String) },
  });
  expect(res.text).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
}

describe('push: malformed requests', () => {
  const cases: [string, unknown, number, string][] = [
    ['malformed JSON', '{"operations": [', 400, 'BAD_REQUEST'],
    ['empty body', '', 400, 'BAD_REQUEST'],
    ['a JSON string', '"hello"', 400, 'BAD_REQUEST'],
    ['a JSON array', '[]', 400, 'BAD_REQUEST'],
    ['null', 'null', 400, 'BAD_REQUEST'],
    ['no operations', { clientTimestamp: 1 }, 400, 'BAD_REQUEST'],
    ['operations not an array', { operations: { a: 1 }, clientTimestamp: 1 }, 400, 'BAD_REQUEST'],
    ['clientTimestamp not a number', { operations: [], clientTimestamp: 'soon' }, 400, 'BAD_REQUEST'],
    [
      '1,001 operations',
      { operations: Array.from({ length: 1001 }, () => ({})), clientTimestamp: 1 },
      400,
      'TOO_MANY_OPERATIONS',
    ],
  ];
  it.each(cases)('%s → %i %s', async (_name, body, status, code) => {
    const res = await t.client.request('POST', '/api/sync/push', body);
    expectJsonError(res, status, code);
  });

  it('a body over 5 MB → 413, and the server keeps serving', async () => {
    const padding = 'x'.repeat(5 * 1024 * 1024);
    const res = await t.client.request(
      'POST',
      '/api/sync/push',
      JSON.stringify({ operations: [], clientTimestamp: 1, padding }),
    );
    expectJsonError(res, 413, 'PAYLOAD_TOO_LARGE');
    expect((await t.client.request('GET', '/api/health')).status).toBe(200);
  });

  it('exactly 1,000 operations are accepted', async () => {
    const before = await count(t.server, 'SELECT COUNT(*) FROM appointments');
    const ops = Array.from({ length: 1000 }, () => createOp('appointments', appointmentData(t.ids.petId, null)));
    const res = await t.client.push(ops);
    expect(res.status).toBe(200);
    expect(res.body.processed).toBe(1000);
    expect(await count(t.server, 'SELECT COUNT(*) FROM appointments')).toBe(before + 1000);
  });

  /** The create of an appointment that is valid but for `change`. */
  const badAppointment = (change: Record<string, unknown>) =>
    createOp('appointments', {
      title: 't',
      type: 'checkup',
      date: '2026-03-11T10:00:00Z',
      durationMinutes: 30,
      petId: 1,
      ...change,
    });
  const badOperations: [string, unknown][] = [
    ['not an object', 42],
    ['null', null],
    ['no opId', { operation: 'create', entityType: 'pets', data: {}, timestamp: 1 }],
    ['unknown operation', op({ operation: 'upsert' as never, entityType: 'pets', data: {} })],
    ['no timestamp', { opId: 'op-12345678', operation: 'create', entityType: 'pets', data: {} }],
    ['data not an object', createOp('pets', 'cat' as never)],
    ['entityId of a wrong type', updateOp('pets', { id: 1 } as never, {})],
    ['tempId that is not one', createOp('pets', {}, { tempId: 'abc' })],
    ['create without data', op({ operation: 'create', entityType: 'pets' })],
    ['update without entityId', op({ operation: 'update', entityType: 'pets', data: { name: 'x' } })],
    ['update with no writable field', updateOp('pets', 1, { id: 9, version: 3 })],
    ['pet with a bad birthDate', createOp('pets', { name: 'x', species: 'Dog', ownerId: 1, birthDate: 'yesterday' })],
    ['appointment with a bad date', badAppointment({ date: '11/03/2026' })],
    ['appointment with a huge duration', badAppointment({ durationMinutes: 99999 })],
    // Read for PostgreSQL's booking locks before validation: one lock per day crashed the process.
    ['appointment lasting 190,000 years (as text)', badAppointment({ durationMinutes: '99999999999' })],
    ['appointment lasting 190,000 years', badAppointment({ durationMinutes: 99_999_999_999 })],
    ['appointment with an unknown status', badAppointment({ status: 'maybe' })],
    ['a 6,000-character note', badAppointment({ notes: 'n'.repeat(6000) })],
    ['client with a bad email', createOp('users', { name: 'x', email: 'not-an-email' })],
  ];
  it.each(badOperations)(
    'an operation that is %s fails alone with VALIDATION (200 for the batch)',
    async (_name, bad) => {
      const res = await t.client.push([bad, createOp('appointments', appointmentData(t.ids.petId, null))]);
      expect(res.status).toBe(200);
      expect(res.body.results[0]).toMatchObject({
        success: false,
        error: { code: 'VALIDATION', message: expect.any(String) },
      });
      expect(res.body.results[1]).toMatchObject({ success: true });
      expect(res.body).toMatchObject({ processed: 1, failed: 1, conflicts: 0 });
    },
  );
});

describe('pull: malformed queries', () => {
  it.each([
    ['entityTypes=clients', 'entityTypes=clients'],
    ['limit=0', 'limit=0'],
    ['limit=5000', 'limit=5000'],
    ['limit=ten', 'limit=ten'],
    ['lastSyncTimestamp=-1', 'lastSyncTimestamp=-1'],
    ['lastSyncTimestamp=yesterday', 'lastSyncTimestamp=yesterday'],
    ['practiceId=abc', 'practiceId=abc'],
    ['cursor=%%%', 'cursor=%25%25%25'],
  ])('%s → 400 JSON', async (_name, query) => {
    expectJsonError(await t.client.request('GET', `/api/sync/pull?${query}`), 400);
  });
});

describe('other routes', () => {
  it('unknown API routes are 404 JSON, wrong methods 405 JSON', async () => {
    expectJsonError(await t.client.request('GET', '/api/nothing'), 404, 'NOT_FOUND');
    const res = await t.client.request('PUT', '/api/sync/push', {});
    expectJsonError(res, 405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it.each([
    ['POST', '/api/appointments', '{'],
    ['POST', '/api/appointments', '[1]'],
    ['POST', '/api/appointments', { title: '' }],
    ['PATCH', '/api/appointments/abc', { notes: 'x' }],
    ['PATCH', '/api/appointments/1', { version: 'one', notes: 'x' }],
    ['GET', '/api/appointments?date=tomorrow', undefined],
    ['GET', '/api/appointments?from=2026', undefined],
    ['GET', '/api/pets?ownerId=bob', undefined],
    ['GET', '/api/users?role=KING', undefined],
    ['GET', '/api/pets/%E0%A4%A', undefined],
  ])('%s %s with bad input → 4xx JSON', async (method, pathname, body) => {
    const res = await t.client.request(method, pathname, body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.success).toBe(false);
  });

  it('no 500 was logged by any of the above', () => {
    expect(t.server.lines.filter((l) => / 5\d\d [\d.]+ms$/.test(l) || l.startsWith('[Server]'))).toEqual([]);
  });
});
