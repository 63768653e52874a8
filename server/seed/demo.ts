/**
 * Demo data: two practices with staff logins, clients, pets and appointments around "today".
 * Deterministic (seeded PRNG) for a given size and day. Written in one transaction with
 * prepared statements: 50,000 appointments per practice load in seconds.
 *
 * Sizes per practice, for `size` appointments (default 72):
 *   clients = max(18, size / 4), pets = max(36, size / 2),
 *   appointments spread over max(14, size / 40) days centred on today, starting 8:00–17:45 local
 *   time. No two live bookings of a practitioner or pet overlap, and while the day allows there
 *   is half an hour of room after each (a drawn time without it moves to the nearest quarter hour
 *   with it; a full day keeps it, marked as booked over another on purpose).
 */
import { holdsSlot, type BookingSlot, type UserRole } from '../../src/protocol/index.ts';
import { hashPassword } from '../auth/password.ts';
import type { Database } from '../db/engine.ts';
import { appointments, pets, practices, users } from '../db/schema.ts';
import { insertSql } from '../db/statements.ts';
import { MIGRATION_LOCK } from '../db/migrate.ts';
import { SYNCED_INSERT_KEYS } from '../store/model.ts';
import { APPOINTMENT_FIELDS } from '../store/models/appointments.ts';
import { PET_FIELDS } from '../store/models/pets.ts';
import { USER_FIELDS } from '../store/models/users.ts';
import { createSyncLog } from '../store/sync-log.ts';
import { APPOINTMENT_KINDS, FIRST_NAMES, LAST_NAMES, NOTES, PET_NAMES, SPECIES, weighted } from './names.ts';
import { createRandom, type Random } from './prng.ts';

export const DEMO_PASSWORD = 'demo1234';
export const DEFAULT_SEED_SIZE = 72;

interface StaffSeed {
  name: string;
  email: string;
  role: Exclude<UserRole, 'CLIENT'>;
}

interface PracticeSeed {
  id: number;
  name: string;
  tenantId: string;
  staff: StaffSeed[];
}

export const DEMO_PRACTICES: readonly PracticeSeed[] = [
  {
    id: 1,
    name: 'Northside Veterinary',
    tenantId: 'smartvet',
    staff: [
      { name: 'Maya Chen', email: 'reception@northside.example', role: 'STAFF' },
      { name: 'Dr. Sam Patel', email: 'vet@northside.example', role: 'PRACTITIONER' },
      { name: 'Alex Morgan', email: 'admin@northside.example', role: 'ADMIN' },
      { name: 'Dr. Lena Okafor', email: 'lena.okafor@northside.example', role: 'PRACTITIONER' },
    ],
  },
  {
    id: 2,
    name: 'Harbor Animal Clinic',
    tenantId: 'harborvet',
    staff: [
      { name: 'Jonas Berg', email: 'reception@harbor.example', role: 'STAFF' },
      { name: 'Dr. Priya Nair', email: 'priya.nair@harbor.example', role: 'PRACTITIONER' },
      { name: 'Dr. Tom Walsh', email: 'tom.walsh@harbor.example', role: 'PRACTITIONER' },
    ],
  },
];

export interface SeedOptions {
  /** Current time (ms): appointments are placed around this day. */
  now: number;
  /** Appointments per practice. */
  size?: number;
  /** PRNG seed. */
  seed?: number;
  /**
   * A database that already has data is left as it is (null) instead of an error. Checked inside
   * the seeding transaction, so processes starting at once on an empty database seed it once.
   */
  ifEmpty?: boolean;
}

export interface SeedSummary {
  practices: { id: number; name: string; staff: number; clients: number; pets: number; appointments: number }[];
  durationMs: number;
}

/** The row an `INSERT ... RETURNING` gave back (one always comes). */
function inserted<R>(row: R | undefined): R {
  if (row === undefined) throw new Error('INSERT ... RETURNING gave no row');
  return row;
}

export async function isEmpty(db: Database): Promise<boolean> {
  return (await db.direct(() => db.prepare('SELECT COUNT(*) FROM practices').value<number>())) === 0;
}

