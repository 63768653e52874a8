/**
 * Entity records as they travel on the wire and as the local replica stores them.
 * One zod schema per entity; the TypeScript types are inferred from it, so page,
 * service worker and server cannot drift apart.
 *
 * Data rules from the reference document:
 * - there is no `clients` table: clients are `users` with role CLIENT;
 * - `pets.ownerId` references `users.id`;
 * - `appointments.clientId` is derived on the server from `pets.ownerId`;
 * - `appointments.durationMinutes` is stored (and pulled) as text.
 */
import './zod-config.ts';
import { z } from 'zod';
import { StoredAppointmentTypeSchema, WritableAppointmentTypeSchema } from './appointment-types.ts';
import { dateField, dateTimeField, longTextField, textField } from './fields.ts';

export const ENTITY_TYPES = ['users', 'pets', 'appointments'] as const;
export const EntityTypeSchema = z.enum(ENTITY_TYPES);
export type EntityType = z.infer<typeof EntityTypeSchema>;

export const USER_ROLES = ['ADMIN', 'PRACTITIONER', 'STAFF', 'CLIENT'] as const;
export const UserRoleSchema = z.enum(USER_ROLES);
export type UserRole = z.infer<typeof UserRoleSchema>;

export const APPOINTMENT_STATUSES = [
  'scheduled',
  'confirmed',
  'checked_in',
  'completed',
  'cancelled',
  'no_show',
] as const;
export const AppointmentStatusSchema = z.enum(APPOINTMENT_STATUSES);
export type AppointmentStatus = z.infer<typeof AppointmentStatusSchema>;

/** A server id (positive integer) or a temp id made on a device before the server saw the record. */
export const TEMP_ID_PREFIX = 'temp_';
/** The reference shows both `temp_appt_12345` and `temp_123`; we make `temp_<kind>_<uuid>`. */
export const TEMP_ID_PATTERN = /^temp_[A-Za-z0-9_-]{1,100}$/;
export const TempIdSchema = z.string().regex(TEMP_ID_PATTERN, 'not a temp id');
export const RealIdSchema = z.number().int().positive();
export const EntityIdSchema = z.union([RealIdSchema, TempIdSchema]);
export type EntityId = z.infer<typeof EntityIdSchema>;

export function isTempId(id: unknown): id is string {
  return typeof id === 'string' && id.startsWith(TEMP_ID_PREFIX);
}

/** A real id as it appears in a URL: no sign, no leading zero, at most 16 digits (a safe integer). */
const REAL_ID_TEXT = /^[1-9]\d{0,15}$/;

/** A record id written in a REST path or query: `123` → 123, a well-formed temp id → itself, else null. */
export function parseRestId(text: string): EntityId | null {
  if (REAL_ID_TEXT.test(text)) return Number(text);
  return TEMP_ID_PATTERN.test(text) ? text : null;
}

export function isEntityType(value: string): value is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(value);
}

/** Short names used inside temp ids, as in the reference's `temp_appt_12345`. */
export const TEMP_ID_KIND: Record<EntityType, string> = {
  users: 'user',
  pets: 'pet',
  appointments: 'appt',
};

const IsoDateTime = z.iso.datetime({ offset: true });
/** Calendar date `YYYY-MM-DD`. */
export const IsoDateSchema = z.iso.date();

/** Fields every synced row carries. */
const SyncedRowFields = {
  practiceId: RealIdSchema,
  version: z.number().int().nonnegative(),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  deletedAt: IsoDateTime.nullable(),
};

export const UserSchema = z.object({
  id: EntityIdSchema,
  tenantId: z.string().min(1),
  name: z.string().min(1).max(200),
  email: z.string().max(320).nullable(),
  phone: z.string().max(50).nullable(),
  role: UserRoleSchema,
  ...SyncedRowFields,
});
export type User = z.infer<typeof UserSchema>;

export const PetSchema = z.object({
  id: EntityIdSchema,
  name: z.string().min(1).max(200),
  species: z.string().min(1).max(100),
  breed: z.string().max(100).nullable(),
  birthDate: IsoDateSchema.nullable(),
  ownerId: EntityIdSchema,
  ...SyncedRowFields,
});
export type Pet = z.infer<typeof PetSchema>;

