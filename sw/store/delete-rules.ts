/**
 * The delete rules offline (src/protocol/delete-rules.ts), checked inside the write's transaction:
 * a client with live pets is refused with HAS_DEPENDENTS naming them, as is a pet with more
 * upcoming appointments than the server cancels in one request.
 *
 * The cancellation itself is left to the server and pulled (never queued here): the server
 * cancels the pet's upcoming appointments in the transaction that applies the delete, as
 * ordinary versioned changes. Until they arrive, the replica shows them cancelled by the same
 * rule at read time (db/records.ts ReplicaView), measured from the pet's `deletedAt`. So nothing
 * is applied twice, the Sync tab lists one change (the pet), and discarding that change brings
 * the appointments back as they were.
 */
import {
  cancelledWithPet,
  clientHasPetsMessage,
  MAX_CANCELLED_WITH_PET,
  petHasTooManyUpcomingMessage,
  type EntityType,
} from '../../src/protocol/index.ts';
import { LocalWriteError } from '../core/write-input.ts';
import type { AnyReplicaRecord, ReplicaView } from '../db/records.ts';
import type { ReadTx } from '../db/tx.ts';
import { fromIndex } from './reads.ts';

/** How many names a refusal lists before "and N more" (the server's number). */
const NAMED = 5;

export async function checkDeletable(
  tx: ReadTx,
  view: ReplicaView,
  entityType: EntityType,
  record: AnyReplicaRecord,
  now: number,
): Promise<void> {
  if (entityType === 'users') {
    const pets = (await fromIndex(tx, 'pets', 'ownerId', await view.idForms('users', record.id))).filter(
      (pet) => !pet.deletedAt,
    );
    if (pets.length > 0) {
      const names = pets.map((pet) => String(pet.name)).sort((a, b) => a.localeCompare(b));
      throw new LocalWriteError(
        'HAS_DEPENDENTS',
        clientHasPetsMessage(String(record.name), pets.length, names.slice(0, NAMED)),
      );
    }
  }
  if (entityType === 'pets') {
    const appointments = await fromIndex(tx, 'appointments', 'petId', await view.idForms('pets', record.id));
    const upcoming = appointments.filter((appointment) => cancelledWithPet(appointment, now)).length;
    if (upcoming > MAX_CANCELLED_WITH_PET)
      throw new LocalWriteError('HAS_DEPENDENTS', petHasTooManyUpcomingMessage(String(record.name)));
  }
}
