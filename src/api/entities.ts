/**
 * Typed helpers over the entity REST surface (`src/protocol/rest.ts`). The page calls these as if it
 * were online; the service worker answers from the local replica and queues writes.
 */
import { z } from 'zod';
import {
  AppointmentSchema,
  LocalMetaSchema,
  PetSchema,
  UserSchema,
  type EntityId,
  type EntityType,
  type UserRole,
  type WritableAppointmentSchema,
  type WritablePetSchema,
  type WritableUserSchema,
} from '../protocol/index.ts';
import { requestJson, type FetchLike } from './http.ts';

/** Records as the worker answers them: the entity plus the local `_pending` / `_conflict` flags. */
export const LocalAppointmentSchema = AppointmentSchema.extend(LocalMetaSchema.shape);
export const LocalPetSchema = PetSchema.extend(LocalMetaSchema.shape);
export const LocalUserSchema = UserSchema.extend(LocalMetaSchema.shape);
export type LocalAppointment = z.infer<typeof LocalAppointmentSchema>;
export type LocalPet = z.infer<typeof LocalPetSchema>;
export type LocalUser = z.infer<typeof LocalUserSchema>;

export type AppointmentInput = z.input<typeof WritableAppointmentSchema>;
export type PetInput = z.input<typeof WritablePetSchema>;
export type ClientInput = z.input<typeof WritableUserSchema>;

const one = <S extends z.ZodType>(schema: S) => z.object({ data: schema });
const many = <S extends z.ZodType>(schema: S) => z.object({ data: z.array(schema) });

function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}

interface LocalRecords {
  appointments: LocalAppointment;
  pets: LocalPet;
  users: LocalUser;
}
/** The answer carrying one record, per entity type. */
const ONE_RECORD: { [E in EntityType]: z.ZodType<{ data: LocalRecords[E] }> } = {
  appointments: one(LocalAppointmentSchema),
  pets: one(LocalPetSchema),
  users: one(LocalUserSchema),
};

const recordPath = (entityType: EntityType, id: EntityId) => `/api/${entityType}/${encodeURIComponent(String(id))}`;
/** A DELETE answers the tombstone (the record with `deletedAt`). */
const DELETE = { method: 'DELETE' } as const;

/** Fired on `EntitiesApi.writes` after each accepted write, detail: the entity type. */
export const LOCAL_WRITE_EVENT = 'local-write';

export class EntitiesApi {
  /**
   * Tells this page's sync widgets that the queue grew. The worker broadcasts QUEUE_STATS too; this
   * makes the count right at once in the tab that wrote, whatever the broadcast timing.
   */
  readonly writes = new EventTarget();

  constructor(private readonly fetchFn: FetchLike) {}

  /** One record by id. */
  private async read<E extends EntityType>(entityType: E, id: EntityId): Promise<LocalRecords[E]> {
    const { data } = await requestJson(this.fetchFn, recordPath(entityType, id), ONE_RECORD[entityType]);
    return data;
  }

  /** A create (`id` null), update or delete: the record as written; tells `writes`. */
  private async write<E extends EntityType>(
    entityType: E,
    id: EntityId | null,
    request: { method: 'POST' | 'PATCH' | 'DELETE'; body?: unknown },
  ): Promise<LocalRecords[E]> {
    const path = id === null ? `/api/${entityType}` : recordPath(entityType, id);
    const { data } = await requestJson(this.fetchFn, path, ONE_RECORD[entityType], request);
    this.writes.dispatchEvent(new CustomEvent(LOCAL_WRITE_EVENT, { detail: entityType }));
    return data;
  }

  // ------------------------------------------------------------------ appointments

  /**
   * Appointments whose start lies in [from, to] (ISO date-times with offset), optionally of one practitioner or pet.
   */
  async listAppointments(range: {
    from: string;
    to: string;
    practitionerId?: EntityId;
    petId?: EntityId;
  }): Promise<LocalAppointment[]> {
    const params = {
      from: range.from,
      to: range.to,
      practitionerId: range.practitionerId === undefined ? undefined : String(range.practitionerId),
      petId: range.petId === undefined ? undefined : String(range.petId),
    };
    const { data } = await requestJson(this.fetchFn, `/api/appointments${query(params)}`, many(LocalAppointmentSchema));
    return data;
  }

  getAppointment(id: EntityId): Promise<LocalAppointment> {
    return this.read('appointments', id);
  }

  createAppointment(input: AppointmentInput): Promise<LocalAppointment> {
    return this.write('appointments', null, { method: 'POST', body: input });
  }

  updateAppointment(id: EntityId, changes: Partial<AppointmentInput>): Promise<LocalAppointment> {
    return this.write('appointments', id, { method: 'PATCH', body: changes });
  }

  /** Appointments of one pet (any date). */
  async listAppointmentsOfPet(petId: EntityId): Promise<LocalAppointment[]> {
    const { data } = await requestJson(
      this.fetchFn,
      `/api/appointments${query({ petId: String(petId) })}`,
      many(LocalAppointmentSchema),
    );
    return data;
  }

  /** Cancelling keeps the record (status `cancelled`) so the day's history stays visible. */
  cancelAppointment(id: EntityId): Promise<LocalAppointment> {
    return this.updateAppointment(id, { status: 'cancelled' });
  }

  /** Removes an appointment for good (the screens offer it for cancelled ones); syncs like any write. */
  deleteAppointment(id: EntityId): Promise<LocalAppointment> {
    return this.write('appointments', id, DELETE);
  }

  // ------------------------------------------------------------------ users (clients are users with role CLIENT)

  async listUsers(role?: UserRole): Promise<LocalUser[]> {
    const { data } = await requestJson(this.fetchFn, `/api/users${query({ role })}`, many(LocalUserSchema));
    return data;
  }

  getUser(id: EntityId): Promise<LocalUser> {
    return this.read('users', id);
  }

  createClient(input: Omit<ClientInput, 'role'>): Promise<LocalUser> {
    return this.write('users', null, { method: 'POST', body: { ...input, role: 'CLIENT' } });
  }

  updateClient(id: EntityId, changes: Partial<Omit<ClientInput, 'role'>>): Promise<LocalUser> {
    return this.write('users', id, { method: 'PATCH', body: changes });
  }

  /** Refused (409 HAS_DEPENDENTS) while the client has pets; administrators only. */
  deleteClient(id: EntityId): Promise<LocalUser> {
    return this.write('users', id, DELETE);
  }

  // ------------------------------------------------------------------ pets

  async listPets(ownerId?: EntityId): Promise<LocalPet[]> {
    const { data } = await requestJson(
      this.fetchFn,
      `/api/pets${query({ ownerId: ownerId === undefined ? undefined : String(ownerId) })}`,
      many(LocalPetSchema),
    );
    return data;
  }

  getPet(id: EntityId): Promise<LocalPet> {
    return this.read('pets', id);
  }

  createPet(input: PetInput): Promise<LocalPet> {
    return this.write('pets', null, { method: 'POST', body: input });
  }

  updatePet(id: EntityId, changes: Partial<PetInput>): Promise<LocalPet> {
    return this.write('pets', id, { method: 'PATCH', body: changes });
  }

  /** Cancels the pet's upcoming appointments with it (the worker and the server do that); administrators only. */
  deletePet(id: EntityId): Promise<LocalPet> {
    return this.write('pets', id, DELETE);
  }
}
