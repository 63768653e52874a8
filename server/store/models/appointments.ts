/**
 * appointments: date in ms UTC (ISO on the wire), duration as text, and `clientId`, which is not
 * stored: every read joins the pet and answers its current `ownerId` (D1). A pet changing owner
 * therefore changes no appointment row, however many it has, and the rule holds for every row,
 * deleted ones included.
 */
import { and, asc, eq, gte, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../../db/orm.ts';
import { appointments, pets, type AppointmentRow } from '../../db/schema.ts';
import { insertSql, selectList } from '../../db/statements.ts';
import { complete, newRow, stamp, SYNCED_INSERT_KEYS, toPage, type AppointmentsModel } from '../model.ts';
import { asFlag, asInt, asIntOrNull, asMs, asText, asTextOrNull, iso, isoOrNull, toColumns, type WireRecord } from '../wire.ts';

type Row = AppointmentRow & { clientId: number | null };

function appointmentRecord(r: Omit<Row, 'seq'>): WireRecord {
  return {
    id: r.id,
    title: r.title,
    type: r.type,
    date: iso(r.date),
    durationMinutes: r.durationMinutes,
    status: r.status,
    notes: r.notes,
    petId: r.petId,
    practitionerId: r.practitionerId,
    clientId: r.clientId,
    overlapAllowed: r.overlapAllowed === 1,
    practiceId: r.practiceId,
    version: r.version,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    deletedAt: isoOrNull(r.deletedAt),
  };
}

type AppointmentInsert = typeof appointments.$inferInsert;

const APPOINTMENT_READERS = {
  title: asText,
  type: asText,
  date: asMs,
  durationMinutes: asText,
  status: asText,
  notes: asTextOrNull,
  petId: asInt,
  practitionerId: asIntOrNull,
  overlapAllowed: asFlag,
};

/** Double-booking candidates read per practitioner and per pet at most (bounded work; a day holds far fewer). */
export const MAX_BOOKING_CANDIDATES = 500;

/** Statuses of a visit that is over or off: deleting the pet leaves these as they are. */
const CLOSED_STATUSES = ['cancelled', 'completed', 'no_show'];

export function appointmentsModel(orm: Orm): AppointmentsModel {
  const fields = ['title', 'type', 'date', 'durationMinutes', 'status', 'notes', 'petId', 'practitionerId', 'overlapAllowed'] as const;
  const db = orm.$client;
  // Raw statements for the sync hot path (see db/statements.ts), each joining the pet's owner.
  const columns = `${selectList(appointments, [], 'a')}, p.owner_id AS "clientId"`;
  const fromJoined = 'FROM appointments a LEFT JOIN pets p ON p.id = a.pet_id';
  const byId = db.prepare<{ id: number; practiceId: number }, Row>(`SELECT ${columns} ${fromJoined} WHERE a.id = @id AND a.practice_id = @practiceId`);
  const changes = db.prepare<{ practiceId: number; afterSeq: number; sinceMs: number; limit: number }, Row>(
    `SELECT ${columns} ${fromJoined} WHERE a.practice_id = @practiceId AND a.seq > @afterSeq AND a.updated_at > @sinceMs ORDER BY a.seq LIMIT @limit`,
  );
  const upcoming = db.prepare<{ practiceId: number; petId: number; from: number; limit: number }, Row>(
    `SELECT ${columns} ${fromJoined} WHERE a.pet_id = @petId AND a.practice_id = @practiceId AND a.date >= @from AND a.deleted_at IS NULL
       AND a.status NOT IN (${CLOSED_STATUSES.map((s) => `'${s}'`).join(', ')}) ORDER BY a.date, a.id LIMIT @limit`,
  );
  // Double-booking candidates (see bookingsIn); each query walks one index over a short time range.
  // The LIMIT is written into the SQL: bound as a parameter (a REAL, from JS) it cost ~20 µs a query.
  type WindowParams = { practiceId: number; id: number; from: number; start: number; to: number };
  const bookedWhere =
    'a.deleted_at IS NULL AND a.overlap_allowed = 0 AND a.date >= @from AND a.date < @to AND a.date + a.duration_minutes * 60000 > @start AND a.practice_id = @practiceId AND a.id <> @id';
  const byPractitioner = db.prepare<WindowParams & { practitionerId: number }, Row>(
    `SELECT ${columns} FROM appointments a INDEXED BY appointments_practitioner_live LEFT JOIN pets p ON p.id = a.pet_id WHERE a.practitioner_id = @practitionerId AND ${bookedWhere} ORDER BY a.date LIMIT ${MAX_BOOKING_CANDIDATES}`,
  );
  const byPet = db.prepare<WindowParams & { petId: number }, Row>(
    `SELECT ${columns} FROM appointments a INDEXED BY appointments_pet LEFT JOIN pets p ON p.id = a.pet_id WHERE a.pet_id = @petId AND ${bookedWhere} ORDER BY a.date LIMIT ${MAX_BOOKING_CANDIDATES}`,
  );
  const ownerOf = db.prepare<[number], number>('SELECT owner_id FROM pets WHERE id = ?').pluck();
  const editedAt = db.prepare<[number], number>('SELECT edited_at FROM appointments WHERE id = ?').pluck();
  const insert = db.prepare<object>(insertSql(appointments, [...fields, ...SYNCED_INSERT_KEYS]));
  const target = db.prepare<{ id: number; practiceId: number }, { id: number; deletedAt: number | null }>(
    'SELECT id, deleted_at AS deletedAt FROM appointments WHERE id = @id AND practice_id = @practiceId',
  );
  const withClient = (row: AppointmentRow): WireRecord => appointmentRecord(Object.assign(row, { clientId: ownerOf.get(row.petId) ?? null }));

  return {
    type: 'appointments',
    fields,
    find: (practiceId, id) => {
      const row = byId.get({ id, practiceId });
      return row ? appointmentRecord(row) : undefined;
    },
    refTarget: (practiceId, id) => {
      const row = target.get({ id, practiceId });
      return row && { id: row.id, deleted: row.deletedAt !== null };
    },
    insert: (owner, f, meta) => {
      const values = complete<Required<Pick<AppointmentInsert, (typeof fields)[number]>>>(
        'appointments',
        toColumns<AppointmentInsert>('appointments', f, APPOINTMENT_READERS),
        fields,
      );
      // The record is built from what was written rather than read back; clientId is not a
      // column: the caller may pass the pet's owner it already read (`f.clientId`), else it is read here.
      const row = newRow(values, owner.practiceId, meta);
      row.id = Number(insert.run(row).lastInsertRowid);
      return typeof f.clientId === 'number' ? appointmentRecord(Object.assign(row, { clientId: f.clientId })) : withClient(row);
    },
    update: (id, f, meta) =>
      withClient(
        orm
          .update(appointments)
          .set({ ...toColumns<AppointmentInsert>('appointments', f, APPOINTMENT_READERS), ...stamp(meta) })
          .where(eq(appointments.id, id))
          .returning()
          .get()!,
      ),
    tombstone: (id, meta) => withClient(orm.update(appointments).set({ deletedAt: meta.now, ...stamp(meta) }).where(eq(appointments.id, id)).returning().get()!),
    changesSince: (practiceId, afterSeq, sinceMs, limit) =>
      changes.all({ practiceId, afterSeq, sinceMs, limit }).map((row) => ({ seq: row.seq, record: appointmentRecord(row) })),
    list: (practiceId, filter, page) => {
      const where: SQL[] = [eq(appointments.practiceId, practiceId)];
      if (!filter.includeDeleted) where.push(isNull(appointments.deletedAt));
      if (filter.from !== undefined) where.push(gte(appointments.date, filter.from));
      if (filter.to !== undefined) where.push(lt(appointments.date, filter.to));
      const { petId, clientId, practitionerId } = filter.equals;
      if (typeof petId === 'number') where.push(eq(appointments.petId, petId));
      if (typeof clientId === 'number') where.push(eq(pets.ownerId, clientId));
      if (typeof practitionerId === 'number') where.push(eq(appointments.practitionerId, practitionerId));
      if (page.after) where.push(sql`(${appointments.date}, ${appointments.id}) > (${page.after.key}, ${page.after.id})`);
      const rows = orm
        .select({ row: appointments, clientId: pets.ownerId })
        .from(appointments)
        .leftJoin(pets, eq(pets.id, appointments.petId))
        .where(and(...where))
        .orderBy(asc(appointments.date), asc(appointments.id))
        .limit(page.limit + 1)
        .all();
      return toPage(
        rows,
        page.limit,
        (r) => appointmentRecord({ ...r.row, clientId: r.clientId }),
        (r) => ({ key: r.row.date, id: r.row.id }),
      );
    },
    withDerived: (_practiceId, record) => {
      const petId = record.petId;
      return { ...record, clientId: typeof petId === 'number' ? (ownerOf.get(petId) ?? null) : null };
    },
    upcomingOfPet: (practiceId, petId, from, limit) => upcoming.all({ practiceId, petId, from, limit }).map(appointmentRecord),
    bookingsIn: (practiceId, window) => {
      const params = { practiceId, id: window.exceptId ?? 0, from: window.from, start: window.start, to: window.to };
      const rows = byPet.all({ ...params, petId: window.petId });
      if (window.practitionerId !== null) {
        const seen = new Set(rows.map((r) => r.id));
        for (const row of byPractitioner.all({ ...params, practitionerId: window.practitionerId })) if (!seen.has(row.id)) rows.push(row);
      }
      return rows.map(appointmentRecord);
    },
    editedAt: (id) => editedAt.get(id),
  };
}
