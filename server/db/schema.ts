/**
 * The database schema as drizzle tables: the typed view of what the migrations create
 * (`migrations.ts` for SQLite, `migrations-pg.ts` for PostgreSQL, both in this folder). Their
 * SQL is the source of truth for the database; tests/server/db.test.ts checks that every table
 * has exactly the columns declared here, on either engine.
 *
 * Conventions:
 * - times (`createdAt`, `updatedAt`, `deletedAt`, `appointments.date`) are integers in ms UTC;
 *   the wire gets ISO strings (see `server/store/wire.ts`);
 * - every synced row has `version` (+1 per change), a tombstone `deletedAt`, `seq`, its
 *   position in the global change sequence (`counters.change_seq`) that pull cursors follow, and
 *   `editedAt`: when its current version was edited, by the clock of the device that made the edit
 *   (the operation's timestamp, never later than the server's clock); conflicts report it as
 *   `serverEditedAt` for last-write-wins, and `editedBy`: the user who made it (null for rows
 *   written before migration 9, or by the seed), reported as `serverEditedBy`. Neither is sent
 *   with the record.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Bookings longer than this are indexed apart (appointments_*_long): the double-booking check looks
 * back this far over all bookings, and 24 hours over those only. Migrations 8 (SQLite) and 3
 * (PostgreSQL) write the 60 into the indexes' predicate; a different value needs a new migration.
 */
export const LONG_BOOKING_MINUTES = 60;
/** The long indexes' predicate, as the check's queries must repeat it for the index to be used. */
const LONG_LIVE_BOOKING = sql.raw(
  `deleted_at IS NULL AND overlap_allowed = 0 AND CAST(duration_minutes AS INTEGER) > ${LONG_BOOKING_MINUTES}`,
);

export const practices = sqliteTable('practices', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  tenantId: text('tenant_id').notNull().unique(),
  createdAt: integer('created_at').notNull(),
});

const syncedColumns = () => ({
  practiceId: integer('practice_id')
    .notNull()
    .references(() => practices.id),
  version: integer('version').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  deletedAt: integer('deleted_at'),
  seq: integer('seq').notNull(),
  editedAt: integer('edited_at').notNull(),
  editedBy: integer('edited_by'),
});

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone'),
    role: text('role', { enum: ['ADMIN', 'PRACTITIONER', 'STAFF', 'CLIENT'] }).notNull(),
    /** scrypt hash (see `server/auth/password.ts`); null for clients, who cannot sign in. */
    passwordHash: text('password_hash'),
    ...syncedColumns(),
  },
  (t) => [
    index('users_practice_seq').on(t.practiceId, t.seq),
    index('users_practice_role_name').on(t.practiceId, t.role, t.name),
    index('users_practice_name').on(t.practiceId, t.name),
  ],
);

export const pets = sqliteTable(
  'pets',
  {
    id: integer('id').primaryKey(),
    name: text('name').notNull(),
    species: text('species').notNull(),
    breed: text('breed'),
    /** `YYYY-MM-DD`. */
    birthDate: text('birth_date'),
    ownerId: integer('owner_id')
      .notNull()
      .references(() => users.id),
    ...syncedColumns(),
  },
  (t) => [
    index('pets_practice_seq').on(t.practiceId, t.seq),
    index('pets_practice_name').on(t.practiceId, t.name),
    index('pets_owner_name').on(t.ownerId, t.name),
  ],
);

