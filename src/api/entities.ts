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

const idPath = (id: EntityId) => encodeURIComponent(String(id));
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

  private wrote<T>(entityType: EntityType, record: T): T {
    this.writes.dispatchEvent(new CustomEvent(LOCAL_WRITE_EVENT, { detail: entityType }));
    return record;
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

  async getAppointment(id: EntityId): Promise<LocalAppointment> {
    const { data } = await requestJson(this.fetchFn, `/api/appointments/${idPath(id)}`, one(LocalAppointmentSchema));
    return data;
  }

  async createAppointment(input: AppointmentInput): Promise<LocalAppointment> {
    const { data } = await requestJson(this.fetchFn, '/api/appointments', one(LocalAppointmentSchema), {
      method: 'POST',
      body: input,
    });
    return this.wrote('appointments', data);
  }

  async updateAppointment(id: EntityId, changes: Partial<AppointmentInput>): Promise<LocalAppointment> {
    const { data } = await requestJson(this.fetchFn, `/api/appointments/${idPath(id)}`, one(LocalAppointmentSchema), {
      method: 'PATCH',
      body: changes,
    });
    return this.wrote('appointments', data);
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
  async deleteAppointment(id: EntityId): Promise<LocalAppointment> {
    const { data } = await requestJson(
      this.fetchFn,
      `/api/appointments/${idPath(id)}`,
      one(LocalAppointmentSchema),
      DELETE,
    );
    return this.wrote('appointments', data);
  }

  // ------------------------------------------------------------------ users (clients are users with role CLIENT)

  async listUsers(role?: UserRole): Promise<LocalUser[]> {
    const { data } = await requestJson(this.fetchFn, `/api/users${query({ role })}`, many(LocalUserSchema));
    return data;
  }

  async getUser(id: EntityId): Promise<LocalUser> {
    const { data } = await requestJson(this.fetchFn, `/api/users/${idPath(id)}`, one(LocalUserSchema));
    return data;
  }

  async createClient(input: Omit<ClientInput, 'role'>): Promise<LocalUser> {
    const { data } = await requestJson(this.fetchFn, '/api/users', one(LocalUserSchema), {
      method: 'POST',
      body: { ...input, role: 'CLIENT' },
    });
    return this.wrote('users', data);
  }

  async updateClient(id: EntityId, changes: Partial<Omit<ClientInput, 'role'>>): Promise<LocalUser> {
    const { data } = await requestJson(this.fetchFn, `/api/users/${idPath(id)}`, one(LocalUserSchema), {
      method: 'PATCH',
      body: changes,
    });
    return this.wrote('users', data);
  }

  /** Refused (409 HAS_DEPENDENTS) while the client has pets; administrators only. */
  async deleteClient(id: EntityId): Promise<LocalUser> {
    const { data } = await requestJson(this.fetchFn, `/api/users/${idPath(id)}`, one(LocalUserSchema), DELETE);
    return this.wrote('users', data);
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

  async getPet(id: EntityId): Promise<LocalPet> {
    const { data } = await requestJson(this.fetchFn, `/api/pets/${idPath(id)}`, one(LocalPetSchema));
    return data;
  }

  async createPet(input: PetInput): Promise<LocalPet> {
    const { data } = await requestJson(this.fetchFn, '/api/pets', one(LocalPetSchema), { method: 'POST', body: input });
    return this.wrote('pets', data);
  }

  async updatePet(id: EntityId, changes: Partial<PetInput>): Promise<LocalPet> {
    const { data } = await requestJson(this.fetchFn, `/api/pets/${idPath(id)}`, one(LocalPetSchema), {
      method: 'PATCH',
      body: changes,
    });
    return this.wrote('pets', data);
  }

  /** Cancels the pet's upcoming appointments with it (the worker and the server do that); administrators only. */
  async deletePet(id: EntityId): Promise<LocalPet> {
    const { data } = await requestJson(this.fetchFn, `/api/pets/${idPath(id)}`, one(LocalPetSchema), DELETE);
    return this.wrote('pets', data);
  }
}
