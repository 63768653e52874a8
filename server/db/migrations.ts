/**
 * SQLite's schema migrations, applied in order at start by `migrate.ts` and recorded in
 * `schema_migrations`. Append new ones; never edit one that has shipped. PostgreSQL's are in
 * migrations-pg.ts (the same schema as of the last one here; keep the two in step).
 * Ids: 2–19 are the server track's, 20–29 other tracks' (branches must not collide).
 */
import type { Database } from './engine.ts';
import { canonicalizeAppointmentTypes } from './data-migrations.ts';

export interface Migration {
  id: number;
  name: string;
  /** Schema changes, run first. */
  sql?: string;
  /** Data changes that need code, run after `sql` in the same transaction (`now`: the clock, ms). */
  up?: (db: Database, now: number) => Promise<void>;
}

const SYNCED_COLUMNS = `
  practice_id INTEGER NOT NULL REFERENCES practices(id),
  version     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  deleted_at  INTEGER,
  seq         INTEGER NOT NULL`;

/**
 * Migration 10 (and PostgreSQL's 5): marks, for each temp id of the old temp_ids table, the first
 * create entry that made it (same practice, type, temp id and real id) as its entry in the map.
 */
export const MARK_TEMP_ID_ENTRIES = (table: string): string => `
UPDATE ${table} SET maps_temp_id = 1 WHERE id IN (
  SELECT MIN(o.id) FROM ${table} o JOIN temp_ids t
      ON t.practice_id = o.practice_id AND t.entity_type = o.entity_type AND t.temp_id = o.temp_id AND t.real_id = o.real_id
   WHERE o.operation = 'create' AND o.maps_temp_id = 0
   GROUP BY o.practice_id, o.entity_type, o.temp_id);`;

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE practices (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  tenant_id  TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  tenant_id     TEXT NOT NULL,
  name          TEXT NOT NULL,
  email         TEXT,
  phone         TEXT,
  role          TEXT NOT NULL CHECK (role IN ('ADMIN', 'PRACTITIONER', 'STAFF', 'CLIENT')),
  password_hash TEXT,${SYNCED_COLUMNS}
);
CREATE INDEX users_practice_seq ON users (practice_id, seq);
CREATE INDEX users_practice_role ON users (practice_id, role);
-- Sign-in is by email: one account per address among those who can sign in.
CREATE UNIQUE INDEX users_login_email ON users (email COLLATE NOCASE) WHERE password_hash IS NOT NULL;

CREATE TABLE pets (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  species    TEXT NOT NULL,
  breed      TEXT,
  birth_date TEXT,
  owner_id   INTEGER NOT NULL REFERENCES users(id),${SYNCED_COLUMNS}
);
CREATE INDEX pets_practice_seq ON pets (practice_id, seq);
CREATE INDEX pets_owner ON pets (owner_id);

CREATE TABLE appointments (
  id               INTEGER PRIMARY KEY,
  title            TEXT NOT NULL,
  type             TEXT NOT NULL,
  date             INTEGER NOT NULL,
  duration_minutes TEXT NOT NULL,
  status           TEXT NOT NULL,
  notes            TEXT,
  pet_id           INTEGER NOT NULL REFERENCES pets(id),
  practitioner_id  INTEGER REFERENCES users(id),
  client_id        INTEGER REFERENCES users(id),${SYNCED_COLUMNS}
);
CREATE INDEX appointments_practice_seq ON appointments (practice_id, seq);
CREATE INDEX appointments_practice_date ON appointments (practice_id, date);
CREATE INDEX appointments_pet ON appointments (pet_id);

CREATE TABLE revisions (
  entity_type TEXT NOT NULL,
  entity_id   INTEGER NOT NULL,
  version     INTEGER NOT NULL,
  previous    TEXT NOT NULL,
  changed_at  INTEGER NOT NULL,
  PRIMARY KEY (entity_type, entity_id, version)
) WITHOUT ROWID;

