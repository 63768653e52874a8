/**
 * The test-only fault modes (server/http/fault-injection.ts) the browser fault suite relies on:
 * each does what it says, fires only for the session that armed it, and is absent unless enabled.
 */
import { describe, expect, it } from 'vitest';
import { appointmentData, count, startTestServer, tempId, useServerWithStaff, createOp } from './helpers.ts';

/** The device that arms faults and a bystander of the same practice. */
const t = useServerWithStaff({ faultInjection: true }, async ({ server, client }) => ({
  device: client,
  bystander: await server.login('vet@northside.example'),
}));

const rowsTitled = (title: string) => count(t.server, 'SELECT COUNT(*) FROM appointments WHERE title = ?', title);
const bookingOp = (title: string) =>
  createOp('appointments', appointmentData(t.ids.petId, null, { title }), {
    id: 1,
    tempId: tempId('appt'),
    practiceId: 1,
    tenantId: 'smartvet',
  });

describe('fault injection', () => {
  it('503 with Retry-After applies nothing, and only for the session that armed it', async () => {
    expect(
      (
        await t.device.request('POST', '/api/test/faults', {
          rules: [{ route: 'push', fault: 'status', status: 503, retryAfterSeconds: 2, times: 1 }],
        })
      ).status,
    ).toBe(200);
    const other = await t.bystander.push([bookingOp('Bystander push')]);
    expect(other.status).toBe(200);
    const refused = await t.device.push([bookingOp('Refused push')]);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.body).toMatchObject({ success: false, error: { code: 'SERVER_ERROR' } });
    expect(await rowsTitled('Refused push')).toBe(0);
    expect((await t.device.push([bookingOp('After the fault')])).status).toBe(200);
    expect((await t.device.request('GET', '/api/test/faults')).body).toMatchObject({ fired: { status: 1 }, left: 0 });
  });

  it('drop_after_commit applies the push and loses the answer; the resend is a replay', async () => {
    await t.device.request('POST', '/api/test/faults', {
      rules: [{ route: 'push', fault: 'drop_after_commit', times: 1 }],
    });
    const operation = bookingOp('Committed, answer lost');
    await expect(t.device.push([operation])).rejects.toThrow();
    expect(await rowsTitled('Committed, answer lost')).toBe(1);
    const resend = await t.device.push([operation]);
    expect(resend.status).toBe(200);
    expect(resend.body.results[0]).toMatchObject({ success: true, opId: operation.opId });
    expect(await rowsTitled('Committed, answer lost')).toBe(1);
  });

  it('drop closes the connection before anything is applied; delay only slows', async () => {
    await t.device.request('POST', '/api/test/faults', {
      rules: [
        { route: 'push', fault: 'drop', times: 1 },
        { route: 'pull', fault: 'delay', delayMs: 300, times: 1 },
      ],
    });
    await expect(t.device.push([bookingOp('Dropped push')])).rejects.toThrow();
    expect(await rowsTitled('Dropped push')).toBe(0);
    const started = Date.now();
    expect((await t.device.pull({ entityTypes: 'pets', limit: 1 })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect((await t.device.request('DELETE', '/api/test/faults')).status).toBe(200);
  });

  it('does not exist unless enabled', async () => {
    const plain = await startTestServer();
    try {
      const c = await plain.login();
      expect(
        (await c.request('POST', '/api/test/faults', { rules: [{ route: 'push', fault: 'drop', times: 1 }] })).status,
      ).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
