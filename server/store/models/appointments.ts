/**
 * appointments: date in ms UTC (ISO on the wire), duration as text, and `clientId`, which is not
 * stored: every read joins the pet and answers its current `ownerId` (D1). A pet changing owner
 * therefore changes no appointment row, however many it has, and the rule holds for every row,
 * deleted ones included.
 */
import { andThen, type Database } from '../../db/engine.ts';
import { LONG_BOOKING_MINUTES, appointments, type AppointmentRow } from '../../db/schema.ts';
import { positionalInsert, selectList } from '../../db/statements.ts';
import {
  forUpdate,
  insertColumns,
  lastEditOf,
  listQuery,
  listWhere,
  newRow,
  recordReads,
  recordWrites,
  refTargets,
  rowUpdate,
  SYNCED_INSERT_KEYS,
  toPage,
  type AppointmentsModel,
} from '../model.ts';
import { asFlag, asInt, asIntOrNull, asMs, asText, asTextOrNull, iso, isoOrNull, type WireRecord } from '../wire.ts';

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

/** An appointment's own columns (the fields a device writes), as inserted; the seed inserts them too. */
export const APPOINTMENT_FIELDS = [
  'title',
  'type',
  'date',
  'durationMinutes',
  'status',
  'notes',
  'petId',
  'practitionerId',
  'overlapAllowed',
] as const;

