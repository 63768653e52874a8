/** Client and pet form state as strings, with validation and delta computation (pure). */
import type { ClientInput, LocalPet, LocalUser, PetInput } from '../api/entities.ts';
import type { EntityId } from '../protocol/index.ts';

export interface ClientDraft {
  name: string;
  phone: string;
  email: string;
}
export type ClientErrors = Partial<Record<keyof ClientDraft, string>>;
type ClientFields = Omit<ClientInput, 'role'>;

export const emptyClientDraft = (): ClientDraft => ({ name: '', phone: '', email: '' });

export function clientDraftFrom(user: LocalUser): ClientDraft {
  return { name: user.name, phone: user.phone ?? '', email: user.email ?? '' };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateClient(draft: ClientDraft): ClientErrors {
  const errors: ClientErrors = {};
  if (!draft.name.trim()) errors.name = 'Enter the client’s name.';
  else if (draft.name.trim().length > 200) errors.name = 'Keep the name under 200 characters.';
  if (draft.email.trim() && !EMAIL.test(draft.email.trim())) errors.email = 'This does not look like an email address.';
  if (draft.phone.trim().length > 50) errors.phone = 'Keep the phone number under 50 characters.';
  return errors;
}

const orNull = (s: string) => (s.trim() ? s.trim() : null);

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

export const emptyPetDraft = (): PetDraft => ({ name: '', species: 'Dog', breed: '', birthDate: '' });

export function petDraftFrom(pet: LocalPet): PetDraft {
  return { name: pet.name, species: pet.species, breed: pet.breed ?? '', birthDate: pet.birthDate ?? '' };
}

export function validatePet(draft: PetDraft, today: string): PetErrors {
  const errors: PetErrors = {};
  if (!draft.name.trim()) errors.name = 'Enter the pet’s name.';
  if (!draft.species.trim()) errors.species = 'Enter the species.';
  if (draft.birthDate && !/^\d{4}-\d{2}-\d{2}$/.test(draft.birthDate)) errors.birthDate = 'Enter a date.';
  else if (draft.birthDate && draft.birthDate > today) errors.birthDate = 'The birth date is in the future.';
  return errors;
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
