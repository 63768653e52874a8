/**
 * People and pets of the practice, loaded from the replica once per screen and turned into lookups:
 * an appointment row shows the pet's, owner's and practitioner's names, not their ids.
 */
import type { EntitiesApi, LocalPet, LocalUser } from '../api/entities.ts';
import type { EntityId } from '../protocol/index.ts';

export class Directory {
  private readonly users = new Map<string, LocalUser>();
  private readonly pets = new Map<string, LocalPet>();

  constructor(users: LocalUser[], pets: LocalPet[]) {
    for (const u of users) this.users.set(String(u.id), u);
    for (const p of pets) this.pets.set(String(p.id), p);
  }

  static async load(api: EntitiesApi): Promise<Directory> {
    const [users, pets] = await Promise.all([api.listUsers(), api.listPets()]);
    return new Directory(users, pets);
  }

  static empty(): Directory {
    return new Directory([], []);
  }

  user(id: EntityId | null | undefined): LocalUser | undefined {
    return id === null || id === undefined ? undefined : this.users.get(String(id));
  }

  pet(id: EntityId | null | undefined): LocalPet | undefined {
    return id === null || id === undefined ? undefined : this.pets.get(String(id));
  }

  get clients(): LocalUser[] {
    return this.byName([...this.users.values()].filter((u) => u.role === 'CLIENT' && !u.deletedAt));
  }

  /** Those who see patients: practitioners first, then admins (a practice owner may also be a vet). */
  get practitioners(): LocalUser[] {
    const live = [...this.users.values()].filter((u) => !u.deletedAt);
    return [
      ...this.byName(live.filter((u) => u.role === 'PRACTITIONER')),
      ...this.byName(live.filter((u) => u.role === 'ADMIN')),
    ];
  }

  petsOf(ownerId: EntityId | null | undefined): LocalPet[] {
    if (ownerId === null || ownerId === undefined) return [];
    return [...this.pets.values()]
      .filter((p) => String(p.ownerId) === String(ownerId) && !p.deletedAt)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The owner of a pet (an appointment's client, also before the server derived clientId). */
  ownerOfPet(petId: EntityId | null | undefined): LocalUser | undefined {
    return this.user(this.pet(petId)?.ownerId);
  }

  /** A display name for a field value in the conflict dialog (ids → names; `petOwner`: a pet id's owner). */
  describe(field: string, value: unknown): string | null {
    if (typeof value !== 'number' && typeof value !== 'string') return null;
    if (field === 'petId') return this.pet(value)?.name ?? null;
    if (field === 'petOwner') return this.ownerOfPet(value)?.name ?? null;
    if (field === 'practitionerId' || field === 'clientId' || field === 'ownerId')
      return this.user(value)?.name ?? null;
    return null;
  }

  private byName<T extends { name: string }>(list: T[]): T[] {
    return list.sort((a, b) => a.name.localeCompare(b.name));
  }
}
