/** appointments: date in ms UTC (ISO on the wire), duration as text, clientId derived from the pet. */
import { and, asc, eq, gte, isNull, lt, type SQL } from 'drizzle-orm';
import type { Orm } from '../../db/orm.ts';
import { appointments, type AppointmentRow } from '../../db/schema.ts';
import { complete, hotStatements, newRow, stamp, SYNCED_INSERT_KEYS, type EntityModel } from '../model.ts';
import { asInt, asIntOrNull, asMs, asText, asTextOrNull, iso, isoOrNull, toColumns, type WireRecord } from '../wire.ts';

function appointmentRecord(r: Omit<AppointmentRow, 'seq'>): WireRecord {
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
  clientId: asIntOrNull,
};

export function appointmentsModel(orm: Orm): EntityModel {
  const fields = ['title', 'type', 'date', 'durationMinutes', 'status', 'notes', 'petId', 'practitionerId', 'clientId'] as const;
  const hot = hotStatements(orm, appointments, [...fields, ...SYNCED_INSERT_KEYS]);
  const target = orm.$client.prepare<{ id: number; practiceId: number }, { id: number; deletedAt: number | null }>(
    'SELECT id, deleted_at AS deletedAt FROM appointments WHERE id = @id AND practice_id = @practiceId',
  );
  return {
    type: 'appointments',
    fields,
    find: (practiceId, id) => {
      const row = hot.byId(practiceId, id);
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
      // The record is built from what was written rather than read back.
      const row = newRow(values, owner.practiceId, meta);
      row.id = hot.insert(row);
      return appointmentRecord(row);
    },
    update: (id, f, meta) =>
      appointmentRecord(
        orm
          .update(appointments)
          .set({ ...toColumns<AppointmentInsert>('appointments', f, APPOINTMENT_READERS), ...stamp(meta) })
          .where(eq(appointments.id, id))
          .returning()
          .get()!,
      ),
    tombstone: (id, meta) =>
      appointmentRecord(orm.update(appointments).set({ deletedAt: meta.now, ...stamp(meta) }).where(eq(appointments.id, id)).returning().get()!),
    changesSince: (practiceId, afterSeq, sinceMs, limit) =>
      hot.changes(practiceId, afterSeq, sinceMs, limit).map((row) => ({ seq: row.seq, record: appointmentRecord(row) })),
    list: (practiceId, filter) => {
      const where: SQL[] = [eq(appointments.practiceId, practiceId)];
      if (!filter.includeDeleted) where.push(isNull(appointments.deletedAt));
      if (filter.from !== undefined) where.push(gte(appointments.date, filter.from));
      if (filter.to !== undefined) where.push(lt(appointments.date, filter.to));
      const { petId, clientId, practitionerId } = filter.equals;
      if (typeof petId === 'number') where.push(eq(appointments.petId, petId));
      if (typeof clientId === 'number') where.push(eq(appointments.clientId, clientId));
      if (typeof practitionerId === 'number') where.push(eq(appointments.practitionerId, practitionerId));
      return orm
        .select()
        .from(appointments)
        .where(and(...where))
        .orderBy(asc(appointments.date), asc(appointments.id))
        .all()
        .map(appointmentRecord);
    },
  };
}
