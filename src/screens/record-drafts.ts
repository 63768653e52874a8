/**
 * Client and pet form state as strings, with validation and delta computation (pure). Fields are
 * checked with the protocol's writable schemas, so the messages are the ones sync would give.
 */
import type { ClientInput, LocalPet, LocalUser, PetInput } from '../api/entities.ts';
import { WritablePetSchema, WritableUserSchema, type EntityId } from '../protocol/index.ts';
import { fieldError, maxLengthOf } from './field-rules.ts';

const CLIENT = WritableUserSchema.shape;
const PET = WritablePetSchema.shape;

/** `maxlength` of each input, from the same schemas. */
export const CLIENT_MAX = {
  name: maxLengthOf(CLIENT.name),
  phone: maxLengthOf(CLIENT.phone),
  email: maxLengthOf(CLIENT.email),
} as const;
export const PET_MAX = {
  name: maxLengthOf(PET.name),
  species: maxLengthOf(PET.species),
  breed: maxLengthOf(PET.breed),
} as const;

export interface ClientDraft {
  name: string;
  phone: string;
  email: string;
}
export type ClientErrors = Partial<Record<keyof ClientDraft, string>>;
export type ClientFields = Omit<ClientInput, 'role'>;

export const emptyClientDraft = (): ClientDraft => ({ name: '', phone: '', email: '' });

export function clientDraftFrom(user: LocalUser): ClientDraft {
  return { name: user.name, phone: user.phone ?? '', email: user.email ?? '' };
}

/** Keeps the fields that have a message. */
function collect<K extends string>(messages: Record<K, string | undefined>): Partial<Record<K, string>> {
  const errors: Partial<Record<K, string>> = {};
  for (const key of Object.keys(messages) as K[]) if (messages[key]) errors[key] = messages[key];
  return errors;
}

const orNull = (s: string) => (s.trim() ? s.trim() : null);

export function validateClient(draft: ClientDraft): ClientErrors {
  return collect({
    name: fieldError(CLIENT.name, draft.name),
    phone: fieldError(CLIENT.phone, orNull(draft.phone)),
    email: fieldError(CLIENT.email, orNull(draft.email)),
  });
}

export function clientInput(draft: ClientDraft): ClientFields {
  return { name: draft.name.trim(), phone: orNull(draft.phone), email: orNull(draft.email) };
}

export function clientChanges(user: LocalUser, input: ClientFields): Partial<ClientFields> {
  const changes: Partial<ClientFields> = {};
  if (input.name !== user.name) changes.name = input.name;
  if ((input.phone ?? null) !== (user.phone ?? null)) changes.phone = input.phone ?? null;
  if ((input.email ?? null) !== (user.email ?? null)) changes.email = input.email ?? null;
  return changes;
}

export interface PetDraft {
  name: string;
  species: string;
  breed: string;
  birthDate: string;
}
export type PetErrors = Partial<Record<keyof PetDraft, string>>;

export const SPECIES = ['Dog', 'Cat', 'Rabbit', 'Bird', 'Guinea pig', 'Hamster', 'Ferret', 'Reptile', 'Horse'] as const;

// No species chosen for them: a pre-filled "Dog" went through unnoticed for cats (review).
export const emptyPetDraft = (): PetDraft => ({ name: '', species: '', breed: '', birthDate: '' });

export function petDraftFrom(pet: LocalPet): PetDraft {
  return { name: pet.name, species: pet.species, breed: pet.breed ?? '', birthDate: pet.birthDate ?? '' };
}

export function validatePet(draft: PetDraft, today: string): PetErrors {
  const birthDate = draft.birthDate || null;
  return collect({
    name: fieldError(PET.name, draft.name),
    species: fieldError(PET.species, draft.species),
    breed: fieldError(PET.breed, orNull(draft.breed)),
    birthDate:
      fieldError(PET.birthDate, birthDate) ??
      (birthDate && birthDate > today ? 'Birth date cannot be in the future' : undefined),
  });
}

export function petInput(draft: PetDraft, ownerId: EntityId): PetInput {
  return {
    name: draft.name.trim(),
    species: draft.species.trim(),
    breed: orNull(draft.breed),
    birthDate: draft.birthDate || null,
    ownerId,
  };
}

export function petChanges(pet: LocalPet, input: PetInput): Partial<PetInput> {
  const changes: Partial<PetInput> = {};
  if (input.name !== pet.name) changes.name = input.name;
  if (input.species !== pet.species) changes.species = input.species;
  if ((input.breed ?? null) !== (pet.breed ?? null)) changes.breed = input.breed ?? null;
  if ((input.birthDate ?? null) !== (pet.birthDate ?? null)) changes.birthDate = input.birthDate ?? null;
  return changes;
}
