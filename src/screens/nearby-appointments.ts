/**
 * The appointments a booking is checked against: the chosen practitioner's and the chosen pet's
 * around the day, read from the replica through the REST surface (so it works offline). Read again
 * when the day, practitioner or pet changes, or when the replica changes.
 */
import type { EntitiesApi, LocalAppointment } from '../api/entities.ts';
import { describeError } from '../api/http.ts';
import type { EntityId } from '../protocol/index.ts';
import { clashReadRange } from './booking-clashes.ts';

export interface NearbyQuery {
  /** Local `YYYY-MM-DD`. */
  day: string;
  practitionerId: EntityId | null;
  petId: EntityId | null;
}

export class NearbyAppointments {
  /** Null until the first read for the current query answered (no warning is shown meanwhile). */
  appointments: LocalAppointment[] | null = null;
  /** Why the last read failed (the check is then skipped; the server still checks). */
  error: string | null = null;
  private key = '';
  private seq = 0;
  private latest: Promise<void> = Promise.resolve();

  constructor(private readonly onChange: () => void) {}

  /** Reads when the query changed (or `force`: the replica changed); resolves once current. */
  refresh(entities: EntitiesApi, query: NearbyQuery, force = false): Promise<void> {
    const key = `${query.day}|${String(query.practitionerId)}|${String(query.petId)}`;
    if (key === this.key && !force) return this.latest;
    if (key !== this.key) this.appointments = null;
    this.key = key;
    const seq = ++this.seq;
    this.latest = this.read(entities, query).then(
      (appointments) => {
        if (seq !== this.seq) return;
        this.appointments = appointments;
        this.error = null;
        this.onChange();
      },
      (error: unknown) => {
        if (seq !== this.seq) return;
        this.appointments = null;
        this.error = describeError(error);
        this.onChange();
      },
    );
    return this.latest;
  }

  /** The read in flight, if any (Save waits for it so it never checks stale data). */
  get current(): Promise<void> {
    return this.latest;
  }

  private async read(entities: EntitiesApi, query: NearbyQuery): Promise<LocalAppointment[]> {
    const range = clashReadRange(query.day);
    const [ofPractitioner, ofPet] = await Promise.all([
      query.practitionerId === null
        ? []
        : entities.listAppointments({ ...range, practitionerId: query.practitionerId }),
      query.petId === null ? [] : entities.listAppointments({ ...range, petId: query.petId }),
    ]);
    const byId = new Map<string, LocalAppointment>();
    for (const a of [...ofPractitioner, ...ofPet]) byId.set(String(a.id), a);
    return [...byId.values()];
  }
}
