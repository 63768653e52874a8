/**
 * What deleting a pet does to its appointments (decision D2, src/protocol/delete-rules.ts, the
 * rule the worker and the server apply): upcoming ones (start ≥ now, not deleted, not cancelled,
 * completed or no-show) are cancelled with it; past visits stay as history. More than
 * MAX_CASCADE upcoming appointments are refused (bounded work). Pure, so the confirmation can
 * name them before anything happens.
 */
import type { LocalAppointment } from '../api/entities.ts';
import { cancelledWithPet, MAX_CANCELLED_WITH_PET } from '../protocol/index.ts';

export const MAX_CASCADE = MAX_CANCELLED_WITH_PET;

export function upcomingAppointments(appointments: readonly LocalAppointment[], now: number): LocalAppointment[] {
  return appointments.filter((a) => cancelledWithPet(a, now)).sort((a, b) => Date.parse(a.date) - Date.parse(b.date));
}
