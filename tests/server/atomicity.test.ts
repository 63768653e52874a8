/**
 * An operation that fails halfway through its writes (here: a SQLite trigger aborts the insert)
 * leaves no trace and does not fail the batch: the batch is rolled back and run again with a
 * savepoint per operation.
 */
import { describe, expect, it } from 'vitest';
import { appointmentData, count, ON_POSTGRES, tempId, useServerWithStaff, createOp } from './helpers.ts';

const t = useServerWithStaff({}, async ({ server }) => {
  // A fault inside one operation's writes: the database refuses rows titled BOOM.
  await server.sql.exec(
    ON_POSTGRES
      ? `CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.title = 'BOOM' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
         CREATE TRIGGER boom BEFORE INSERT ON appointments FOR EACH ROW EXECUTE FUNCTION boom()`
      : `CREATE TRIGGER boom BEFORE INSERT ON appointments WHEN NEW.title = 'BOOM' BEGIN SELECT RAISE(ABORT, 'boom'); END`,
  );
  return {};
});

describe('atomic operations', () => {
  it('a mid-write failure fails that operation alone (INTERNAL); the others apply once', async () => {
    const before = {
      appointments: await count(t.server, 'SELECT COUNT(*) FROM appointments'),
      ops: await count(t.server, 'SELECT COUNT(*) FROM op_log'),
      temps: await count(t.server, 'SELECT COUNT(*) FROM op_log WHERE maps_temp_id = 1'),
      seq: await count(t.server, "SELECT value FROM counters WHERE name = 'change_seq'"),
    };
    const boomTemp = tempId('appt');
    const res = await t.client.push([
      createOp('appointments', appointmentData(t.ids.petId, null), { tempId: tempId('appt') }),
      createOp('appointments', appointmentData(t.ids.petId, null, { title: 'BOOM' }), { tempId: boomTemp }),
      createOp('appointments', appointmentData(t.ids.petId, null), { tempId: tempId('appt') }),
    ]);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r) => (r.success ? 'ok' : r.error!.code))).toEqual(['ok', 'INTERNAL', 'ok']);
    expect(res.body.results[1]!.error!.message).not.toMatch(/boom|sqlite/i); // no internals on the wire
    expect(await count(t.server, 'SELECT COUNT(*) FROM appointments')).toBe(before.appointments + 2);
    expect(await count(t.server, 'SELECT COUNT(*) FROM op_log')).toBe(before.ops + 2);
    expect(await count(t.server, 'SELECT COUNT(*) FROM op_log WHERE maps_temp_id = 1')).toBe(before.temps + 2);
    expect(await count(t.server, 'SELECT COUNT(*) FROM op_log WHERE temp_id = ?', boomTemp)).toBe(0);
    // The rows' change numbers follow the counter.
    const seqs = await t.server.sql.values<number>(
      'SELECT seq FROM appointments WHERE id IN (?, ?)',
      res.body.results[0]!.realId,
      res.body.results[2]!.realId,
    );
    expect(Math.min(...seqs)).toBeGreaterThan(before.seq);
    expect(await count(t.server, "SELECT value FROM counters WHERE name = 'change_seq'")).toBeGreaterThanOrEqual(
      Math.max(...seqs),
    );
    expect(t.server.lines.some((l) => l.startsWith('[Server] [SyncPush] operation'))).toBe(true);
  });

  it('a REST write failing mid-write is a 500 JSON without internals, and writes nothing', async () => {
    const before = await count(t.server, 'SELECT COUNT(*) FROM appointments');
    const res = await t.client.request(
      'POST',
      '/api/appointments',
      appointmentData(t.ids.petId, null, { title: 'BOOM' }),
    );
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'INTERNAL', message: 'The server could not apply this operation' },
    });
    expect(await count(t.server, 'SELECT COUNT(*) FROM appointments')).toBe(before);
  });

  it('concurrent pushes from two devices interleave safely: every change gets its own number', async () => {
    const other = await t.server.login('vet@northside.example');
    const batch = () => Array.from({ length: 200 }, () => createOp('appointments', appointmentData(t.ids.petId, null)));
    const [a, b] = await Promise.all([t.client.push(batch()), other.push(batch())]);
    expect(a.body.processed + b.body.processed).toBe(400);
    const dupes = await count(
      t.server,
      'SELECT COUNT(*) FROM (SELECT seq FROM appointments GROUP BY seq HAVING COUNT(*) > 1) AS dupes',
    );
    expect(dupes).toBe(0);
  });
});