export function appointmentsModel(db: Database): AppointmentsModel {
  const fields = APPOINTMENT_FIELDS;
  // Raw statements for the sync hot path (see db/statements.ts), each joining the pet's owner.
  const columns = `${selectList(appointments, [], 'a')}, p.owner_id AS "clientId"`;
  const fromJoined = 'FROM appointments a LEFT JOIN pets p ON p.id = a.pet_id';
  const byId = db.prepare<Row>(`SELECT ${columns} ${fromJoined} WHERE a.id = @id AND a.practice_id = @practiceId`);
  const byIdForWrite = db.prepare<Row>(
    `SELECT ${columns} ${fromJoined} WHERE a.id = @id AND a.practice_id = @practiceId${forUpdate(db, 'a')}`,
  );
  const changes = db.prepare<Row>(
    `SELECT ${columns} ${fromJoined} WHERE a.practice_id = @practiceId AND a.seq > @afterSeq AND a.updated_at > @sinceMs ORDER BY a.seq LIMIT @limit`,
  );
  const upcoming = db.prepare<Row>(
    `SELECT ${columns} ${fromJoined} WHERE a.pet_id = @petId AND a.practice_id = @practiceId AND a.date >= @from AND a.deleted_at IS NULL
       AND a.status NOT IN (${CLOSED_STATUSES.map((s) => `'${s}'`).join(', ')}) ORDER BY a.date, a.id LIMIT @limit${forUpdate(db, 'a')}`,
  );
  // Double-booking candidates (see bookingsIn): the ids found by walking four index ranges (the
  // pet's bookings and the practitioner's live ones from `from`; the pet's and the practitioner's
  // long live ones from `longFrom`); only when there are any (rare: a booking that clashes), the
  // records of those. The ids alone cost half of ids and records in one statement.
  // The LIMIT is written into the SQL: bound as a parameter (a REAL, from JS) it cost ~20 µs a query.
  // SQLite is told which index to walk; PostgreSQL's planner picks it from its statistics.
  const live = 'a.deleted_at IS NULL AND a.overlap_allowed = 0';
  // Word for word the long indexes' predicate (schema.ts), or neither engine would use them.
  const long = `${live} AND CAST(a.duration_minutes AS INTEGER) > ${LONG_BOOKING_MINUTES}`;
  const indexedBy = (index: string): string => (db.dialect === 'sqlite' ? `INDEXED BY ${index}` : '');
  const idsIn = (index: string, where: string, from: string) =>
    `SELECT id FROM (SELECT a.id FROM appointments a ${indexedBy(index)} WHERE ${where} AND a.date >= ${from} AND a.date < @to AND a.date + CAST(a.duration_minutes AS INTEGER) * 60000 > @start AND a.practice_id = @practiceId AND a.id <> @id ORDER BY a.date LIMIT ${MAX_BOOKING_CANDIDATES}) AS ${index}`;
  const candidates = [
    idsIn('appointments_pet', `a.pet_id = @petId AND ${live}`, '@from'),
    idsIn('appointments_practitioner_live', `a.practitioner_id = @practitionerId AND ${live}`, '@from'),
    idsIn('appointments_pet_long', `a.pet_id = @petId AND ${long}`, '@longFrom'),
    idsIn('appointments_practitioner_long', `a.practitioner_id = @practitionerId AND ${long}`, '@longFrom'),
  ];
  const candidateIds = db.prepare(candidates.join(' UNION ALL '));
  const bookings = db.prepare<Row>(
    `SELECT ${columns} ${fromJoined} WHERE a.id IN (${candidates.join(' UNION ALL ')}) ORDER BY a.date`,
  );
  const ownerOf = db.prepare('SELECT owner_id FROM pets WHERE id = ?');
  const lastEdit = lastEditOf(db, 'appointments');
  const inserted = positionalInsert(appointments, [...fields, ...SYNCED_INSERT_KEYS]);
  const insert = db.prepareInsert(inserted.sql);
  const update = rowUpdate<AppointmentRow>(db, appointments, selectList(appointments));
  const withClient = async (row: AppointmentRow): Promise<WireRecord> =>
    appointmentRecord(Object.assign(row, { clientId: (await ownerOf.value<number>([row.petId])) ?? null }));
  const select = `SELECT ${columns} ${fromJoined}`;
  const advisoryLocks = db.prepare('SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(? AS BIGINT[])) AS k ORDER BY k');

  return {
    type: 'appointments',
    fields,
    ...recordReads<Row>(
      {
        byId: (practiceId, id) => byId.get({ id, practiceId }),
        byIdForWrite: (practiceId, id) => byIdForWrite.get({ id, practiceId }),
        changes: (practiceId, afterSeq, sinceMs, limit) => changes.all({ practiceId, afterSeq, sinceMs, limit }),
      },
      appointmentRecord,
    ),
    refTarget: refTargets(db, 'appointments', null, false),
    insert: (owner, f, meta) => {
      const values = insertColumns<AppointmentInsert, (typeof fields)[number]>(
        'appointments',
        f,
        APPOINTMENT_READERS,
        fields,
      );
      // The record is built from what was written rather than read back; clientId is not a
      // column: the caller may pass the pet's owner it already read (`f.clientId`), else it is read here.
      const row = newRow(values, owner.practiceId, meta);
      return andThen(insert.insert(inserted.values(row)), (id) => {
        row.id = id;
        return typeof f.clientId === 'number'
          ? appointmentRecord(Object.assign(row, { clientId: f.clientId }))
          : withClient(row);
      });
    },
    ...recordWrites<AppointmentInsert>('appointments', APPOINTMENT_READERS, async (id, values) =>
      withClient(await update(id, values)),
    ),
    list: async (practiceId, filter, page) => {
      const { where, params } = listWhere(practiceId, filter, 'a.');
      if (filter.from !== undefined) {
        where.push('a.date >= @from');
        params.from = filter.from;
      }
      if (filter.to !== undefined) {
        where.push('a.date < @to');
        params.to = filter.to;
      }
      const { petId, clientId, practitionerId } = filter.equals;
      if (typeof petId === 'number') {
        where.push('a.pet_id = @petId');
        params.petId = petId;
      }
      if (typeof clientId === 'number') {
        where.push('p.owner_id = @clientId');
        params.clientId = clientId;
      }
      if (typeof practitionerId === 'number') {
        where.push('a.practitioner_id = @practitionerId');
        params.practitionerId = practitionerId;
      }
      const query = listQuery(select, where, params, ['a.date', 'a.id'], page);
      const rows = await db.prepare<Row>(query.sql).all(query.params);
      return toPage(rows, page.limit, appointmentRecord, (r) => ({ key: r.date, id: r.id }));
    },
    withDerived: async (_practiceId, record) => {
      const petId = record.petId;
      return {
        ...record,
        clientId: typeof petId === 'number' ? ((await ownerOf.value<number>([petId])) ?? null) : null,
      };
    },
    upcomingOfPet: async (practiceId, petId, from, limit) =>
      (await upcoming.all({ practiceId, petId, from, limit })).map(appointmentRecord),
    // Without a promise on SQLite (andThen): this runs for every booking pushed.
    bookingsIn: (practiceId, window) => {
      const params = {
        practiceId,
        id: window.exceptId ?? 0,
        from: window.from,
        longFrom: window.longFrom,
        start: window.start,
        to: window.to,
        petId: window.petId,
        practitionerId: window.practitionerId,
      };
      return andThen(candidateIds.values<number>(params), (ids) =>
        ids.length === 0 ? [] : andThen(bookings.all(params), (rows) => rows.map(appointmentRecord)),
      );
    },
    lastEdit,
    locksBookings: db.dialect === 'postgres',
    lockBookings: async (keys) => {
      const state = db.state();
      if (db.dialect !== 'postgres' || !state || keys.length === 0) return;
      const held = (state.bookingLocks ??= new Set<number>()) as Set<number>;
      const wanted = [...new Set(keys)].filter((k) => !held.has(k)).sort((a, b) => a - b);
      if (wanted.length === 0) return;
      await advisoryLocks.run([wanted]);
      for (const k of wanted) held.add(k);
    },
  };
}