export const AppointmentSchema = z.object({
  id: EntityIdSchema,
  title: z.string().min(1).max(200),
  type: StoredAppointmentTypeSchema,
  date: IsoDateTime,
  /** Text, per the reference's schema note ("Convert duration to string"). */
  durationMinutes: z.string().regex(/^\d{1,4}$/),
  status: AppointmentStatusSchema,
  notes: z.string().max(5000).nullable(),
  petId: EntityIdSchema,
  practitionerId: EntityIdSchema.nullable(),
  /** Derived by the server from the pet's owner; null only until the server saw the record. */
  clientId: EntityIdSchema.nullable(),
  /** Booked over another appointment on purpose (see double-booking.ts); absent (false) in older records. */
  overlapAllowed: z.boolean().optional(),
  ...SyncedRowFields,
});
export type Appointment = z.infer<typeof AppointmentSchema>;

export const ENTITY_SCHEMAS = {
  users: UserSchema,
  pets: PetSchema,
  appointments: AppointmentSchema,
} as const;

export interface EntityByType {
  users: User;
  pets: Pet;
  appointments: Appointment;
}
export type AnyEntity = EntityByType[EntityType];

/**
 * The fields a client may write, per entity. Everything else (id, version, timestamps,
 * practiceId, tenantId, appointments.clientId) is owned by the server.
 */
/** The longest booking: a day. */
export const MAX_DURATION_MINUTES = 1440;
const DURATION_MESSAGE = 'Duration must be 1 to 1,440 minutes';

/** A reference to another record (real or temp id), with messages that name the field. */
function referenceField(label: string) {
  return z.unknown().transform((value, ctx): EntityId => {
    const parsed = EntityIdSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    ctx.addIssue({
      code: 'custom',
      message: value === undefined || value === null ? `${label} is required` : `${label} is not a valid record`,
    });
    return z.NEVER;
  });
}

export const WritableUserSchema = z.object({
  name: textField('Name', { max: 200 }),
  email: textField('Email', { max: 320 })
    .pipe(z.email({ error: 'Email is not a valid address' }))
    .nullable(),
  phone: textField('Phone', { min: 0, max: 50 }).nullable(),
  /** Staff create and edit clients only; other roles are managed elsewhere. */
  role: z.literal('CLIENT', { error: 'Only clients can be added or changed here' }),
});

export const WritablePetSchema = z.object({
  name: textField('Name', { max: 200 }),
  species: textField('Species', { max: 100 }),
  breed: textField('Breed', { min: 0, max: 100 }).nullable(),
  birthDate: dateField('Birth date').nullable(),
  ownerId: referenceField('Owner'),
});

export const WritableAppointmentSchema = z.object({
  title: textField('Title', { max: 200 }),
  type: WritableAppointmentTypeSchema,
  /** Any ISO date-time; the server normalises it to UTC. */
  date: dateTimeField('Date'),
  /** The reference sends a number; text is accepted too. Stored as text. */
  durationMinutes: z.union(
    [
      z
        .number({ error: DURATION_MESSAGE })
        .int({ error: DURATION_MESSAGE })
        .min(1, { error: DURATION_MESSAGE })
        .max(MAX_DURATION_MINUTES, { error: DURATION_MESSAGE }),
      z.string().regex(/^\d{1,4}$/, { error: DURATION_MESSAGE }),
    ],
    { error: DURATION_MESSAGE },
  ),
  status: AppointmentStatusSchema,
  notes: longTextField('Notes', 5000).nullable(),
  petId: referenceField('Pet'),
  practitionerId: referenceField('Practitioner').nullable(),
  /** Keep this booking although it overlaps another of the practitioner or pet (on purpose). */
  overlapAllowed: z.boolean({ error: 'overlapAllowed must be true or false' }).optional(),
});

export const WRITABLE_SCHEMAS = {
  users: WritableUserSchema,
  pets: WritablePetSchema,
  appointments: WritableAppointmentSchema,
} as const;

/** Defaults applied to a create when the client leaves optional fields out. */
export const CREATE_DEFAULTS: { [K in EntityType]: Partial<z.input<(typeof WRITABLE_SCHEMAS)[K]>> } = {
  users: { email: null, phone: null, role: 'CLIENT' },
  pets: { breed: null, birthDate: null },
  appointments: { status: 'scheduled', notes: null, practitionerId: null, overlapAllowed: false },
};

/** Fields holding a reference to another entity (rewritten when a temp id gets its real id). */
export const REFERENCE_FIELDS: Record<EntityType, { field: string; target: EntityType }[]> = {
  users: [],
  pets: [{ field: 'ownerId', target: 'users' }],
  appointments: [
    { field: 'petId', target: 'pets' },
    { field: 'practitionerId', target: 'users' },
    { field: 'clientId', target: 'users' },
  ],
};

/** Fields never compared for conflicts nor sent as changes. */
export const SERVER_OWNED_FIELDS = new Set([
  'id',
  'version',
  'createdAt',
  'updatedAt',
  'deletedAt',
  'practiceId',
  'tenantId',
]);