export async function seedDemo(db: Database, options: SeedOptions & { ifEmpty: true }): Promise<SeedSummary | null>;
export async function seedDemo(db: Database, options: SeedOptions): Promise<SeedSummary>;
export async function seedDemo(db: Database, options: SeedOptions): Promise<SeedSummary | null> {
  const started = performance.now();
  const size = options.size ?? DEFAULT_SEED_SIZE;
  if (!Number.isInteger(size) || size < 0) throw new Error(`size must be a whole number, got ${size}`);
  const refuse = () => {
    if (options.ifEmpty) return null;
    throw new Error('The database already has data: seed an empty database (see --reset)');
  };
  if (!(await isEmpty(db))) return refuse();

  // Hash first (async, on the thread pool); the inserts then run in one synchronous transaction.
  const hashes = new Map<string, string>();
  await Promise.all(
    DEMO_PRACTICES.flatMap((p) => p.staff).map(
      async (s) => void hashes.set(s.email, await hashPassword(DEMO_PASSWORD)),
    ),
  );

  const log = createSyncLog(db);
  // The columns the models insert (the seed also sets a staff account's tenant and password hash).
  const synced = SYNCED_INSERT_KEYS;
  const insertPractice = db.prepare(insertSql(practices, ['id', 'name', 'tenantId', 'createdAt']));
  const insertUser = db.prepare<{ id: number }>(
    `${insertSql(users, [...USER_FIELDS, 'tenantId', 'passwordHash', ...synced])} RETURNING id`,
  );
  const insertPet = db.prepare<{ id: number }>(`${insertSql(pets, [...PET_FIELDS, ...synced])} RETURNING id`);
  const insertAppointment = db.prepare(insertSql(appointments, [...APPOINTMENT_FIELDS, ...synced]));

  const now = options.now;
  const clientsPer = Math.max(18, Math.ceil(size / 4));
  const petsPer = Math.max(36, Math.ceil(size / 2));
  const total =
    DEMO_PRACTICES.reduce((n, pr) => n + pr.staff.length, 0) + DEMO_PRACTICES.length * (clientsPer + petsPer + size);

  // The migration lock (PostgreSQL; SQLite's write lock does the same): one seeding process at a time.
  const lock = db.dialect === 'postgres' ? db.prepare('SELECT pg_advisory_xact_lock(?)') : null;
  const summary = await db.write(async () => {
    await lock?.run([MIGRATION_LOCK]);
    if ((await db.prepare('SELECT COUNT(*) FROM practices').value<number>()) !== 0) return null;
    let seq = await log.reserveSeq(total);
    const out: SeedSummary['practices'] = [];
    for (const practice of DEMO_PRACTICES) {
      const random = createRandom((options.seed ?? 20241110) + practice.id);
      await insertPractice.run({ id: practice.id, name: practice.name, tenantId: practice.tenantId, createdAt: now });
      const base = {
        practiceId: practice.id,
        tenantId: practice.tenantId,
        version: 1,
        createdAt: now,
        updatedAt: now,
        editedAt: now,
        editedBy: null,
      };

      const practitioners: number[] = [];
      for (const s of practice.staff) {
        const passwordHash = hashes.get(s.email) ?? null;
        const row = inserted(
          await insertUser.get({
            ...base,
            name: s.name,
            email: s.email,
            phone: null,
            role: s.role,
            passwordHash,
            seq: seq++,
          }),
        );
        if (s.role === 'PRACTITIONER') practitioners.push(row.id);
      }

      const clients: number[] = [];
      for (let i = 0; i < clientsPer; i++) {
        const first = random.pick(FIRST_NAMES);
        const last = random.pick(LAST_NAMES);
        const email = random.chance(0.85) ? `${first}.${last}${i}@mail.example`.toLowerCase() : null;
        const phone = `+1 555 ${String(random.int(100, 999))} ${String(random.int(1000, 9999))}`;
        clients.push(
          inserted(
            await insertUser.get({
              ...base,
              name: `${first} ${last}`,
              email,
              phone,
              role: 'CLIENT',
              passwordHash: null,
              seq: seq++,
            }),
          ).id,
        );
      }

      const petOwners: { id: number; ownerId: number }[] = [];
      for (let i = 0; i < petsPer; i++) {
        // Every client gets a pet first; the rest go to random clients.
        const ownerId = clients[i] ?? random.pick(clients);
        const kind = weighted(SPECIES, random.next());
        const birth = new Date(now - random.int(60, 15 * 365) * 86_400_000).toISOString().slice(0, 10);
        const row = inserted(
          await insertPet.get({
            ...base,
            name: random.pick(PET_NAMES),
            species: kind.species,
            breed: random.chance(0.9) ? random.pick(kind.breeds) : null,
            birthDate: random.chance(0.9) ? birth : null,
            ownerId,
            seq: seq++,
          }),
        );
        petOwners.push({ id: row.id, ownerId });
      }

      const days = Math.max(14, Math.ceil(size / 40));
      const today = new Date(now);
      const booked = createBookingBook();
      for (let i = 0; i < size; i++) {
        const pet = random.pick(petOwners);
        const kind = weighted(APPOINTMENT_KINDS, random.next());
        const dayOffset = random.int(0, days - 1) - Math.floor(days / 2);
        const date = new Date(
          today.getFullYear(),
          today.getMonth(),
          today.getDate() + dayOffset,
          random.int(8, 17),
          random.pick([0, 15, 30, 45]),
        );
        const slot: BookingSlot = {
          id: i,
          date: date.toISOString(),
          durationMinutes: String(random.pick(kind.durations)),
          status: statusFor(random, dayOffset),
          petId: pet.id,
          practitionerId: practitioners.length > 0 ? random.pick(practitioners) : null,
        };
        // The drawn time, or another that day; a full day keeps it, marked as booked over another
        // on purpose, so the demo data obeys the double-booking rule.
        const start = booked.place(slot, new Date(date).setHours(8, 0, 0, 0), new Date(date).setHours(17, 45, 0, 0));
        await insertAppointment.run({
          ...base,
          title: random.pick(kind.titles),
          type: kind.type,
          date: start ?? date.getTime(),
          durationMinutes: slot.durationMinutes,
          status: slot.status,
          notes: random.chance(0.3) ? random.pick(NOTES) : null,
          petId: pet.id,
          practitionerId: slot.practitionerId,
          overlapAllowed: start === null ? 1 : 0,
          seq: seq++,
        });
      }
      out.push({
        id: practice.id,
        name: practice.name,
        staff: practice.staff.length,
        clients: clientsPer,
        pets: petsPer,
        appointments: size,
      });
    }
    return out;
  });
  if (!summary) return refuse();
  return { practices: summary, durationMs: performance.now() - started };
}

