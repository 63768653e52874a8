/**
 * The upgrade that folds the temp-id map into the op log (SQLite's migration 10, PostgreSQL's 5),
 * on a database an older server filled: every operation it applied is still answered once with
 * what it answered then, and every temp id it mapped still names its record, on either engine.
 */
import { describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/engine.ts';
import { migrate, migrationsFor } from '../../server/db/migrate.ts';
import { seedDemo } from '../../server/seed/demo.ts';
import {
  ON_POSTGRES,
  appointmentData,
  count,
  createOp,
  op,
  sqlOn,
  updateOp,
  useTestServer,
  type TestServer,
} from './helpers.ts';

const DAY = 86_400_000;
/** The last migration before the op log took the temp-id map. */
const BEFORE_FOLD = { sqlite: 9, postgres: 4 };

const ops = {
  /** A create that made its record under a temp id: an op-log entry and a temp_ids row. */
  made: { opId: 'legacy-made-0001', tempId: 'temp_appt_legacy-made' },
  /** The same temp id pushed again under another opId, answered with the record it had made. */
  again: { opId: 'legacy-again-0001' },
  /** A failure an older server stored (servers since store applied operations only). */
  failed: { opId: 'legacy-failed-0001' },
};
/** A temp id with no op-log entry: a REST create with a tempId and no Idempotency-Key. */
const ORPHAN_PET_TEMP = 'temp_pet_legacy-orphan';

interface Legacy {
  appointmentId: number;
  petId: number;
}
let legacy: Legacy | undefined;

/** Migrates to just before the fold, seeds, and writes the bookkeeping an older server kept. */
async function fillAsOlderServer(db: Database, now: number): Promise<void> {
  const last = BEFORE_FOLD[db.dialect];
  await migrate(
    db,
    migrationsFor(db).filter((m) => m.id <= last),
    () => now,
  );
  await seedDemo(db, { now });
  const sql = sqlOn(db);
  const appointmentId = await sql.value<number>(
    'SELECT MIN(id) FROM appointments WHERE practice_id = 1 AND version = 1 AND deleted_at IS NULL',
  );
  const petId = await sql.value<number>('SELECT MIN(id) FROM pets WHERE practice_id = 1 AND deleted_at IS NULL');
  legacy = { appointmentId, petId };
  const answer = (opId: string) =>
    JSON.stringify({
      opId,
      success: true,
      entityType: 'appointments',
      realId: legacy!.appointmentId,
      tempId: ops.made.tempId,
      version: 1,
    });
  const entry = (opId: string, result: string, at: number) =>
    sql.run(
      "INSERT INTO op_log (practice_id, op_id, user_id, entity_type, operation, result, created_at) VALUES (1, ?, NULL, 'appointments', 'create', ?, ?)",
      opId,
      result,
      at,
    );
  const tempRow = (entityType: string, temp: string, realId: number, at: number) =>
    sql.run(
      'INSERT INTO temp_ids (practice_id, entity_type, temp_id, real_id, created_at) VALUES (1, ?, ?, ?, ?)',
      entityType,
      temp,
      realId,
      at,
    );
  // The orphan is the oldest: after the rebuild (SQLite) it comes first in the pruner's walk.
  await tempRow('pets', ORPHAN_PET_TEMP, legacy.petId, now - 3 * DAY);
  await entry(ops.made.opId, answer(ops.made.opId), now - 2 * DAY);
  await tempRow('appointments', ops.made.tempId, legacy.appointmentId, now - 2 * DAY);
  await entry(ops.again.opId, answer(ops.again.opId), now - DAY);
  await entry(
    ops.failed.opId,
    JSON.stringify({
      opId: ops.failed.opId,
      success: false,
      entityType: 'appointments',
      error: { code: 'VALIDATION', message: 'stored by an older server' },
    }),
    now - DAY,
  );
}

const t = useTestServer({ seed: false, before: fillAsOlderServer }, async (server: TestServer) => ({
  client: await server.login(),
}));

const appointment = (opId: string) =>
  createOp('appointments', appointmentData(legacy!.petId, null), { opId, tempId: ops.made.tempId });

describe('the op log with the temp-id map folded in, after an upgrade', () => {
  it('keeps one entry per temp id, marked, and no temp_ids table', async () => {
    const sql = t.server.sql;
    const tables = ON_POSTGRES
      ? await sql.values<string>("SELECT tablename FROM pg_tables WHERE tablename = 'temp_ids'")
      : await sql.values<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'temp_ids'");
    expect(tables).toEqual([]);
    const entries = await sql.all<{ op_id: string; temp_id: string | null; maps_temp_id: number }>(
      'SELECT op_id, temp_id, maps_temp_id FROM op_log ORDER BY id',
    );
    const mapped = entries.filter((e) => e.maps_temp_id === 1);
    expect(mapped.map((e) => e.temp_id).sort()).toEqual([ops.made.tempId, ORPHAN_PET_TEMP].sort());
    expect(mapped.find((e) => e.temp_id === ops.made.tempId)!.op_id).toBe(ops.made.opId);
    // The orphan's entry has an opId no client has.
    expect(mapped.find((e) => e.temp_id === ORPHAN_PET_TEMP)!.op_id).toMatch(/^temp-id-map:[0-9a-f-]{32,36}$/);
    expect(entries.find((e) => e.op_id === ops.again.opId)).toMatchObject({
      temp_id: ops.made.tempId,
      maps_temp_id: 0,
    });
    // SQLite rebuilt the log in time order: the oldest bookkeeping (the orphan) comes first.
    if (!ON_POSTGRES) expect(entries[0]!.temp_id).toBe(ORPHAN_PET_TEMP);
  });

  it('answers every operation applied before the upgrade as it did then, and applies nothing again', async () => {
    const before = await count(t.server, 'SELECT COUNT(*) FROM appointments');
    const res = await t.client.push([
      appointment(ops.made.opId),
      appointment(ops.again.opId),
      op({ opId: ops.failed.opId, operation: 'create', entityType: 'appointments', data: {} }),
    ]);
    expect(res.status, res.text).toBe(200);
    const [made, again, failed] = res.body.results;
    for (const [result, opId] of [
      [made, ops.made.opId],
      [again, ops.again.opId],
    ] as const) {
      expect(result).toMatchObject({
        opId,
        success: true,
        realId: legacy!.appointmentId,
        tempId: ops.made.tempId,
        version: 1,
        record: { id: legacy!.appointmentId, version: 1 },
      });
    }
    expect(failed).toMatchObject({ success: false, error: { message: 'stored by an older server' } });
    expect(await count(t.server, 'SELECT COUNT(*) FROM appointments')).toBe(before);
  });

  it('resolves temp ids mapped before the upgrade: a new opId for an old temp id, a reference, an update', async () => {
    const before = await count(t.server, 'SELECT COUNT(*) FROM appointments');
    const owner = await t.server.sql.value<number>('SELECT owner_id FROM pets WHERE id = ?', legacy!.petId);
    const res = await t.client.push([
      appointment('fresh-op-same-temp-0001'),
      createOp('appointments', appointmentData(ORPHAN_PET_TEMP, null, { title: 'Booked for the orphan temp id' })),
      updateOp('appointments', ops.made.tempId, { notes: 'after the upgrade' }, { version: 1 }),
    ]);
    expect(res.status, res.text).toBe(200);
    const [sameTemp, forOrphan, update] = res.body.results;
    expect(sameTemp).toMatchObject({ success: true, realId: legacy!.appointmentId, tempId: ops.made.tempId });
    expect(forOrphan).toMatchObject({ success: true, record: { petId: legacy!.petId, clientId: owner } });
    expect(update).toMatchObject({
      success: true,
      realId: legacy!.appointmentId,
      version: 2,
      record: { notes: 'after the upgrade' },
    });
    expect(await count(t.server, 'SELECT COUNT(*) FROM appointments')).toBe(before + 1);
  });
});
