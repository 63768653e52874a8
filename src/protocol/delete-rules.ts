/**
 * The delete rules (issue 9, decision D2) as the worker applies them offline, in the server's
 * words (server/sync/apply.ts):
 * - a client (a user with role CLIENT) with live pets is refused: HAS_DEPENDENTS, naming them;
 * - a pet goes together with the cancellation of its upcoming appointments (date ≥ the moment of
 *   the deletion, not deleted, not cancelled, completed or no-show); more than
 *   MAX_CANCELLED_WITH_PET of them is refused (bounded work per request).
 */
import type { AppointmentStatus } from './entities.ts';

export const MAX_CANCELLED_WITH_PET = 500;

const FINISHED: ReadonlySet<string> = new Set<AppointmentStatus>(['cancelled', 'completed', 'no_show']);

/** Whether deleting its pet at `deletedAt` (ms) cancels this appointment. */
export function cancelledWithPet(appointment: Readonly<Record<string, unknown>>, deletedAt: number): boolean {
  if (appointment.deletedAt) return false;
  if (typeof appointment.status !== 'string' || FINISHED.has(appointment.status)) return false;
  return typeof appointment.date === 'string' && Date.parse(appointment.date) >= deletedAt;
}

/** "2 pets: Bella and Rex", "7 pets: A, B, C, D, E and 2 more". */
export function countedList(count: number, noun: string, names: readonly string[]): string {
  const label = `${count} ${noun}${count === 1 ? '' : 's'}`;
  const shown = names.slice(0, count);
  const rest = count - shown.length;
  const items = rest > 0 ? [...shown, `${rest} more`] : shown;
  const text = items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
  return `${label}: ${text}`;
}

export function clientHasPetsMessage(clientName: string, count: number, petNames: readonly string[]): string {
  return `${clientName} still has ${countedList(count, 'pet', petNames)}. Delete them or give them another owner first.`;
}

export function petHasTooManyUpcomingMessage(petName: string): string {
  return `${petName} has more than ${MAX_CANCELLED_WITH_PET} upcoming appointments. Cancel some of them first, then delete the pet.`;
}