/**
 * The demo schedule: the live bookings placed so far, by practitioner and pet and day. `place`
 * puts a booking at its drawn time or at the nearest later (then earlier) quarter hour of the
 * day [firstStart, lastStart] where it clashes with none of them, keeping ROOM after each visit
 * when the day allows (so a demo visit can run over, or be lengthened, without a clash), and
 * returns that start (ms), or null when the day is full. Not live (cancelled, no-show): its time.
 */
function createBookingBook() {
  const DAY = 86_400_000;
  const QUARTER = 15 * 60_000;
  const ROOM = 30 * 60_000;
  const placed = new Map<string, { start: number; end: number }[]>();
  const keys = (slot: BookingSlot): string[] => [
    `pet:${String(slot.petId)}`,
    ...(slot.practitionerId === null ? [] : [`practitioner:${String(slot.practitionerId)}`]),
  ];

  return {
    place(slot: BookingSlot, firstStart: number, lastStart: number): number | null {
      const drawn = Date.parse(slot.date);
      if (!holdsSlot(slot)) return drawn;
      const length = Number(slot.durationMinutes) * 60_000;
      // The bookings of this practitioner and pet that could be in the way (stored by UTC day).
      const near: { start: number; end: number }[] = [];
      for (const key of keys(slot)) {
        for (let day = Math.floor(firstStart / DAY) - 1; day <= Math.floor(lastStart / DAY) + 1; day++)
          near.push(...(placed.get(`${key}:${day}`) ?? []));
      }
      const fits = (start: number, room: number): boolean =>
        near.every((o) => !(o.start < start + length + room && start < o.end + room));
      for (const room of [ROOM, 0]) {
        let start: number | null = null;
        for (let t = drawn; t <= lastStart && start === null; t += QUARTER) if (fits(t, room)) start = t;
        for (let t = drawn - QUARTER; t >= firstStart && start === null; t -= QUARTER) if (fits(t, room)) start = t;
        if (start === null) continue;
        for (const key of keys(slot)) {
          const id = `${key}:${Math.floor(start / DAY)}`;
          const list = placed.get(id);
          if (list) list.push({ start, end: start + length });
          else placed.set(id, [{ start, end: start + length }]);
        }
        return start;
      }
      return null;
    },
  };
}

function statusFor(random: Random, dayOffset: number): string {
  if (dayOffset < 0) return random.chance(0.85) ? 'completed' : random.pick(['cancelled', 'no_show']);
  if (dayOffset === 0) return random.pick(['checked_in', 'confirmed', 'scheduled', 'completed']);
  return random.chance(0.6) ? 'scheduled' : random.chance(0.9) ? 'confirmed' : 'cancelled';
}