-- A rowid table: rows append in order; only the small (practice_id, op_id) index takes random
-- inserts (opIds are UUIDs). WITHOUT ROWID would scatter the whole result JSON instead.
CREATE TABLE op_log (
  id          INTEGER PRIMARY KEY,
  practice_id INTEGER NOT NULL,
  op_id       TEXT NOT NULL,
  user_id     INTEGER,
  entity_type TEXT NOT NULL,
  operation   TEXT NOT NULL,
  result      TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX op_log_op ON op_log (practice_id, op_id);

CREATE TABLE temp_ids (
  practice_id INTEGER NOT NULL,
  entity_type TEXT NOT NULL,
  temp_id     TEXT NOT NULL,
  real_id     INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (practice_id, entity_type, temp_id)
) WITHOUT ROWID;

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE counters (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO counters (name, value) VALUES ('change_seq', 0);
`,
  },
  {
    id: 2,
    name: 'sessions: a serial id (oldest first when a user has too many) and the hash of a revocation token',
    sql: `
CREATE TABLE sessions_new (
  id              INTEGER PRIMARY KEY,
  token_hash      TEXT NOT NULL UNIQUE,
  revocation_hash TEXT UNIQUE,
  user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL
);
INSERT INTO sessions_new (token_hash, user_id, created_at, expires_at)
  SELECT token_hash, user_id, created_at, expires_at FROM sessions ORDER BY created_at;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_user ON sessions (user_id, id);
CREATE INDEX sessions_expiry ON sessions (expires_at);
`,
  },
  {
    id: 3,
    name: 'appointments: clientId is derived from the pet when read; drop the stored column',
    sql: `
CREATE TABLE appointments_new (
  id               INTEGER PRIMARY KEY,
  title            TEXT NOT NULL,
  type             TEXT NOT NULL,
  date             INTEGER NOT NULL,
  duration_minutes TEXT NOT NULL,
  status           TEXT NOT NULL,
  notes            TEXT,
  pet_id           INTEGER NOT NULL REFERENCES pets(id),
  practitioner_id  INTEGER REFERENCES users(id),${SYNCED_COLUMNS}
);
INSERT INTO appointments_new (id, title, type, date, duration_minutes, status, notes, pet_id, practitioner_id,
                              practice_id, version, created_at, updated_at, deleted_at, seq)
  SELECT id, title, type, date, duration_minutes, status, notes, pet_id, practitioner_id,
         practice_id, version, created_at, updated_at, deleted_at, seq
  FROM appointments;
DROP TABLE appointments;
ALTER TABLE appointments_new RENAME TO appointments;
CREATE INDEX appointments_practice_seq ON appointments (practice_id, seq);
CREATE INDEX appointments_practice_date ON appointments (practice_id, date);
CREATE INDEX appointments_pet ON appointments (pet_id, date);
`,
  },
  {
    id: 4,
    name: 'indexes for paged lists: pets and users by name, users by role and name',
    sql: `
DROP INDEX users_practice_role;
CREATE INDEX users_practice_role_name ON users (practice_id, role, name);
CREATE INDEX users_practice_name ON users (practice_id, name);
CREATE INDEX pets_practice_name ON pets (practice_id, name);
CREATE INDEX pets_owner_name ON pets (owner_id, name);
DROP INDEX pets_owner;
`,
  },
  {
    id: 5,
    name: 'appointment types in canonical form (follow-up → follow_up), as versioned changes devices pull',
    up: canonicalizeAppointmentTypes,
  },
  {
    id: 6,
    name: 'double bookings: appointments.overlap_allowed (kept on purpose) and an index of live bookings per practitioner',
    sql: `
ALTER TABLE appointments ADD COLUMN overlap_allowed INTEGER NOT NULL DEFAULT 0 CHECK (overlap_allowed IN (0, 1));
-- Covering for the overlap test (date, duration), so bookings in the window that end before it cost no row read.
CREATE INDEX appointments_practitioner_live ON appointments (practitioner_id, date, duration_minutes) WHERE deleted_at IS NULL AND overlap_allowed = 0;
`,
  },
  {
    id: 7,
    name: "edited_at: when each row's current version was edited, by the editing device's clock (rows so far: their updated_at)",
    sql: ['users', 'pets', 'appointments']
      .map(
        (table) =>
          `ALTER TABLE ${table} ADD COLUMN edited_at INTEGER NOT NULL DEFAULT 0;\nUPDATE ${table} SET edited_at = updated_at;`,
      )
      .join('\n'),
  },
  {
    id: 8,
    name: 'double bookings: live bookings longer than an hour indexed apart, per practitioner and per pet',
    // The check then looks back one hour over the short bookings (the common case) and 24 hours
    // over these few only, instead of 24 hours over every booking (sync/double-booking.ts).
    // The 60 is LONG_BOOKING_MINUTES (schema.ts); the check's queries repeat this predicate.
    sql: `
CREATE INDEX appointments_practitioner_long ON appointments (practitioner_id, date) WHERE deleted_at IS NULL AND overlap_allowed = 0 AND CAST(duration_minutes AS INTEGER) > 60;
CREATE INDEX appointments_pet_long ON appointments (pet_id, date) WHERE deleted_at IS NULL AND overlap_allowed = 0 AND CAST(duration_minutes AS INTEGER) > 60;
`,
  },
  {
    id: 9,
    name: "edited_by: who made each row's current version (a user id; null for rows written before, or by the seed)",
    // No foreign key: users are never removed (a delete is a tombstone), and the check would cost
    // every create a look-up; the name is read only for a conflict.
    sql: ['users', 'pets', 'appointments']
      .map((table) => `ALTER TABLE ${table} ADD COLUMN edited_by INTEGER;`)
      .join('\n'),
  },
  {
    id: 10,
    name: 'the temp-id map joins the op log, and answers are rebuilt from columns instead of stored as JSON',
    // One row per applied operation instead of two per create, ~40% fewer bytes: a pushed create
    // costs ~2 µs less. Rebuilt (SQLite cannot relax NOT NULL in place) with every entry and every
    // temp id in time order, so the pruner's walk by id still meets the oldest first. Entries
    // from before keep their JSON answer (`result`), which may be a failure older servers stored.
    sql: `
CREATE TABLE op_log_new (
  id           INTEGER PRIMARY KEY,
  practice_id  INTEGER NOT NULL,
  op_id        TEXT NOT NULL,
  user_id      INTEGER,
  entity_type  TEXT NOT NULL,
  operation    TEXT NOT NULL,
  real_id      INTEGER,
  version      INTEGER,
  temp_id      TEXT,
  maps_temp_id INTEGER NOT NULL DEFAULT 0 CHECK (maps_temp_id IN (0, 1)),
  result       TEXT,
  created_at   INTEGER NOT NULL
);
INSERT INTO op_log_new (practice_id, op_id, user_id, entity_type, operation, real_id, version, temp_id, maps_temp_id, result, created_at)
SELECT practice_id, op_id, user_id, entity_type, operation, real_id, version, temp_id, maps_temp_id, result, created_at FROM (
  SELECT o.created_at, o.id AS n, o.practice_id, o.op_id, o.user_id, o.entity_type, o.operation,
         json_extract(o.result, '$.realId') AS real_id, json_extract(o.result, '$.version') AS version,
         json_extract(o.result, '$.tempId') AS temp_id, 0 AS maps_temp_id, o.result
    FROM op_log o
  UNION ALL
  -- A temp id without a create entry (a REST create without Idempotency-Key) gets an entry of its
  -- own, under an opId no client has.
  SELECT t.created_at, 0, t.practice_id, 'temp-id-map:' || lower(hex(randomblob(16))), NULL, t.entity_type, 'create',
         t.real_id, NULL, t.temp_id, 1, NULL
    FROM temp_ids t
   WHERE NOT EXISTS (SELECT 1 FROM op_log o WHERE o.practice_id = t.practice_id AND o.entity_type = t.entity_type
                       AND o.operation = 'create' AND json_extract(o.result, '$.tempId') = t.temp_id
                       AND json_extract(o.result, '$.realId') = t.real_id)
) ORDER BY created_at, n;
${MARK_TEMP_ID_ENTRIES('op_log_new')}
DROP TABLE op_log;
DROP TABLE temp_ids;
ALTER TABLE op_log_new RENAME TO op_log;
CREATE UNIQUE INDEX op_log_op ON op_log (practice_id, op_id);
CREATE UNIQUE INDEX op_log_temp ON op_log (practice_id, entity_type, temp_id) WHERE maps_temp_id = 1;
`,
  },
];
