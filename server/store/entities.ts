/**
 * One model per synced entity: reads and writes its table and converts rows to wire records.
 * The sync engine (`sync/apply.ts`) is written once against `EntityModel` (store/model.ts);
 * what differs between users, pets and appointments lives in store/models/.
 */
import type { Database } from '../db/engine.ts';
import type { EntityModels } from './model.ts';
import { appointmentsModel } from './models/appointments.ts';
import { petsModel } from './models/pets.ts';
import { usersModel } from './models/users.ts';

export type {
  AppointmentsModel,
  BookingWindow,
  ChangeRow,
  EntityModel,
  EntityModels,
  ListFilter,
  ListKey,
  ListPage,
  Owner,
  PageRequest,
  PetsModel,
  RefTarget,
  RowMeta,
} from './model.ts';

export function createEntityModels(db: Database): EntityModels {
  return { users: usersModel(db), pets: petsModel(db), appointments: appointmentsModel(db) };
}
