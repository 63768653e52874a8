/**
 * Migrations that change data with code. Each change is an ordinary versioned change, as if a
 * user had made it: new version, next number of the change sequence (so devices pull it), and
 * an undo revision (so a device's later edit based on the old version is merged, not refused).
 */
import { canonicalAppointmentType, APPOINTMENT_TYPES } from '../../src/protocol/index.ts';
import type { Database } from './engine.ts';

/** Rewrites appointment types to the canonical set (`follow-up` → `follow_up`); unknown ones stay. */
export async function canonicalizeAppointmentTypes(db: Database, now: number): Promise<void> {
  const placeholders = APPOINTMENT_TYPES.map(() => '?').join(', ');
  const rows = await db
    .prepare<{ id: number; type: string; version: number }>(
      `SELECT id, type, version FROM appointments WHERE type NOT IN (${placeholders}) ORDER BY id`,
    )
    .all(APPOINTMENT_TYPES);
  const changes = rows.flatMap((row) => {
    const canonical = canonicalAppointmentType(row.type);
    return canonical && canonical !== row.type ? [{ ...row, canonical }] : [];
  });
  if (changes.length === 0) return;
  let seq = (await db.prepare("SELECT value FROM counters WHERE name = 'change_seq'").value<number>()) ?? 0;
  const update = db.prepare('UPDATE appointments SET type = ?, version = ?, updated_at = ?, seq = ? WHERE id = ?');
  const revision = db.prepare(
    "INSERT INTO revisions (entity_type, entity_id, version, previous, changed_at) VALUES ('appointments', ?, ?, ?, ?)",
  );
  for (const row of changes) {
    const version = row.version + 1;
    await update.run([row.canonical, version, now, ++seq, row.id]);
    await revision.run([row.id, version, JSON.stringify({ type: row.type }), now]);
  }
  await db.prepare("UPDATE counters SET value = ? WHERE name = 'change_seq'").run([seq]);
}