export const appointments = sqliteTable(
  'appointments',
  {
    id: integer('id').primaryKey(),
    title: text('title').notNull(),
    type: text('type').notNull(),
    /** ms UTC. */
    date: integer('date').notNull(),
    /** Text, as the reference's schema note says. */
    durationMinutes: text('duration_minutes').notNull(),
    status: text('status').notNull(),
    notes: text('notes'),
    petId: integer('pet_id')
      .notNull()
      .references(() => pets.id),
    practitionerId: integer('practitioner_id').references(() => users.id),
    /**
     * 1: booked over another appointment on purpose (`src/protocol/double-booking.ts`); it then
     * clashes with nothing.
     */
    overlapAllowed: integer('overlap_allowed').notNull().default(0),
    // No clientId column: it is the pet's current ownerId, joined in when the row is read (D1).
    ...syncedColumns(),
  },
  (t) => [
    index('appointments_practice_seq').on(t.practiceId, t.seq),
    index('appointments_practice_date').on(t.practiceId, t.date),
    index('appointments_pet').on(t.petId, t.date),
    // The double-booking check: a practitioner's live bookings around a time (the pet's use appointments_pet).
    index('appointments_practitioner_live')
      .on(t.practitionerId, t.date, t.durationMinutes)
      .where(sql`deleted_at IS NULL AND overlap_allowed = 0`),
    // ... and, looked at further back, the few live bookings longer than LONG_BOOKING_MINUTES.
    index('appointments_practitioner_long').on(t.practitionerId, t.date).where(LONG_LIVE_BOOKING),
    index('appointments_pet_long').on(t.petId, t.date).where(LONG_LIVE_BOOKING),
  ],
);

/**
 * Undo log for field-level conflict detection: for each update (version N of a row), the
 * values its changed fields had before it, in wire form. Replaying it backwards from the current
 * row rebuilds the row as of any earlier version, and its keys say which fields changed since.
 * Creates write nothing here (there is no earlier version).
 */
export const revisions = sqliteTable(
  'revisions',
  {
    entityType: text('entity_type').notNull(),
    entityId: integer('entity_id').notNull(),
    version: integer('version').notNull(),
    /** JSON object: field → value before this version. */
    previous: text('previous').notNull(),
    changedAt: integer('changed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.entityType, t.entityId, t.version] })],
);

/**
 * Exactly-once and the temp-id map, one row per applied operation, keyed by the opId the client
 * made. An applied operation's answer is rebuilt from its columns (opId, entityType, realId,
 * tempId, version; the record at that version from the undo log: sync/versions.ts), so no JSON
 * is stored. A create that made a record under a temp id is that temp id's entry in the map
 * (`mapsTempId`): later operations naming the temp id find the real id through op_log_temp.
 */
export const opLog = sqliteTable(
  'op_log',
  {
    id: integer('id').primaryKey(),
    practiceId: integer('practice_id').notNull(),
    opId: text('op_id').notNull(),
    userId: integer('user_id'),
    entityType: text('entity_type').notNull(),
    operation: text('operation').notNull(),
    /** The record the operation applied to, and the version it left it at. */
    realId: integer('real_id'),
    version: integer('version'),
    /** The temp id the answer echoes (a create's, or an update's entityId that was one). */
    tempId: text('temp_id'),
    /** 1: this create made the record `tempId` names (its entry in the temp-id map); else 0. */
    mapsTempId: integer('maps_temp_id').notNull().default(0),
    /** The PushResult as JSON, for entries written before migration 10 only (null since). */
    result: text('result'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('op_log_op').on(t.practiceId, t.opId),
    uniqueIndex('op_log_temp')
      .on(t.practiceId, t.entityType, t.tempId)
      .where(sql`maps_temp_id = 1`),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    /** Creation order: when a user has too many sessions, the lowest ids go first. */
    id: integer('id').primaryKey(),
    /** sha256 of the cookie's token: a copy of the database does not hold live sessions. */
    tokenHash: text('token_hash').notNull().unique(),
    /** sha256 of the revocation token given at sign-in (`POST /api/auth/revoke`); null for older sessions. */
    revocationHash: text('revocation_hash').unique(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId, t.id), index('sessions_expiry').on(t.expiresAt)],
);

/** Named counters; `change_seq` numbers every change of a synced row. */
export const counters = sqliteTable('counters', {
  name: text('name').primaryKey(),
  value: integer('value').notNull(),
});

export type UserRow = typeof users.$inferSelect;
export type PetRow = typeof pets.$inferSelect;
export type AppointmentRow = typeof appointments.$inferSelect;
export const schema = { practices, users, pets, appointments, revisions, opLog, sessions, counters };
